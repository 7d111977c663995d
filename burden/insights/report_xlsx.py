"""A report as a workbook: one sheet per section, in the reader's language, numbers as numbers.

The sheets are written from the same ``Report`` the page shows, so the two cannot
disagree. Percentages are numbers (-12.5 for -12.5 %) shown with a per-cent sign.
Text (unit names, explanations people wrote) goes through ``safe_cells``, so none of
it becomes a formula.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..ledger.exporter import XLSX_TYPE
from ..ledger.safe_cells import xlsx_row
from ..records import TraceRequirement
from ..rules.models import Violation
from .forms import report_period_value
from .reports import MEASURE_LABELS, Report
from .selectors import FLAG_OUTCOMES, kinds

HOURS_FORMAT = "#,##0.00"
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = '0.0"%"'
DATE_FORMAT = "yyyy-mm-dd"
# Characters a sheet title may not hold.
UNSAFE_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def report_filename(kind: str, unit, period) -> str:
    return f"burden-{kind}-{unit.code}-{report_period_value(kind, period)}.xlsx"


def report_xlsx_response(report: Report) -> FileResponse:
    """The workbook, spooled to a temporary file and sent as a download."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    report_workbook(report).save(spool)
    spool.seek(0)
    name = report_filename(report.kind, report.unit, report.period)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)


def report_workbook(report: Report, progress: Callable[[int], None] | None = None):
    """One sheet per section; ``progress`` is called with the number of sheets written so far."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, (title, write) in enumerate(sheets(), start=1):
        sheet = workbook.create_sheet(str(title).translate(UNSAFE_TITLE)[:31])
        write(Sheet(sheet), report)
        if progress:
            progress(number)
    return workbook


def sheets() -> list[tuple[str, Callable]]:
    return [
        (_("Overview"), _overview),
        (_("Burden by kind"), _burden),
        (_("Trace demands"), _traces),
        (_("Source departments"), _sources),
        (_("Increases"), _increases),
        (_("Flags"), _flags),
        (_("Cases"), _cases),
        (_("Escalations"), _letters),
        (_("Secondments"), _secondments),
        (_("Reduction targets"), _targets),
    ]


class Sheet:
    """Appends rows of values, each value with an optional number format."""

    def __init__(self, sheet):
        self.sheet = sheet

    def header(self, *labels) -> None:
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.sheet.append(xlsx_row(self.sheet, [str(label) for label in labels]))
        for cell in self.sheet[self.sheet.max_row]:
            cell.font = Font(bold=True)
        for index, label in enumerate(labels, start=1):
            letter = get_column_letter(index)
            width = max(self.sheet.column_dimensions[letter].width or 0, min(40, len(str(label)) * 2 + 4), 12)
            self.sheet.column_dimensions[letter].width = width

    def row(self, *values) -> None:
        """Values, or (value, number format) pairs."""
        cells = []
        for value in values:
            value, number_format = value if isinstance(value, tuple) else (value, None)
            cells.append((_number(value), number_format))
        self.sheet.append(xlsx_row(self.sheet, [value for value, _format in cells]))
        for cell, (_value, number_format) in zip(self.sheet[self.sheet.max_row], cells, strict=False):
            if number_format:
                cell.number_format = number_format

    def blank(self) -> None:
        self.sheet.append([])


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str | int | float) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value
    return str(value)


def _hours(value):
    return (value, HOURS_FORMAT)


def _percent(value):
    return (value, PERCENT_FORMAT)


def _date(value):
    return (value, DATE_FORMAT)


MEASURES = (("hours", HOURS_FORMAT), ("cost", MONEY_FORMAT), ("records", None))


def _overview(sheet: Sheet, report: Report) -> None:
    total = report.total
    sheet.header(report.title, "")
    sheet.row(_("Unit"), report.unit.label)
    sheet.row(_("Unit code"), report.unit.code)
    sheet.row(_("Period"), report.period_label)
    sheet.row(_("From"), _date(report.period.start))
    sheet.row(_("To"), _date(report.period.last_day))
    sheet.row(_("Made at"), timezone.localtime(report.made_at).replace(tzinfo=None).isoformat(" ", "minutes"))
    sheet.blank()
    sheet.header(
        "", report.period_label, report.preceding_label, _("Change (%)"), report.last_year_label, _("Change (%)")
    )
    for measure, number_format in MEASURES:
        _comparison_row(sheet, [MEASURE_LABELS[measure]], total.compare(measure), number_format)
    sheet.blank()
    sheet.row(_("Flags of the period"), report.flags_total.total)
    cases = report.cases_total
    sheet.row(_("Cases of the period"), cases.opened)
    sheet.row(_("Resolved in the period"), cases.resolved)
    sheet.row(_("Escalation letters issued in the period"), report.letters_count)
    sheet.row(_("People seconded out at the end of the period"), report.people_out_count)
    sheet.row(_("Their terms end in the next period"), report.people_ending_count)


def _comparison_row(sheet: Sheet, first: list, comparison, number_format) -> None:
    def value(number):
        return (number, number_format) if number_format else number

    sheet.row(
        *first,
        value(comparison.current),
        value(comparison.preceding),
        _percent(comparison.change_preceding),
        value(comparison.last_year),
        _percent(comparison.change_last_year),
    )


def _burden(sheet: Sheet, report: Report) -> None:
    sheet.header(
        _("Kind of record"),
        _("Measure"),
        report.period_label,
        report.preceding_label,
        _("Change (%)"),
        report.last_year_label,
        _("Change (%)"),
    )
    for item in [*report.burden, report.total]:
        for measure, number_format in MEASURES:
            _comparison_row(sheet, [item.label, MEASURE_LABELS[measure]], item.compare(measure), number_format)


def _traces(sheet: Sheet, report: Report) -> None:
    sheet.header(_("Kind of record"), *[label for _value, label in TraceRequirement.choices], _("Total"))
    for item in report.traces:
        measures = item.current
        sheet.row(
            item.label, *[getattr(measures, value) for value, _label in TraceRequirement.choices], measures.traces
        )


def _sources(sheet: Sheet, report: Report) -> None:
    kind_list = kinds()
    sheet.header(
        "#",
        _("Code"),
        _("Department"),
        _("Burden hours"),
        _("Records"),
        *[label for _kind, label in kind_list],
        _("Flagged records"),
    )
    for rank, row in enumerate(report.sources, start=1):
        total = row.total
        counts = [total.records, *row.kind_records, total.flagged]
        sheet.row(rank, row.source.code, row.source.label, _hours(total.hours), *counts)
    if report.sources_count > len(report.sources):
        sheet.blank()
        sheet.row(
            _("The %(shown)s departments that imposed the most hours, of %(total)s.")
            % {"shown": len(report.sources), "total": report.sources_count}
        )
    unknown = report.unknown_source.total
    if unknown.records or unknown.hours:
        sheet.blank()
        sheet.row(_("No source recorded"), "", "", _hours(unknown.hours), unknown.records)


def _increases(sheet: Sheet, report: Report) -> None:
    sheet.header(
        _("Code"),
        _("Department"),
        _("Kind of record"),
        report.period_label,
        report.last_year_label,
        _("Explanation"),
    )
    for row in report.increases:
        for item in row.increases:
            note = item["explanation"].explanation if item["explanation"] else ""
            sheet.row(row.source.code, row.source.label, item["label"], item["records"], item["previous_records"], note)


def _flags(sheet: Sheet, report: Report) -> None:
    labels = dict(Violation.Status.choices)
    sheet.header(_("Rule"), _("Title"), *[labels[status] for status in FLAG_OUTCOMES], _("Total"))
    for flags in report.flags:
        sheet.row(flags.rule, flags.title, *flags.counts, flags.total)
    total = report.flags_total
    sheet.row("", total.title, *total.counts, total.total)


def _cases(sheet: Sheet, report: Report) -> None:
    sheet.header(
        _("Code"),
        _("Department"),
        _("Cases of the period"),
        _("Resolved in the period"),
        _("Waived in the period"),
        _("Closed in the period, every flag cleared"),
    )
    for counts in report.cases:
        code, name = (counts.source.code, counts.source.label) if counts.source else ("", _("No department named"))
        sheet.row(code, name, counts.opened, counts.resolved, counts.waived, counts.closed)
    total = report.cases_total
    sheet.row("", _("All departments"), total.opened, total.resolved, total.waived, total.closed)


def _letters(sheet: Sheet, report: Report) -> None:
    sheet.header(_("Reference"), _("Step"), _("Addressed to"), _("Issued on"), _("Reply by"))
    for row in report.letters:
        letter = row.letter
        sheet.row(
            letter.reference, letter.get_step_display(), row.addressee, _date(letter.issued_on), _date(letter.deadline)
        )
    if report.letters_count > len(report.letters):
        sheet.blank()
        sheet.row(
            _("The first %(shown)s letters issued, of %(total)s.")
            % {"shown": len(report.letters), "total": report.letters_count}
        )


def _secondments(sheet: Sheet, report: Report) -> None:
    def people(title, persons, count):
        sheet.header(title, "", "", "", "", "")
        sheet.header(_("Person"), _("Home unit"), _("Host"), _("Since"), _("Term ends"), _("Days left"))
        for person in persons:
            record = person.record
            host = record.host_name
            if record.source_unit:
                host = f"{host} · {record.source_unit.label}"
            sheet.row(
                record.person_name,
                record.unit.label,
                host,
                _date(record.start_date),
                _date(person.last_day),
                person.days_left,
            )
        if count > len(persons):
            sheet.row(
                _("The %(shown)s whose terms end soonest, of %(total)s.") % {"shown": len(persons), "total": count}
            )

    people(
        _("Seconded out at the end of the period: %(count)s") % {"count": report.people_out_count},
        report.people_out,
        report.people_out_count,
    )
    sheet.blank()
    people(
        _("Terms ending in %(period)s: %(count)s")
        % {"period": report.following_label, "count": report.people_ending_count},
        report.people_ending,
        report.people_ending_count,
    )


def _targets(sheet: Sheet, report: Report) -> None:
    sheet.header(
        _("Kind of record"),
        _("Measured by"),
        _("Target (%)"),
        report.period_label,
        report.last_year_label,
        _("Change (%)"),
        _("Met"),
        _("Set for"),
    )
    for item in report.targets:
        met = "" if item.met is None else (_("Yes") if item.met else _("No"))
        sheet.row(
            item.label,
            item.target.get_measure_display(),
            _percent(item.goal),
            item.current,
            item.previous,
            _percent(item.change),
            met,
            item.target.unit.label,
        )
