"""Reads for the insights pages: each one a fixed number of queries on the roll-ups, whatever the rows.

Every read starts from ``Model.objects.for_user(user)``: a unit chosen outside the
viewer's units has already been refused by the view, and the gate keeps the sums
inside the viewer's units even then (a staff member never sees the units below
their own). A source department can be anywhere; only the burden it put on the
viewer's units is counted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import get_language

from .. import scoping
from ..costs import cost
from ..models import CostParameters, Unit, Violation, ViolationEvent
from ..scoping import scope_for
from .forms import Period
from .models import FlagRollup, IncreaseExplanation, MonthlyRollup, ReductionTarget
from .rollups import record_models

SUMS = ("hours", "records", "flagged", "photo", "checkin", "material")
TRACES = ("photo", "checkin", "material")


def kinds() -> list[tuple[str, str]]:
    """(record_kind, label) of every kind of record, in the navigation's order."""
    return [(kind, capfirst(model._meta.verbose_name_plural)) for kind, model in record_models().items()]


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
    return list(Unit.objects.for_user(user).order_by("path").values_list("code", "name", "name_en")[:limit])


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


def change_percent(current, previous) -> Decimal | None:
    """How much ``current`` differs from ``previous``, in per cent (None without a base)."""
    if not previous:
        return None
    return (Decimal(100) * (Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(Decimal("0.1"))


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
    from ..rules import get_rule

    rows = (
        FlagRollup.objects.for_user(user)
        .filter(unit__path__startswith=unit.path)
        .order_by()
        .values("rule", "record_kind")
        .annotate(count=Sum("open_flags"))
    )
    flags = []
    for row in rows:
        try:
            title = str(get_rule(row["rule"]).title)
        except KeyError:
            title = row["rule"]
        flags.append(RuleFlags(row["rule"], title, row["record_kind"], row["count"]))
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
    from ..rules import get_rule

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
            try:
                title = str(get_rule(row["rule"]).title)
            except KeyError:
                title = row["rule"]
            by_rule[row["rule"]] = FlagOutcomes(row["rule"], title)
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

    @property
    def total(self) -> Measures:
        total = Measures()
        for measures in self.by_kind.values():
            total += measures
        return total

    @property
    def increased(self) -> list[str]:
        """Kinds it issued more of than in the same months a year earlier ("只减不增")."""
        return [kind for kind, now in self.by_kind.items() if now.records > self.previous_records.get(kind, 0)]


def source_ranking(user, unit: Unit, period: Period) -> tuple[list[SourceRow], SourceRow]:
    """Source departments by the hours they put on the unit's subtree in the period, most first.

    Returns the ranking and the burden with no source recorded. Two queries: the
    roll-ups grouped by source and kind (this period and a year earlier side by side),
    and the explanations of the period's year.
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
    unknown = by_source.pop(None, SourceRow(None))
    ranking = [entry for entry in by_source.values() if entry.by_kind]
    ranking.sort(key=lambda entry: (-entry.total.hours, -entry.total.records, entry.source.code))
    _attach_explanations(user, ranking, period.year)
    return ranking, unknown


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
