"""A case in the browser, each role in turn: reminder, reply, resolution, and the outcome seen by the community.

The East Education Bureau (D1-EDU) called community A to two long meetings in March;
the rules engine gathers them into one case, owned by district D1. The street's
supervisor sends the reminder; the bureau's staff reply; the district's supervisor
accepts the rectification; community A's staff see the case resolved.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from burden.models import Case, CaseLetter, Membership, Violation
from burden.rules.engine import sweep
from meetings.models import Meeting
from tests.factories import MembershipFactory, UserFactory
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser

MARCH = datetime.date(2026, 3, 2)


@pytest.fixture
def case(tree, personas):
    R = Membership.Role
    MembershipFactory(user=UserFactory(username="dept_staff"), unit=tree.dept, role=R.STAFF)
    MembershipFactory(user=UserFactory(username="district"), unit=tree.d1, role=R.SUPERVISOR)
    for day in (MARCH, MARCH + datetime.timedelta(days=14)):
        MeetingFactory(
            unit=tree.a,
            source_unit=tree.dept,
            date=day,
            duration_minutes=150,
            category=Meeting.Category.TRAINING,
            created_by=personas.staff_a,
        )
    sweep(timezone.localdate(), codes=["MTG-DURATION"])
    return Case.objects.get(rule="MTG-DURATION")


def chinese(new_context):
    page = new_context(locale="zh-CN").new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the closing forms ask first
    return page


def test_a_case_goes_from_reminder_to_reply_to_resolution_and_the_community_sees_it(
    new_context, log_in, case, live_server
):
    # The street's supervisor opens the case from the queue and sends the reminder.
    street = log_in(chinese(new_context), "supervisor")
    street.goto("/review/")
    rows = street.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    rows.first.locator("a").first.click()
    expect(street.get_by_test_id("owner-unit")).to_have_text("东区")
    expect(street.get_by_test_id("case-flag")).to_have_count(2)
    escalate = street.get_by_test_id("escalate-form")
    escalate.locator("textarea").fill("两次培训会均超过90分钟，请整改")
    street.get_by_test_id("escalate-button").click()
    letter = CaseLetter.objects.get()
    street.wait_for_url(f"{live_server.url}/review/letters/{letter.pk}/")
    sheet = street.get_by_test_id("letter")
    expect(sheet.get_by_test_id("issuer")).to_have_text("一街道")
    expect(sheet.get_by_test_id("addressee")).to_contain_text("东区教育局")
    expect(sheet.get_by_test_id("letter-title")).to_have_text("基层减负督办提示函")
    expect(sheet.get_by_test_id("letter-case")).to_contain_text("会议时间过长")
    expect(sheet).to_contain_text("两次培训会均超过90分钟，请整改")
    expect(street.locator("nav.app-navbar")).to_be_visible()
    street.emulate_media(media="print")
    expect(street.locator("nav.app-navbar")).to_be_hidden()
    expect(sheet).to_be_visible()

    # The bureau's staff find it among the cases against them, and reply.
    bureau = log_in(chinese(new_context), "dept_staff")
    expect(bureau.get_by_test_id("cases-against-us")).to_be_visible()
    bureau.get_by_test_id("cases-against-us").locator("a").click()
    bureau.get_by_test_id("case-row").first.locator("a").first.click()
    expect(bureau.get_by_test_id("letters")).to_contain_text("提示函")
    reply = bureau.get_by_test_id("reply-form")
    reply.locator("textarea[name=reply-note]").fill("已将培训会压缩至90分钟以内")
    reply.locator("textarea[name=reply-measures]").fill("会前审核议程，超时须报批")
    reply.locator("button[type=submit]").click()
    expect(bureau.locator("main")).to_contain_text("整改反馈已报送督办单位。")
    expect(bureau.get_by_test_id("timeline")).to_contain_text("会前审核议程，超时须报批")
    assert Case.objects.get(pk=case.pk).status == Case.Status.REPLIED

    # The district's supervisor, who owns it, reads the reply and accepts the rectification.
    district = log_in(chinese(new_context), "district")
    district.goto(f"/review/cases/{case.pk}/")
    expect(district.get_by_test_id("timeline")).to_contain_text("已将培训会压缩至90分钟以内")
    resolve = district.get_by_test_id("resolve-form")
    resolve.locator("textarea").fill("整改到位")
    resolve.locator("button[type=submit]").click()
    expect(district.locator("h1 + div [data-status]")).to_have_attribute("data-status", "resolved")
    assert set(case.violations.values_list("status", flat=True)) == {Violation.Status.RESOLVED}

    # Community A's staff follow their meeting to its case and see the outcome.
    community = log_in(chinese(new_context), "staff_a")
    community.goto(reverse("meetings:meeting_detail", args=[case.violations.first().record_id]))
    community.get_by_test_id("flag-case-link").first.click()
    expect(community.locator("h1 + div [data-status]")).to_have_text("已整改")
    expect(community.get_by_test_id("timeline")).to_contain_text("整改到位")
    expect(community.get_by_test_id("read-only")).to_be_visible()


def test_the_district_circulates_one_notice_over_two_departments_reminded_cases_then_records_an_interview(
    new_context, log_in, case, tree, live_server
):
    from tests.factories import UnitFactory

    health = UnitFactory(code="D1-HEALTH", name="东区卫健局", parent=tree.d1, level="department", is_grassroots=False)
    MeetingFactory(
        unit=tree.b, source_unit=health, date=MARCH, duration_minutes=150, category=Meeting.Category.TRAINING
    )
    sweep(timezone.localdate(), codes=["MTG-DURATION"])
    Case.objects.update(step=Case.Step.REMINDER)  # both reminded already
    district = log_in(chinese(new_context), "district")
    district.goto("/review/")
    expect(district.get_by_test_id("case-row")).to_have_count(2)
    district.get_by_test_id("case-table").locator("[data-select-all='case']").check()
    expect(district.get_by_test_id("case-table").locator("input[name='case']:checked")).to_have_count(2)
    district.get_by_test_id("notice-button").click()
    expect(district.get_by_test_id("notice-case")).to_have_count(2)
    district.locator("textarea").fill("提示后仍未整改")
    district.get_by_test_id("notice-issue-button").click()
    letter = CaseLetter.objects.get(step="notice")
    district.wait_for_url(f"{live_server.url}/review/letters/{letter.pk}/")
    sheet = district.get_by_test_id("letter")
    expect(sheet.get_by_test_id("letter-case")).to_have_count(2)
    expect(sheet.get_by_test_id("addressee")).to_contain_text("东区教育局")
    expect(sheet.get_by_test_id("addressee")).to_contain_text("东区卫健局")

    # The interview, then its minutes under its letter.
    district.goto(f"/review/cases/{case.pk}/")
    district.get_by_test_id("escalate-form").locator("input[type='date']").fill(timezone.localdate().isoformat())
    district.get_by_test_id("escalate-button").click()
    interview = CaseLetter.objects.get(step="interview")
    district.wait_for_url(f"{live_server.url}/review/letters/{interview.pk}/")
    district.goto(f"/review/cases/{case.pk}/")
    minutes = district.get_by_test_id("minutes-form")
    minutes.locator("input[type='date']").fill(timezone.localdate().isoformat())
    minutes.locator("textarea").fill("局负责人到场说明情况，承诺本季度起合并培训会。")
    district.get_by_test_id("minutes-button").click()
    expect(district.get_by_test_id("minutes-recorded")).to_be_visible()
    district.goto(f"/review/letters/{interview.pk}/")
    expect(district.get_by_test_id("minutes-text")).to_have_text("局负责人到场说明情况，承诺本季度起合并培训会。")


def test_the_bell_counts_the_new_case_and_the_notifications_speak_in_cases(new_context, log_in, case):
    """One case of two flags: the bell says 1, the page says which department, and marking it seen clears the bell."""
    district = log_in(chinese(new_context), "district")
    district.goto("/")
    expect(district.get_by_test_id("bell-count")).to_have_text("1")
    district.get_by_test_id("bell").click()
    expect(district.get_by_test_id("headline")).to_have_text("东区教育局：新增 1 件督办事项")
    expect(district.locator("[data-case]")).to_have_count(1)  # one line for the case, not one per flag
    district.get_by_test_id("mark-seen").click()
    district.goto("/")
    expect(district.get_by_test_id("bell")).to_be_visible()
    expect(district.get_by_test_id("bell-count")).to_have_count(0)


def test_on_a_phone_the_queue_shows_cases_as_cards_with_the_filters_folded(new_context, log_in, case):
    phone = new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    district = log_in(phone, "district")
    district.goto("/review/")
    expect(district.get_by_test_id("case-card")).to_have_count(1)
    expect(district.get_by_test_id("case-table")).to_be_hidden()
    expect(district.get_by_test_id("filters")).to_be_hidden()
    district.get_by_test_id("filters-toggle").click()
    expect(district.get_by_test_id("filters")).to_be_visible()
    assert district.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
