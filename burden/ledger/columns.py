"""The columns of a record kind's ledger (台账): headers in both languages and cell converters.

A ledger's columns are the kind's form fields plus ``external_id``, under the same
names as the models and the API. A header matches its column when it is the API
name, the Chinese label, the English label, or the template's "中文 / English" pair.
Each column converts a cell (text from CSV, typed values from XLSX) to the model's
Python value and runs the model field's own validators, so an import is held to the
same rules as the form.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from ..fields import MultipleChoiceField
from ..models import Unit

#: Columns that exports add for reading; an import of an exported file skips them.
READ_ONLY_COLUMNS = ["burden_hours", "created_at", "updated_at"]
ID_COLUMN = "id"
EXTERNAL_ID = "external_id"

TRUE_WORDS = {"1", "true", "yes", "y", "是", "√", "✓", "有", "需要", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "×", "✗", "无", "不需要", "f"}
LIST_SPLIT = re.compile(r"[,，;；、/\s]+")
#: Between the items of a list cell; an item that is no choice is then split at its spaces,
#: so that a label of several words ("Written material") reads back as one item.
LIST_ITEMS = re.compile(r"[,，;；、/]+")
DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


class CellError(Exception):
    """A cell that cannot be read; the message is already translated."""


def normalise_header(text: Any) -> str:
    text = str(text or "").strip().lstrip("*＊").strip()
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", " ", text).lower()


def bilingual_labels(verbose_name) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(verbose_name)
    with translation.override("en"):
        en = str(verbose_name)
    return zh, en[:1].upper() + en[1:]


class ExtraColumn:
    """A ledger column that is not a model field, declared by a record app (a data request's items).

    The importer calls ``parse`` for each cell, ``apply`` on the unsaved record before
    its burden hours are computed, and ``write`` once a batch of records is in the
    database; ``current`` and ``export`` read a stored record's value back.
    """

    name: str = ""
    verbose_name = ""
    required = False
    hint = ""
    prefetch: tuple[str, ...] = ()
    #: Model fields that ``apply`` sets, saved along with the record on an update.
    derived_fields: tuple[str, ...] = ()

    def parse(self, raw):
        raise NotImplementedError

    def apply(self, record, value) -> None:
        """Set what the record derives from the value (before hours are computed)."""

    def current(self, record):
        raise NotImplementedError

    def export(self, record) -> str:
        raise NotImplementedError

    def write(self, pairs: list[tuple[object, object]]) -> None:
        """Store the values of freshly written records (new or updated)."""


@dataclass
class Column:
    """One ledger column: a model field, or a column an app declares (``extra``)."""

    name: str
    field: models.Field | None
    required: bool
    zh: str
    en: str
    choices: list[tuple[str, str, str]] = field(default_factory=list)  # (value, zh label, en label)
    extra: ExtraColumn | None = None

    @property
    def header(self) -> str:
        """The header the template and exports write: both languages."""
        mark = "*" if self.required else ""
        return f"{mark}{self.zh} / {self.en}" if self.zh != self.en else f"{mark}{self.en}"

    def aliases(self) -> set[str]:
        names = {self.name, self.zh, self.en, self.header, f"{self.zh} / {self.en}", f"{self.zh}/{self.en}"}
        return {normalise_header(name) for name in names}

    def choice_label(self, value: str) -> str:
        for choice, zh, en in self.choices:
            if choice == value:
                return zh if translation.get_language().startswith("zh") else en
        return value


def columns_for(config) -> list[Column]:
    """The ledger columns of a record kind: its form's fields, then ``external_id``."""
    opts = config.model._meta
    names = [name for name in config.form_class._meta.fields if name not in config.ledger_extra_names] + [EXTERNAL_ID]
    columns = []
    for name in names:
        model_field = opts.get_field(name)
        zh, en = bilingual_labels(model_field.verbose_name)
        choices = []
        for value, label in model_field.flatchoices if model_field.choices else []:
            if value == "":
                continue
            choice_zh, choice_en = bilingual_labels(label)
            choices.append((value, choice_zh, choice_en))
        required = (
            not model_field.blank and not model_field.has_default() and not isinstance(model_field, models.BooleanField)
        )
        columns.append(Column(name, model_field, required, zh, en, choices))
    for extra in config.ledger_extras:
        zh, en = bilingual_labels(extra.verbose_name)
        columns.append(Column(extra.name, None, extra.required, zh, en, extra=extra))
    return columns


@dataclass
class Converters:
    """Turns cells into values; holds the look-up tables an import needs, loaded once."""

    writable_units: dict[str, tuple[int, str]]  # code -> (id, level)
    all_units: dict[str, int]
    #: A unit's name (Chinese, and English in lower case) -> the codes of the units bearing it.
    unit_names: dict[str, list[str]] = field(default_factory=dict)
    related_ids: dict[type, set[int]] = field(default_factory=dict)
    _compiled: dict = field(default_factory=dict)

    @classmethod
    def for_user(cls, user, writable_queryset) -> Converters:
        return cls(
            writable_units={
                code: (pk, level) for pk, code, level in writable_queryset.values_list("pk", "code", "level")
            },
            all_units=dict(Unit.objects.values_list("code", "pk")),
            unit_names=_unit_names(),
        )

    def convert(self, column: Column, raw: Any):
        """The Python value of one cell, or ``CellError`` with a translated message."""
        run = self._compiled.get(column.name)
        if run is None:
            run = self._compiled[column.name] = self._compile(column)
        return run(raw)

    def _compile(self, column: Column):
        """One column's converter, with its type decided once rather than for every cell."""
        model_field = column.field
        required = column.required
        if column.extra is not None:
            extra = column.extra

            def run_extra(raw):
                if _is_empty(raw):
                    if required:
                        raise CellError(_("This column is required."))
                    return extra.parse("")
                return extra.parse(raw)

            return run_extra
        if isinstance(model_field, MultipleChoiceField):
            empty_value = list
        elif model_field.has_default():
            empty_value = model_field.get_default
        else:
            empty_value = (lambda: None) if model_field.null else (lambda: "")
        # The field's own declared validators (a minimum duration...); the type checks
        # and the length are done here, cheaper than Django's generic run_validators.
        declared = list(model_field._validators)
        max_length = None if model_field.choices else getattr(model_field, "max_length", None)
        convert_value = self._convert

        def run(raw):
            if _is_empty(raw):
                if required:
                    raise CellError(_("This column is required."))
                return empty_value()
            value = convert_value(model_field, column, raw)
            try:
                if max_length is not None and isinstance(value, str) and len(value) > max_length:
                    MaxLengthValidator(max_length)(value)
                for validator in declared:
                    validator(value)
            except ValidationError as error:
                raise CellError(" ".join(error.messages)) from None
            return value

        return run

    def _convert(self, model_field, column, raw):
        if isinstance(model_field, MultipleChoiceField):
            return self._choices(column, raw)
        if model_field.choices:
            return self._choice(column, raw)
        if isinstance(model_field, models.ForeignKey):
            return self._foreign_key(model_field, raw)
        if isinstance(model_field, models.BooleanField):
            return _boolean(raw)
        if isinstance(model_field, models.DateField):
            return _date(raw)
        if isinstance(model_field, models.DecimalField):
            return _decimal(raw, model_field)
        if isinstance(model_field, models.IntegerField):
            return _integer(raw, model_field)
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))  # Excel turns "12" into 12.0
        return text

    def _choices(self, column, raw) -> list:
        values = []
        for item in LIST_ITEMS.split(str(raw).strip()):
            item = item.strip()
            if not item:
                continue
            try:
                values.append(self._choice(column, item))
            except CellError:
                words = LIST_SPLIT.split(item)
                if len(words) < 2:
                    raise
                values.extend(self._choice(column, word) for word in words if word)
        return values

    def _choice(self, column, raw):
        wanted = normalise_header(raw)
        for value, zh, en in column.choices:
            if wanted in (value.lower(), zh.lower(), en.lower()):
                return value
        allowed = "、".join(zh if translation.get_language().startswith("zh") else en for _v, zh, en in column.choices)
        raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": raw, "allowed": allowed})

    def _foreign_key(self, model_field, raw):
        target = model_field.related_model
        if target is Unit:
            code = self._unit_code(str(raw).strip())
            if model_field.name == "unit":
                if code not in self.writable_units:
                    if code in self.all_units:
                        raise CellError(_("You can only record burden for your own units."))
                    raise CellError(_("There is no unit with the name or code “%(code)s”.") % {"code": code})
                return self.writable_units[code][0]
            if code not in self.all_units:
                raise CellError(_("There is no unit with the name or code “%(code)s”.") % {"code": code})
            return self.all_units[code]
        pk = _integer(raw, None)
        known = self.related_ids.setdefault(target, set())
        if pk not in known:
            if not target._default_manager.filter(pk=pk).exists():
                raise CellError(
                    _("There is no %(model)s with the id %(id)s.") % {"model": target._meta.verbose_name, "id": pk}
                )
            known.add(pk)
        return pk

    def _unit_code(self, text: str) -> str:
        """The code of the unit a cell names: a code, "CODE name", or a name only one unit bears."""
        first_word = text.split(maxsplit=1)[0]
        for code in (text, first_word):
            if code in self.all_units:
                return code
        codes = self.unit_names.get(text) or self.unit_names.get(text.lower()) or []
        if len(set(codes)) > 1:
            raise CellError(
                _("Several units are called “%(name)s” (%(codes)s): give the code of the one you mean.")
                % {"name": text, "codes": "、".join(sorted(set(codes))[:5])}
            )
        return codes[0] if codes else text


def _unit_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for code, name, name_en in Unit.objects.values_list("code", "name", "name_en").iterator():
        names.setdefault(name, []).append(code)
        if name_en:
            names.setdefault(name_en.lower(), []).append(code)
    return names


def _is_empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no; write 是 or 否.") % {"value": raw})


def _date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", text) else text
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it as 2026-03-01.") % {"value": raw})


def _integer(raw, model_field) -> int:
    if isinstance(raw, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = str(raw).strip().replace(",", "")
        if not re.fullmatch(r"[-+]?\d+", text):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
        value = int(text)
    if isinstance(model_field, (models.PositiveIntegerField, models.PositiveSmallIntegerField)) and value < 0:
        raise CellError(_("A count cannot be negative."))
    return value


def _decimal(raw, model_field) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
    value = value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
    if value.adjusted() >= model_field.max_digits - model_field.decimal_places:
        raise CellError(_("“%(value)s” is too large.") % {"value": raw})
    return value
