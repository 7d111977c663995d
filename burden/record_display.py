"""Turning a record and its history into rows a page can show, in the reader's language."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import localize
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .fields import MultipleChoiceField

EMPTY = "—"
HIDDEN_IN_HISTORY = {"updated_by", "updated_at", "created_by", "created_at", "burden_hours"}


def list_separator() -> str:
    return "、" if (get_language() or "").startswith("zh") else ", "


def display_value(field: models.Field, value) -> str:
    """One field's value as a reader should see it (choice labels, yes/no, unit names)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(field, MultipleChoiceField):
        labels = dict(field.flatchoices)
        return list_separator().join(str(labels.get(item, item)) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.ForeignKey):
        return str(value)
    return localize(value)


def field_rows(record, form_class) -> list[tuple[str, str]]:
    """(label, value) for each field of the record's form, in the form's order."""
    opts = record._meta
    return [
        (opts.get_field(name).verbose_name, display_value(opts.get_field(name), getattr(record, name)))
        for name in form_class._meta.fields
    ]


def history_rows(record, *, limit: int) -> list[dict]:
    """The newest ``limit`` history entries with what each one changed.

    Two queries whatever the history holds: the entries, then every unit (or other
    related row) that a change points at, fetched together.
    """
    entries = list(record.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    opts = record._meta
    raw = []
    for index, entry in enumerate(entries[:limit]):
        previous = entries[index + 1] if index + 1 < len(entries) else None
        changes = []
        if previous is not None and entry.history_type == "~":
            for change in entry.diff_against(previous, foreign_keys_are_objs=False).changes:
                try:
                    field = opts.get_field(change.field)
                except FieldDoesNotExist:
                    continue
                if field.editable and field.name not in HIDDEN_IN_HISTORY:
                    changes.append((field, change.old, change.new))
        raw.append((entry, changes))

    wanted = defaultdict(set)
    for _entry, changes in raw:
        for field, old, new in changes:
            if isinstance(field, models.ForeignKey):
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
    related = {model: model._default_manager.in_bulk(ids) for model, ids in wanted.items()}

    def shown(field, value):
        if isinstance(field, models.ForeignKey) and value is not None:
            value = related[field.related_model].get(value, value)
        return display_value(field, value)

    return [
        {
            "when": entry.history_date,
            "who": entry.history_user,
            "type": entry.history_type,
            "changes": [
                {"field": f.verbose_name, "old": shown(f, old), "new": shown(f, new)} for f, old, new in changes
            ],
        }
        for entry, changes in raw
    ]
