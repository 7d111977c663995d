"""A supervisor clears a flag in the browser, the staff member sees why, and the dashboard draws its charts."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from burden.models import Violation
from burden.rules.engine import evaluate_record
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def chinese_page(new_context):
    return new_context(locale="zh-CN").new_page()


@pytest.fixture
def flags(tree, personas):
    """Two long meetings in community A (MTG-DURATION) and one in B, all logged by staff."""
    meetings = [
        MeetingFactory(unit=tree.a, source_unit=tree.dept, duration_minutes=150, created_by=personas.staff_a),
        MeetingFactory(unit=tree.a, source_unit=tree.dept, duration_minutes=60, created_by=personas.staff_a),
        MeetingFactory(unit=tree.b, source_unit=tree.dept, duration_minutes=200, created_by=personas.staff_b),
    ]
    for meeting in meetings:
        evaluate_record("meeting", meeting.pk)
    call_command("rollups_rebuild", verbosity=0)
    return meetings


def test_a_supervisor_filters_the_queue_and_waives_a_flag_and_the_staff_member_sees_why(
    chinese_page, new_context, flags, log_in, personas
):
    page = log_in(chinese_page, "supervisor")
    page.goto("/review/flags/")
    rows = page.get_by_test_id("violation-row")
    expect(rows).to_have_count(Violation.objects.count())

    page.locator("form[role=search] [name=rule]").select_option("MTG-DURATION")
    page.locator("form[role=search] [name=unit]").fill("A")
    page.locator("form[role=search] button[type=submit]").click()
    expect(rows).to_have_count(1)

    rows.first.locator("input[name=violations]").check()
    bulk = page.get_by_test_id("bulk-form")
    bulk.locator("[name=status]").select_option("waived")
    bulk.locator("[name=note]").fill("区里统一部署的专题会，已报备")
    bulk.locator("button[type=submit]").click()
    page.wait_for_load_state()

    waived = Violation.objects.get(record_id=flags[0].pk, rule="MTG-DURATION")
    assert waived.status == "waived"
    assert waived.events.last().note == "区里统一部署的专题会，已报备"
    assert Violation.objects.get(record_id=flags[2].pk, rule="MTG-DURATION").status == "open"

    staff = log_in(new_context(locale="zh-CN").new_page(), "staff_a")
    staff.goto(f"/review/{waived.pk}/")
    expect(staff.locator("main")).to_contain_text("区里统一部署的专题会，已报备")
    expect(staff.locator("main")).to_contain_text("已豁免")


def test_a_supervisor_sees_the_dashboard_chart_and_its_table(chinese_page, flags, log_in, personas):
    page = log_in(chinese_page, "supervisor")
    page.goto("/dashboard/?unit=S1&start=2026-01&end=2026-12")
    hours = page.locator("figure[data-testid^=chart-]").first
    expect(hours.locator("canvas, svg").first).to_be_visible()
    hours.locator("summary").click()
    table = hours.locator("table[data-chart-table]")
    expect(table).to_be_visible()
    values = [
        float(v) for v in table.locator("td[data-value]").evaluate_all("cells => cells.map(c => c.dataset.value)")
    ]
    assert sum(values) == pytest.approx(float(sum(m.burden_hours for m in flags)), rel=0.01)
