"""On a phone, a community's staff member logs a work group that demands a daily check-in.

The form is short (a name, the source, the demands and the dates; the rest has
defaults), the saved group is flagged with APP-BANNED-FUNCTION citing the App Measures,
and its hours reach the dashboard.
"""

import re

import pytest
from playwright.sync_api import expect

from workapps.models import WorkApp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_staff_log_a_check_in_group_on_a_phone_and_see_it_flagged_and_counted(
    new_context, log_in, tree, personas, live_server
):
    page = log_in(new_context(locale="en-US", viewport=PHONE).new_page(), "staff_a")
    # One tap to the form, eight entries, one tap to save: the form asks for nothing else
    # (the unit is the person's only one, the rest has defaults). No clock is read here:
    # a timed assertion would test the machine, not the form.
    page.get_by_test_id("quick-entry-workapps").click()
    page.wait_for_url(f"{live_server.url}/work-apps/new/")

    form = page.locator("main form")
    form.get_by_label("Name").fill("创文打卡群")
    form.get_by_label("Source unit").fill("D1-EDU")
    form.get_by_label("Daily check-in").check()
    form.get_by_label("Reply chains").check()
    form.get_by_label("Required since").fill("2026-11-02")
    form.get_by_label("Required until").fill("2026-11-27")  # 20 working days
    form.get_by_label("People required").fill("3")
    form.get_by_label("Minutes a day per person").fill("10")
    # One column on a phone: every field starts at the same left edge.
    lefts = {
        round(box["x"])
        for box in (f.bounding_box() for f in form.locator("input.form-control, select.form-select").all())
        if box
    }
    assert len(lefts) == 1, lefts
    form.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/work-apps/*/")

    app = WorkApp.objects.get()
    assert (app.unit, app.source_unit, app.demands) == (tree.a, tree.dept, ["checkin", "reply_chain"])
    flag = page.locator("[data-testid=flags] [data-rule=APP-BANNED-FUNCTION]")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("Daily check-in")
    expect(flag.get_by_test_id("flag-citation")).to_have_text("App Measures (2026), the list of prohibitions")

    page.goto("/dashboard/?unit=A&start=2026-11&end=2026-11")
    hours = page.get_by_test_id("total-hours")
    ten = re.compile(r"^10(\.0+)?$")  # a decimal as each database gives it: 10 (SQLite), 10.00 (PostgreSQL)
    expect(hours).to_have_attribute("data-value", ten)  # 10 minutes x 3 people x 20 days
    expect(hours.locator(".kpi-number")).to_have_text("10")

    # ... and against its source department in the burden ledger (台账), in the work apps' column.
    page.goto("/burden-ledger/?unit=A&start=2026-11&end=2026-11")
    row = page.locator("[data-testid=ranking] tr[data-source=D1-EDU]")
    expect(row.locator("[data-total-hours]")).to_have_attribute("data-total-hours", ten)
    expect(row.locator("[data-kind=work_app]")).to_have_attribute("data-records", "1")
