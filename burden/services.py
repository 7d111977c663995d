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
from .records.registry import kinds
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
def record_save(*, record, user, expected_version: int | None = None):
    """Validate and save a new or changed record as ``user``.

    ``expected_version`` is the version the caller read (a form's hidden field, the
    API's ``If-Match`` or ``version``): ``StaleWrite`` if someone saved it since; None
    checks nothing (imports, internal re-saves). Side effects: sets
    ``created_by``/``updated_by``, stores burden hours (``save()``), moves the version
    on, writes a history row naming ``user``; after the commit, the rules evaluate it
    and its roll-up cells (and those it left) are recomputed.
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
    record.save(expected_version=expected_version)
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
    from .queueing import task_send
    from .rules.tasks import evaluate_record

    if not task_send(evaluate_record, kind, record_id):  # the pending row stays for the sweep
        logger.warning("the evaluation of %s %s waits for the next sweep", kind, record_id)


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

    params.full_clean()
    previous = CostParameters.objects.select_for_update().get(pk=params.pk)
    params._history_user = user
    params.save()
    changed = {}
    for kind in kinds():
        changed[kind.model._meta.label_lower] = kind.model.recompute_default_hours(previous, params)
    moved = [kind.code for kind in kinds() if changed.get(kind.model._meta.label_lower)]
    if moved:
        transaction.on_commit(lambda: rollups_rebuild_queue(moved))
    return changed


def rollups_rebuild_queue(kinds: list[str]) -> None:
    """Rebuild the roll-ups of ``kinds`` in the background (here, if the broker is down)."""
    from .insights.rollups import rollups_rebuild
    from .insights.tasks import rebuild_rollups
    from .queueing import task_send

    if not task_send(rebuild_rollups, kinds):
        logger.warning("doing the roll-up rebuild in this process")
        rollups_rebuild(kinds)


# --- Units and people (every door: the API, the Django admin's forms, bulk actions and history) ---


def _require_admin_at(user, unit) -> None:
    if unit is None:
        if not user.is_superuser:
            raise PermissionDenied
    elif not scope_for(user).has_role_at(unit, scoping.ADMIN):
        raise PermissionDenied


@transaction.atomic
def unit_save(*, unit: Unit, user, expected_version: int | None = None) -> Unit:
    """Create or change a unit as an admin of the unit it sits under (superusers: anywhere).

    Every door (API, admin form, admin history revert) comes here. A unit moves only
    when ``user`` administers the unit, the parent it leaves and the parent it goes to,
    and never under its own subtree. Raises ``PermissionDenied`` outside the admin's
    subtree and ``ValidationError`` for bad values. Side effects: a move or a new code
    rewrites the paths of the whole subtree (``Unit.save``); one history row naming ``user``.
    """
    stored = Unit.objects.filter(pk=unit.pk).first() if unit.pk is not None else None
    if stored is not None:
        _require_admin_at(user, stored)
        if unit.parent_id != stored.parent_id:
            # A move takes the unit out of one parent and into another: both are the mover's.
            if not scope_for(user).may_move(stored):
                raise PermissionDenied(_("A unit moves only between units you administer."))
            _require_admin_at(user, unit.parent)
        # A form or a history row may carry an old path; the subtree is rewritten from the stored one,
        # and ``Unit.clean`` refuses a parent inside it.
        unit.path, unit.depth = stored.path, stored.depth
    else:
        _require_admin_at(user, unit.parent)
        unit.path = ""
    unit.full_clean()
    unit._history_user = user
    unit.save(expected_version=expected_version)  # StaleWrite if changed since that version
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, user) -> None:
    """Delete a unit with no units or records below it (``ProtectedError`` otherwise)."""
    _require_admin_at(user, Unit.objects.get(pk=unit.pk))
    if unit.parent_id is None and not user.is_superuser:
        raise PermissionDenied
    unit._history_user = user
    unit.delete()


def _system_powers(person) -> tuple[bool, bool]:
    return bool(person.is_superuser), bool(person.is_staff)


@transaction.atomic
def user_save(*, person, password: str | None, user, expected_version: int | None = None):
    """Create or change a person as an admin who manages them; ``password`` (already validated) is hashed.

    Who manages whom is :meth:`Scope.manages_person`, checked on the person as stored,
    so a change, a deactivation and a new password all need it. Only superusers give
    or take system-wide powers (superuser or staff status). A new person without a
    password (hash) cannot sign in until one is set. Raises ``PermissionDenied`` and
    ``ValidationError`` (``StaleWrite`` if changed since ``expected_version``). Side
    effects: a new person records ``created_by``; one history row naming ``user``.
    """
    scope = scope_for(user)
    stored = type(person)._default_manager.filter(pk=person.pk).first() if person.pk is not None else None
    if stored is not None:
        if not scope.manages_person(stored):
            raise PermissionDenied
    elif not scope.admin_paths and not scope.everything:
        raise PermissionDenied
    before = _system_powers(stored) if stored is not None else (False, False)
    if not scope.everything and _system_powers(person) != before:
        raise PermissionDenied(_("Only a superuser may give or take system-wide powers."))
    if stored is not None and person.pk == user.pk and not person.is_active:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    person.full_clean(exclude=["password"])
    if password is not None:
        person.set_password(password)
    elif stored is None and not person.password:
        person.set_unusable_password()
    if stored is None:
        person.created_by = user
    person._history_user = user
    person.save(expected_version=expected_version)
    return person


@transaction.atomic
def user_delete(*, person, user) -> None:
    """Delete a person the caller manages (never oneself); their memberships go with them."""
    if person.pk == user.pk:
        raise PermissionDenied(_("You cannot delete yourself."))
    stored = type(person)._default_manager.get(pk=person.pk)
    if not scope_for(user).manages_person(stored):
        raise PermissionDenied
    stored.delete()


def _require_grant(user, membership) -> None:
    scope = scope_for(user)
    if not scope.may_grant(membership.unit, membership.role) or not scope.manages_person(membership.user):
        raise PermissionDenied


@transaction.atomic
def membership_save(*, membership, user):
    """Give a person a role in a unit, or change it, as an admin there who manages the person.

    Both the membership as stored and as changed must pass :meth:`Scope.may_grant`
    (admin at the unit, never a role above one's own) and :meth:`Scope.manages_person`.
    Raises ``PermissionDenied``; one history row.
    """
    if membership.unit_id is None or membership.user_id is None:
        membership.full_clean()  # names the missing field
    if membership.pk is not None:
        stored = type(membership).objects.select_related("unit", "user").filter(pk=membership.pk).first()
        if stored is not None:
            _require_grant(user, stored)
    _require_grant(user, membership)
    membership.full_clean()
    membership._history_user = user
    membership.save()
    return membership


@transaction.atomic
def membership_delete(*, membership, user) -> None:
    """Take a role away, as an admin of its unit who manages its person; one history row."""
    _require_grant(user, type(membership).objects.select_related("unit", "user").get(pk=membership.pk))
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
