"""Reads for the insights pages: each one a fixed number of queries on the roll-ups, whatever the rows.

Every read starts from ``Model.objects.for_user(user)``: a unit chosen outside the
viewer's units has already been refused by the view, and the gate keeps the sums
inside the viewer's units even then (a staff member never sees the units below
their own). A source department can be anywhere; only the burden it put on the
viewer's units is counted. Cases (督办事项) likewise start from
``Case.objects.for_user(user)`` and count only the cases that the burden of the
chosen unit's subtree feeds (``unit_cases``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import get_language

from .. import scoping
from ..costs import cost
from ..models import Case, CaseEvent, CaseLetter, CostParameters, Unit, Violation, ViolationEvent
from ..record_display import list_separator
from ..records import registry
from ..scoping import scope_for
from .forms import Period
from .models import FlagRollup, IncreaseExplanation, MonthlyRollup, ReductionTarget, WorkingDay
from .rollups import record_models

SUMS = ("hours", "records", "flagged", "photo", "checkin", "material")
TRACES = ("photo", "checkin", "material")


def kinds() -> list[tuple[str, str]]:
    """(record_kind, label) of every kind of record, in the navigation's order."""
    return registry.choices()


def default_unit(user) -> Unit | None:
    """The viewer's top unit: the highest one they belong to (the tree's root for a superuser)."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if not scope.grants:
        return None
    top = min(scope.grants, key=lambda grant: (grant.path.count("/"), -scoping.ROLE_RANK[grant.role], grant.path))
    return Unit.objects.filter(pk=top.unit_id).first()


def unit_options(user, limit: int = 500) -> list[tuple[str, str, str]]:
    """(code, name, English name) of the units the viewer may choose, for the unit picker."""
    return list(Unit.objects.for_user(user).options(limit))


@dataclass
class Measures:
    """Sums of roll-up cells; ``cost`` is hours x the tariff of each unit's level."""

    hours: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    records: int = 0
    flagged: int = 0
    photo: int = 0
    checkin: int = 0
    material: int = 0

    def add(self, row: dict, tariff: Decimal | None = None) -> None:
        """Add a row of ``_sums()``; with the tariff of the row's unit level, its cost too."""
        hours = Decimal(row["sum_hours"] or 0)
        self.hours += hours
        if tariff is not None:
            self.cost += cost(hours, tariff)
        for name in SUMS[1:]:
            setattr(self, name, getattr(self, name) + (row[f"sum_{name}"] or 0))

    def __iadd__(self, other: Measures) -> Measures:
        self.cost += other.cost
        self.add({f"sum_{name}": getattr(other, name) for name in SUMS})
        return self

    @property
    def traces(self) -> int:
        return self.photo + self.checkin + self.material

    @property
    def flags_per_hundred(self) -> Decimal | None:
        if not self.records:
            return None
        return (Decimal(100) * self.flagged / self.records).quantize(Decimal("0.1"))


#: The records of a kind a department must have issued in the same months a year earlier
#: before the ledger and the reports say it issued "more than a year earlier" (只减不增):
#: below it there is no base to compare with, and the kind is shown as having none.
INCREASE_MIN_BASE = 1


def change_percent(current, previous) -> Decimal | None:
    """How much ``current`` differs from ``previous``, in per cent (None without a base).

    An empty base (nothing a year earlier) has no change to speak of: the pages show
    "no base a year earlier" rather than an infinite or enormous percentage.
    """
    if not previous:
        return None
    return (Decimal(100) * (Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(Decimal("0.1"))


#: A rise of this many per cent or more reads better as a multiple: "12.1 times" rather than "+1,113.1%".
CHANGE_AS_MULTIPLE = Decimal(1000)


def change_multiple(current, previous) -> Decimal | None:
    """``current`` as a multiple of ``previous`` (to a tenth) when it rose by ``CHANGE_AS_MULTIPLE`` % or more."""
    change = change_percent(current, previous)
    if change is None or change < CHANGE_AS_MULTIPLE:
        return None
    return (Decimal(current) / Decimal(previous)).quantize(Decimal("0.1"))


def _sums(condition: Q | None = None) -> dict:
    """``sum_hours``, ``sum_records``...: the roll-up columns summed (over ``condition``'s months)."""
    return {f"sum_{name}": Sum(name, filter=condition) for name in SUMS}


def _rollups(user, unit: Unit):
    """The roll-ups of ``unit`` and every unit below it that the viewer may see."""
    return MonthlyRollup.objects.for_user(user).filter(unit__path__startswith=unit.path).order_by()


# --- the dashboard ------------------------------------------------------------------------


@dataclass
class BurdenSummary:
    """A unit's burden in a period, by kind and month, with the same months a year earlier."""

    period: Period
    kinds: list[tuple[str, str]]
    months: dict[str, dict[datetime.date, Measures]]  # kind -> month -> this period
    previous: dict[str, dict[datetime.date, Measures]]  # kind -> month (of this period) -> a year earlier

    def month_total(self, month: datetime.date, *, previous: bool = False) -> Measures:
        source = self.previous if previous else self.months
        total = Measures()
        for kind, _label in self.kinds:
            total += source[kind][month]
        return total

    def kind_total(self, kind: str, *, previous: bool = False) -> Measures:
        source = self.previous if previous else self.months
        total = Measures()
        for month in self.period.months:
            total += source[kind][month]
        return total

    def total(self, *, previous: bool = False) -> Measures:
        total = Measures()
        for kind, _label in self.kinds:
            total += self.kind_total(kind, previous=previous)
        return total


def burden_summary(user, unit: Unit, period: Period) -> BurdenSummary:
    """Two queries: the cost parameters, and the roll-ups of both periods grouped by kind, month and level."""
    return _summary(_rollups(user, unit), period)


def _summary(rollups, period: Period) -> BurdenSummary:
    params = CostParameters.current()
    rows = (
        rollups.filter(month__gte=period.previous.start, month__lte=period.end)
        .values("record_kind", "month", "unit__level")
        .annotate(**_sums())
    )
    kind_list = kinds()
    months = {kind: defaultdict(Measures) for kind, _label in kind_list}
    previous = {kind: defaultdict(Measures) for kind, _label in kind_list}
    for row in rows:
        if row["record_kind"] not in months:
            continue
        tariff = params.tariff_for(row["unit__level"])
        # With a period of more than a year, a month can be in both.
        if row["month"] in period:
            months[row["record_kind"]][row["month"]].add(row, tariff)
        if row["month"] in period.previous:
            previous[row["record_kind"]][row["month"] + relativedelta(years=1)].add(row, tariff)
    return BurdenSummary(period, kind_list, months, previous)


@dataclass(frozen=True)
class RuleFlags:
    rule: str
    title: str
    record_kind: str
    count: int


def open_flags_by_rule(user, unit: Unit) -> list[RuleFlags]:
    """Open (and acknowledged) flags on the unit's subtree, per rule and kind: one query on ``FlagRollup``."""
    from ..rules.base import rule_title

    rows = (
        FlagRollup.objects.for_user(user)
        .filter(unit__path__startswith=unit.path)
        .order_by()
        .values("rule", "record_kind")
        .annotate(count=Sum("open_flags"))
    )
    flags = []
    for row in rows:
        flags.append(RuleFlags(row["rule"], rule_title(row["rule"]), row["record_kind"], row["count"]))
    return sorted(flags, key=lambda flag: (-flag.count, flag.rule, flag.record_kind))


#: What became of a flag, in the order a report lists them; "cleared" is the system's (the finding went away).
FLAG_OUTCOMES = (
    Violation.Status.OPEN,
    Violation.Status.ACKNOWLEDGED,
    Violation.Status.RESOLVED,
    Violation.Status.WAIVED,
    Violation.Status.CLEARED,
)


@dataclass
class FlagOutcomes:
    """The flags of one rule in a period (by ``occurred_on``), counted by the status each had at the period's end."""

    rule: str
    title: str
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def counts(self) -> list[int]:
        """The counts in the order of ``FLAG_OUTCOMES``."""
        return [self.by_status.get(status, 0) for status in FLAG_OUTCOMES]


def flags_opened(user, unit: Unit, period: Period) -> list[FlagOutcomes]:
    """The flags of the period on the unit's subtree, by rule and by how they stood at its end: one query.

    A flag belongs to the period its burden fell in (``occurred_on``), not the one it was
    found in: a record dated in November and entered in December is November's. How a
    flag stood is the last status change of its timeline up to the period's end; a flag
    without one (found only after the period, for a record entered late) is open.
    Most flags first.
    """
    from ..review.selectors import day_start
    from ..rules.base import rule_title

    end = day_start(period.last_day + datetime.timedelta(days=1))
    last_step = (
        ViolationEvent.objects.filter(violation=OuterRef("pk"), at__lt=end)
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    rows = (
        Violation.objects.for_user(user)
        .filter(unit__path__startswith=unit.path, occurred_on__gte=period.start, occurred_on__lte=period.last_day)
        .annotate(outcome=Coalesce(Subquery(last_step), Value(Violation.Status.OPEN.value)))
        .order_by()
        .values("rule", "outcome")
        .annotate(count=Count("pk"))
    )
    by_rule: dict[str, FlagOutcomes] = {}
    for row in rows:
        if row["rule"] not in by_rule:
            by_rule[row["rule"]] = FlagOutcomes(row["rule"], rule_title(row["rule"]))
        by_rule[row["rule"]].by_status[row["outcome"]] += row["count"]
    return sorted(by_rule.values(), key=lambda flags: (-flags.total, flags.rule))


@dataclass(frozen=True)
class PersonAway:
    record: object
    last_day: datetime.date
    days_left: int  # negative: overdue by that many days

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)


def secondments_out(user, unit: Unit, today: datetime.date, limit: int = 50) -> tuple[list[PersonAway], int]:
    """People of the unit's subtree seconded out on ``today``, soonest end first, and how many: two queries."""
    away = _away_on(user, unit, today)
    if away is None:
        return [], 0
    return _people(away, today, limit), away.count()


def secondments_ending(
    user, unit: Unit, day: datetime.date, period: Period, limit: int = 50
) -> tuple[list[PersonAway], int]:
    """People of the unit's subtree away on ``day`` whose term ends within ``period``, and how many: two queries.

    A report's "terms ending in the next period": ``day`` is the period's last day,
    ``period`` the month or quarter after it.
    """
    away = _away_on(user, unit, day)
    if away is None:
        return [], 0
    ending = away.filter(last_day__gte=period.start, last_day__lte=period.last_day)
    return _people(ending, day, limit), ending.count()


def _away_on(user, unit: Unit, day: datetime.date):
    """The secondments of the unit's subtree with the person away on ``day``, with their ``last_day``."""
    model = record_models().get("secondment")
    if model is None:
        return None
    _first, last = model.hours_span()
    return (
        model.objects.for_user(user)
        .filter(unit__path__startswith=unit.path, start_date__lte=day)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
        .annotate(last_day=last)
    )


def _people(away, day: datetime.date, limit: int) -> list[PersonAway]:
    shown = away.select_related("unit", "source_unit").order_by("last_day", "pk")[:limit]
    return [PersonAway(record, record.last_day, (record.last_day - day).days) for record in shown]


@dataclass
class TargetProgress:
    target: ReductionTarget
    label: str
    current: Decimal
    previous: Decimal
    change: Decimal | None

    @property
    def goal(self) -> int:
        return -self.target.reduction_percent

    @property
    def met(self) -> bool | None:
        if self.change is None:
            return None
        return self.change <= self.goal


def targets_progress(unit: Unit, summary: BurdenSummary) -> list[TargetProgress]:
    """The targets that apply to ``unit`` (its own, else the nearest above it) for the period's year: one query."""
    codes = [*unit.ancestor_codes, unit.code]
    nearest: dict[str, ReductionTarget] = {}
    targets = ReductionTarget.objects.filter(unit__code__in=codes, year=summary.period.year).select_related("unit")
    for target in sorted(targets, key=lambda t: t.unit.depth):
        nearest[target.record_kind] = target
    labels = dict(summary.kinds)
    progress = []
    for kind, target in nearest.items():
        if kind not in labels:
            continue
        now, before = summary.kind_total(kind), summary.kind_total(kind, previous=True)
        attribute = "hours" if target.measure == ReductionTarget.Measure.HOURS else "records"
        current, previous = Decimal(getattr(now, attribute)), Decimal(getattr(before, attribute))
        progress.append(TargetProgress(target, labels[kind], current, previous, change_percent(current, previous)))
    return sorted(progress, key=lambda p: list(labels).index(p.target.record_kind))


# --- the burden ledger ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceUnit:
    """What the ledger shows of a source department (which may lie outside the viewer's units)."""

    pk: int
    code: str
    name: str
    name_en: str
    path: str

    @property
    def label(self) -> str:
        if self.name_en and _english():
            return self.name_en
        return self.name


@dataclass
class SourceRow:
    source: SourceUnit | None
    by_kind: dict[str, Measures] = field(default_factory=lambda: defaultdict(Measures))
    previous_records: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    explanations: dict[str, IncreaseExplanation] = field(default_factory=dict)
    can_explain: bool = False
    cases_open: int = 0  # of the cases against it of the period, those still open or replied
    cases_total: int = 0  # the cases against it of the period (by ``Case.period``)
    #: Of its records of each kind in the period, those whose label hides their kind (``relabelled()``).
    relabelled: dict[str, Measures] = field(default_factory=lambda: defaultdict(Measures))

    @property
    def total(self) -> Measures:
        total = Measures()
        for measures in self.by_kind.values():
            total += measures
        return total

    @property
    def relabelled_total(self) -> Measures:
        total = Measures()
        for measures in self.relabelled.values():
            total += measures
        return total

    def has_base(self, kind: str) -> bool:
        """Whether a year earlier it issued enough of ``kind`` to compare with (``INCREASE_MIN_BASE``)."""
        return self.previous_records.get(kind, 0) >= INCREASE_MIN_BASE

    @property
    def increased(self) -> list[str]:
        """Kinds it issued more of than in the same months a year earlier ("只减不增"), where there is a base."""
        return [
            kind
            for kind, now in self.by_kind.items()
            if self.has_base(kind) and now.records > self.previous_records.get(kind, 0)
        ]

    @property
    def without_base(self) -> list[str]:
        """Kinds it issued in the period with no base a year earlier: neither more nor less can be said."""
        return [kind for kind, now in self.by_kind.items() if now.records and not self.has_base(kind)]


def source_ranking(user, unit: Unit, period: Period) -> tuple[list[SourceRow], SourceRow]:
    """Source departments by the hours they put on the unit's subtree in the period, most first.

    Returns the ranking and the burden with no source recorded. Three queries: the
    roll-ups grouped by source and kind (this period and a year earlier side by side),
    the explanations of the period's year, and the cases against each department; and
    for the relabelled records, one more for each kind that can have any (``relabelled_by_source``).
    """
    current = Q(month__gte=period.start, month__lte=period.end)
    earlier = Q(month__gte=period.previous.start, month__lte=period.previous.end)
    rows = (
        _rollups(user, unit)
        .filter(current | earlier)
        .values(
            "source_unit_id",
            "source_unit__code",
            "source_unit__name",
            "source_unit__name_en",
            "source_unit__path",
            "record_kind",
        )
        .annotate(**_sums(condition=current), previous_records=Sum("records", filter=earlier))
    )
    by_source: dict[int | None, SourceRow] = {}
    for row in rows:
        source_id = row["source_unit_id"]
        if source_id not in by_source:
            source = None
            if source_id is not None:
                source = SourceUnit(
                    source_id,
                    row["source_unit__code"],
                    row["source_unit__name"],
                    row["source_unit__name_en"],
                    row["source_unit__path"],
                )
            by_source[source_id] = SourceRow(source)
        entry = by_source[source_id]
        if row["sum_records"] or row["sum_hours"]:
            entry.by_kind[row["record_kind"]].add(row)
        entry.previous_records[row["record_kind"]] += row["previous_records"] or 0
    for source_id, counts in relabelled_by_source(user, unit, period).items():
        if source_id in by_source:
            by_source[source_id].relabelled.update(counts)
    unknown = by_source.pop(None, SourceRow(None))
    ranking = [entry for entry in by_source.values() if entry.by_kind]
    ranking.sort(key=lambda entry: (-entry.total.hours, -entry.total.records, entry.source.code))
    _attach_explanations(user, ranking, period.year)
    _attach_cases(user, unit, period, ranking)
    return ranking, unknown


def relabelled_kinds() -> list[tuple[str, str]]:
    """(record_kind, label) of the kinds whose records can hide their kind under another label."""
    models = registry.record_models()
    return [(kind, label) for kind, label in kinds() if models[kind].relabelled() is not None]


def relabelled_by_source(user, unit: Unit, period: Period) -> dict[int | None, dict[str, Measures]]:
    """Per source department and kind, the records of the unit's subtree in the period whose label hides their kind.

    Read from the records, not the roll-ups: each kind's ``relabelled()`` says which they
    are, and a kind that cannot have any (``None``) costs nothing. One grouped query per
    kind that can, whatever the number of records or departments; for a kind whose hours
    spread over months (``hours_span``), one more for the hours of a working day. Records
    count in the month of their date and hours where they fall, as in the roll-ups.
    """
    found: dict[int | None, dict[str, Measures]] = defaultdict(dict)
    for kind, model in registry.record_models().items():
        relabelled = model.relabelled()
        if relabelled is None:
            continue
        for row in _relabelled_rows(user, unit, period, model, relabelled):
            if row["records"] or row["hours"]:
                measures = Measures(records=row["records"] or 0)
                measures.hours = Decimal(row["hours"] or 0).quantize(Decimal("0.01"))
                found[row["source_unit_id"]][kind] = measures
    return found


def _relabelled_rows(user, unit: Unit, period: Period, model, relabelled: Q):
    records = model.objects.for_user(user).filter(relabelled, unit__path__startswith=unit.path).order_by()
    dated = Q(**{f"{model.date_field}__gte": period.start, f"{model.date_field}__lte": period.last_day})
    span = model.hours_span()
    if span is None:
        return records.filter(dated).values("source_unit_id").annotate(records=Count("pk"), hours=Sum("burden_hours"))
    first, last = span
    days = (
        WorkingDay.objects.filter(
            day__gte=Greatest(OuterRef("r_first"), Value(period.start)),
            day__lte=Least(OuterRef("r_last"), Value(period.last_day)),
        )
        .order_by()
        .annotate(days=Func("pk", function="COUNT", output_field=IntegerField()))
        .values("days")
    )
    per_day = CostParameters.current().hours_per_working_day
    return (
        records.annotate(r_first=first, r_last=last)
        .filter(dated | Q(r_first__lte=period.last_day, r_last__gte=period.start))
        .annotate(r_days=Subquery(days, output_field=IntegerField()))
        .values("source_unit_id")
        .annotate(
            records=Count("pk", filter=dated),
            hours=ExpressionWrapper(Sum("r_days") * Value(per_day), output_field=DecimalField()),
        )
    )


def _attach_cases(user, unit: Unit, period: Period, rows: list[SourceRow]) -> None:
    """Each department's cases of the period (by ``Case.period``) fed by the unit's subtree, and how many are open."""
    counts = (
        unit_cases(user, unit)
        .filter(source_unit__isnull=False, period__gte=period.start, period__lte=period.end)
        .values("source_unit_id")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=Case.ACTIVE_STATUSES)))
    )
    by_id = {row.source.pk: row for row in rows}
    for count in counts:
        row = by_id.get(count["source_unit_id"])
        if row is not None:
            row.cases_open, row.cases_total = count["open"], count["total"]


def _attach_explanations(user, rows: list[SourceRow], year: int) -> None:
    scope = scope_for(user)
    by_id = {row.source.pk: row for row in rows}
    for note in IncreaseExplanation.objects.filter(year=year, source_unit_id__in=list(by_id)):
        by_id[note.source_unit_id].explanations[note.record_kind] = note
    for row in rows:
        row.can_explain = scope.role_at(row.source) is not None


@dataclass
class SourceDetail:
    """What one department put on the unit's subtree: by kind and month, and on which units."""

    summary: BurdenSummary
    units: list[dict]
    more_units: bool
    explanations: dict[str, IncreaseExplanation]


def source_detail(user, unit: Unit, period: Period, source: Unit, limit: int = 100) -> SourceDetail:
    """Four queries: cost parameters, the roll-ups by kind and month, the units most burdened, the explanations."""
    rollups = _rollups(user, unit).filter(source_unit=source)
    summary = _summary(rollups, period)
    units = list(
        rollups.filter(month__gte=period.start, month__lte=period.end)
        .values("unit_id", "unit__code", "unit__name", "unit__name_en")
        .annotate(**_sums())
        .order_by("-sum_hours", "-sum_records", "unit__code")[: limit + 1]
    )
    for row in units:
        row["label"] = row["unit__name_en"] if row["unit__name_en"] and _english() else row["unit__name"]
        row["measures"] = Measures()
        row["measures"].add(row)
    explanations = {
        note.record_kind: note for note in IncreaseExplanation.objects.filter(source_unit=source, year=period.year)
    }
    return SourceDetail(summary, units[:limit], len(units) > limit, explanations)


def _english() -> bool:
    return (get_language() or "").startswith("en")


# --- cases (督办事项) --------------------------------------------------------------------------

#: The departments the dashboard lists by open cases.
CASE_SOURCES_SHOWN = 10
#: A case is rectified when its owner accepts the reply (resolved) or every flag of it cleared (closed).
RECTIFIED = (Case.Status.RESOLVED, Case.Status.CLOSED)


def unit_cases(user, unit: Unit):
    """The cases ``user`` may see that the burden of ``unit``'s subtree feeds: a flag they may see lies in it.

    ``Case.objects.for_user`` is the gate (a street supervisor never sees another
    street's cases); the viewer's flags on the unit's subtree narrow it to the chosen
    unit, as the roll-ups are (the API's ``unit`` filter of cases means the same). A
    flag leaves a case only while open and the case is over, so a resolved, waived or
    closed case keeps the flags that place it.
    """
    feeds = Violation.objects.for_user(user).filter(case=OuterRef("pk"), unit__path__startswith=unit.path)
    return Case.objects.for_user(user).filter(Exists(feeds)).order_by()


def _overdue(today: datetime.date) -> Q:
    """``Case.is_overdue`` in SQL: open (not replied) and past its deadline."""
    return Q(status=Case.Status.OPEN, deadline__lt=today)


def _span(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants of the period's days, for ``closed_at`` and event times."""
    from ..review.selectors import day_start

    return day_start(period.start), day_start(period.last_day + datetime.timedelta(days=1))


@dataclass(frozen=True)
class SourceCases:
    """A department's open (or replied) cases now, and how many of them are overdue."""

    source: SourceUnit
    open: int
    overdue: int


@dataclass(frozen=True)
class StepCount:
    step: str
    label: str
    count: int


@dataclass
class CaseSummary:
    """The dashboard's cases: open and overdue now, by department; rectified and escalated in the period."""

    open: int
    overdue: int
    by_source: list[SourceCases]  # the departments with the most open cases, at most CASE_SOURCES_SHOWN
    sources_open: int  # how many departments have an open case
    rectified: int  # cases rectified in the period
    median_days: Decimal | None  # days from opening to rectification, the median of those cases
    escalations: list[StepCount]  # letters' steps taken in the period, up the ladder

    @property
    def escalations_total(self) -> int:
        return sum(step.count for step in self.escalations)


def case_summary(user, unit: Unit, period: Period, today: datetime.date) -> CaseSummary:
    """Open and overdue cases per department, the median days to rectify, escalations by step: five queries.

    The totals (open, overdue, rectified in the period) in one aggregate; the
    departments with the most open cases; the count of departments; the median, read
    as the one or two middle rows of the period's rectified cases ordered by how long
    they took (so whatever their number, at most two rows leave the database); the
    escalations (``CaseEvent`` of kind step) of the period grouped by step.
    """
    cases = unit_cases(user, unit)
    first, end = _span(period)
    rectified = Q(status__in=RECTIFIED, closed_at__gte=first, closed_at__lt=end)
    overdue = _overdue(today)
    totals = cases.aggregate(
        open=Count("pk", filter=Q(status__in=Case.ACTIVE_STATUSES)),
        overdue=Count("pk", filter=overdue),
        rectified=Count("pk", filter=rectified),
    )
    by_department = cases.active().filter(source_unit__isnull=False)
    rows = (
        by_department.values(*_source_fields())
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-open", "-overdue", "source_unit__code")[:CASE_SOURCES_SHOWN]
    )
    by_source = [SourceCases(_source_unit(row), row["open"], row["overdue"]) for row in rows]
    sources_open = by_department.values("source_unit_id").distinct().count()
    steps = dict(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.STEP, at__gte=first, at__lt=end, case__in=cases)
        .order_by()
        .values("step")
        .annotate(count=Count("pk"))
        .values_list("step", "count")
    )
    escalations = [StepCount(step, label, steps.get(step, 0)) for step, label in _ladder()]
    return CaseSummary(
        open=totals["open"],
        overdue=totals["overdue"],
        by_source=by_source,
        sources_open=sources_open,
        rectified=totals["rectified"],
        median_days=_median_days(cases.filter(rectified), totals["rectified"]),
        escalations=escalations,
    )


def _ladder() -> list[tuple[str, str]]:
    """(step, label) of the steps a letter takes, in the ladder's order."""
    labels = dict(Case.Step.choices)
    return [(step.value, labels[step]) for step in Case.LADDER if step != Case.Step.NONE]


def _median_days(cases, count: int) -> Decimal | None:
    """The median of ``closed_at - opened_at`` over ``cases`` (``count`` of them), in days to a tenth."""
    if not count:
        return None
    took = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
    middle = (count - 1) // 2
    # One middle row for an odd count, the two around the middle for an even one.
    durations = list(
        cases.annotate(took=took).order_by("took", "pk").values_list("took", flat=True)[middle : middle + 2 - count % 2]
    )
    if not durations:  # the cases changed between the two reads
        return None
    seconds = sum(duration.total_seconds() for duration in durations) / len(durations)
    return (Decimal(seconds) / Decimal(86400)).quantize(Decimal("0.1"))


def _source_fields(prefix: str = "") -> tuple[str, ...]:
    """The fields ``_source_unit`` reads, through ``prefix`` (``"case__"`` from a letter's cases)."""
    return tuple(f"{prefix}source_unit{name}" for name in ("_id", "__code", "__name", "__name_en", "__path"))


def _source_unit(row: dict, prefix: str = "") -> SourceUnit | None:
    """The ``SourceUnit`` of a row of ``values(*_source_fields(prefix))``; None for a case naming no department."""
    pk, code, name, name_en, path = (row[name] for name in _source_fields(prefix))
    return None if pk is None else SourceUnit(pk, code, name, name_en, path)


@dataclass
class CaseCounts:
    """A department's cases in a report's period: opened (by ``Case.period``), and ended in it by how."""

    source: SourceUnit | None  # None: the lone flags that name no department
    opened: int = 0
    resolved: int = 0
    waived: int = 0
    closed: int = 0  # closed by the system: every flag of it cleared

    def add(self, other: CaseCounts) -> None:
        for name in ("opened", "resolved", "waived", "closed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def cases_of_period(user, unit: Unit, period: Period) -> list[CaseCounts]:
    """Per department, the cases of the period and those resolved, waived or closed in it: one query.

    A case belongs to the period its flags' burden fell in (``Case.period``, from their
    ``occurred_on``); it ended in the period when its ``closed_at`` did, whatever its own
    period. Most cases opened first; the lone flags naming no department last.
    """
    first, end = _span(period)
    of_period = Q(period__gte=period.start, period__lte=period.end)
    ended = Q(closed_at__gte=first, closed_at__lt=end)
    rows = (
        unit_cases(user, unit)
        .filter(of_period | ended)
        .values(*_source_fields())
        .annotate(
            opened=Count("pk", filter=of_period),
            resolved=Count("pk", filter=ended & Q(status=Case.Status.RESOLVED)),
            waived=Count("pk", filter=ended & Q(status=Case.Status.WAIVED)),
            closed=Count("pk", filter=ended & Q(status=Case.Status.CLOSED)),
        )
    )
    counts = [
        CaseCounts(_source_unit(row), row["opened"], row["resolved"], row["waived"], row["closed"]) for row in rows
    ]
    return sorted(
        counts,
        key=lambda item: (item.source is None, -item.opened, -item.resolved, item.source.code if item.source else ""),
    )


@dataclass(frozen=True)
class LetterRow:
    """A letter of the ladder issued in the period, with the departments of its cases the viewer may see."""

    letter: CaseLetter
    addressees: list[SourceUnit]
    cases: int

    @property
    def addressee(self) -> str:
        """The departments addressed, as the letter names them (``甲局、乙局``)."""
        return list_separator().join(source.label for source in self.addressees)


def letters_issued(user, unit: Unit, period: Period, limit: int = 100) -> tuple[list[LetterRow], int]:
    """The letters issued in the period on the cases of ``unit_cases``, first issued first, and how many.

    Two queries (the letters shown, the departments of their cases), and a count when
    more than ``limit`` may have been issued. A circulated notice may bundle cases and
    departments the viewer may not see: only the visible ones are named and counted.
    """
    cases = unit_cases(user, unit)
    links = CaseLetter.cases.through.objects.filter(case__in=cases)
    letters = CaseLetter.objects.filter(issued_on__gte=period.start, issued_on__lte=period.last_day).filter(
        Exists(links.filter(caseletter=OuterRef("pk")))
    )
    shown = list(letters.select_related("issuing_unit").order_by("issued_on", "pk")[:limit])
    addressees: dict[int, dict[int, SourceUnit]] = defaultdict(dict)
    bundled: dict[int, int] = defaultdict(int)
    rows = links.filter(caseletter__in=[letter.pk for letter in shown]).values(
        "caseletter_id", *_source_fields("case__")
    )
    for row in rows.order_by("caseletter_id", "case__source_unit__path", "case_id"):
        bundled[row["caseletter_id"]] += 1
        source = _source_unit(row, "case__")
        if source is not None:
            addressees[row["caseletter_id"]][source.pk] = source
    total = letters.count() if len(shown) == limit else len(shown)
    return [LetterRow(letter, list(addressees[letter.pk].values()), bundled[letter.pk]) for letter in shown], total
