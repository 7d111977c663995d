"""Each role logs in through the browser, sees its role in Chinese, switches to English and stays in its units."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLES = [
    # persona, username, role badge in Chinese, in English
    pytest.param("staff_a", "staff_a", "员工", "Staff", id="staff"),
    pytest.param("supervisor", "supervisor", "主管", "Supervisor", id="supervisor"),
    pytest.param("admin", "admin_city", "管理员", "Admin", id="admin"),
    pytest.param("superuser", "root", "管理员", "Admin", id="superuser"),
]


@pytest.fixture
def chinese_page(new_context):
    """A page in a browser whose language is Chinese (it sends Accept-Language: zh-CN)."""
    return new_context(locale="zh-CN").new_page()


@pytest.mark.parametrize(("persona", "username", "role_zh", "role_en"), ROLES)
def test_each_role_logs_in_sees_its_role_in_chinese_and_in_english_after_switching_language(
    chinese_page, personas, log_in, persona, username, role_zh, role_en
):
    page = log_in(chinese_page, username)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("username")).to_have_text(username)
    expect(page.get_by_test_id("role")).to_have_text(role_zh)

    page.get_by_test_id("language-menu").click()
    page.locator('button[name=language][lang="en"]').click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("role")).to_have_text(role_en)


def test_staff_get_the_not_found_page_for_a_sibling_community(chinese_page, personas, log_in):
    page = log_in(chinese_page, "staff_a")

    response = page.goto("/units/B/")

    assert response.status == 404
    expect(page.locator("main")).to_contain_text("404")
    expect(page.locator("main")).not_to_contain_text("乙社区")


def test_a_supervisor_sees_both_communities_of_their_street(chinese_page, personas, log_in):
    page = log_in(chinese_page, "supervisor")

    for code, name in (("A", "甲社区"), ("B", "乙社区")):
        response = page.goto(f"/units/{code}/")
        assert response.status == 200
        expect(page.locator("main h1")).to_have_text(name)
        expect(page.locator("main code.unit-code").first).to_have_text(code)


def test_on_a_phone_the_menu_button_opens_the_navigation_with_the_units_link(
    new_context, personas, log_in, live_server
):
    page = log_in(new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page(), "supervisor")
    toggler = page.locator(".navbar-toggler")
    units_link = page.locator('#main-nav a[href="/units/"]')

    expect(toggler).to_be_visible()
    expect(units_link).to_be_hidden()

    toggler.click()
    page.get_by_test_id("nav-records").click()  # the units sit with the records

    expect(units_link).to_be_visible()
    units_link.click()
    page.wait_for_url(f"{live_server.url}/units/")
