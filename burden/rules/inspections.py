"""Inspection rules (paper 3.2, 3.3 and 4.2.3: fewer, planned, purposeful inspections; the 2024
regulation, part 三: 督查检查考核 by annual plan, and no checks disguised as research).

A research visit (调研, ``purpose`` research) is an inspection record like any other:
every rule here reads it and every count includes it, whatever it is called
(``Inspection.relabelled``). All but ``INS-FREQUENCY`` and ``INS-ANNUAL-PLAN`` are
queryset filters; ``INS-FREQUENCY`` counts each inspecting unit's visits to a unit
within a calendar quarter with a window function, ``INS-ANNUAL-PLAN`` an inspecting
unit's items of a year with one grouped query, however many inspections there are.
"""

import datetime
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, Q, Window
from django.db.models.functions import ExtractQuarter, ExtractYear, Trim
from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection

from .base import Param, Part, Rule, Source, register


@register
class UnplannedInspection(Rule):
    """Paper 4.2.3: an approval system for inspections — apart from major safety and quality
    emergencies, an inspection belongs to an approved plan."""

    code = "INS-UNPLANNED"
    title = _("Inspection outside an approved plan")
    description = _("An inspection that is in no approved plan and is not an emergency safety or quality check.")
    message = _("Not in an approved plan, and not an emergency safety or quality check")
    clause = "4.2.3"
    quote = _(
        "Inspections go through an approval system: apart from what is required from above and urgent checks "
        "of major safety or quality matters, their number is strictly controlled."
    )
    record_kind = "inspection"
    severity = "medium"

    def find(self, records, params, today):
        for row in records.filter(plan__isnull=True, emergency=False).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)


@register
class InspectionFrequency(Rule):
    """Paper 3.3 ("a secret visit a month, an evaluation a quarter") and 4.2.3 (strict control
    of inspection frequency).

    Counts the visits of each inspecting unit to each unit within a calendar quarter;
    more than ``max_per_quarter`` is one finding for the quarter (keyed by it, anchored
    on its first visit) listing every visit of it, the first ones included: together
    they are the burden. Emergency checks count like any other visit.
    """

    code = "INS-FREQUENCY"
    title = _("Inspected too often")
    description = _("One inspecting unit visits the same unit more often in a calendar quarter than the limit.")
    message = _(
        "%(visit)s visits of the same inspecting unit in %(year)s Q%(quarter)s, over the limit of "
        "%(max_per_quarter)s a quarter"
    )
    clause = "3.3"
    quote = _("A secret visit a month and an evaluation a quarter leave the grassroots busy answering inspections.")
    record_kind = "inspection"
    severity = "medium"
    aggregate = True
    params = (Param("max_per_quarter", _("Visits allowed a quarter"), default=1, minimum=1),)

    def find(self, records, params, today):
        base = records
        if records.query.has_filters():
            # A few records (what a saved one affects) are still numbered among all their quarter's visits.
            base = Inspection.objects.filter(
                unit_id__in=records.values("unit_id"),
                source_unit_id__in=records.values("source_unit_id"),
                date__year__in=records.annotate(_year=ExtractYear("date")).values("_year"),
            )
        quarter = ["source_unit_id", "unit_id", "year", "quarter"]
        rows = (
            base.filter(source_unit__isnull=False)
            .annotate(
                year=ExtractYear("date"),
                quarter=ExtractQuarter("date"),
                visits=Window(
                    Count("pk"),
                    partition_by=[F("source_unit_id"), F("unit_id"), ExtractYear("date"), ExtractQuarter("date")],
                ),
            )
            .filter(visits__gt=params["max_per_quarter"])
            .order_by(*quarter, "date", "pk")
            .values("pk", "unit_id", "source_unit_id", "year", "quarter", "visits")
        )
        for (_source, _unit, year, number), visits in groupby(rows.iterator(), key=itemgetter(*quarter)):
            visits = list(visits)
            # Dated by its quarter's first day: the quarter's visits together are the burden.
            quarter_start = datetime.date(year, 3 * number - 2, 1)
            yield self.group(
                visits, f"{year}Q{number}", occurred_on=quarter_start, visit=len(visits), year=year, quarter=number
            )

    def related(self, record):
        quarter_start_month = 3 * ((record.date.month - 1) // 3) + 1
        return Inspection.objects.filter(
            Q(pk=record.pk)
            | Q(
                unit_id=record.unit_id,
                source_unit_id=record.source_unit_id,
                date__year=record.date.year,
                date__month__gte=quarter_start_month,
                date__month__lt=quarter_start_month + 3,
            )
        )


@register
class InspectionMaterials(Rule):
    """Paper 3.2 (20-odd data tables and 10-odd reports for one inspection) and 4.2.3 (data
    taken from the databases, less paper sent up)."""

    code = "INS-MATERIALS"
    title = _("Too many materials demanded")
    description = _("An inspection that demands more tables or more report materials than the limits.")
    message = _(
        "Demanded %(tables)s tables and %(reports)s report materials, over the limits of %(max_tables)s tables "
        "or %(max_reports)s reports"
    )
    clause = "3.2"
    quote = _(
        "For one inspection a unit filled in more than twenty data tables and wrote more than ten reports: "
        "traces kept at the cost of the work."
    )
    record_kind = "inspection"
    severity = "high"
    # A research visit may demand no materials at all: INS-DISGUISED flags it, naming them.
    superseded_by = ("INS-DISGUISED",)
    params = (
        Param("max_tables", _("Tables allowed"), default=10, minimum=0),
        Param("max_reports", _("Report materials allowed"), default=5, minimum=0),
    )

    def find(self, records, params, today):
        rows = records.filter(
            Q(tables_demanded__gt=params["max_tables"]) | Q(reports_demanded__gt=params["max_reports"])
        ).values("pk", "unit_id", "source_unit_id", "tables_demanded", "reports_demanded")
        for row in rows:
            yield self.finding(row, tables=row["tables_demanded"], reports=row["reports_demanded"])


@register
class DuplicateData(Rule):
    """Paper 4.2.3: inspection data comes first from the grassroots databases, not from the unit."""

    code = "INS-DUPLICATE-DATA"
    title = _("Data demanded that the system holds")
    description = _("An inspection that demands data the information system already holds.")
    message = _("Demanded data that the system already holds")
    clause = "4.2.3"
    quote = _("Inspection data is taken first from the grassroots databases, so that less paper is sent up.")
    record_kind = "inspection"
    severity = "medium"

    def find(self, records, params, today):
        for row in records.filter(data_already_held=True).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)


@register
class NoPurpose(Rule):
    """Paper 4.2.3: every inspection states its purpose — supervision, evaluation or guidance."""

    code = "INS-PURPOSE"
    title = _("Inspection without a stated purpose")
    description = _("An inspection that does not say whether it supervises, evaluates or guides.")
    message = _("No purpose stated (supervision, evaluation or guidance)")
    clause = "4.2.3"
    quote = _("Every inspecting body states whether its inspection supervises, evaluates or guides.")
    record_kind = "inspection"
    severity = "low"

    def find(self, records, params, today):
        for row in records.filter(purpose=Inspection.Purpose.NOT_STATED).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)


def item_rows(records):
    """``records`` with their item: the title, trimmed (one item's visits share it), and the year."""
    return records.annotate(item=Trim("title"), year=ExtractYear("date"))


@register
class AnnualPlan(Rule):
    """The 2024 regulation, part 三 ("严格计划和备案管理"): 督查检查考核 by annual plan, in principle
    one comprehensive item per department a year, items of a kind merged.

    An *item* (事项) is what an inspecting unit runs in a year under one title: its
    visits to every unit it inspects. Emergency checks are not items of the plan. For
    each inspecting unit and calendar year, two findings, by key:

    - ``<year>:quota``: the items of its inspections that name its approved plan are
      more than the plan's ``quota``;
    - ``<year>:comprehensive``: its comprehensive items (an inspection marked
      ``comprehensive``) are more than ``max_comprehensive`` (the regulation's one).

    Exactly the quota (or the limit) passes; one item more flags. The items are taken
    in the order of their first visit, and each unit the items past the quota visited
    has one finding listing its visits of them (its cases go to the inspecting unit),
    dated by the first and anchored on it. An inspection in no plan
    is INS-UNPLANNED's (one cause, one flag): it is not counted against a plan's quota.
    """

    code = "INS-ANNUAL-PLAN"
    title = _("More inspection items than the annual plan allows")
    description = _(
        "An inspecting unit runs more items in a year than its approved annual plan allows, or more "
        "comprehensive items than the limit (in principle one a year)."
    )
    message = _("%(items)s items in the %(year)s plan, over its quota of %(quota)s: %(extra)s")
    message_comprehensive = _(
        "%(items)s comprehensive items in %(year)s, over the limit of %(max_comprehensive)s a year: %(extra)s"
    )
    source = Source.REGULATION_2024
    # Article numbers not confirmed: the part on inspections, checks and assessments.
    clause = Part("III")
    quote = _(
        "Comprehensive inspections, checks and assessments follow the annual plan, in principle no more than one "
        "item per department, and items of the same kind are merged."
    )
    record_kind = "inspection"
    severity = "medium"
    aggregate = True
    params = (Param("max_comprehensive", _("Comprehensive items allowed a year"), default=1, minimum=0),)

    KEY_QUOTA = "quota"
    KEY_COMPREHENSIVE = "comprehensive"

    def find(self, records, params, today):
        base = Inspection.objects.filter(source_unit__isnull=False, emergency=False)
        units = None
        if records.query.has_filters():
            # A few records (what a saved one affects, or a subtree with its own limit) are
            # judged among all their department's year; findings only for their own units.
            base = base.filter(
                source_unit_id__in=records.values("source_unit_id"),
                date__year__in=records.annotate(_year=ExtractYear("date")).values("_year"),
            )
            units = set(records.order_by().values_list("unit_id", flat=True).distinct())
        planned = item_rows(base.filter(plan__isnull=False))
        yield from self._over(planned, ["plan__quota"], lambda row: row["plan__quota"], self.KEY_QUOTA, units)
        limit = params["max_comprehensive"]
        comprehensive = item_rows(base.filter(comprehensive=True))
        yield from self._over(comprehensive, [], lambda row: limit, self.KEY_COMPREHENSIVE, units)

    def _over(self, rows, extra_group, allowed, key, units):
        """The findings of the department-years whose distinct items are more than ``allowed(row)``.

        ``units``: the units to yield findings for (None: every unit).
        """
        group = ["source_unit_id", "year", *extra_group]
        counts = rows.order_by().values(*group).annotate(items=Count("item", distinct=True))
        limits = {
            (count["source_unit_id"], count["year"]): (count["items"], allowed(count))
            for count in counts
            if count["items"] > allowed(count)
        }
        if not limits:
            return
        visits = (
            rows.filter(
                source_unit_id__in={source for source, _year in limits},
                date__year__in={year for _source, year in limits},
            )
            .order_by("source_unit_id", "year", "date", "pk")
            .values("pk", "unit_id", "source_unit_id", "date", "year", "item")
        )
        for (source, year), year_visits in groupby(visits.iterator(), key=itemgetter("source_unit_id", "year")):
            if (source, year) not in limits:
                continue
            items, limit = limits[(source, year)]
            year_visits = list(year_visits)
            # The items in the order of their first visit, anywhere: those past the limit are the excess.
            order = list(dict.fromkeys(visit["item"] for visit in year_visits))
            extra = set(order[limit:])
            values = {"items": items, "year": year, "extra": "、".join(order[limit:])}
            if key == self.KEY_QUOTA:
                values["quota"] = limit
            # One finding for each unit the excess items visited: its own visits of them.
            by_unit: dict[int, list[dict]] = {}
            for visit in year_visits:
                if visit["item"] in extra:
                    by_unit.setdefault(visit["unit_id"], []).append(visit)
            for unit_id, unit_visits in by_unit.items():
                if units is not None and unit_id not in units:
                    continue
                yield self.group(unit_visits, f"{year}:{key}", occurred_on=unit_visits[0]["date"], **values)

    def render(self, values, params):
        message = self.message if "quota" in values else self.message_comprehensive
        return str(message) % {**params, **values}

    def related(self, record):
        # Another unit's visit of the same item is as much in the count as one's own.
        return Inspection.objects.filter(
            Q(pk=record.pk) | Q(source_unit_id=record.source_unit_id, date__year=record.date.year)
        )


@register
class DisguisedInspection(Rule):
    """The 2024 regulation, part 三 ("改进方式方法"): no check disguised as research (调研).

    A research visit that demands more tables or report materials than ``max_tables`` /
    ``max_reports`` (none, by default), or the unit's principal, behaves as an
    inspection: it is flagged, and it counts as an inspection for every rule (it is an
    inspection record, ``Inspection.relabelled``). It stands for INS-MATERIALS on the
    same visit (one cause, one flag).
    """

    code = "INS-DISGUISED"
    title = _("Inspection disguised as research")
    description = _(
        "A research visit that demands tables, report materials or the unit's principal: an inspection under "
        "another name, counted as one."
    )
    message = _(
        "A research visit that demanded %(tables)s tables and %(reports)s report materials (allowed: "
        "%(max_tables)s and %(max_reports)s)%(principal)s: an inspection under another name"
    )
    source = Source.REGULATION_2024
    clause = Part("III")
    quote = _(
        "Inspections, checks, assessments and research visits of higher departments do not keep asking to see the "
        "principal, nor keep asking the grassroots to fill in tables and send materials."
    )
    record_kind = "inspection"
    severity = "high"
    params = (
        Param("max_tables", _("Tables a research visit may ask for"), default=0, minimum=0),
        Param("max_reports", _("Report materials a research visit may ask for"), default=0, minimum=0),
    )

    def find(self, records, params, today):
        rows = (
            records.filter(purpose=Inspection.Purpose.RESEARCH)
            .filter(
                Q(tables_demanded__gt=params["max_tables"])
                | Q(reports_demanded__gt=params["max_reports"])
                | Q(principal_required=True)
            )
            .values("pk", "unit_id", "source_unit_id", "tables_demanded", "reports_demanded", "principal_required")
        )
        for row in rows:
            yield self.finding(
                row,
                tables=row["tables_demanded"],
                reports=row["reports_demanded"],
                principal_required=row["principal_required"],
            )

    def render(self, values, params):
        merged = {**params, **values}
        principal = str(_(", and the unit's principal")) if merged.get("principal_required") else ""
        return str(self.message) % {**merged, "principal": principal}
