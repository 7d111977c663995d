"""Monthly summaries and quarterly briefings of the burden on a unit and everything below it.

The paper (4.3.3) asks for routine work to be summed up monthly and briefed
quarterly (月汇总、季通报). A report is assembled from the dashboard's and the burden
ledger's selectors, so it reads the roll-ups (and the flags, cases and letters of the
period) in a fixed number of queries whatever the number of records; ``report_build`` is the one read, and the page, the
spreadsheet (``report_xlsx``) and the background job (``report_jobs``) all show the
same ``Report``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Unit
from . import selectors
from .forms import Period, report_period_label, report_period_value
from .models import ReportKind
from .selectors import (
    CaseCounts,
    FlagOutcomes,
    LetterRow,
    Measures,
    PersonAway,
    SourceRow,
    TargetProgress,
    change_percent,
)

TOP_SOURCES = 10
PEOPLE_SHOWN = 50
LETTERS_SHOWN = 100
#: The sections ``report_build`` reads, each a step of a background job's progress.
SECTIONS = ("burden", "sources", "flags", "cases", "secondments", "targets")


@dataclass(frozen=True)
class Comparison:
    """One number in the period, in the period just before it and in the same period a year earlier."""

    current: Decimal | int
    preceding: Decimal | int
    last_year: Decimal | int

    @property
    def change_preceding(self) -> Decimal | None:
        return change_percent(self.current, self.preceding)

    @property
    def change_last_year(self) -> Decimal | None:
        return change_percent(self.current, self.last_year)


#: The measures a report compares, by what ``Measures`` calls them.
MEASURE_LABELS = {
    "hours": gettext_lazy("Burden hours"),
    "cost": gettext_lazy("Cost (yuan)"),
    "records": gettext_lazy("Records"),
}


@dataclass
class KindBurden:
    """The burden of one kind of record (or of all of them: ``kind`` "total") in the three periods."""

    kind: str
    label: str
    current: Measures
    preceding: Measures
    last_year: Measures

    def compare(self, measure: str) -> Comparison:
        return Comparison(
            getattr(self.current, measure), getattr(self.preceding, measure), getattr(self.last_year, measure)
        )

    @property
    def hours(self) -> Comparison:
        return self.compare("hours")

    @property
    def cost(self) -> Comparison:
        return self.compare("cost")

    @property
    def records(self) -> Comparison:
        return self.compare("records")


@dataclass
class Report:
    """Everything a monthly summary or quarterly briefing says, section by section."""

    unit: Unit
    kind: str
    period: Period
    made_at: datetime.datetime
    burden: list[KindBurden]
    total: KindBurden
    sources: list[SourceRow]  # the departments that imposed the most hours, most first
    sources_count: int
    unknown_source: SourceRow  # burden with no source recorded
    increases: list[SourceRow]  # departments that issued more of a kind than a year earlier ("只减不增")
    flags: list[FlagOutcomes]
    cases: list[CaseCounts]  # per department: cases of the period, and those that ended in it
    letters: list[LetterRow]  # the escalations: letters issued in the period, first issued first
    letters_count: int
    people_out: list[PersonAway]  # away at the end of the period
    people_out_count: int
    people_ending: list[PersonAway]  # ... whose term ends in the next period
    people_ending_count: int
    targets: list[TargetProgress]

    @property
    def title(self) -> str:
        if self.kind == ReportKind.QUARTERLY:
            return _("Quarterly burden briefing")
        return _("Monthly burden summary")

    @property
    def period_label(self) -> str:
        return report_period_label(self.kind, self.period)

    @property
    def preceding_label(self) -> str:
        return report_period_label(self.kind, self.period.preceding)

    @property
    def last_year_label(self) -> str:
        return report_period_label(self.kind, self.period.previous)

    @property
    def following_label(self) -> str:
        return report_period_label(self.kind, self.period.following)

    @property
    def period_value(self) -> str:
        return report_period_value(self.kind, self.period)

    @property
    def flags_total(self) -> FlagOutcomes:
        total = FlagOutcomes("", _("All rules"))
        for flags in self.flags:
            for status, count in flags.by_status.items():
                total.by_status[status] += count
        return total

    @property
    def cases_total(self) -> CaseCounts:
        total = CaseCounts(None)
        for counts in self.cases:
            total.add(counts)
        return total

    @property
    def comparisons(self) -> list[dict]:
        """A table per measure: each kind (and the total) in the period, the one before and a year earlier."""
        return [
            {
                "measure": measure,
                "label": label,
                "rows": [(item, item.compare(measure)) for item in [*self.burden, self.total]],
            }
            for measure, label in MEASURE_LABELS.items()
        ]

    @property
    def traces(self) -> list[KindBurden]:
        """The kinds with the photo, check-in and material traces they demanded (and the total)."""
        return [*self.burden, self.total]


def report_build(user, unit: Unit, kind: str, period: Period, progress: Callable[[int], None] | None = None) -> Report:
    """The report of ``unit`` and its subtree as ``user`` may see them, for a month or a quarter.

    A fixed number of queries: the burden of the period with the same period a year
    earlier, that of the period before, the departments, the flags, the cases and
    letters, the secondments and the targets. ``progress`` is called with the number
    of sections read so far.
    """
    step = progress or (lambda done: None)
    summary = selectors.burden_summary(user, unit, period)
    before = selectors.burden_summary(user, unit, period.preceding)
    burden = [
        KindBurden(
            record_kind,
            label,
            summary.kind_total(record_kind),
            before.kind_total(record_kind),
            summary.kind_total(record_kind, previous=True),
        )
        for record_kind, label in summary.kinds
    ]
    total = KindBurden("total", _("All kinds"), summary.total(), before.total(), summary.total(previous=True))
    step(1)
    ranking, unknown = selectors.source_ranking(user, unit, period)
    step(2)
    flags = selectors.flags_opened(user, unit, period)
    step(3)
    cases = selectors.cases_of_period(user, unit, period)
    letters, letters_count = selectors.letters_issued(user, unit, period, limit=LETTERS_SHOWN)
    step(4)
    people_out, people_out_count = selectors.secondments_out(user, unit, period.last_day, limit=PEOPLE_SHOWN)
    people_ending, people_ending_count = selectors.secondments_ending(
        user, unit, period.last_day, period.following, limit=PEOPLE_SHOWN
    )
    step(5)
    targets = selectors.targets_progress(unit, summary)
    step(6)
    labels = dict(summary.kinds)
    for row in ranking:
        row.kind_records = [
            row.by_kind[record_kind].records if record_kind in row.by_kind else 0 for record_kind in labels
        ]
        row.increases = [
            {
                "kind": record_kind,
                "label": labels.get(record_kind, record_kind),
                "records": row.by_kind[record_kind].records,
                "previous_records": row.previous_records.get(record_kind, 0),
                "explanation": row.explanations.get(record_kind),
            }
            for record_kind in row.increased
        ]
    return Report(
        unit=unit,
        kind=kind,
        period=period,
        made_at=timezone.now(),
        burden=burden,
        total=total,
        sources=ranking[:TOP_SOURCES],
        sources_count=len(ranking),
        unknown_source=unknown,
        increases=[row for row in ranking if row.increased],
        flags=flags,
        cases=cases,
        letters=letters,
        letters_count=letters_count,
        people_out=people_out,
        people_out_count=people_out_count,
        people_ending=people_ending,
        people_ending_count=people_ending_count,
        targets=targets,
    )
