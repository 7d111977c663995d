"""On a phone, staff log a memo (便笺) in a few taps, and it counts as the document it is.

The regulation's fields sit folded at the bottom of the form, shut while they keep their
defaults; the eleventh document of a day, issued as a memo, is flagged by DOC-DAILY.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.record_factories.documents import DocumentFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DAY = datetime.date(2026, 3, 2)


def test_on_a_phone_a_memo_that_takes_the_day_past_ten_documents_is_flagged(
    new_context, log_in, tree, personas, live_server
):
    for _ in range(10):
        DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=DAY)
    page = log_in(new_context(locale="en-US", viewport=PHONE).new_page(), "staff_a")
    page.goto("/documents/new/")

    fold = page.get_by_test_id("fold")
    expect(fold).to_contain_text("How it was issued and what it demands")
    expect(page.locator("#id_labelled_as")).to_be_hidden()  # shut: most documents keep the defaults
    page.locator("#id_title").fill("关于报送防汛物资清单的便笺")
    page.locator("#id_received_on").fill(DAY.isoformat())
    page.locator("#id_substantive_0").check()  # "Yes": asked, not ticked in advance
    fold.locator("summary").click()
    expect(page.locator("#id_labelled_as")).to_be_visible()
    page.locator("#id_labelled_as").select_option("memo")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("main button[type=submit]", has_text="Save").first.click()
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}/documents/") + r"\d+/$"))

    flag = page.get_by_test_id("flags").locator("[data-rule=DOC-DAILY]")
    expect(flag).to_contain_text("Received 11 documents on 2026-03-02, over the limit of 10")
    expect(page.locator("main")).to_contain_text("Memo")
