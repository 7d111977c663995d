"""The rule type and its registry.

A rule is small and pure: a code, a translated title and description, the clause of
the source paper it enforces, the kind of record it reads, typed parameters with the
paper's defaults, a severity, and ``find()``: from a queryset of records, the
parameters and ``today`` to findings. It never saves, sends or looks at a request;
writing findings to violations is ``burden.rules.engine.violations_sync``.

Record rules look at one record at a time and are written as queryset filters, so the
same code evaluates one saved record or sweeps a million. Aggregate and clock rules
(``aggregate = True``) compare records with each other or with the calendar; they
also say which records a saved one can affect (``related``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class Severity(models.TextChoices):
    """How much a rule's flag weighs (a violation's ``severity``, ``Violation.Severity``)."""

    LOW = "low", gettext_lazy("Low")
    MEDIUM = "medium", gettext_lazy("Medium")
    HIGH = "high", gettext_lazy("High")


SEVERITIES = tuple(Severity.values)
#: The severities' order, low to high: the queue sorts by it and a case weighs by it.
SEVERITY_RANK = {Severity.LOW.value: 1, Severity.MEDIUM.value: 2, Severity.HIGH.value: 3}


def severity_rank(field: str = "severity", *, default: int = 0) -> models.Case:
    """A severity column's rank (``SEVERITY_RANK``) as an SQL expression; ``default`` for anything else."""
    return models.Case(
        *(models.When(**{field: severity}, then=models.Value(rank)) for severity, rank in SEVERITY_RANK.items()),
        default=models.Value(default),
        output_field=models.IntegerField(),
    )


class Source(models.TextChoices):
    """The instrument a rule enforces; a rule cites it with its ``clause`` and ``quote``.

    The order is the rules page's: the paper the rules began with, then the binding
    instruments since (``../shared/DESIGN.md``, "Sources beyond the paper").
    """

    PAPER = "paper", gettext_lazy("The paper on burden reduction at the grassroots (2025)")
    REGULATION_2024 = (
        "regulation_2024",
        gettext_lazy("Several Provisions on Rectifying Formalism to Reduce Burdens at the Grassroots (2024)"),
    )
    FINGERTIP_2024 = "fingertip_2024", gettext_lazy("Opinions on Preventing Formalism at the Fingertips (2024)")
    APP_MEASURES_2026 = (
        "app_measures_2026",
        gettext_lazy("Measures for the Standardised Management of Government Mobile Apps (2026)"),
    )


#: How a clause is cited, by source: the paper's clauses are section numbers (3.1), the
#: instruments' are article numbers.
CITATION = {
    Source.PAPER: gettext_lazy("Paper %(clause)s"),
    Source.REGULATION_2024: gettext_lazy("Several Provisions (2024), art. %(clause)s"),
    Source.FINGERTIP_2024: gettext_lazy("Fingertip Opinions (2024), %(clause)s"),
    Source.APP_MEASURES_2026: gettext_lazy("App Measures (2026), art. %(clause)s"),
}
#: How a whole part of an instrument is cited, by source (``Part``).
PART_CITATION = {
    Source.REGULATION_2024: gettext_lazy("Several Provisions (2024), part %(part)s"),
    Source.FINGERTIP_2024: gettext_lazy("Fingertip Opinions (2024), part %(part)s"),
}
#: How a passage that is neither an article nor a part is cited (``Rule.clause_is_passage``):
#: a list of prohibitions whose article's number could not be confirmed.
PASSAGE_CITATION = {
    Source.APP_MEASURES_2026: gettext_lazy("App Measures (2026), %(clause)s"),
}
PART_NUMERALS = {
    "I": pgettext_lazy("part of an instrument", "I"),
    "II": pgettext_lazy("part of an instrument", "II"),
    "III": pgettext_lazy("part of an instrument", "III"),
    "IV": pgettext_lazy("part of an instrument", "IV"),
    "V": pgettext_lazy("part of an instrument", "V"),
    "VI": pgettext_lazy("part of an instrument", "VI"),
    "VII": pgettext_lazy("part of an instrument", "VII"),
}


class Part(str):
    """A clause that is a whole part of an instrument, not one of its articles: ``Part("III")`` for 三、.

    Its value is the Roman numeral; shown (``str()``: pages, the API) it is the numeral in
    the reader's language (三 in Chinese), and the rule is cited as the part.
    """

    def __new__(cls, numeral: str):
        assert numeral in PART_NUMERALS, numeral
        return super().__new__(cls, numeral)

    def __str__(self) -> str:
        return str(PART_NUMERALS[str.__str__(self)])


#: The ``record_kind`` of a rule that reads every kind of record (TRACE-BANNED).
ANY_KIND = "*"


@dataclass(frozen=True)
class Param:
    """A typed, validated threshold of a rule."""

    name: str
    label: Promise
    default: Any
    kind: str = "int"  # "int" or "choices" (a set of allowed values)
    minimum: int = 0
    maximum: int | None = None
    choices: tuple[tuple[str, Promise], ...] = ()

    def clean(self, value):
        """The value as the rule reads it, or ``ValidationError`` saying what is wrong."""
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValidationError(_("Enter a whole number."))
            try:
                number = int(value)
            except ValueError:
                raise ValidationError(_("Enter a whole number.")) from None
            if number < self.minimum:
                raise ValidationError(_("Enter %(minimum)s or more.") % {"minimum": self.minimum})
            if self.maximum is not None and number > self.maximum:
                raise ValidationError(_("Enter %(maximum)s or less.") % {"maximum": self.maximum})
            return number
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Choose from the list."))
        allowed = {choice for choice, _label in self.choices}
        unknown = [item for item in value if item not in allowed]
        if unknown:
            raise ValidationError(_("Unknown choice: %(values)s.") % {"values": ", ".join(unknown)})
        return sorted(set(value))

    def display(self, value) -> str:
        """The value in the reader's language: a number as it is, chosen values by their labels."""
        from ..record_display import EMPTY, list_separator

        if self.kind == "choices":
            labels = dict(self.choices)
            return list_separator().join(str(labels.get(item, item)) for item in value or []) or EMPTY
        return EMPTY if value is None else str(value)

    def schema(self) -> dict:
        """A JSON schema of the parameter, for the API and the thresholds page."""
        if self.kind == "int":
            schema = {"type": "integer", "minimum": self.minimum, "default": self.default}
            if self.maximum is not None:
                schema["maximum"] = self.maximum
            return {**schema, "title": str(self.label)}
        return {
            "type": "array",
            "items": {"type": "string", "enum": [choice for choice, _label in self.choices]},
            "uniqueItems": True,
            "default": list(self.default),
            "title": str(self.label),
        }


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: a record (and a key, when one record can break a rule twice).

    ``occurred_on`` is the burden's date when it is not the record's own: a group's day,
    quarter or year, or the day a clock rule's condition began. Left ``None``, the
    writer dates the violation by the record (``Model.date_field``), in its SQL.

    ``records`` makes it a group's finding: the ids of every record of the group (of the
    rule's kind), ``record_id`` being the group's anchor (its first record) and ``key``
    what names the group (its day, quarter, item). Left empty, the finding is on one record.
    """

    record_id: int
    unit_id: int
    source_unit_id: int | None
    values: dict = field(default_factory=dict)  # what the message says, kept as the details
    key: str = ""
    occurred_on: datetime.date | None = None
    records: tuple[int, ...] = ()


class Rule:
    """Subclass, set the attributes and write ``find``; ``register`` it in its module."""

    code: ClassVar[str]
    title: ClassVar[Promise]
    description: ClassVar[Promise]
    message: ClassVar[Promise]  # formatted with the finding's values and the parameters
    #: The source's section (paper) or article (instruments) number, a ``Part``, or (lazy) a passage's name.
    clause: ClassVar[str]
    #: The instrument the rule enforces (``Source``) and the clause's words, translated.
    source: ClassVar[str] = Source.PAPER
    quote: ClassVar[Promise | str] = ""
    #: True when ``clause`` names a passage of the instrument (a list, a section) rather than an article.
    clause_is_passage: ClassVar[bool] = False
    record_kind: ClassVar[str]
    severity: ClassVar[str] = "medium"
    params: ClassVar[tuple[Param, ...]] = ()
    aggregate: ClassVar[bool] = False
    # A group's anchor is only its first record, so the group keeps its violation when
    # that changes (``burden.rules.sync``); False where the anchor is the group itself
    # (a parent document and its supplements: another parent is another burden).
    anchor_moves: ClassVar[bool] = True
    #: Codes of more specific rules of the same kind of record whose flag on a record
    #: stands for this rule's finding too (and says so in its message): one cause, one
    #: flag. The engine runs them first and skips the records they flag.
    superseded_by: ClassVar[tuple[str, ...]] = ()

    def find(self, records: QuerySet, params: dict, today: datetime.date) -> Iterable[Finding]:
        raise NotImplementedError

    def related(self, record) -> QuerySet:
        """The records whose findings a change to ``record`` can change (itself, for record rules)."""
        return type(record).objects.filter(pk=record.pk)

    @property
    def kind_label(self) -> str:
        """The kind of record the rule reads, in the reader's language."""
        from ..records.registry import record_models

        if self.record_kind == ANY_KIND:
            return _("Every kind of record")
        model = record_models().get(self.record_kind)
        return str(model._meta.verbose_name_plural) if model else self.record_kind

    @property
    def source_label(self) -> str:
        """The instrument the rule enforces, in the reader's language."""
        return str(Source(self.source).label)

    @property
    def citation(self) -> str:
        """Where the rule comes from, short: "Paper 3.1", "Several Provisions (2024), art. 2" (or "part III")."""
        source = Source(self.source)
        if isinstance(self.clause, Part):
            return str(PART_CITATION[source]) % {"part": str(self.clause)}
        formats = PASSAGE_CITATION if self.clause_is_passage else CITATION
        return str(formats[source]) % {"clause": self.clause}

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    def defaults(self) -> dict:
        return {param.name: param.default for param in self.params}

    def clean_params(self, values: dict) -> dict:
        """Every parameter validated, the defaults filling what is not given; errors by name."""
        cleaned, errors = {}, {}
        known = {param.name for param in self.params}
        for name in values:
            if name not in known:
                errors[name] = [_("This rule has no parameter of this name.")]
        for param in self.params:
            try:
                cleaned[param.name] = param.clean(values.get(param.name, param.default))
            except ValidationError as error:
                errors[param.name] = error.messages
        if errors:
            raise ValidationError(errors)
        return cleaned

    def render(self, values: dict, params: dict) -> str:
        """The finding's message in the active language."""
        return str(self.message) % {**params, **values}

    @staticmethod
    def finding(record_values: dict, key: str = "", *, occurred_on: datetime.date | None = None, **values) -> Finding:
        """A finding from a ``.values("pk", "unit_id", "source_unit_id")`` row and what was found.

        ``occurred_on``: the burden's date, when it is not the record's own (see ``Finding``).
        """
        return Finding(
            record_id=record_values["pk"],
            unit_id=record_values["unit_id"],
            source_unit_id=record_values["source_unit_id"],
            values=values,
            key=key,
            occurred_on=occurred_on,
        )

    @staticmethod
    def group(
        rows: list[dict], key: str = "", *, occurred_on: datetime.date | None = None, weight: str = "", **values
    ) -> Finding:
        """One finding for a group of records: ``rows`` of ``.values("pk", "unit_id", "source_unit_id", ...)``.

        The first row is the anchor (give them in the group's order: date, then id). The
        group's source unit is the one that sent most of it, by count or by the rows'
        ``weight`` column (on a tie, the first of the rows), since a case goes to the
        department that caused the burden; how much each sent is kept as ``by_source``.
        """
        shares: dict[int | None, int] = {}
        for row in rows:
            shares[row["source_unit_id"]] = shares.get(row["source_unit_id"], 0) + (row[weight] if weight else 1)
        source = max(shares, key=lambda unit_id: shares[unit_id]) if shares else None
        anchor = rows[0]
        return Finding(
            record_id=anchor["pk"],
            unit_id=anchor["unit_id"],
            source_unit_id=source,
            values={**values, "by_source": {str(unit_id): share for unit_id, share in shares.items()}},
            key=key,
            occurred_on=occurred_on,
            records=tuple(dict.fromkeys(row["pk"] for row in rows)),
        )


REGISTRY: dict[str, Rule] = {}
# Set once ``burden.rules.catalogue.load()`` has imported every rule module (at start-up,
# from ``BurdenConfig.ready()``): reading the rules before then would miss some.
_loaded = False


def register(rule_class: type[Rule]) -> type[Rule]:
    """Class decorator: one instance of each rule, by code."""
    assert rule_class.severity in SEVERITIES, rule_class.code
    assert rule_class.source in Source.values, rule_class.code
    assert rule_class.code not in REGISTRY, f"two rules with the code {rule_class.code}"
    REGISTRY[rule_class.code] = rule_class()
    return rule_class


def catalogue_loaded() -> None:
    """Called by ``burden.rules.catalogue.load()`` once every rule module has registered its rules."""
    global _loaded
    _loaded = True


def all_rules() -> list[Rule]:
    """Every rule, by code. Fails before start-up has loaded the rule modules."""
    if not _loaded:
        raise RuntimeError("The rules are read before burden.rules.catalogue.load() imported them (at start-up).")
    return sorted(REGISTRY.values(), key=lambda rule: rule.code)


def get_rule(code: str) -> Rule:
    """The rule of ``code``; ``KeyError`` if there is none."""
    all_rules()
    return REGISTRY[code]


def rule_title(code: str) -> str:
    """The rule's title in the reader's language; the code itself for a rule the catalogue no longer has."""
    try:
        return str(get_rule(code).title)
    except KeyError:
        return code
