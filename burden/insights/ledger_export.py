"""The burden ledger as a file (CSV or XLSX): the table the page shows, numbers as numbers.

Written from the same rows the page shows (``selectors.source_ranking``), in the same
order, so the two cannot disagree. Department names go through ``safe_cells``, so none
becomes a formula. The CSV streams its lines; the workbook is written write-only and
spooled to a temporary file, as the record exports are (``burden.ledger.exporter``).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..ledger.exporter import XLSX_TYPE
from ..ledger.safe_cells import csv_row, xlsx_row
from .forms import MONTH_FORMAT

#: The formats ``?format=`` asks for.
FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value):
        return value


def ledger_filename(unit, period, extension: str) -> str:
    return (
        f"burden-ledger-{unit.code}-{period.start.strftime(MONTH_FORMAT)}-"
        f"{period.end.strftime(MONTH_FORMAT)}.{extension}"
    )


def ledger_header(kinds, relabelling) -> list[str]:
    """The columns: the department, its hours, each kind's records, flagged and relabelled, its cases, its marks."""
    header = [_("Rank"), _("Department"), _("Code"), _("Burden hours (person-hours)")]
    for kind, label in kinds:
        header += [
            _("%(kind)s: records") % {"kind": label},
            _("%(kind)s: of them flagged") % {"kind": label},
        ]
        if kind in relabelling:
            header += [
                _("%(kind)s: of them relabelled") % {"kind": label},
                _("%(kind)s: hours of the relabelled") % {"kind": label},
            ]
    header += [
        _("Flags per 100 records"),
        _("Open cases"),
        _("Cases of the period"),
        _("More than a year earlier"),
        _("No base a year earlier"),
    ]
    return header


def ledger_rows(ranking, kinds, relabelling) -> Iterator[list]:
    """One line per department, in the page's order; numbers stay numbers."""
    labels = dict(kinds)
    separator = _("; ")
    for number, row in enumerate(ranking, start=1):
        line = [number, row.source.label, row.source.code, float(row.total.hours)]
        for kind, _label in kinds:
            measures = row.by_kind.get(kind)
            line += [measures.records if measures else 0, measures.flagged if measures else 0]
            if kind in relabelling:
                relabelled = row.relabelled.get(kind)
                line += [relabelled.records if relabelled else 0, float(relabelled.hours) if relabelled else 0.0]
        per_hundred = row.total.flags_per_hundred
        line += [
            "" if per_hundred is None else float(per_hundred),
            row.cases_open,
            row.cases_total,
            separator.join(str(labels[kind]) for kind in row.increased),
            separator.join(str(labels[kind]) for kind in row.without_base),
        ]
        yield line


def ledger_csv_response(unit, period, ranking, kinds, relabelling) -> StreamingHttpResponse:
    """UTF-8 with a BOM (Excel needs it for Chinese), a header line and one line per department."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(csv_row(ledger_header(kinds, relabelling)))
        for line in ledger_rows(ranking, kinds, relabelling):
            yield writer.writerow(csv_row(line))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ledger_filename(unit, period, "csv")}"'
    return response


def ledger_xlsx_response(unit, period, ranking, kinds, relabelling) -> FileResponse:
    """A write-only workbook: a formal title, the unit, the period and the date made, then the table."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Burden ledger")[:31])
    months = f"{date_format(period.start, 'YEAR_MONTH_FORMAT')} – {date_format(period.end, 'YEAR_MONTH_FORMAT')}"
    made = date_format(timezone.localdate(), "DATE_FORMAT")
    for line in (
        [_("Burden ledger of the source departments")],
        [_("Unit"), f"{unit.label} ({unit.code})"],
        [_("Period"), months],
        [_("Made on"), made],
        [],
    ):
        sheet.append(xlsx_row(sheet, line))
    sheet.append(xlsx_row(sheet, ledger_header(kinds, relabelling)))
    for line in ledger_rows(ranking, kinds, relabelling):
        sheet.append(xlsx_row(sheet, line))
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    name = ledger_filename(unit, period, "xlsx")
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)


# --- the dashboard ---------------------------------------------------------------------------


def dashboard_xlsx_response(unit, period, summary, flags) -> FileResponse:
    """The dashboard's numbers as a workbook: the totals, each kind by month, the open flags by rule.

    ``summary`` is the page's ``BurdenSummary`` and ``flags`` its open flags by rule, so
    the file and the page cannot disagree; nothing is read again.
    """
    from openpyxl import Workbook

    from .charts import month_label
    from .selectors import change_percent

    workbook = Workbook(write_only=True)
    months = f"{date_format(period.start, 'YEAR_MONTH_FORMAT')} – {date_format(period.end, 'YEAR_MONTH_FORMAT')}"
    head = [
        [_("Statistics of the burden on grassroots units")],
        [_("Unit"), f"{unit.label} ({unit.code})"],
        [_("Period"), months],
        [_("Made on"), date_format(timezone.localdate(), "DATE_FORMAT")],
        [],
    ]
    totals = workbook.create_sheet(str(_("Totals"))[:31])
    for line in head:
        totals.append(xlsx_row(totals, line))
    totals.append(
        xlsx_row(
            totals,
            [
                _("Kind of record"),
                _("Burden hours (person-hours)"),
                _("Cost (yuan)"),
                _("Records"),
                _("Flagged records"),
                _("Burden hours a year earlier"),
                _("Change against a year earlier (%)"),
            ],
        )
    )
    lines = [
        (label, summary.kind_total(kind), summary.kind_total(kind, previous=True)) for kind, label in summary.kinds
    ]
    lines.append((_("Totals"), summary.total(), summary.total(previous=True)))
    for label, now, before in lines:
        change = change_percent(now.hours, before.hours)
        totals.append(
            xlsx_row(
                totals,
                [
                    str(label),
                    float(now.hours),
                    float(now.cost),
                    now.records,
                    now.flagged,
                    float(before.hours),
                    _("No base a year earlier") if change is None else float(change),
                ],
            )
        )
    by_month = workbook.create_sheet(str(_("Burden hours by kind and month"))[:31])
    by_month.append(xlsx_row(by_month, [_("Month"), *[str(label) for _kind, label in summary.kinds], _("Totals")]))
    for month in period.months:
        hours = [float(summary.months[kind][month].hours) for kind, _label in summary.kinds]
        by_month.append(xlsx_row(by_month, [month_label(month), *hours, float(summary.month_total(month).hours)]))
    open_flags = workbook.create_sheet(str(_("Open flags by rule"))[:31])
    open_flags.append(xlsx_row(open_flags, [_("Rule"), _("Kind of record"), _("Open flags")]))
    labels = dict(summary.kinds)
    for flag in flags:
        line = [f"{flag.rule} {flag.title}", str(labels.get(flag.record_kind, flag.record_kind)), flag.count]
        open_flags.append(xlsx_row(open_flags, line))
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    name = (
        f"burden-dashboard-{unit.code}-{period.start.strftime(MONTH_FORMAT)}-{period.end.strftime(MONTH_FORMAT)}.xlsx"
    )
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
