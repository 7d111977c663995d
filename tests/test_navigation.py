"""The menu's groups, the records group read from the registry of kinds."""

import re

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from burden.context_processors import _section
from burden.records.registry import kinds

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
