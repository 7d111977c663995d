"""The menu's groups and the staff home (quick entry, recent records), read from the registry of kinds."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from burden.context_processors import _section
from burden.records.registry import kinds
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory

KIND_PAGES = [kind for kind in kinds() if kind.pages]


def html_of(client, user, name="home", language="en", *args):
    client.force_login(user)
    return client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def group(html: str, testid: str) -> str:
    """The dropdown menu that follows the group's toggle."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</ul>", start)]


def section_of(path: str) -> str:
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return _section(request)


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "home"),
        ("/units/", "records"),
        ("/review/", "review"),
        ("/review/flags/", "review"),
        ("/rules/", "review"),
        ("/review/notifications/", ""),  # the bell's page, outside the groups
        ("/dashboard/", "insights"),
        ("/burden-ledger/", "insights"),
        ("/reports/", "insights"),
        ("/accounts/password/", ""),
    ],
)
def test_each_page_belongs_to_its_group_of_the_menu(path, section):
    assert section_of(path) == section


@pytest.mark.parametrize("kind", KIND_PAGES, ids=lambda kind: kind.code)
def test_every_kind_s_pages_belong_to_the_records_group(kind):
    assert section_of(reverse(kind.url_name("list"))) == "records"
    assert section_of(reverse(kind.url_name("create"))) == "records"


def test_the_records_group_lists_every_kind_in_the_registry_s_order(client, personas):
    records = group(html_of(client, personas.staff_a), "nav-records")
    hrefs = re.findall(r'class="dropdown-item[^"]*"[^>]* href="([^"]+)"', records)
    assert hrefs == [reverse(kind.url_name("list")) for kind in KIND_PAGES] + [reverse("unit_list")]


def test_staff_see_no_insights_or_manage_group_but_an_admin_does(client, personas):
    staff = html_of(client, personas.staff_a)
    assert 'data-testid="nav-insights"' in staff  # staff have a role: their unit's dashboard
    assert 'data-testid="nav-admin"' not in staff
    admin = html_of(client, personas.admin)
    assert reverse("admin:index") in group(admin, "nav-admin")
    outsider = html_of(client, personas.outsider)
    assert 'data-testid="nav-insights"' not in outsider
    assert f'href="{reverse("review:case_list")}"' not in outsider


def test_the_bell_the_language_and_the_user_menu_stay_outside_the_folding_menu(client, personas):
    html = html_of(client, personas.staff_a)
    tools, folding = html.index('data-testid="nav-tools"'), html.index('id="main-nav"')
    assert tools < folding
    for testid in ("bell", "language-menu", "user-menu"):
        assert tools < html.index(f'data-testid="{testid}"') < folding


def test_staff_home_offers_one_quick_entry_per_kind_in_chinese(client, personas):
    html = html_of(client, personas.staff_a, language="zh-hans")
    quick = html[html.index('data-testid="quick-entry"') : html.index('data-testid="next-steps"')]
    hrefs = re.findall(r'href="([^"]+)" data-testid="quick-entry-', quick)
    assert hrefs == [reverse(kind.url_name("create")) for kind in KIND_PAGES]
    assert "登记会议" in quick and "登记借调" in quick


@pytest.mark.parametrize("persona", ["supervisor", "admin", "outsider"])
def test_quick_entry_is_for_staff_only(client, personas, persona):
    assert 'data-testid="quick-entry"' not in html_of(client, getattr(personas, persona))


def test_staff_home_runs_as_many_queries_with_records_as_without(client, personas, tree):
    client.force_login(personas.staff_a)
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse("home"))
    MeetingFactory.create_batch(5, unit=tree.a, source_unit=tree.dept)
    with CaptureQueriesContext(connection) as full:
        assert client.get(reverse("home")).status_code == 200
    assert len(full) == len(empty)


def test_staff_home_lists_their_units_latest_records_of_every_kind_newest_first(client, personas, tree):
    old = MeetingFactory(unit=tree.a, source_unit=tree.dept, title="上周的部署会")
    newer = DocumentFactory(unit=tree.a, source_unit=tree.dept, title="关于报送材料的通知")
    MeetingFactory(unit=tree.b, source_unit=tree.dept, title="乙社区的会")  # not staff_a's unit
    client.force_login(personas.staff_a)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [record.title for record in response.context["recent_records"]] == [newer.title, old.title]
    html = response.content.decode()
    recent = html[html.index('data-testid="recent-records"') :]
    assert newer.get_absolute_url() in recent and "文件" in recent
    assert "乙社区的会" not in html


def test_staff_home_shows_only_the_five_latest_records(client, personas, tree):
    MeetingFactory.create_batch(4, unit=tree.a, source_unit=tree.dept)
    DocumentFactory.create_batch(4, unit=tree.a, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    assert len(client.get(reverse("home")).context["recent_records"]) == 5


def test_the_admin_s_add_button_says_增加_not_登记(client, personas):
    """Our catalogue's 登记 (log) is for records; Django's own wording stays in its admin."""
    html = html_of(client, personas.superuser, "admin:burden_unit_changelist", "zh-hans")
    assert "增加 单位" in html or "增加单位" in html
    assert "登记单位" not in html


def test_the_admin_s_change_links_say_修改(client, personas, tree):
    html = html_of(client, personas.superuser, "admin:index", "zh-hans")
    assert "修改" in html and "变化" not in html
    unit = html_of(client, personas.superuser, "admin:burden_unit_change", "zh-hans", tree.a.pk)
    assert "单位树路径" in unit and "Path:" not in unit


def test_the_dashboard_still_calls_its_difference_column_变化(client, personas):
    html = html_of(client, personas.staff_a, "insights:dashboard", "zh-hans")
    assert "变化" in html


def test_a_record_list_s_folded_filters_say_how_many_are_in_use(client, personas):
    client.force_login(personas.staff_a)
    plain = client.get(reverse("meetings:meeting_list")).content.decode()
    assert 'data-testid="filters-in-use"' not in plain
    filtered = client.get(reverse("meetings:meeting_list"), {"q": "部署", "mode": "in_person", "sort": "-date"})
    badge = re.search(r'data-testid="filters-in-use">.*?(\d+)</span>', filtered.content.decode())
    assert badge and badge.group(1) == "2"  # the sort is not a filter
