"""Writes that every way in (browser, import, API) goes through, so they behave the same.

Services take keyword arguments, validate with ``full_clean()``, enforce the scoping
gate for writing and state their side effects. Views, importers and the API call
them; none of them saves a record on its own.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import scoping
from .insights.rollups import rollups_queue
from .models import CostParameters, Unit
from .scoping import scope_for

logger = logging.getLogger(__name__)


# burden_hours is a DecimalField(max_digits=12, decimal_places=2).
MAX_BURDEN_HOURS = 10**10


def writable_units(user):
    """The units ``user`` may record burden for: their own units and, for supervisors, their subtree."""
    return Unit.objects.for_user(user, min_role=scoping.STAFF)


def record_validate_unit(*, record, user) -> None:
    """Refuse, as a field error, a record for a unit the user does not belong to."""
    if record.unit_id is None:
        return
    unit = record.unit
    if scope_for(user).role_at(unit) is None:
        raise ValidationError({"unit": _("You can only record burden for your own units.")})


@transaction.atomic
def record_save(*, record, user):
    """Validate and save a new or changed record as ``user``.

    Side effects: sets ``created_by``/``updated_by``, stores burden hours (``save()``),
    writes a history row naming ``user``; after the commit, the rules evaluate it and
    its roll-up cells (and those it left) are recomputed.
    """
    stored = None
    if record.pk is not None:
        stored = type(record).objects.filter(pk=record.pk).only("unit", record.date_field).first()
        if stored is None or scope_for(user).role_at(stored.unit) is None:
            raise PermissionDenied
    record_validate_unit(record=record, user=user)
    record.full_clean()
    if record.compute_burden_hours(CostParameters.current()) >= MAX_BURDEN_HOURS:
        raise ValidationError(_("These figures add up to more hours than any record can hold; check them."))
    if record.pk is None:
        record.created_by = user
    record.updated_by = user
    record._history_user = user
    record.save()
    evaluation_queue(record)
    rollups_queue(record, before=stored)
    return record


@transaction.atomic
def record_delete(*, record, user) -> None:
    """Delete a record as ``user``; its history keeps it, so an admin can restore it.

    Side effect: its violations are cleared by the evaluation that follows.
    """
    if scope_for(user).role_at(record.unit) is None:
        raise PermissionDenied
    record._history_user = user
    record_id = record.pk
    record.delete()
    record.pk = record_id
    evaluation_queue(record)
    rollups_queue(record)


def evaluation_queue(record) -> None:
    """Have the rules evaluate ``record`` once the current transaction commits.

    The pending row is written in the caller's transaction, so it exists exactly
    when the change does; if the broker cannot take the task, the row waits for the
    next sweep and nothing is lost.
    """
    from .models import PendingEvaluation

    kind, record_id = record.record_kind, record.pk
    PendingEvaluation.objects.bulk_create(
        [PendingEvaluation(record_kind=kind, record_id=record_id, unit_id=record.unit_id)], ignore_conflicts=True
    )
    transaction.on_commit(lambda: dispatch_evaluation(kind, record_id))


def dispatch_evaluation(kind: str, record_id: int) -> None:
    from .tasks import evaluate_record

    try:
        evaluate_record.delay(kind, record_id)
    except Exception:  # the broker is down: the pending row stays for the sweep
        logger.warning("could not queue the evaluation of %s %s; the next sweep will do it", kind, record_id)


@transaction.atomic
def record_restore(*, historical, user):
    """Bring a deleted record back from its last history row (admins of its unit only)."""
    record = historical.instance
    if not scope_for(user).has_role_at(record.unit, scoping.ADMIN):
        raise PermissionDenied
    if type(record).objects.filter(pk=record.pk).exists():
        raise ValidationError(_("This record has already been restored."))
    record._history_user = user
    record.save()
    rollups_queue(record)
    return record


@transaction.atomic
def cost_parameters_update(*, params, user) -> dict[str, int]:
    """Save changed cost parameters and bring every stored burden hour in line with them.

    Only records that rely on a default move (a document without a logged handling
    time, a data request without a logged filling time, every secondment when the
    working day changes); each kind does it in a few set-based UPDATEs. Returns how
    many rows of each kind changed.
    """
    from .models import CostParameters
    from .record_views import record_configs

    params.full_clean()
    previous = CostParameters.objects.select_for_update().get(pk=params.pk)
    params._history_user = user
    params.save()
    changed = {}
    for config in record_configs():
        recompute = getattr(config.model, "recompute_default_hours", None)
        if recompute is not None:
            changed[config.model._meta.label_lower] = recompute(previous, params)
    moved = [config.model.record_kind for config in record_configs() if changed.get(config.model._meta.label_lower)]
    if moved:
        transaction.on_commit(lambda: rollups_rebuild_queue(moved))
    return changed


def rollups_rebuild_queue(kinds: list[str]) -> None:
    """Rebuild the roll-ups of ``kinds`` in the background (here, if the broker is down)."""
    from kombu.exceptions import OperationalError

    from .insights.rollups import rollups_rebuild
    from .tasks import rebuild_rollups

    try:
        rebuild_rollups.delay(kinds)
    except (OperationalError, OSError):
        logger.warning("could not queue the roll-up rebuild; doing it in this process")
        rollups_rebuild(kinds)


# --- Units and people (the API; the Django admin applies the same rules in its forms) ---


def _require_admin_at(user, unit) -> None:
    if unit is None:
        if not user.is_superuser:
            raise PermissionDenied
    elif not scope_for(user).has_role_at(unit, scoping.ADMIN):
        raise PermissionDenied


@transaction.atomic
def unit_save(*, unit: Unit, user) -> Unit:
    """Create or change a unit as an admin of the unit it sits under (superusers: anywhere).

    Raises ``PermissionDenied`` outside the admin's subtree and ``ValidationError`` for
    bad values. Side effects: a move or a new code rewrites the paths of the whole
    subtree (``Unit.save``); one history row naming ``user``.
    """
    if unit.pk is not None:
        stored = Unit.objects.get(pk=unit.pk)
        _require_admin_at(user, stored)
        if unit.parent_id != stored.parent_id:
            _require_admin_at(user, unit.parent)
    else:
        _require_admin_at(user, unit.parent)
    unit.full_clean()
    unit._history_user = user
    unit.save()
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, user) -> None:
    """Delete a unit with no units or records below it (``ProtectedError`` otherwise)."""
    _require_admin_at(user, unit)
    if unit.parent_id is None and not user.is_superuser:
        raise PermissionDenied
    unit._history_user = user
    unit.delete()


@transaction.atomic
def user_save(*, person, password: str | None, user):
    """Create or change a person as a unit admin; ``password`` (already validated) is hashed.

    Without a password a new person cannot sign in until one is set. Side effect:
    one history-free save (people's changes are audited through their memberships).
    """
    person.full_clean(exclude=["password"])
    if password is not None:
        person.set_password(password)
    elif person.pk is None:
        person.set_unusable_password()
    person.save()
    return person


@transaction.atomic
def membership_save(*, membership, user):
    """Give a person a role in a unit the caller administers; one history row."""
    _require_admin_at(user, membership.unit)
    if membership.pk is not None:
        _require_admin_at(user, type(membership).objects.get(pk=membership.pk).unit)
    membership.full_clean()
    membership._history_user = user
    membership.save()
    return membership


@transaction.atomic
def membership_delete(*, membership, user) -> None:
    _require_admin_at(user, membership.unit)
    membership._history_user = user
    membership.delete()


@transaction.atomic
def owned_object_save(*, instance, owner_field: str, user):
    """Create or change a shared list entry (catalogue item, inspection plan) owned by a unit.

    Only admins of the owning unit (before and after the change) may write it. Raises
    ``PermissionDenied`` or ``ValidationError``; one history row naming ``user``.
    """
    if instance.pk is not None:
        stored = type(instance).objects.select_related(owner_field).get(pk=instance.pk)
        _require_admin_at(user, getattr(stored, owner_field))
    _require_admin_at(user, getattr(instance, owner_field))
    instance.full_clean()
    instance._history_user = user
    instance.save()
    return instance


@transaction.atomic
def owned_object_delete(*, instance, owner_field: str, user) -> None:
    """Delete a shared list entry as an admin of its owning unit (``ProtectedError`` while in use)."""
    _require_admin_at(user, getattr(instance, owner_field))
    instance._history_user = user
    instance.delete()
