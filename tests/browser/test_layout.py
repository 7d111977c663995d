"""The pages fit a 1366 px desk and a 390 px phone, in Chinese and in English.

At each size and in each language: every top-level item of the navigation is on screen
and on one line (a label that wraps is taller than its line height), and no page of a
staff member's or a supervisor's day scrolls sideways. On a phone a record list shows
cards and keeps its filters folded behind a button; at a desk it shows the table with
the filters open.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from burden.rules.engine import evaluate_record
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 768}
# Just wide enough for the open menu (Bootstrap's lg): the narrowest desk it must fit.
NARROW_DESK = {"width": 992, "height": 700}
PHONE = {"width": 390, "height": 844}
# Browser locale -> the language the pages answer in (LocaleMiddleware reads Accept-Language).
LANGUAGES = [pytest.param("zh-CN", "zh-hans", id="zh"), pytest.param("en-US", "en", id="en")]
SIZES = [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")]

# The pages of a day's work, for an admin of the city (who sees every group of the menu).
PAGES = [
    "/",
    "/meetings/",
    "/meetings/new/",
    "/documents/",
    "/review/",
    "/review/flags/",
    "/review/notifications/",
    "/dashboard/",
    "/burden-ledger/",
    "/reports/",
    "/rules/",
    "/units/",
    "/units/S1/",
]

# For one element: its content height against its line height, and where it sits.
BOX = """(element) => {
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const px = (name) => parseFloat(style[name]) || 0;
  return {
    content: box.height - px("paddingTop") - px("paddingBottom") - px("borderTopWidth") - px("borderBottomWidth"),
    line: parseFloat(style.lineHeight) || px("fontSize") * 1.5,
    left: box.left, right: box.right, middle: box.top + box.height / 2,
    text: element.innerText.trim(),
  };
}"""

# What sticks out to the right, if the page is wider than the window.
OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [];
  if (root.scrollWidth > root.clientWidth) {
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.right > root.clientWidth + 1 && box.width > 0) {
        const name = `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`;
        wide.push(`${name} right=${Math.round(box.right)}`);
      }
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide.slice(0, 10)};
}"""


@pytest.fixture
def flagged(tree, personas):
    """Meetings in communities A and B, one of them flagged, so lists, queue and dashboard have rows."""
    meetings = [
        MeetingFactory(
            unit=tree.a, source_unit=tree.dept, title="全区教育系统安全生产工作部署会议（第二次）", duration_minutes=150
        ),
        MeetingFactory(unit=tree.a, source_unit=tree.dept, duration_minutes=60),
        MeetingFactory(unit=tree.b, source_unit=tree.dept, duration_minutes=200),
    ]
    for meeting in meetings:
        evaluate_record("meeting", meeting.pk)
    call_command("rollups_rebuild", verbosity=0)
    return meetings


def open_page(new_context, log_in, username, locale, viewport):
    return log_in(new_context(locale=locale, viewport=viewport).new_page(), username)


def top_level_items(page):
    """The groups of the menu and the bell, language and user menu, as elements."""
    return page.locator("[data-testid=nav-groups] > li > a.nav-link, [data-testid=nav-tools] > li > a.nav-link")


def assert_one_line_and_on_screen(page, items, expected):
    width = page.evaluate("document.documentElement.clientWidth")
    boxes = [item.evaluate(BOX) for item in items.all()]
    assert len(boxes) == expected, [box["text"] for box in boxes]
    for box in boxes:
        wraps = f"{box['text']!r} wraps: {box['content']}px for a {box['line']}px line"
        assert box["content"] < 1.5 * box["line"], wraps
        assert box["left"] >= 0 and box["right"] <= width, f"{box['text']!r} is off screen: {box}"
    return boxes


def assert_no_sideways_scroll(page, url):
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= overflow["client"], f"{url} scrolls sideways: {overflow}"


@pytest.mark.parametrize("viewport", [pytest.param(DESK, id="1366"), pytest.param(NARROW_DESK, id="992")])
@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
def test_at_a_desk_every_menu_item_is_on_one_line_on_screen(new_context, log_in, personas, locale, language, viewport):
    page = open_page(new_context, log_in, "admin_city", locale, viewport)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".navbar-toggler")).to_be_hidden()

    # Home, records, review, insights, manage; the bell, the language, the user menu.
    boxes = assert_one_line_and_on_screen(page, top_level_items(page), 8)
    middles = [box["middle"] for box in boxes]
    assert max(middles) - min(middles) < 8, f"the menu takes more than one row: {boxes}"

    # Every item of every group is one click away, on one line too.
    for group in ("nav-records", "nav-review", "nav-insights", "nav-admin"):
        page.get_by_test_id(group).click()
        menu = page.locator(f"[data-testid={group}] + .dropdown-menu")
        expect(menu).to_be_visible()
        links = menu.locator("a.dropdown-item")
        assert links.count() >= 3
        assert_one_line_and_on_screen(page, links, links.count())
        page.keyboard.press("Escape")


@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
def test_on_a_phone_the_tools_stay_in_sight_and_the_menu_folds_behind_its_button(
    new_context, log_in, personas, live_server, locale, language
):
    page = open_page(new_context, log_in, "admin_city", locale, PHONE)
    expect(page.locator("html")).to_have_attribute("lang", language)
    groups = page.locator("[data-testid=nav-groups]")
    expect(groups).to_be_hidden()
    # The bell, the language and the user menu are there without opening anything.
    assert_one_line_and_on_screen(page, page.locator("[data-testid=nav-tools] > li > a.nav-link"), 3)

    page.locator(".navbar-toggler").click()
    expect(groups).to_be_visible()
    assert_one_line_and_on_screen(page, groups.locator(":scope > li > a.nav-link"), 5)

    page.get_by_test_id("nav-records").click()
    meetings = page.locator('[data-testid=nav-records] + .dropdown-menu a[href="/meetings/"]')
    expect(meetings).to_be_visible()
    assert_no_sideways_scroll(page, "the open menu")
    meetings.click()
    page.wait_for_url(f"{live_server.url}/meetings/")


@pytest.mark.parametrize("viewport", SIZES)
@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
def test_no_page_of_the_day_scrolls_sideways(new_context, log_in, flagged, locale, language, viewport):
    page = open_page(new_context, log_in, "admin_city", locale, viewport)
    record = flagged[0]  # the one with the long title and its flags
    for url in [*PAGES, record.get_absolute_url(), f"{record.get_absolute_url()}edit/"]:
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_no_sideways_scroll(page, url)


@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
def test_on_a_phone_a_record_list_shows_cards_and_folds_its_filters(
    new_context, log_in, flagged, personas, locale, language
):
    page = open_page(new_context, log_in, "staff_a", locale, PHONE)
    page.goto("/meetings/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    cards = page.get_by_test_id("record-card")
    expect(cards).to_have_count(2)  # community A's two meetings
    expect(page.get_by_test_id("record-table")).to_be_hidden()
    expect(cards.first).to_contain_text("甲社区" if language == "zh-hans" else "Community A")
    long_title = cards.filter(has_text="全区教育系统安全生产工作部署会议（第二次）")
    expect(long_title.get_by_test_id("card-flags")).to_be_visible()

    filters = page.get_by_test_id("filters")
    expect(filters).to_be_hidden()
    page.get_by_test_id("filters-toggle").click()
    expect(filters).to_be_visible()
    expect(filters.locator("button[type=submit]")).to_be_visible()
    assert_no_sideways_scroll(page, "/meetings/ with its filters open")


@pytest.mark.parametrize(("locale", "language"), LANGUAGES)
def test_at_a_desk_a_record_list_is_a_table_with_its_filters_open(new_context, log_in, flagged, locale, language):
    page = open_page(new_context, log_in, "staff_a", locale, DESK)
    page.goto("/meetings/")

    expect(page.get_by_test_id("record-table")).to_be_visible()
    expect(page.get_by_test_id("record-table").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("record-cards")).to_be_hidden()
    expect(page.get_by_test_id("filters")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_be_hidden()


@pytest.mark.parametrize("viewport", SIZES)
def test_staff_start_a_record_from_the_quick_entry_on_their_home(new_context, log_in, personas, live_server, viewport):
    page = open_page(new_context, log_in, "staff_a", "zh-CN", viewport)
    button = page.get_by_test_id("quick-entry").get_by_role("link", name="登记会议")
    expect(button).to_be_visible()
    assert_no_sideways_scroll(page, "/")
    button.click()
    page.wait_for_url(f"{live_server.url}/meetings/new/")
    expect(page.locator("main h1")).to_have_text("登记会议")


def test_on_a_phone_a_record_form_is_one_column_of_large_tap_targets(new_context, log_in, personas):
    page = open_page(new_context, log_in, "staff_a", "zh-CN", PHONE)
    page.goto("/meetings/new/")
    form = page.locator("main form")
    fields = form.locator("input.form-control, select.form-select, textarea.form-control, button.btn")
    shown = [(field.evaluate("e => e.tagName"), field.bounding_box()) for field in fields.all() if field.is_visible()]
    assert len(shown) > 10
    assert all(box["height"] >= 44 for _, box in shown), shown
    lefts = {round(box["x"]) for tag, box in shown if tag != "BUTTON"}
    assert len(lefts) == 1, f"the fields are not in one column: {lefts}"
    checkboxes = [box for box in (c.bounding_box() for c in form.locator("input.form-check-input").all()) if box]
    assert checkboxes and all(box["width"] >= 20 and box["height"] >= 20 for box in checkboxes), checkboxes
    assert_no_sideways_scroll(page, "/meetings/new/")


def test_the_menu_works_from_the_keyboard(new_context, log_in, personas, live_server):
    page = open_page(new_context, log_in, "staff_a", "zh-CN", DESK)
    page.get_by_test_id("nav-records").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=nav-records] + .dropdown-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    # The arrow keys walk the group's items (Bootstrap may count the opening key as a first step down).
    focused = page.locator("[data-testid=nav-records] + .dropdown-menu .dropdown-item:focus")
    expect(focused).to_have_count(1)
    href = focused.get_attribute("href")
    assert href in {"/meetings/", "/secondments/"}, href
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{href}")
