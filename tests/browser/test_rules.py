"""An admin previews a threshold change on the rule's page, confirms it, and reads it back in words."""

import pytest
from playwright.sync_api import expect

from burden.models import RuleSetting
from burden.rules.engine import sweep
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser


def test_an_admin_sees_what_a_change_would_clear_before_confirming_it(new_context, log_in, tree, personas):
    for minutes in (100, 130):
        MeetingFactory(unit=tree.a, duration_minutes=minutes)
    sweep(codes=["MTG-DURATION"])
    page = log_in(new_context(locale="en-US", viewport={"width": 1366, "height": 900}).new_page(), "admin_city")
    page.goto("/rules/MTG-DURATION/")

    page.get_by_label("Longest allowed (minutes)").first.fill("120")
    page.get_by_label("Reason for the change").fill("pilot")
    page.get_by_role("button", name="Preview the change").click()

    preview = page.get_by_test_id("preview")
    expect(preview.get_by_test_id("would-clear")).to_have_text("1")
    expect(preview.get_by_test_id("would-raise")).to_have_text("0")
    expect(preview).to_contain_text("Longest allowed (minutes): 90 → 120")
    assert not RuleSetting.objects.exists()

    preview.get_by_role("button", name="Confirm and apply").click()

    expect(page.locator(".alert-success").first).to_contain_text("Saved: Longest allowed (minutes): 90 → 120.")
    expect(page.get_by_test_id("rule-run")).to_contain_text("was applied to every record the rule covers")
    expect(page.get_by_test_id("run-counts")).to_contain_text("0 flags opened, 1 cleared")
    expect(page.get_by_test_id("change-words").first).to_have_text("Longest allowed (minutes): 90 → 120")
    assert RuleSetting.objects.get().params["max_minutes"] == 120


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_rules_page_groups_by_source_and_fits_a_phone(new_context, log_in, personas, locale):
    page = log_in(new_context(locale=locale, viewport={"width": 390, "height": 844}).new_page(), "staff_a")
    page.goto("/rules/")

    expect(page.get_by_test_id("rule-source").first.locator("h2")).to_be_visible()
    expect(page.locator('[data-code="TRACE-BANNED"] [data-testid="quote"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
