"""The dashboard's key figures fit their cards at a 1366 px desk and a 390 px phone, in both languages.

A year-on-year change on a tiny base (one hour a year earlier, a million now) and seven-digit
totals are the worst case: each figure, with its unit, stays inside its card, and the page
never scrolls sideways. A unit with nothing a year earlier says "no base" instead of a
percentage. Printed (print media), the dashboard and the ledger lose the navigation and the
filters and gain their formal head.
"""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.record_factories.documents import DocumentFactory

from .test_layout import DESK, LANGUAGES, OVERFLOW, PHONE

pytestmark = pytest.mark.browser

SIZES = [pytest.param(DESK, id="1366"), pytest.param(PHONE, id="390")]
PERIOD = "start=2026-01&end=2026-06"

# Each key figure against its card's content box: how far it sticks out, if at all.
FIGURES = """() => [...document.querySelectorAll(".kpi-value")].map((figure) => {
  const body = figure.closest(".card-body");
  const style = getComputedStyle(body);
  const inner = body.getBoundingClientRect();
  const left = inner.left + parseFloat(style.paddingLeft) - 1;
  const right = inner.right - parseFloat(style.paddingRight) + 1;
  const parts = [...figure.querySelectorAll(".kpi-number, .kpi-unit")];
  const boxes = (parts.length ? parts : [figure]).map((part) => part.getBoundingClientRect());
  return {
    id: figure.dataset.testid || figure.textContent.trim(),
    text: figure.innerText,
    out: Math.max(0, ...boxes.map((box) => box.right - right), ...boxes.map((box) => left - box.left)),
    clipped: figure.scrollWidth > figure.clientWidth + 1,
  };
})"""


@pytest.fixture
def big_numbers(tree, personas):
    """An hour on community A a year earlier, a million and more this year; community B has no base."""
    day = datetime.date
    DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=day(2025, 3, 2), handling_minutes=60)
    DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=day(2026, 3, 2), handling_minutes=60 * 1_234_567)
    DocumentFactory(unit=tree.b, source_unit=tree.d2, received_on=day(2026, 4, 2), handling_minutes=60 * 2_000)
    call_command("rollups_rebuild", verbosity=0)


def open_page(new_context, log_in, locale, viewport, path):
    page = log_in(new_context(locale=locale, viewport=viewport).new_page(), "admin_city")
    page.goto(path)
    return page


@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
@pytest.mark.parametrize("viewport", SIZES)
def test_the_key_figures_fit_their_cards(new_context, log_in, big_numbers, locale, language, viewport):
    page = open_page(new_context, log_in, locale, viewport, f"/dashboard/?unit=S1&{PERIOD}")
    # 1,236,567 hours against 1: a multiple, thousands separated, not +123,656,600.0 %.
    change = page.get_by_test_id("hours-change")
    expect(change).to_contain_text("1,236,567.0")
    expect(change).to_contain_text("倍" if language == "zh-hans" else "times a year earlier")
    hours = page.get_by_test_id("total-hours")
    expect(hours).to_contain_text("1,236,567")
    expect(hours).to_contain_text("人·小时" if language == "zh-hans" else "person-hours")
    figures = page.evaluate(FIGURES)
    assert len(figures) >= 10
    assert [figure for figure in figures if figure["out"] > 0 or figure["clipped"]] == []
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= overflow["client"], overflow["wide"]


@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
@pytest.mark.parametrize("viewport", SIZES)
def test_a_unit_with_no_base_a_year_earlier_says_so(new_context, log_in, big_numbers, locale, language, viewport):
    page = open_page(new_context, log_in, locale, viewport, f"/dashboard/?unit=B&{PERIOD}")
    words = "无上年基数" if language == "zh-hans" else "No base a year earlier"
    expect(page.get_by_test_id("hours-change")).to_have_text(words)
    assert [figure for figure in page.evaluate(FIGURES) if figure["out"] > 0 or figure["clipped"]] == []


@pytest.mark.parametrize("path", [f"/dashboard/?unit=S1&{PERIOD}", f"/burden-ledger/?unit=S1&{PERIOD}"])
def test_printed_the_pages_keep_their_figures_and_gain_a_formal_head(new_context, log_in, big_numbers, path):
    page = open_page(new_context, log_in, "zh-CN", DESK, path)
    head = page.get_by_test_id("print-header")
    expect(head).to_be_hidden()
    page.emulate_media(media="print")
    expect(head).to_be_visible()
    expect(head).to_contain_text("一街道")
    expect(head).to_contain_text("打印时间")
    expect(page.locator("nav.app-navbar")).to_be_hidden()
    expect(page.locator("form[role=search]")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    # The numbers under the charts print open, though closed on screen.
    expect(page.locator("table[data-chart-table]").first).to_be_visible()


def test_the_ledger_explains_its_cells_and_marks_no_base(new_context, log_in, big_numbers):
    page = open_page(new_context, log_in, "zh-CN", PHONE, f"/burden-ledger/?unit=S1&{PERIOD}")
    expect(page.get_by_test_id("ledger-legend")).to_contain_text("无上年基数")
    row = page.locator('tr[data-source="D2"]')
    expect(row.locator('[data-no-base="document"]')).to_be_visible()
    expect(row).not_to_contain_text("尚未说明")
    with page.expect_download() as download:
        page.get_by_test_id("ledger-toolbar").get_by_role("button").first.click()
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == "burden-ledger-S1-2026-01-2026-06.xlsx"
