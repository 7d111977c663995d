"""Excel and CSV ledgers: the template, imports in every encoding, all-or-nothing, idempotency, exports."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from burden.models import ImportJob
from meetings.models import Meeting

HEADERS_EN = ["title", "date", "unit", "source_unit", "duration_minutes", "attendees", "mode", "external_id"]
HEADERS_ZH = ["标题", "日期", "单位", "来源单位", "会议时长（分钟）", "参会人数", "形式", "外部编号"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_bytes(rows, encoding="utf-8", headers=HEADERS_EN) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=HEADERS_ZH) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["安全生产部署会", "2026-03-02", "A", "D1-EDU", "120", "3", "in_person", "L-1"],
    ["防汛视频会", "2026/3/9", "A", "D1-EDU", "60", "2", "线上", "L-2"],
]


@pytest.fixture
def importer(client, personas, django_capture_on_commit_callbacks):
    """Upload as a person would; the import runs when the upload's transaction commits."""

    def run(content, name="ledger.csv", user=None, language="en"):
        client.force_login(user or personas.staff_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("meetings:meeting_import"),
                {"file": SimpleUploadedFile(name, content)},
                follow=True,
                HTTP_ACCEPT_LANGUAGE=language,
            )
        return response, ImportJob.objects.latest("pk")

    return run


def test_a_utf8_csv_with_english_headers_imports(importer, personas, tree):
    response, job = importer(csv_bytes(GOOD))
    assert job.status == "done", job.errors
    assert (job.created, job.updated) == (2, 0)
    first = Meeting.objects.get(external_id="L-1")
    assert first.burden_hours == first.compute_burden_hours_now() == 6
    assert first.created_by == personas.staff_a
    assert first.history.get().history_user == personas.staff_a
    assert Meeting.objects.get(external_id="L-2").mode == "online"  # a Chinese label, read as the code
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("meetings:meeting_import_job", args=[job.pk])


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_excel_csv_encodings_import(importer, tree, encoding):
    _response, job = importer(csv_bytes(GOOD, encoding=encoding, headers=HEADERS_ZH))
    assert job.status == "done", job.errors
    assert set(Meeting.objects.values_list("title", flat=True)) == {"安全生产部署会", "防汛视频会"}


def test_an_xlsx_with_chinese_headers_and_real_dates_imports(importer, tree):
    rows = [["入户走访培训会", datetime.datetime(2026, 4, 1), "A", "D1-EDU", 90, 4, "线下", 7]]
    _response, job = importer(xlsx_bytes(rows), name="台账.xlsx")
    assert job.status == "done", job.errors
    meeting = Meeting.objects.get()
    assert meeting.date == datetime.date(2026, 4, 1)
    assert meeting.external_id == "7"  # Excel's 7.0 read back as the id the person typed


def test_one_bad_row_rejects_the_file_and_names_the_row(importer, tree):
    rows = [*GOOD, ["坏行", "2026-13-40", "A", "D1-EDU", "-5", "2", "by pigeon", "L-3"]]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "rejected"
    assert not Meeting.objects.exists()
    by_column = {error["column"].split(" / ")[-1]: error for error in job.errors}
    assert {error["row"] for error in job.errors} == {4}
    assert set(by_column) == {"Date", "Duration (minutes)", "Mode"}
    assert "2026-03-01" in by_column["Date"]["message"]


def test_errors_are_written_in_the_uploaders_language(importer, tree):
    rows = [["坏行", "2026-03-02", "A", "D1-EDU", "60", "2", "飞鸽传书", ""]]
    _response, job = importer(csv_bytes(rows), language="zh-hans")
    assert job.status == "rejected"
    assert job.errors[0]["message"] == "“飞鸽传书”不是以下之一：线下、线上、线上线下结合。"


def test_a_unit_outside_ones_own_is_refused(importer, tree):
    rows = [["别人的会", "2026-03-02", "B", "D1-EDU", "60", "2", "online", ""]]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "rejected"
    assert job.errors[0]["row"] == 2
    assert "own units" in job.errors[0]["message"]
    assert not Meeting.objects.exists()


def test_a_rule_of_the_model_is_applied_to_every_row(importer, tree):
    headers = [*HEADERS_EN, "accompanying"]
    rows = [["陪会太多", "2026-03-02", "A", "D1-EDU", "60", "2", "online", "", "5"]]
    _response, job = importer(csv_bytes(rows, headers=headers))
    assert job.status == "rejected"
    assert job.errors[0]["column"].endswith("Accompanying attendees")


def test_wrong_headers_are_reported_and_nothing_is_saved(importer, tree):
    _response, job = importer(csv_bytes(GOOD, headers=["名称", *HEADERS_EN[1:]]))
    assert job.status == "rejected"
    messages = {error["message"] for error in job.errors}
    assert any("Unknown column" in message for message in messages)
    assert any("required column is missing" in message for message in messages)
    assert not Meeting.objects.exists()


def test_an_external_id_twice_in_one_file_is_refused(importer, tree):
    rows = [GOOD[0], [*GOOD[1][:-1], "L-1"]]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "rejected"
    assert job.errors[0]["row"] == 3


def test_importing_the_same_file_again_changes_nothing(importer, tree):
    content = csv_bytes(GOOD)
    importer(content)
    histories = Meeting.history.count()
    _response, job = importer(content)
    assert (job.status, job.created, job.updated, job.unchanged) == ("done", 0, 0, 2)
    assert Meeting.objects.count() == 2
    assert Meeting.history.count() == histories


def test_a_changed_row_updates_its_record_and_keeps_history(importer, personas, tree):
    importer(csv_bytes(GOOD))
    changed = [GOOD[0][:5] + ["5"] + GOOD[0][6:], GOOD[1]]
    _response, job = importer(csv_bytes(changed), user=personas.supervisor)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 1)
    meeting = Meeting.objects.get(external_id="L-1")
    assert meeting.attendees == 5
    assert meeting.burden_hours == 10
    latest = meeting.history.order_by("-history_date").first()
    assert (latest.history_type, latest.history_user) == ("~", personas.supervisor)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"   \n", "blank.csv", "empty"),
        ((b"title,date,unit\n"), "header-only.csv", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", ".xls"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", "not a spreadsheet"),
    ],
)
def test_files_that_are_not_ledgers_are_refused_clearly(importer, client, tree, content, name, message):
    if not content:
        client.force_login(tree.a.memberships.first().user)
        response = client.post(
            reverse("meetings:meeting_import"), {"file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400
        assert "empty" in response.content.decode()
        return
    _response, job = importer(content, name=name)
    assert job.status == "rejected"
    assert message in job.errors[0]["message"]
    assert not Meeting.objects.exists()


def test_someone_elses_import_is_not_found(importer, client, personas, tree):
    _response, job = importer(csv_bytes(GOOD))
    client.force_login(personas.staff_b)
    assert client.get(reverse("meetings:meeting_import_job", args=[job.pk])).status_code == 404


def test_the_progress_fragment_is_served_to_htmx(client, personas, tree):
    job = ImportJob.objects.create(kind="meeting", original_name="x.csv", user=personas.staff_a)
    client.force_login(personas.staff_a)
    response = client.get(reverse("meetings:meeting_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_template_has_bilingual_headers_and_drop_downs(client, personas):
    client.force_login(personas.staff_a)
    response = client.get(reverse("meetings:meeting_template"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert "*标题 / Title" in headers
    assert "形式 / Mode" in headers
    validations = sheet.data_validations.dataValidation
    assert validations, "choice columns have drop-downs"
    choices_sheet = workbook["选项"]
    mode_column = headers.index("形式 / Mode") + 1
    assert [row[0].value for row in choices_sheet.iter_rows(min_col=mode_column, max_col=mode_column)][:3] == [
        "线下",
        "线上",
        "线上线下结合",
    ]


def test_an_export_can_be_imported_back_unchanged(importer, client, personas, tree):
    importer(csv_bytes(GOOD))
    client.force_login(personas.staff_a)
    exported = b"".join(client.get(reverse("meetings:meeting_export"), {"format": "csv"}).streaming_content)
    assert exported.startswith("\ufeff".encode())
    _response, job = importer(exported, name="export.csv")
    assert (job.status, job.unchanged, job.created) == ("done", 2, 0), job.errors


def test_an_xlsx_export_follows_the_filters_and_the_scope(client, personas, tree):
    from tests.record_factories.meetings import MeetingFactory

    MeetingFactory(unit=tree.a, title="甲会", date=datetime.date(2026, 1, 1))
    MeetingFactory(unit=tree.a, title="甲会二", date=datetime.date(2026, 5, 1))
    MeetingFactory(unit=tree.b, title="乙会", date=datetime.date(2026, 5, 1))
    client.force_login(personas.staff_a)
    response = client.get(reverse("meetings:meeting_export"), {"format": "xlsx", "date_from": "2026-02-01"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    titles = [row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert titles == ["甲会二"]


def test_a_data_request_ledger_imports_its_items(client, personas, tree, django_capture_on_commit_callbacks):
    from datarequests.models import CatalogueItem, DataRequest

    CatalogueItem.objects.create(code="POP-01", name="常住人口数", owner_unit=tree.dept)
    rows = [["低保户信息统计", "2026-03-02", "A", "D1-EDU", "POP-01、低保户名单, 残疾人数", "R-1"]]
    content = csv_bytes(rows, headers=["title", "date", "unit", "source_unit", "items", "external_id"])
    client.force_login(personas.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("datarequests:datarequest_import"), {"file": SimpleUploadedFile("r.csv", content)})
    job = ImportJob.objects.latest("pk")
    assert job.status == "done", job.errors
    request = DataRequest.objects.get()
    assert request.item_values() == ["POP-01", "低保户名单", "残疾人数"]
    assert request.item_count == 3
    assert request.burden_hours == request.compute_burden_hours_now() > 0
    exported = b"".join(client.get(reverse("datarequests:datarequest_export")).streaming_content).decode()
    assert "POP-01、低保户名单、残疾人数" in exported
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("datarequests:datarequest_import"), {"file": SimpleUploadedFile("again.csv", exported.encode())}
        )
    again = ImportJob.objects.latest("pk")
    assert (again.status, again.unchanged) == ("done", 1), again.errors


def test_units_may_be_named_in_a_ledger_by_their_names(importer, tree):
    rows = [
        ["按名称登记", "2026-03-02", "甲社区", "东区教育局", "60", "2", "online", "N-1"],
        ["按英文名登记", "2026-03-03", "community a", "East Education Bureau", "60", "2", "online", "N-2"],
        ["按建议项登记", "2026-03-04", "A 甲社区", "D1-EDU 东区教育局", "60", "2", "online", "N-3"],
    ]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "done", job.errors
    assert set(Meeting.objects.values_list("unit__code", "source_unit__code")) == {("A", "D1-EDU")}
    assert Meeting.objects.count() == 3


def test_a_name_several_units_bear_is_refused_with_their_codes(importer, tree):
    from tests.factories import UnitFactory

    UnitFactory(code="D2-EDU", name="东区教育局", name_en="", level="department", parent=tree.d2, is_grassroots=False)
    rows = [["重名", "2026-03-02", "A", "东区教育局", "60", "2", "online", ""]]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "rejected"
    assert "D1-EDU" in job.errors[0]["message"] and "D2-EDU" in job.errors[0]["message"]
    assert not Meeting.objects.exists()


def test_a_unit_nobody_bears_the_name_of_is_quoted_back(importer, tree):
    rows = [["无此单位", "2026-03-02", "A", "北区教育局", "60", "2", "online", ""]]
    _response, job = importer(csv_bytes(rows))
    assert job.status == "rejected"
    assert "北区教育局" in job.errors[0]["message"]
