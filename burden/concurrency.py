"""Lost updates: a save made from a read that someone else's save has overtaken is refused.

Records, units, people and rule settings carry a ``version`` that every save of the
stored row moves on by one (``Versioned.save``). A form or an API read hands the
version out; the write hands it back as ``expected_version``. If the row has moved on
since, and a field a person could have typed changed with it, the save raises
:class:`StaleWrite`, which names those fields, their values now and who changed them
(from the history), and nothing is written. ``expected_version=None`` (imports,
internal code, API callers that send no version) checks nothing: the last write wins.

The check and the write are atomic: the row is locked (``SELECT ... FOR UPDATE``) and
the version claimed with a conditional ``UPDATE ... WHERE version = <read>``, inside the
save's transaction, so two concurrent saves from the same version cannot both pass
even on a database without row locks (SQLite).

Set-based recomputations (burden hours after a tariff change, a subtree's paths after
a move, roll-ups) use ``QuerySet.update()`` and leave the version alone on purpose:
they change only derived values that no form shows or writes back, and the next save
recomputes them anyway, so they must not make an open form stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from .record_display import display_value


@dataclass(frozen=True)
class Change:
    """One field someone else changed: its name, label, value now (as shown) and who changed it."""

    name: str
    label: str
    value: str
    changed_by: object = None  # a user, or None when nobody is on record

    @property
    def changed_by_name(self) -> str:
        user = self.changed_by
        if user is None:
            return ""
        return (user.get_full_name() or "").strip() or user.get_username()

    def sentence(self) -> str:
        if self.changed_by is None:
            return _("%(field)s was changed to %(value)s") % {"field": self.label, "value": self.value}
        return _("%(field)s was changed by %(user)s to %(value)s") % {
            "field": self.label,
            "user": self.changed_by_name,
            "value": self.value,
        }

    def as_dict(self) -> dict:
        user = self.changed_by
        return {
            "field": self.name,
            "label": self.label,
            "value": self.value,
            "changed_by": user.get_username() if user is not None else None,
        }


class StaleWrite(ValidationError):
    """The row changed since the caller read it (at ``expected_version``); nothing was saved.

    ``changes`` lists what changed, or is None when the history cannot tell (a version
    that was never stored, history pruned). A ``ValidationError``, so a page shows it as
    a form error; the API answers 409 or 412 (``burden.api.versions``).
    """

    def __init__(self, *, current_version: int, changes: list[Change] | None):
        self.current_version = current_version
        self.changes = changes
        super().__init__(self.lines(), code="stale")

    def summary(self) -> str:
        return _("Your changes were not saved: someone else changed this since you opened it.")

    def lines(self) -> list[str]:
        if not self.changes:
            return [self.summary(), _("Open it again to see its current values.")]
        return [
            self.summary(),
            *(change.sentence() for change in self.changes),
            _("What you entered is kept below: check it against these changes and save again to keep yours."),
        ]


def version_field() -> forms.IntegerField:
    """The hidden field a form carries the version it was loaded at in."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def stale_form_refresh(form, stale: StaleWrite) -> None:
    """Keep what the person typed, but carry the current version: saving again is then a deliberate choice."""
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = str(stale.current_version)


class VersionCheckedForm:
    """Mix into a ModelForm that declares ``version = version_field()``: a stale save is a form error.

    For the Django admin, whose save itself checks nothing: the check locks the row
    (``SELECT ... FOR UPDATE``) inside the admin's transaction, so it holds until the
    save commits. A history revert is a deliberate return to an old state and is not
    checked (``VersionedAdmin`` turns ``version_checked`` off for it).
    """

    version_checked = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if self.version_checked and self.instance.pk is not None:
            try:
                version_check(self.instance, expected_version=cleaned.get("version"))
            except StaleWrite as stale:
                self.add_error(None, stale)
                stale_form_refresh(self, stale)
        return cleaned


class VersionedAdmin:
    """Mix into a ModelAdmin whose form is a ``VersionCheckedForm``: its change page carries the version."""

    def get_exclude(self, request, obj=None):
        # The form declares ``version`` itself; the model field is not editable.
        return [*(super().get_exclude(request, obj) or []), "version"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "_history_revert", False):
            return type(form.__name__, (form,), {"version_checked": False})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The form there is built from an old version on purpose: the revert is the choice.
        request._history_revert = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or any("version" in opts["fields"] for _title, opts in fieldsets):
            return fieldsets
        (title, opts), *rest = fieldsets
        return [(title, {**opts, "fields": [*opts["fields"], "version"]}), *rest]


class Versioned(models.Model):
    """A row with a version that every save moves on; a stale ``expected_version`` is refused."""

    version = models.PositiveIntegerField(
        gettext_lazy("version"),
        default=1,
        editable=False,
        help_text=gettext_lazy("Moves on with every save; a save made from an older version is refused."),
    )

    #: Fields a conflict never concerns (bookkeeping that no form writes back).
    version_ignored_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, expected_version: int | None = None, **kwargs):
        """Save, moving the version on; ``StaleWrite`` if the stored row is past ``expected_version``.

        A save of chosen ``update_fields`` without ``version`` (a sign-in stamping
        ``last_login``) is not a change anyone could overwrite and keeps the version.
        """
        update_fields = kwargs.get("update_fields")
        # A pk without a stored row (a restore from history) is an insert: the claim finds nothing.
        if self.pk is None or (update_fields is not None and "version" not in update_fields):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # No savepoint: the caller's transaction (a service's) is what the claim belongs to.
        with transaction.atomic(using=using, savepoint=False):
            version_claim(self, expected_version=expected_version, using=using)
            return super().save(*args, **kwargs)

    def version_watched_fields(self) -> list[models.Field]:
        """The fields whose change since a caller's read makes their save a conflict."""
        return [
            field
            for field in self._meta.concrete_fields
            if field.editable and not field.primary_key and field.name not in self.version_ignored_fields
        ]

    def changes_since(self, version: int) -> list[Change] | None:
        """What changed in the stored row since ``version``, from its history (None: cannot tell)."""
        return history_changes(self, since=version)


def version_check(instance: Versioned, *, expected_version: int | None, using: str | None = None) -> int | None:
    """Lock the stored row and refuse (``StaleWrite``) a save from ``expected_version`` if it moved on.

    Returns the stored version (None for a row that is gone). Only a change to a watched
    field is a conflict: a re-save that moved only derived values lets the save through.
    """
    rows = type(instance)._base_manager.using(using).filter(pk=instance.pk)
    current = rows.select_for_update().values_list("version", flat=True).first()
    if current is None or expected_version is None or current == expected_version:
        return current
    changes = instance.changes_since(expected_version) if expected_version < current else None
    if changes is None or changes:
        raise StaleWrite(current_version=current, changes=changes)
    return current


def version_claim(instance: Versioned, *, expected_version: int | None, using: str | None = None) -> None:
    """Check ``expected_version`` and move the stored version on by one, atomically; sets ``instance.version``."""
    rows = type(instance)._base_manager.using(using).filter(pk=instance.pk)
    for _attempt in range(3):
        current = version_check(instance, expected_version=expected_version, using=using)
        if current is None:
            return  # deleted meanwhile: save() inserts it again, at the version it carries
        # Where the lock above is a no-op (SQLite), this UPDATE is what stops a second writer.
        if rows.filter(version=current).update(version=current + 1):
            instance.version = current + 1
            return
    raise StaleWrite(current_version=current, changes=None)


def history_changes(instance: Versioned, *, since: int) -> list[Change] | None:
    """The watched fields whose stored value differs from the one at version ``since``, with who changed each.

    Reads the history rows from ``since`` on (a handful); None when no row holds that version.
    """
    history = type(instance).history.model
    opts = history._meta
    fields = [field for field in instance.version_watched_fields() if _has_field(opts, field.attname)]
    rows = list(
        history.objects.filter(**{instance._meta.pk.attname: instance.pk}, version__gte=since)
        .select_related("history_user")
        .order_by("version", "history_date", "history_id")
    )
    baseline = [row for row in rows if row.version == since]
    if not baseline:
        return None
    before = baseline[-1]
    later = [row for row in rows if row.version > since]
    if not later:
        return []
    who = {}
    previous = before
    for row in later:
        for field in fields:
            if getattr(row, field.attname) != getattr(previous, field.attname):
                who[field.name] = row.history_user
        previous = row
    now = later[-1]
    return [
        Change(
            name=field.name,
            label=capfirst(field.verbose_name),
            value=_shown(field, getattr(now, field.attname)),
            changed_by=who.get(field.name),
        )
        for field in fields
        if getattr(now, field.attname) != getattr(before, field.attname)
    ]


def _has_field(opts, attname: str) -> bool:
    return any(field.attname == attname for field in opts.concrete_fields)


def _shown(field: models.Field, value) -> str:
    if isinstance(field, models.ForeignKey) and value is not None:
        value = field.related_model._base_manager.filter(pk=value).first() or value
    return display_value(field, value)


class QuietHistory(HistoricalRecords):
    """History that writes no row for a save of ``update_fields`` it excludes (a sign-in's ``last_login``)."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
