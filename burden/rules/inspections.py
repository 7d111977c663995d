"""Inspection rules (paper 3.2, 3.3 and 4.2.3: fewer, planned, purposeful inspections).

All but ``INS-FREQUENCY`` are queryset filters; ``INS-FREQUENCY`` counts each
inspecting unit's visits to a unit within a calendar quarter with a window function,
in one SQL statement however many inspections there are.
"""

import datetime
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, Q, Window
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection

from .base import Param, Rule, register


@register
class UnplannedInspection(Rule):
    """Paper 4.2.3: an approval system for inspections — apart from major safety and quality
    emergencies, an inspection belongs to an approved plan."""

    code = "INS-UNPLANNED"
    title = _("Inspection outside an approved plan")
    description = _("An inspection that is in no approved plan and is not an emergency safety or quality check.")
    message = _("Not in an approved plan, and not an emergency safety or quality check")
    clause = "4.2.3"
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
    record_kind = "inspection"
    severity = "high"
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
    record_kind = "inspection"
    severity = "low"

    def find(self, records, params, today):
        for row in records.filter(purpose=Inspection.Purpose.NOT_STATED).values("pk", "unit_id", "source_unit_id"):
            yield self.finding(row)
