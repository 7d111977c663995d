"""Exports of a filtered record list (CSV and XLSX) and the blank XLSX template of a kind.

Exports use the template's bilingual headers plus the record ``id``, so an exported
file can be edited and imported back: rows with an ``id`` update their record. Both
formats stream from the database in chunks; neither holds the whole list in memory.
Every cell goes through ``safe_cells``, so no text anyone typed becomes a formula.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from decimal import Decimal

from django.db import models
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..fields import MultipleChoiceField
from .columns import EXTERNAL_ID, Column, bilingual_labels, columns_for
from .safe_cells import csv_row, xlsx_row, xlsx_set

EXTERNAL_ID_HINT = gettext_lazy(
    "Fill in the external id with your own ledger's row number: "
    "importing the file again then updates those rows instead of adding them twice."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575
CHUNK = 2000


def read_only_headers(model) -> list[str]:
    """Headers an export adds that an import skips (hours and timestamps)."""
    headers = []
    for name in ("burden_hours", "created_at", "updated_at"):
        zh, en = bilingual_labels(model._meta.get_field(name).verbose_name)
        headers.append(f"{zh} / {en}")
    return headers


def _is_zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def cell_value(column: Column, record, units: dict[int, str], for_csv: bool):
    """One record's value in one column, as a person would type it back in."""
    if column.extra is not None:
        return column.extra.export(record)
    model_field = column.field
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return ""
    if isinstance(model_field, MultipleChoiceField):
        return "、".join(column.choice_label(item) for item in value)
    if model_field.choices:
        return column.choice_label(value)
    if isinstance(model_field, models.ForeignKey):
        return units.get(value, value) if model_field.related_model._meta.model_name == "unit" else value
    if isinstance(model_field, models.BooleanField):
        return _yes_no(value)
    if isinstance(value, Decimal):
        # A number stays a number: the CSV writer prints it, never marked as text.
        return value if for_csv else float(value)
    if isinstance(value, datetime.date) and for_csv:
        return value.isoformat()
    return value


def _rows(config, queryset, for_csv: bool):
    from ..models import Unit

    columns = columns_for(config)
    units = dict(Unit.objects.values_list("pk", "code"))
    yield ["id", *[column.header for column in columns], *read_only_headers(config.model)]
    prefetch = [name for column in columns if column.extra for name in column.extra.prefetch]
    for record in queryset.prefetch_related(*prefetch).order_by("pk").iterator(chunk_size=CHUNK):
        hours = record.burden_hours if for_csv else float(record.burden_hours)
        created = timezone.localtime(record.created_at).replace(tzinfo=None)
        updated = timezone.localtime(record.updated_at).replace(tzinfo=None)
        if for_csv:
            created, updated = created.isoformat(" ", "seconds"), updated.isoformat(" ", "seconds")
        yield [record.pk, *[cell_value(column, record, units, for_csv) for column in columns], hours, created, updated]


class _Echo:
    def write(self, value):
        return value


def filename(config, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{config.model._meta.model_name}-{stamp}.{extension}"


def csv_response(config, queryset) -> StreamingHttpResponse:
    """UTF-8 with a BOM, which Excel needs to show Chinese correctly."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in _rows(config, queryset, for_csv=True):
            yield writer.writerow(csv_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(config, "csv")}"'
    return response


def errors_csv_response(job) -> HttpResponse:
    """An import's problems (row, column, problem) as CSV, to work through beside the file.

    The column and the problem quote what was in the file, so they are neutralised too.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    with translation.override(job.language or None):  # the language its messages were written in
        writer.writerow(csv_row([_("Row"), _("Column"), _("Problem")]))
    for error in job.errors:
        writer.writerow(csv_row([error["row"], error["column"], error["message"]]))
    return response


def xlsx_response(config, queryset) -> FileResponse:
    """A write-only workbook spooled to a temporary file, then streamed."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(config.model._meta.verbose_name_plural))
    for number, row in enumerate(_rows(config, queryset, for_csv=False)):
        if number > XLSX_MAX_ROWS:
            break
        sheet.append(xlsx_row(sheet, row))
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename(config, "xlsx"), content_type=XLSX_TYPE)


def template_response(config) -> FileResponse:
    """The blank ledger: bilingual headers, drop-downs for every choice, and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = columns_for(config)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(config.model._meta.verbose_name_plural)[:31]
    sheet.append(xlsx_row(sheet, [column.header for column in columns]))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE8E8")
    lists = workbook.create_sheet(_("Choices"))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = bold
        if column.required:
            header.fill = required_fill
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
        options = _options(column)
        if options and not isinstance(column.field, MultipleChoiceField):
            # Choices live on their own sheet: a drop-down's inline list is limited to 255 characters.
            for row, option in enumerate(options, start=1):
                xlsx_set(lists.cell(row=row, column=index), option)
            validation = DataValidation(
                type="list", formula1=f"={_quoted(lists.title)}!${letter}$1:${letter}${len(options)}", allow_blank=True
            )
            validation.error = _("Pick a value from the list.")
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}10000")
        if column.field is not None and isinstance(column.field, models.DateField):
            for row in range(2, 202):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
    lists.sheet_state = "hidden"
    _instructions(workbook.create_sheet(_("Instructions")), columns)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    name = f"{config.model._meta.model_name}-template.xlsx"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _options(column: Column) -> list[str]:
    if column.choices:
        return [column.choice_label(value) for value, _zh, _en in column.choices]
    if isinstance(column.field, models.BooleanField):
        return [_yes_no(True), _yes_no(False)]
    return []


def _instructions(sheet, columns: list[Column]) -> None:
    from openpyxl.styles import Font

    sheet.append(xlsx_row(sheet, [_("Column"), _("Required"), _("What to write")]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append(xlsx_row(sheet, [column.header, _yes_no(column.required), _hint(column)]))
    sheet.append([])
    sheet.append(xlsx_row(sheet, [_("One row per record. Headers may be in Chinese or English. Dates as 2026-03-01.")]))
    sheet.append(xlsx_row(sheet, [str(EXTERNAL_ID_HINT)]))
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["C"].width = 80


def _hint(column: Column) -> str:
    if column.extra is not None:
        return str(column.extra.hint)
    model_field = column.field
    if column.name == EXTERNAL_ID:
        return _("Optional: your own ledger's id for this row.")
    if isinstance(model_field, MultipleChoiceField):
        return _("Any of: %(choices)s, separated by commas.") % {"choices": "、".join(_options(column))}
    if column.choices:
        return _("One of: %(choices)s.") % {"choices": "、".join(_options(column))}
    if isinstance(model_field, models.ForeignKey) and model_field.related_model._meta.model_name == "unit":
        return _("The unit's code, as on its page.")
    if isinstance(model_field, models.ForeignKey):
        return _("The record's id.")
    if isinstance(model_field, models.BooleanField):
        return _("Yes or no (是 / 否).")
    if isinstance(model_field, models.DateField):
        return _("A date, e.g. 2026-03-01.")
    if isinstance(model_field, (models.IntegerField, models.DecimalField)):
        return _("A number.")
    return str(model_field.help_text or "")
