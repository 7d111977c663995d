"""Uploads: the size limit holds while the body streams in, and an XLSX that would take too
much to read (a zip bomb, too many parts, too many shared strings, an XML entity bomb)
is refused before openpyxl parses it, with a clear message and nothing saved.
"""

import io
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from burden.ledger.readers import LedgerFileError, XlsxRefused, iter_rows, xlsx_check
from burden.ledger.uploads import SizeLimitedUploadHandler, upload_limit_exceeded
from burden.models import ImportJob
from meetings.models import Meeting

HEADERS = ["标题", "日期", "单位", "来源单位", "会议时长（分钟）", "参会人数", "形式", "外部编号"]
ROW = ["入户走访培训会", "2026-04-01", "A", "D1-EDU", 90, 4, "线下", "X-1"]
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
    + f']>\n<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    "</row></sheetData></worksheet>"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def workbook_parts(rows=(ROW,)) -> dict[str, bytes]:
    """The parts of an ordinary ledger workbook, to change one by one."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_shared_strings(parts: dict[str, bytes], strings: list[str], unique_count=None) -> dict[str, bytes]:
    """The workbook as Excel writes it: the first column's texts in a shared strings part."""
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    count = len(strings) if unique_count is None else unique_count
    parts = dict(parts)
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'
        f"{items}</sst>"
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TYPE}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    return parts


def post(client, user, content, name="ledger.xlsx", capture=None):
    client.force_login(user)
    return client.post(
        reverse("meetings:meeting_import"), {"file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en"
    )


def assert_refused(response, message, tmp_path):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not Meeting.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()], "nothing is stored"


# --- size, while streaming ------------------------------------------------------------------


def test_an_upload_past_the_limit_is_refused_with_the_limit_and_nothing_is_saved(
    client, personas, settings, tmp_path, monkeypatch
):
    settings.LEDGER_MAX_UPLOAD_MB = 1
    stored = []  # what Django's temporary-file handler wrote (the body is too big for memory)
    receive = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, raw, start: stored.append(len(raw)) or receive(self, raw, start),
    )
    content = b"title,date\r\n" + b"x" * (3 * 1024 * 1024)
    response = post(client, personas.staff_a, content, name="big.csv")
    assert_refused(response, "The file is larger than 1 MB", tmp_path)
    assert "This field is required" not in response.content.decode()
    assert 0 < sum(stored) <= 1024 * 1024  # the rest was never stored, not even for a moment


def test_the_upload_is_stopped_as_soon_as_it_passes_the_limit(settings):
    """The handler refuses the chunk that crosses the limit: later ones are never stored."""
    settings.LEDGER_MAX_UPLOAD_MB = 1
    request = RequestFactory().post("/")
    handler = SizeLimitedUploadHandler(request)
    chunk = b"x" * (256 * 1024)
    stored = [handler.receive_data_chunk(chunk, start) for start in range(0, 1024 * 1024, len(chunk))]
    assert all(part == chunk for part in stored)  # up to the limit, passed on to be stored
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x", 1024 * 1024)
    assert not stopped.value.connection_reset  # the browser still gets the page with the error
    assert upload_limit_exceeded(request)


def test_the_handler_runs_before_djangos_own(settings):
    assert settings.FILE_UPLOAD_HANDLERS[0] == "burden.ledger.uploads.SizeLimitedUploadHandler"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


def test_a_file_just_under_the_limit_is_accepted(client, personas, tree, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_MAX_UPLOAD_MB = 1
    content = zipped(workbook_parts())
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, personas.staff_a, content)
    assert response.status_code == 302
    assert ImportJob.objects.get().status == "done"


# --- XLSX, before it is parsed ---------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_parsed(client, personas, tree, tmp_path, monkeypatch):
    parts = workbook_parts()
    # 40 MB of zeros in one cell: packed about a thousand times smaller.
    parts[SHEET] = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>'.encode()
        + b"0" * (40 * 1024 * 1024)
        + b"</v></c></row></sheetData></worksheet>"
    )
    content = zipped(parts)
    assert len(content) < 200 * 1024
    monkeypatch.setattr(openpyxl, "load_workbook", None)  # were it parsed, this would fail loudly
    response = post(client, personas.staff_a, content, name="bomb.xlsx")
    assert_refused(response, "packed in a way no spreadsheet program writes", tmp_path)


def test_a_workbook_that_unpacks_past_the_limit_is_refused(client, personas, tree, settings, tmp_path):
    settings.LEDGER_MAX_XLSX_UNCOMPRESSED_MB = 1
    rows = [[f"会议{n}", "2026-04-01", "A", "D1-EDU", 90, 4, "线下", f"X-{n}"] for n in range(5000)]
    content = zipped(workbook_parts(rows))
    assert len(content) < 1024 * 1024
    response = post(client, personas.staff_a, content)
    assert_refused(response, "Unpacked, the workbook would take more than 1 MB", tmp_path)


def test_a_workbook_with_too_many_parts_is_refused(client, personas, tree, settings, tmp_path):
    parts = workbook_parts()
    parts.update({f"xl/media/image{n}.png": b"" for n in range(settings.LEDGER_MAX_XLSX_PARTS)})
    response = post(client, personas.staff_a, zipped(parts))
    assert_refused(response, "more than a ledger ever needs (1000)", tmp_path)


@pytest.mark.parametrize("unique_count", [None, 1], ids=["declared", "the-count-lies"])
def test_a_workbook_with_too_many_shared_strings_is_refused(client, personas, tree, settings, tmp_path, unique_count):
    settings.LEDGER_MAX_XLSX_SHARED_STRINGS = 10
    parts = with_shared_strings(workbook_parts(), [f"文本{n}" for n in range(11)], unique_count=unique_count)
    response = post(client, personas.staff_a, zipped(parts))
    assert_refused(response, "holds more than 10 different texts", tmp_path)


def test_an_xml_entity_bomb_in_a_sheet_is_refused_at_the_upload(client, personas, tree, tmp_path):
    parts = workbook_parts()
    parts[SHEET] = BILLION_LAUGHS.encode()
    response = post(client, personas.staff_a, zipped(parts))
    assert_refused(response, "XML that a spreadsheet never holds", tmp_path)


def test_openpyxl_parses_through_defusedxml_and_refuses_entities():
    """Were a file to pass the checks, the parser itself expands no entity."""
    assert openpyxl.xml.DEFUSEDXML is True
    parts = workbook_parts()
    parts[SHEET] = BILLION_LAUGHS.encode()
    with pytest.raises(ValueError) as refused:
        load_workbook(io.BytesIO(zipped(parts)), read_only=True)
    assert isinstance(refused.value.__cause__, DefusedXmlException)


def test_the_reader_refuses_an_entity_bomb_cleanly_even_without_the_checks(monkeypatch):
    from burden.ledger import readers

    parts = workbook_parts()
    parts[SHEET] = BILLION_LAUGHS.encode()
    content = zipped(parts)
    with pytest.raises(XlsxRefused):
        xlsx_check(io.BytesIO(content))
    monkeypatch.setattr(readers, "xlsx_check", lambda stream: None)
    with pytest.raises(LedgerFileError, match="XML that a spreadsheet never holds"):
        _header, rows = iter_rows(io.BytesIO(content))
        list(rows)


def test_an_import_job_refuses_a_bomb_that_reached_the_worker(personas, tree, settings):
    """A file stored before the checks existed is refused by the import, not parsed."""
    from burden.ledger.importer import LedgerImport
    from burden.ledger.jobs import config_for

    parts = workbook_parts()
    parts[SHEET] = BILLION_LAUGHS.encode()
    content = zipped(parts)
    result = LedgerImport(config_for("meeting"), user=personas.staff_a, open_file=lambda: io.BytesIO(content)).run()
    assert not result.ok
    assert "XML that a spreadsheet never holds" in result.errors[0].message
    assert not Meeting.objects.exists()


# --- ordinary files still import ------------------------------------------------------------


def test_an_ordinary_workbook_with_shared_strings_imports(client, personas, tree, django_capture_on_commit_callbacks):
    parts = with_shared_strings(workbook_parts(), ["入户走访培训会"])
    sheet = parts[SHEET].decode()
    parts[SHEET] = sheet.replace(
        '<c r="A2" t="inlineStr"><is><t>入户走访培训会</t></is></c>', '<c r="A2" t="s"><v>0</v></c>'
    ).encode()
    assert '<c r="A2" t="s">' in parts[SHEET].decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, personas.staff_a, zipped(parts))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "done", job.errors
    assert Meeting.objects.get().title == "入户走访培训会"


def test_an_ordinary_csv_imports(client, personas, tree, django_capture_on_commit_callbacks):
    content = ("title,date,unit,source_unit,duration_minutes,attendees,mode\r\n"
               "防汛视频会,2026-03-09,A,D1-EDU,60,2,online\r\n").encode()  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        post(client, personas.staff_a, content, name="ledger.csv")
    assert ImportJob.objects.get().status == "done"
    assert Meeting.objects.get().title == "防汛视频会"
