"""Secondment rules (paper 4.2.1: short, approved, filed terms; 3.5: units not emptied by secondments;
the 2024 regulation, part 四: no secondments from county-level and lower units).

Whatever the borrowing unit called it — a secondment (借调), a temporary transfer
(抽调), shadowing (跟班学习) or an attachment post (挂职) — a loan is a secondment: every
rule here reads every ``arrangement`` alike (``Secondment.relabelled``).

Terms are counted in calendar months as the paper counts them, with dateutil's
``relativedelta``: "not more than 3 months" allows an end of exactly start + 3 months
(31 January + 3 months = 30 April); one day more is over. A term's *effective end* is
the latest of the planned end and the extensions' new ends; a person is *away* from
the start to the day they returned or, while not back, the effective end.

Each rule reads its candidates in one SQL query (the extensions' latest end comes in
as a subquery), then does the calendar arithmetic in Python on the fetched rows, so
the dates are exact on every database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import replace
from operator import itemgetter

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from burden.models import Unit
from secondments.models import Extension, Secondment

from .base import Param, Part, Rule, Source, register

ROW = ("pk", "unit_id", "source_unit_id")


def with_latest_extension(records):
    """``records`` annotated with ``latest_extension``: the latest extension's new end (None without one)."""
    latest = (
        Extension.objects.filter(secondment=OuterRef("pk"))
        .order_by()
        .values("secondment")
        .annotate(latest=Max("new_end_date"))
        .values("latest")
    )
    return records.annotate(latest_extension=Subquery(latest, output_field=DateField()))


def effective_end(row: dict) -> datetime.date:
    """The planned end, or the latest extension's new end when that is later."""
    extended = row.get("latest_extension")
    return max(row["planned_end_date"], extended) if extended else row["planned_end_date"]


def months_and_days(start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """The span from ``start`` to ``end`` as whole calendar months and the days left over."""
    span = relativedelta(end, start)
    return span.years * 12 + span.months, span.days


def month_span():
    """(year, month) of the planned end minus (year, month) of the start, in months (a DB prefilter)."""
    return (ExtractYear("planned_end_date") - ExtractYear("start_date")) * 12 + (
        ExtractMonth("planned_end_date") - ExtractMonth("start_date")
    )


@register
class SecondmentTerm(Rule):
    """Paper 4.2.1: "原则上单次借调期限不得超过3个月" — a first term of at most N calendar months.

    The first term is start to planned end (extensions are SEC-EXTENSION's). It passes
    when the planned end is on or before start + N months.
    """

    code = "SEC-TERM"
    title = _("Secondment term too long")
    description = _(
        "A secondment whose first term, from the start to the planned end, is longer than the limit in "
        "calendar months. Extensions are checked by their own rule."
    )
    message = _("A first term of %(months)s months and %(days)s days, over the limit of %(max_months)s months")
    clause = "4.2.1"
    quote = _("A single secondment lasts, in principle, no more than three months.")
    record_kind = "secondment"
    severity = "high"
    params = (Param("max_months", _("Longest first term (months)"), default=3, minimum=1, maximum=120),)

    def find(self, records, params, today):
        limit = params["max_months"]
        # An end more than N months after the start is at least N months later by (year, month).
        rows = (
            records.annotate(month_span=month_span())
            .filter(month_span__gte=limit)
            .values(*ROW, "start_date", "planned_end_date")
        )
        for row in rows:
            start, end = row["start_date"], row["planned_end_date"]
            if end > start + relativedelta(months=limit):
                months, days = months_and_days(start, end)
                yield self.finding(row, months=months, days=days)


@register
class SecondmentExtension(Rule):
    """Paper 4.2.1: extensions re-approved, and adding at most N months in all.

    Two findings, by key: ``length`` when the latest extension's new end is after the
    planned end + N months (all extensions together add more than N months); and
    ``approval`` when any extension has no re-approval date (``approved_on`` empty).
    """

    code = "SEC-EXTENSION"
    title = _("Secondment extended too far or without re-approval")
    description = _(
        "A secondment whose extensions together move the end more than the limit in calendar months past "
        "the planned end, or that was extended without a new approval."
    )
    message = _(
        "Extensions add %(months)s months and %(days)s days to the planned end, over the limit of "
        "%(max_extension_months)s months"
    )
    message_unapproved = _("%(unapproved)s extensions without a new approval")
    clause = "4.2.1"
    quote = _("An extension needs a new approval, and extensions add no more than three months in all.")
    record_kind = "secondment"
    severity = "medium"
    params = (Param("max_extension_months", _("Longest extension in all (months)"), default=3, minimum=0, maximum=120),)

    KEY_LENGTH = "length"
    KEY_APPROVAL = "approval"

    def find(self, records, params, today):
        limit = params["max_extension_months"]
        unapproved = (
            Extension.objects.filter(secondment=OuterRef("pk"), approved_on__isnull=True)
            .order_by()
            .values("secondment")
            .annotate(count=Count("pk"))
            .values("count")
        )
        rows = (
            with_latest_extension(records)
            .filter(latest_extension__isnull=False)
            .annotate(unapproved=Subquery(unapproved))
            .values(*ROW, "planned_end_date", "latest_extension", "unapproved")
        )
        for row in rows:
            planned, extended = row["planned_end_date"], row["latest_extension"]
            if extended > planned + relativedelta(months=limit):
                months, days = months_and_days(planned, extended)
                finding = self.finding(row, months=months, days=days)
                yield _with_key(finding, self.KEY_LENGTH)
            if row["unapproved"]:
                yield _with_key(self.finding(row, unapproved=row["unapproved"]), self.KEY_APPROVAL)

    def render(self, values, params):
        message = self.message_unapproved if "unapproved" in values else self.message
        return str(message) % {**params, **values}


@register
class SecondmentOverdue(Rule):
    """Paper 4.2.1: "借调期满后,人员须按期返回原单位" — back by the end of the (extended) term.

    Judged on ``today``: the last day away so far is the return day, if the person is
    back by ``today``, else ``today``. It flags when that day is later than the
    effective end + ``grace_days``: a person still away after it, or one who came back
    late (the ledger keeps late returns; the clock on the detail page counts them the same way).
    With 0 days of grace, returning on the end date passes and not being back the day
    after flags.
    """

    code = "SEC-OVERDUE"
    title = _("Seconded person not back on time")
    description = _(
        "A seconded person who was still away after the end of the term, extensions included, and the days of grace."
    )
    message = _("Away %(overdue_days)s days past the end of the term on %(end)s, over the grace of %(grace_days)s days")
    clause = "4.2.1"
    quote = _("When the term ends, the person returns to their own unit on time.")
    record_kind = "secondment"
    severity = "high"
    params = (Param("grace_days", _("Days of grace after the end"), default=0, minimum=0, maximum=365),)

    def find(self, records, params, today):
        grace = datetime.timedelta(days=params["grace_days"])
        # Overdue needs today > end + grace >= planned end + grace, and not back by that day.
        rows = (
            with_latest_extension(records)
            .filter(planned_end_date__lt=today - grace)
            .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=F("planned_end_date")))
            .values(*ROW, "planned_end_date", "latest_extension", "returned_on")
        )
        for row in rows:
            end = effective_end(row)
            returned = row["returned_on"]
            last_away = returned if returned is not None and returned <= today else today
            if last_away > end + grace:
                # Dated by the first day away past the term, whatever the grace: when the burden began.
                yield self.finding(
                    row,
                    occurred_on=end + datetime.timedelta(days=1),
                    overdue_days=(last_away - end).days,
                    end=end.isoformat(),
                )


@register
class SecondmentApproval(Rule):
    """Paper 4.2.1: "必须经上级主管领导审批,并报组织人事部门备案" — approved, and filed with HR.

    Two findings, by key: ``approval`` when the approver or the approval date is
    empty, ``hr`` when the filing date with HR is empty.
    """

    code = "SEC-APPROVAL"
    title = _("Secondment not approved or not filed")
    description = _(
        "A secondment without a named approver and approval date, or not filed with the personnel (HR) department."
    )
    message = _("No approval: the approver or the approval date is missing")
    message_not_filed = _("Not filed with HR")
    clause = "4.2.1"
    quote = _("Every secondment is approved by the leader in charge above and filed with the personnel department.")
    record_kind = "secondment"
    severity = "medium"

    KEY_APPROVAL = "approval"
    KEY_HR = "hr"

    def find(self, records, params, today):
        unapproved = Q(approved_by="") | Q(approved_on__isnull=True)
        rows = records.filter(unapproved | Q(hr_filed_on__isnull=True)).values(
            *ROW, "approved_by", "approved_on", "hr_filed_on"
        )
        for row in rows:
            if not row["approved_by"] or row["approved_on"] is None:
                yield _with_key(self.finding(row, missing=self.KEY_APPROVAL), self.KEY_APPROVAL)
            if row["hr_filed_on"] is None:
                yield _with_key(self.finding(row, missing=self.KEY_HR), self.KEY_HR)

    def render(self, values, params):
        message = self.message_not_filed if values.get("missing") == self.KEY_HR else self.message
        return str(message) % {**params, **values}


@register
class SecondmentShare(Rule):
    """Paper 3.5: "部分基层单位近四分之一的人员被抽调" — a unit's staff not emptied by secondments.

    For each unit with a headcount (a headcount of 0 means unknown, and is skipped),
    the day with the most of its people away at once (start <= day <= return day or,
    while not back, the effective end; the earliest such day on a tie). When they are
    more than ``max_percent`` of the headcount, the unit has one finding, dated by that
    day, listing every secondment of the unit away on it (anchored on the first to
    start). Exactly the share passes (3 of 12 at 25 %); one more flags.
    """

    code = "SEC-SHARE"
    title = _("Too large a share of a unit seconded out")
    description = _("On some day, more than the allowed share of a unit's headcount was seconded out at the same time.")
    message = _(
        "On %(day)s, %(count)s of the unit's %(headcount)s staff (%(percent)s%%) were seconded out, "
        "over the limit of %(max_percent)s%%"
    )
    clause = "3.5"
    quote = _("In some grassroots units nearly a quarter of the staff had been drawn off into task forces.")
    record_kind = "secondment"
    severity = "high"
    aggregate = True
    params = (Param("max_percent", _("Largest share seconded out (%)"), default=25, minimum=0, maximum=100),)

    def find(self, records, params, today):
        limit = params["max_percent"]
        # Every secondment of the units concerned: one query, the extensions as a subquery.
        rows = (
            with_latest_extension(Secondment.objects.filter(unit_id__in=records.values("unit_id")))
            .filter(unit__headcount__gt=0)
            .order_by()
            .values(*ROW, "start_date", "planned_end_date", "latest_extension", "returned_on", "unit__headcount")
        )
        by_unit: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            row["last_day"] = row["returned_on"] or effective_end(row)
            by_unit[row["unit_id"]].append(row)
        for unit_rows in by_unit.values():
            headcount = unit_rows[0]["unit__headcount"]
            day, count = busiest_day(unit_rows)
            if count * 100 <= limit * headcount:
                continue
            percent = round(count * 100 / headcount, 1)
            away = sorted(
                (row for row in unit_rows if row["start_date"] <= day <= row["last_day"]),
                key=itemgetter("start_date", "pk"),
            )
            yield self.group(
                away, occurred_on=day, day=day.isoformat(), count=count, headcount=headcount, percent=percent
            )

    def related(self, record):
        return Secondment.objects.filter(unit_id=record.unit_id)


#: The levels of a county (a district is one) and below it, whose staff are not borrowed.
COUNTY_AND_BELOW = (Unit.Level.DISTRICT, Unit.Level.STREET, Unit.Level.COMMUNITY)
#: Levels that say nothing of a unit's place: such a unit (a bureau) is at its parent's level.
PLACED_BY_PARENT = (Unit.Level.DEPARTMENT, Unit.Level.OTHER)


@register
class SecondmentFromGrassroots(Rule):
    """The 2024 regulation, part 四 ("规范借调干部"): higher units in principle borrow no staff
    from county-level and lower units.

    Flags a secondment, whatever it is called, whose home unit is at one of ``levels``
    (by default a district — county level — a street or a community; a department or
    other unit is at its parent's level: a district's bureau is county-level, a city's
    is not), borrowed by a unit outside the home unit's own subtree, unless it was
    ``specially_approved``. A loan whose borrowing unit is not given is not judged:
    there is no higher unit to tell.
    """

    code = "SEC-GRASSROOTS"
    title = _("Secondment from a county-level or lower unit")
    description = _(
        "A person borrowed from a unit at county level or below (a district, street or community, or one of "
        "their departments) without a special approval. Transfers, shadowing and attachment posts count too."
    )
    message = _("%(arrangement)s from a unit at %(level)s level, without a special approval")
    source = Source.REGULATION_2024
    # Article numbers not confirmed: the part on secondments.
    clause = Part("IV")
    quote = _(
        "Higher authorities and units in principle do not borrow cadres from units at county level or below, "
        "nor borrow them under other names."
    )
    record_kind = "secondment"
    severity = "high"
    params = (
        Param(
            "levels",
            _("Levels whose staff are not borrowed"),
            default=tuple(sorted(COUNTY_AND_BELOW)),
            kind="choices",
            choices=tuple((level, label) for level, label in Unit.Level.choices if level not in PLACED_BY_PARENT),
        ),
    )

    def find(self, records, params, today):
        levels = list(params["levels"])
        placed = Q(unit__level__in=levels) | Q(unit__level__in=PLACED_BY_PARENT, unit__parent__level__in=levels)
        rows = (
            records.filter(placed, specially_approved=False, source_unit__isnull=False)
            # A unit's loans inside its own subtree are its own affair.
            .exclude(source_unit__path__startswith=F("unit__path"))
            .values(*ROW, "arrangement", "unit__level", "unit__parent__level")
        )
        for row in rows:
            level = row["unit__level"]
            if level in PLACED_BY_PARENT:
                level = row["unit__parent__level"]
            yield self.finding(row, arrangement=row["arrangement"], level=level)

    def render(self, values, params):
        # Stored as codes, so the message reads right in whichever language it is shown.
        merged = {**params, **values}
        arrangements = dict(Secondment.Arrangement.choices)
        levels = dict(Unit.Level.choices)
        arrangement = merged.get("arrangement")
        level = merged.get("level")
        return str(self.message) % {
            **merged,
            "arrangement": capfirst(str(arrangements.get(arrangement, arrangement))),
            "level": str(levels.get(level, level)).lower(),
        }


def busiest_day(rows: list[dict]) -> tuple[datetime.date, int]:
    """The earliest day with the most rows away (``start_date`` to ``last_day``, both included), and how many."""
    changes: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        changes[row["start_date"]] += 1
        changes[row["last_day"] + datetime.timedelta(days=1)] -= 1
    best_day, best, current = rows[0]["start_date"], 0, 0
    for day in sorted(changes):
        current += changes[day]
        if current > best:
            best_day, best = day, current
    return best_day, best


def _with_key(finding, key: str):
    return replace(finding, key=key)
