"""Records end to end in a Chinese browser: forms with the live estimate, history, scoping, ledgers, restore.

Every page is read in zh-hans (the browser sends Accept-Language: zh-CN), so the
assertions use the Chinese the users see. Numbers are chosen so the burden hours are
not round and a wrong formula shows.
"""

import csv
import datetime
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from burden.models import ImportJob
from burden.services import record_save
from meetings.models import Meeting
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Ledger headers as a Chinese user writes them: the zh-hans labels of the model fields.
LEDGER_HEADERS_ZH = ["标题", "日期", "单位", "来源单位", "会议时长（分钟）", "参会人数", "形式", "外部编号"]
LEDGER_ROWS = [
    ["区教育系统安全工作部署会", datetime.date(2026, 3, 2), "A", "D1-EDU", 90, 3, "线下", "TZ-001"],
    ["防汛工作视频调度会", "2026-03-09", "A", "D1-EDU", 45, 2, "线上", "TZ-002"],
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded ledgers go to a temporary folder (the live server runs in this process)."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def chinese_page(new_context):
    """A page in a browser whose language is Chinese (it sends Accept-Language: zh-CN)."""
    return new_context(locale="zh-CN").new_page()


def estimate_text(hours: str) -> str:
    """What the live estimate says in Chinese for ``hours`` person-hours."""
    return f"约 {hours} 人·小时"


def detail_url(live_server, path: str) -> re.Pattern:
    return re.compile(re.escape(f"{live_server.url}{path}") + r"\d+/$")


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def link(scope, text: str):
    """The link whose text is exactly ``text`` (an icon's glyph would spoil an accessible-name match)."""
    return scope.locator("a", has_text=exactly(text))


def button(scope, text: str):
    return scope.locator("button", has_text=exactly(text))


def history_entries(page):
    return page.get_by_test_id("history").locator(":scope > li")


# --- 1. a meeting through the form ------------------------------------------------------------


def test_staff_log_a_meeting_in_chinese_see_the_live_estimate_before_saving_and_their_name_in_the_history(
    chinese_page, personas, tree, log_in, live_server
):
    page = log_in(chinese_page, "staff_a")

    page.get_by_test_id("nav-records").click()  # the kinds are a group of the menu
    link(page.locator("#main-nav"), "会议").click()
    page.wait_for_url(f"{live_server.url}/meetings/")
    expect(page.locator("main h1")).to_have_text("会议")
    link(page.locator("main"), "登记会议").click()
    page.wait_for_url(f"{live_server.url}/meetings/new/")

    # staff_a has one unit: it is chosen already.
    expect(page.locator("#id_unit")).to_have_value(str(tree.a.pk))
    expect(page.locator("#id_unit option:checked")).to_contain_text("甲社区")
    estimate = page.get_by_test_id("estimate")

    page.locator("#id_title").fill("全区教育系统安全生产部署会")
    page.locator("#id_date").fill("2026-03-02")
    page.locator("#id_source_unit").fill("D1-EDU")
    page.locator("#id_duration_minutes").fill("50")
    page.locator("#id_travel_minutes").fill("20")
    page.locator("#id_attendees").fill("3")

    # (50 + 20) / 60 x 3 = 3.5 person-hours, shown before anything is saved.
    expect(estimate).to_contain_text(estimate_text("3.5"))
    assert not Meeting.objects.exists()

    button(page.locator("main"), "保存").click()
    page.wait_for_url(detail_url(live_server, "/meetings/"))

    expect(page.locator("main h1")).to_have_text("全区教育系统安全生产部署会")
    expect(page.get_by_role("alert")).to_contain_text("已保存“全区教育系统安全生产部署会”。")
    expect(page.get_by_test_id("burden-hours")).to_have_text("3.5")
    expect(page.locator("main")).to_contain_text("东区教育局")
    creator = personas.staff_a.get_full_name() or personas.staff_a.get_username()
    entries = history_entries(page)
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("创建")
    expect(entries.first).to_contain_text(creator)

    meeting = Meeting.objects.get()
    assert (meeting.unit, meeting.source_unit, meeting.date) == (tree.a, tree.dept, datetime.date(2026, 3, 2))
    assert (meeting.attendees, str(meeting.burden_hours), meeting.created_by) == (3, "3.50", personas.staff_a)


def test_staff_edit_a_meeting_in_chinese_and_see_a_second_history_entry_listing_the_change(
    chinese_page, personas, tree, log_in, live_server
):
    meeting = record_save(
        record=MeetingFactory.build(
            unit=tree.a,
            source_unit=tree.dept,
            title="街道综治工作例会",
            duration_minutes=50,
            travel_minutes=20,
            attendees=3,
        ),
        user=personas.staff_a,
    )
    creator = personas.staff_a.get_full_name() or personas.staff_a.get_username()
    page = log_in(chinese_page, "staff_a")
    page.goto(f"/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("burden-hours")).to_have_text("3.5")
    expect(history_entries(page)).to_have_count(1)

    link(page.locator("main"), "编辑").click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/edit/")
    expect(page.locator("#id_title")).to_have_value("街道综治工作例会")
    # The form shows what is stored, so saving it unchanged keeps it.
    stored = page.locator("#id_date").input_value(), page.locator("#id_source_unit").input_value()
    assert (stored[0], stored[1].split()[:1]) == ("2026-03-02", ["D1-EDU"]), stored
    page.locator("#id_attendees").fill("4")
    expect(page.get_by_test_id("estimate")).to_contain_text(estimate_text("4.7"))  # 70 / 60 x 4 = 4.67
    button(page.locator("main"), "保存").click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")

    expect(page.get_by_role("alert")).to_contain_text("已保存对“街道综治工作例会”的修改")
    expect(page.get_by_test_id("burden-hours")).to_have_text("4.7")
    entries = history_entries(page)
    expect(entries).to_have_count(2)
    newest = entries.first
    expect(newest).to_contain_text("修改")
    expect(newest).to_contain_text(creator)
    expect(newest.locator("ul > li")).to_have_count(1)
    expect(newest.locator("ul > li")).to_have_text(re.compile(r"参会人数:\s*3\s*→\s*4"))
    expect(entries.last).to_contain_text("创建")
    meeting.refresh_from_db()
    assert (meeting.attendees, meeting.date) == (4, datetime.date(2026, 3, 2))


def test_a_blank_form_s_estimate_invites_filling_in_the_form_instead_of_showing_an_empty_number(
    chinese_page, personas, log_in
):
    page = log_in(chinese_page, "staff_a")
    for path in ("/meetings/", "/documents/", "/inspections/", "/secondments/", "/data-requests/"):
        page.goto(f"{path}new/")
        expect(page.get_by_test_id("estimate")).to_have_text(
            "填写表单时，这里会实时显示负担工时（人·小时）。", timeout=1000
        )


# --- 2. the other four kinds --------------------------------------------------------------------

OTHER_KINDS = [
    pytest.param(
        "/documents/",
        "登记文件",
        {
            "#id_title": "关于开展安全生产大检查的通知",
            "#id_received_on": "2026-03-02",
            "#id_handling_minutes": "90",
            "#id_substantive_0": True,  # the question "has substantive content?" answered "yes"
        },
        "1.5",  # 90 minutes of handling
        id="document",
    ),
    pytest.param(
        "/inspections/",
        "登记督查检查",
        {
            "#id_title": "校园安全专项督查",
            "#id_date": "2026-03-03",
            "#id_staff_involved": "2",
            "#id_preparation_hours": "3",
            "#id_onsite_hours": "1.5",
        },
        "6.0",  # 3 hours of preparation + 1.5 hours on site x 2 staff
        id="inspection",
    ),
    pytest.param(
        "/secondments/",
        "登记借调",
        {
            "#id_person_name": "李明",
            "#id_host_name": "区创文工作专班",
            "#id_start_date": "2026-03-02",
            "#id_planned_end_date": "2026-03-06",
        },
        "40.0",  # Monday to Friday: 5 working days x 8 hours
        id="secondment",
    ),
    pytest.param(
        "/data-requests/",
        "登记数据报表",
        {
            "#id_title": "辖区人口基础信息统计",
            "#id_date": "2026-03-04",
            "#id_items": "常住人口\n户籍人口\n流动人口\n低保户数",
        },
        "1.0",  # 4 items x 15 minutes
        id="data-request",
    ),
]


@pytest.mark.parametrize(("path", "add_label", "fields", "hours"), OTHER_KINDS)
def test_staff_log_each_other_kind_of_record_in_chinese_and_see_its_burden_hours(
    chinese_page, personas, tree, log_in, live_server, path, add_label, fields, hours
):
    page = log_in(chinese_page, "staff_a")
    page.goto(path)
    link(page.locator("main"), add_label).click()
    page.wait_for_url(f"{live_server.url}{path}new/")
    expect(page.locator("#id_unit")).to_have_value(str(tree.a.pk))

    for selector, value in fields.items():
        if value is True:
            page.locator(selector).check()
        else:
            page.locator(selector).fill(value)
    expect(page.get_by_test_id("estimate")).to_contain_text(estimate_text(hours))

    button(page.locator("main"), "保存").click()
    page.wait_for_url(detail_url(live_server, path))

    expect(page.get_by_role("alert")).to_contain_text("已保存")
    expect(page.get_by_test_id("burden-hours")).to_have_text(hours)
    expect(history_entries(page)).to_have_count(1)
    expect(history_entries(page).first).to_contain_text("创建")


# --- 3. who sees what ---------------------------------------------------------------------------


def test_a_supervisor_sees_the_meetings_of_both_communities_and_staff_do_not_see_their_neighbours(
    chinese_page, new_context, personas, tree, log_in, live_server
):
    in_a = MeetingFactory(unit=tree.a, title="甲社区网格员培训会", created_by=personas.staff_a)
    in_b = MeetingFactory(unit=tree.b, title="乙社区防汛部署会", created_by=personas.staff_b)
    MeetingFactory(unit=tree.c, title="丙社区的会")

    page = log_in(chinese_page, "supervisor")
    page.goto("/meetings/")
    table = page.locator("main table tbody")
    expect(table.get_by_role("link", name=in_a.title)).to_be_visible()
    expect(table.get_by_role("link", name=in_b.title)).to_be_visible()
    expect(table).not_to_contain_text("丙社区的会")
    expect(page.get_by_test_id("totals")).to_contain_text("2 条记录")

    page = log_in(new_context(locale="zh-CN").new_page(), "staff_b")
    page.goto("/meetings/")
    expect(page.locator("main table tbody").get_by_role("link", name=in_b.title)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(in_a.title)
    expect(page.get_by_test_id("totals")).to_contain_text("1 条记录")

    response = page.goto(f"/meetings/{in_a.pk}/")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("找不到此页面")
    expect(page.locator("main")).not_to_contain_text(in_a.title)


# --- 4. ledgers ---------------------------------------------------------------------------------


def xlsx_bytes(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(page, live_server, name: str, content: bytes, mime_type: str):
    """Upload a ledger on the meetings import page and wait for the job's page."""
    page.goto("/meetings/import/")
    expect(page.locator("main h1")).to_have_text("导入会议台账")
    page.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": mime_type, "buffer": content}])
    button(page.locator("main"), "上传并导入").click()
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}/meetings/import/") + r"\d+/$"))
    return page.get_by_test_id("import-status")


def test_staff_import_a_chinese_xlsx_ledger_see_a_gbk_csv_with_a_bad_row_rejected_and_reimport_without_duplicates(
    chinese_page, personas, tree, log_in, live_server
):
    page = log_in(chinese_page, "staff_a")
    ledger = xlsx_bytes(LEDGER_HEADERS_ZH, LEDGER_ROWS)

    status = upload(page, live_server, "会议台账.xlsx", ledger, XLSX_TYPE)
    expect(status).to_have_attribute("data-status", "done")
    expect(status).to_contain_text("已导入")
    expect(status).to_contain_text("共 2 行：新增 2 条，更新 0 条，未变 0 条。")
    link(page.locator("main"), "查看记录").click()
    page.wait_for_url(f"{live_server.url}/meetings/")
    expect(page.get_by_test_id("totals")).to_contain_text("2 条记录")
    expect(page.locator("main table tbody")).to_contain_text("区教育系统安全工作部署会")
    # (90 / 60) x 3 + (45 / 60) x 2 = 4.5 + 1.5
    expect(page.get_by_test_id("totals")).to_contain_text("6.0")

    gbk = csv_bytes(
        LEDGER_HEADERS_ZH,
        [
            ["街道消防安全培训会", "2026-03-10", "A", "D1-EDU", "60", "2", "线下", "TZ-003"],
            ["日期写错的会", "2026-13-45", "A", "D1-EDU", "30", "1", "线上", "TZ-004"],
        ],
        encoding="gbk",
    )
    status = upload(page, live_server, "会议台账.csv", gbk, "text/csv")
    expect(status).to_have_attribute("data-status", "rejected")
    expect(status).to_contain_text("发现 1 个问题，请修改后重新上传。")
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr td").nth(0)).to_have_text("3")
    expect(errors.locator("tbody tr td").nth(1)).to_contain_text("日期")
    expect(errors.locator("tbody tr td").nth(2)).to_contain_text("“2026-13-45”不是日期")
    assert not Meeting.objects.filter(external_id__in=["TZ-003", "TZ-004"]).exists()
    assert Meeting.objects.count() == 2

    status = upload(page, live_server, "会议台账.xlsx", ledger, XLSX_TYPE)
    expect(status).to_have_attribute("data-status", "done")
    expect(status).to_contain_text("共 2 行：新增 0 条，更新 0 条，未变 2 条。")
    assert Meeting.objects.count() == 2
    assert ImportJob.objects.filter(user=personas.staff_a).count() == 3


def test_the_list_s_import_button_opens_the_import_page_and_its_export_menu_downloads_the_ledger(
    chinese_page, personas, tree, log_in, live_server
):
    MeetingFactory(unit=tree.a, title="导出用的会")
    page = log_in(chinese_page, "staff_a")
    page.goto("/meetings/")
    main = page.locator("main")

    assert link(main, "导入").get_attribute("href") == "/meetings/import/"
    link(main, "导入").click()
    page.wait_for_url(f"{live_server.url}/meetings/import/")
    expect(main.locator("h1")).to_have_text("导入会议台账")

    page.go_back()
    button(main, "导出").click()
    csv_link = link(main, "CSV")
    assert csv_link.get_attribute("href").startswith("/meetings/export/")
    with page.expect_download() as download:
        csv_link.click()
    assert "导出用的会" in download.value.path().read_bytes().decode("utf-8-sig")


# --- 5. delete and restore ------------------------------------------------------------------------


def test_an_admin_deletes_a_meeting_after_confirming_and_restores_it_from_the_deleted_page(
    chinese_page, personas, tree, log_in, live_server
):
    meeting = MeetingFactory(unit=tree.a, title="需要删除的协调会", created_by=personas.staff_a)
    page = log_in(chinese_page, "admin_city")

    page.goto(f"/meetings/{meeting.pk}/")
    link(page.locator("main"), "删除").click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/delete/")
    expect(page.locator("main h1")).to_have_text("确定删除此会议记录？")
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # the link only asks

    button(page.locator("main"), "确定删除").click()
    page.wait_for_url(f"{live_server.url}/meetings/")
    expect(page.get_by_role("alert")).to_contain_text("已删除“需要删除的协调会”。管理员可以将其恢复。")
    expect(page.locator("main table")).not_to_contain_text("需要删除的协调会")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()

    link(page.locator("main"), "已删除").click()
    page.wait_for_url(f"{live_server.url}/meetings/deleted/")
    row = page.locator("main table tbody tr", has_text="需要删除的协调会")
    expect(row).to_contain_text("甲社区")
    expect(row).to_contain_text("admin_city")
    button(row, "恢复").click()

    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("已恢复“需要删除的协调会”。")
    expect(page.get_by_test_id("burden-hours")).to_have_text("4.0")  # (90 + 30) / 60 x 2
    expect(history_entries(page).first).to_contain_text("admin_city")
    assert Meeting.objects.filter(pk=meeting.pk).exists()

    page.goto("/meetings/deleted/")
    expect(page.locator("main table tbody")).to_contain_text("暂无已删除的记录。")
