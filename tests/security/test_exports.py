"""Every CSV and XLSX the product writes keeps typed text as text (CSV / formula injection).

A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
evaluated by a spreadsheet. In a CSV it gets a leading quote; in an XLSX it is a
string cell marked ``quotePrefix`` and the sheet holds no formula. Numbers stay
numbers, and an exported file imported back gives the text exactly as typed.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from burden.ledger import exporter
from burden.ledger.safe_cells import csv_unescape, csv_value, xlsx_row, xlsx_set
from burden.models import ImportJob
from documents.models import Document
from meetings.models import Meeting
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory
from tests.record_factories.secondments import SecondmentFactory

HYPERLINK = '=HYPERLINK("http://x","y")'
#: One text for each trigger character.
FORMULAS = [HYPERLINK, "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+2", "\r=1+2"]
#: The ones an import gives back as typed (an import, like the form, strips outer spaces).
TYPED = [HYPERLINK, "+1+2", "-2+3", "@SUM(A1:A2)", "'=quoted by the person", "''+two quotes"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_cells(response) -> list[list[str]]:
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def sheet_xml(content: bytes) -> dict[str, str]:
    """The raw XML of every worksheet in the file, by part name."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")}


def assert_no_formula(content: bytes) -> None:
    for name, xml in sheet_xml(content).items():
        assert "<f>" not in xml and "<f " not in xml, name


def cell_with(workbook, value):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == value:
                    return cell
    raise AssertionError(f"no cell holds {value!r}")


def assert_text_cell(workbook, value) -> None:
    cell = cell_with(workbook, value)
    assert cell.data_type == "s", (value, cell.data_type)
    assert cell.quotePrefix, value


# --- the helper itself ----------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_puts_a_quote_before_each_trigger_and_the_import_takes_it_off(text):
    assert csv_value(text) == "'" + text
    assert csv_unescape(csv_value(text)) == text


@pytest.mark.parametrize("text", ["'=quoted by the person", "''+two quotes", "'plain", "it's", "", "a=b", "x-1"])
def test_text_with_quotes_of_its_own_comes_back_as_typed(text):
    assert csv_unescape(csv_value(text)) == text


def test_the_import_only_removes_a_quote_before_a_trigger():
    assert csv_unescape("'plain") == "'plain"
    assert csv_unescape("'") == "'"
    assert csv_unescape("'=1") == "=1"


@pytest.mark.parametrize("number", [-5, -1.5, Decimal("-2.50"), 0, 7, datetime.date(2026, 3, 1), True, None])
def test_numbers_dates_and_booleans_are_never_touched(number):
    assert csv_value(number) is number
    workbook = Workbook()
    assert xlsx_row(workbook.active, [number]) == [number]


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_an_xlsx_cell_of_formula_text_is_a_string_in_both_kinds_of_workbook(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet.append(xlsx_row(sheet, [*FORMULAS, -5, "plain"]))
    if not write_only:
        xlsx_set(sheet.cell(row=2, column=1), "=1+1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert_no_formula(buffer.getvalue())
    reread = load_workbook(io.BytesIO(buffer.getvalue()))
    row = list(reread.active.iter_rows(min_row=1, max_row=1, values_only=True))[0]
    assert row[: len(FORMULAS) + 2] == (*[text.replace("\r", "\n") for text in FORMULAS], -5, "plain")
    for text in FORMULAS[:4]:
        assert_text_cell(reread, text)
    assert cell_with(reread, -5).data_type == "n"


# --- record lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_a_meeting_list_csv_quotes_formula_text(client, personas, tree, text):
    MeetingFactory(unit=tree.a, title=text, duration_minutes=45)
    client.force_login(personas.staff_a)
    rows = csv_cells(client.get(reverse("meetings:meeting_export"), {"format": "csv"}))
    header, row = rows[0], rows[1]
    assert row[1] == "'" + text  # the title, after the id
    duration = next(i for i, name in enumerate(header) if "Duration" in name)
    assert row[duration] == "45"  # a number, written plainly


@pytest.mark.parametrize("text", FORMULAS)
def test_a_document_list_csv_quotes_formula_text(client, personas, tree, text):
    DocumentFactory(unit=tree.a, title=text, number=text)
    client.force_login(personas.staff_a)
    rows = csv_cells(client.get(reverse("documents:document_export"), {"format": "csv"}))
    assert rows[1].count("'" + text) == 2  # the title and the number


@pytest.mark.parametrize(
    ("url", "factory", "field"),
    [("meetings:meeting_export", MeetingFactory, "title"), ("documents:document_export", DocumentFactory, "title")],
    ids=["meetings", "documents"],
)
def test_a_record_list_xlsx_holds_formula_text_as_text(client, personas, tree, url, factory, field):
    for text in FORMULAS:
        factory(unit=tree.a, **{field: text})
    client.force_login(personas.staff_a)
    content = body(client.get(reverse(url), {"format": "xlsx"}))
    assert_no_formula(content)
    workbook = load_workbook(io.BytesIO(content))
    for text in FORMULAS[:5]:  # a leading "\r" reads back as "\n", as XML has it
        assert_text_cell(workbook, text)
    hours = [row[-3] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert hours and all(isinstance(value, int | float) for value in hours)  # numbers stay numbers


def test_the_exported_hyperlink_title_opens_as_text(client, personas, tree):
    """The issue's case: the raw sheet holds the title as an inline string, not an <f> formula."""
    MeetingFactory(unit=tree.a, title=HYPERLINK)
    client.force_login(personas.staff_a)
    content = body(client.get(reverse("meetings:meeting_export"), {"format": "xlsx"}))
    xml = "".join(sheet_xml(content).values())
    assert "<f>" not in xml
    assert '<is><t>=HYPERLINK("http://x","y")</t></is>' in xml
    assert cell_with(load_workbook(io.BytesIO(content)), HYPERLINK).data_type == "s"
    exported = csv_cells(client.get(reverse("meetings:meeting_export"), {"format": "csv"}))
    assert exported[1][1].startswith("'=HYPERLINK(")


# --- round trip -----------------------------------------------------------------------------


def upload(client, name, content, django_capture_on_commit_callbacks, url="meetings:meeting_import"):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(url), {"file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en")
    return ImportJob.objects.latest("pk")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_back_gives_every_title_as_typed(
    client, personas, tree, django_capture_on_commit_callbacks, fmt
):
    for number, text in enumerate(TYPED):
        MeetingFactory(unit=tree.a, title=text, external_id=f"-{number}")
    client.force_login(personas.staff_a)
    content = body(client.get(reverse("meetings:meeting_export"), {"format": fmt}))
    Meeting.objects.update(title="changed meanwhile", external_id="")
    job = upload(client, f"export.{fmt}", content, django_capture_on_commit_callbacks)
    assert (job.status, job.updated) == ("done", len(TYPED)), job.errors
    assert sorted(Meeting.objects.values_list("title", flat=True)) == sorted(TYPED)
    assert sorted(Meeting.objects.values_list("external_id", flat=True)) == [f"-{n}" for n in range(len(TYPED))]


def test_a_document_export_imported_back_keeps_formula_numbers_as_text(
    client, personas, tree, django_capture_on_commit_callbacks
):
    DocumentFactory(unit=tree.a, title="@公文", number="-12号")
    client.force_login(personas.staff_a)
    content = body(client.get(reverse("documents:document_export"), {"format": "csv"}))
    Document.objects.update(title="x", number="y")
    job = upload(client, "docs.csv", content, django_capture_on_commit_callbacks, url="documents:document_import")
    assert job.status == "done", job.errors
    assert Document.objects.values_list("title", "number").get() == ("@公文", "-12号")


# --- the ledger template, a report, the import error report ---------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_the_ledger_template_writes_its_texts_as_text(client, personas, monkeypatch, text):
    # The template's texts are the product's own; made formula-like here to prove the path.
    monkeypatch.setattr(exporter, "_hint", lambda column: text)
    monkeypatch.setattr(exporter, "_options", lambda column: [text, "x"] if column.choices else [])
    client.force_login(personas.staff_a)
    content = body(client.get(reverse("meetings:meeting_template")))
    assert_no_formula(content)
    workbook = load_workbook(io.BytesIO(content))
    instructions, choices = workbook.worksheets[2], workbook.worksheets[1]
    hints = [cell for row in instructions.iter_rows(min_row=2, min_col=3, max_col=3) for cell in row if cell.value]
    assert hints and all(cell.data_type == "s" and cell.quotePrefix for cell in hints)
    options = [cell for row in choices.iter_rows(min_row=1, max_row=1) for cell in row if cell.value]
    assert options and all(cell.data_type == "s" and cell.quotePrefix for cell in options)
    # Its drop-downs still point at their lists: those are the template's own formulas.
    assert workbook.worksheets[0].data_validations.dataValidation


@pytest.mark.parametrize("text", FORMULAS[:4])
def test_a_report_spreadsheet_writes_unit_names_and_people_as_text(client, personas, tree, text):
    tree.a.name_en = text
    tree.a.save()
    SecondmentFactory(
        person_name=text + " 人", unit=tree.a, start_date=datetime.date(2024, 2, 1),
        planned_end_date=datetime.date(2024, 4, 15),
    )  # fmt: skip
    client.force_login(personas.staff_a)
    response = client.get(
        reverse("insights:report_xlsx"), {"kind": "monthly", "period": "2024-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    content = body(response)
    assert_no_formula(content)
    workbook = load_workbook(io.BytesIO(content))
    assert_text_cell(workbook, text)
    assert_text_cell(workbook, text + " 人")
    days_left = [row[5] for row in workbook["Secondments"].iter_rows(values_only=True) if row[0] == text + " 人"]
    assert days_left and all(isinstance(value, int) for value in days_left)


@pytest.mark.parametrize("text", FORMULAS[:4])
def test_the_import_error_report_quotes_what_the_file_held(
    client, personas, tree, django_capture_on_commit_callbacks, text
):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[text, "title", "date"], ["x", "会", "2026-03-02"]])
    content = buffer.getvalue().encode()
    client.force_login(personas.staff_a)
    job = upload(client, "bad.csv", content, django_capture_on_commit_callbacks)
    assert job.status == "rejected"
    response = client.get(reverse("meetings:meeting_import_job", args=[job.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_cells(response)
    assert rows[0] == ["Row", "Column", "Problem"]
    assert ["1", "'" + text, "Unknown column. Use the headers of the template."] in rows
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_import_error_report_is_offered_on_the_jobs_page_and_only_to_its_owner(
    client, personas, tree, django_capture_on_commit_callbacks
):
    client.force_login(personas.staff_a)
    job = upload(client, "bad.csv", b"=cmd,title\r\nx,y\r\n", django_capture_on_commit_callbacks)
    page = client.get(reverse("meetings:meeting_import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "?format=csv" in page.content.decode()
    client.force_login(personas.staff_b)
    assert client.get(reverse("meetings:meeting_import_job", args=[job.pk]), {"format": "csv"}).status_code == 404
