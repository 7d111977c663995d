"""Core pages: what each role sees, filters, and query counts that do not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.models import Unit
from tests.factories import UnitFactory


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params, HTTP_ACCEPT_LANGUAGE="en")


def test_home_tells_staff_to_check_their_unit(client, personas):
    response = get(client, personas.staff_a, "home")
    assert response.context["role"] == "staff"
    assert "Check that your unit" in response.content.decode()
    assert [m.unit.code for m in response.context["memberships"]] == ["A"]


def test_home_shows_a_supervisor_the_units_under_them(client, personas):
    response = get(client, personas.supervisor, "home")
    assert response.context["role"] == "supervisor"
    assert response.context["units_total"] == 3
    assert "Look over the units under you" in response.content.decode()


def test_home_shows_an_admin_people_without_a_unit(client, personas):
    response = get(client, personas.admin, "home")
    assert response.context["role"] == "admin"
    assert response.context["people_without_unit"] == 2  # the outsider and the superuser
    assert "Manage memberships" in response.content.decode()


def test_home_tells_a_person_without_a_unit_to_ask_for_one(client, personas):
    response = get(client, personas.outsider, "home")
    assert response.context["role"] is None
    assert "You do not belong to any unit yet" in response.content.decode()


def test_unit_list_shows_only_the_viewers_units(client, personas):
    response = get(client, personas.supervisor, "unit_list")
    assert [u.code for u in response.context["object_list"]] == ["S1", "A", "B"]


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"level": "community"}, ["A", "B", "C"]),
        ({"q": "Community B"}, ["B"]),
        ({"q": "乙"}, ["B"]),
        ({"within": "S2"}, ["S2", "C"]),
        ({"within": "NOPE"}, []),
        ({"is_grassroots": "false"}, ["CITY", "D1", "D1-EDU", "D2"]),
    ],
)
def test_unit_list_filters(client, personas, params, codes):
    response = get(client, personas.admin, "unit_list", **params)
    assert [u.code for u in response.context["object_list"]] == codes


def test_within_does_not_reveal_units_outside_the_scope(client, personas):
    response = get(client, personas.staff_a, "unit_list", within="S1")
    assert list(response.context["object_list"]) == []


def test_unit_page_shows_members_to_supervisors_only(client, personas):
    assert "members" in get(client, personas.supervisor, "unit_detail", "A").context
    assert "members" not in get(client, personas.staff_a, "unit_detail", "A").context


def test_unit_page_links_ancestors_only_when_visible(client, personas):
    response = get(client, personas.supervisor, "unit_detail", "A")
    assert [(a.code, visible) for a, visible in response.context["ancestors"]] == [
        ("CITY", False),
        ("D1", False),
        ("S1", True),
    ]


def test_pagination_keeps_the_filters(client, personas, tree):
    for n in range(60):
        UnitFactory(code=f"X{n:02d}", parent=tree.s1)
    response = get(client, personas.admin, "unit_list", level="community")
    page = response.content.decode()
    assert "level=community&amp;page=2" in page
    assert len(response.context["object_list"]) == 50


def _queries(client, user, name, *args):
    client.force_login(user)
    url = reverse(name, args=args)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "args"), [("home", []), ("unit_list", []), ("unit_detail", ["S1"])])
def test_page_queries_do_not_grow_with_units(client, personas, tree, name, args):
    few = _queries(client, personas.supervisor, name, *args)
    for n in range(120):
        UnitFactory(code=f"GROW{n:03d}", parent=tree.s1)
    assert Unit.objects.subtree(tree.s1).count() > 120
    assert _queries(client, personas.supervisor, name, *args) == few


def test_the_browser_language_picks_the_page_language(client, personas):
    client.force_login(personas.staff_a)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode().count('<html lang="en">') == 1
    assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    # Neither language asked for: the users' own language.
    assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_the_language_switch_overrides_the_browser(client, personas):
    client.force_login(personas.staff_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in page


def test_login_with_a_wrong_password_says_so_in_chinese(client, personas):
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_sends_the_person_home(client, personas):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
