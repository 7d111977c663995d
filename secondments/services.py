"""Writes to a secondment's extensions; each one re-saves the secondment so its hours follow."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from burden.services import record_save

from .models import Extension, Secondment


def _secondment_for(*, secondment: Secondment, user) -> Secondment:
    """The secondment as stored, if ``user`` may write to it (the same gate as ``record_save``)."""
    stored = Secondment.objects.for_user(user).filter(pk=secondment.pk).first()
    if stored is None:
        raise PermissionDenied
    return stored


@transaction.atomic
def secondment_extend(
    *,
    secondment: Secondment,
    new_end_date: datetime.date,
    approved_by: str = "",
    approved_on: datetime.date | None = None,
    user,
) -> Extension:
    """Extend ``secondment`` to ``new_end_date`` as ``user``.

    Raises ``ValidationError`` (nothing saved) for an extension that does not extend.
    Side effects: writes the extension and its history row, then re-saves the
    secondment through ``record_save``, which recomputes its burden hours, sets
    ``updated_by`` and writes a history row naming ``user``.
    """
    secondment = _secondment_for(secondment=secondment, user=user)
    extension = Extension(
        secondment=secondment,
        new_end_date=new_end_date,
        approved_by=approved_by,
        approved_on=approved_on,
        created_by=user,
    )
    extension.full_clean()
    extension._history_user = user
    extension.save()
    record_save(record=secondment, user=user)
    return extension


@transaction.atomic
def extension_delete(*, extension: Extension, user) -> None:
    """Delete ``extension`` as ``user``; its history keeps it.

    Side effects: re-saves the secondment through ``record_save`` (hours, history).
    """
    secondment = _secondment_for(secondment=extension.secondment, user=user)
    extension._history_user = user
    extension.delete()
    record_save(record=secondment, user=user)
