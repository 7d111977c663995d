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
from .models import Unit
from .scoping import scope_for

logger = logging.getLogger(__name__)


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
    writes a history row naming ``user``.
    """
    if record.pk is not None:
        stored = type(record).objects.filter(pk=record.pk).only("unit").first()
        if stored is None or scope_for(user).role_at(stored.unit) is None:
            raise PermissionDenied
    record_validate_unit(record=record, user=user)
    record.full_clean()
    if record.pk is None:
        record.created_by = user
    record.updated_by = user
    record._history_user = user
    record.save()
    evaluation_queue(record)
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
    return changed
