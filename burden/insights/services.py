"""Writes of the insights: reduction targets and explanations, each behind the scoping gate."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import scoping
from ..scoping import scope_for
from .models import IncreaseExplanation, ReductionTarget


@transaction.atomic
def reduction_target_set(
    *, unit, record_kind: str, year: int, measure: str, reduction_percent: int, user
) -> ReductionTarget:
    """Set (or replace) the target of ``unit`` for a kind and year; admins of the unit only."""
    if not scope_for(user).has_role_at(unit, scoping.ADMIN):
        raise PermissionDenied
    target = ReductionTarget.objects.filter(unit=unit, record_kind=record_kind, year=year).first()
    target = target or ReductionTarget(unit=unit, record_kind=record_kind, year=year)
    target.measure, target.reduction_percent, target.set_by = measure, reduction_percent, user
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def reduction_target_delete(*, target: ReductionTarget, user) -> None:
    if not scope_for(user).has_role_at(target.unit, scoping.ADMIN):
        raise PermissionDenied
    target.delete()


@transaction.atomic
def increase_explanation_save(
    *, source_unit, record_kind: str, year: int, explanation: str, user
) -> IncreaseExplanation:
    """Write (or rewrite) why ``source_unit`` imposed more of a kind in ``year``.

    The department's own people write it, or anyone above it; nobody else.
    """
    if scope_for(user).role_at(source_unit) is None:
        raise PermissionDenied
    note = IncreaseExplanation.objects.filter(source_unit=source_unit, record_kind=record_kind, year=year).first()
    note = note or IncreaseExplanation(source_unit=source_unit, record_kind=record_kind, year=year)
    note.explanation, note.written_by = explanation, user
    note.full_clean()
    note.save()
    return note
