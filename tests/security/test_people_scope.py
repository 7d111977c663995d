"""Managing people: an admin manages a person only where every seat of theirs lies in the admin's subtrees.

The hole this closes: a street admin reset the password of a *city* admin who also
held a staff seat in one of the street's communities, then signed in as them. Here
every door is walked for admins of a street, a district and the city, against people
with mixed seats:

    boss        admin of CITY, and staff in A (a community of S1)
    inside      staff in A and in B (only inside S1)
    across      staff in A and in C (S1 and another district)
    s1_new      no seat, created by the street admin
    city_new    no seat, created by the city admin
    outsider    no seat, created by nobody (conftest)
    root        a superuser (besides the conftest's, who acts as one of the managers)

Doors: the API (users, memberships, unit moves), the Django admin (changelist, change
form, password page, delete page, bulk delete, inline seats, membership pages, unit
parent, history revert) and the services behind both.
"""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

from burden.admin import membership_rows_for
from burden.models import Membership, Unit, User
from burden.scoping import people_managed_by, scope_for
from burden.services import membership_delete, membership_save, unit_save, user_delete, user_save
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UnitFactory, UserFactory

NEW_PASSWORD = "a-long-enough-Passw0rd"
STAFF, SUPERVISOR, ADMIN = Membership.Role.STAFF, Membership.Role.SUPERVISOR, Membership.Role.ADMIN


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # Rate limits have their own tests; a long parametrised run by one persona must not trip them.
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


@pytest.fixture
def people(personas, tree):
    """The managers and the targets of the module docstring, by name."""
    street = MembershipFactory(user=UserFactory(username="admin_s1"), unit=tree.s1, role=ADMIN).user
    district = MembershipFactory(user=UserFactory(username="admin_d1"), unit=tree.d1, role=ADMIN).user
    boss = MembershipFactory(user=UserFactory(username="boss"), unit=tree.city, role=ADMIN).user
    MembershipFactory(user=boss, unit=tree.a, role=STAFF)
    inside = MembershipFactory(user=UserFactory(username="inside"), unit=tree.a, role=STAFF).user
    MembershipFactory(user=inside, unit=tree.b, role=STAFF)
    across = MembershipFactory(user=UserFactory(username="across"), unit=tree.a, role=STAFF).user
    MembershipFactory(user=across, unit=tree.c, role=STAFF)
    return {
        "street": street,
        "district": district,
        "city": personas.admin,
        "superuser": personas.superuser,
        "boss": boss,
        "inside": inside,
        "across": across,
        "s1_new": UserFactory(username="s1_new", created_by=street),
        "city_new": UserFactory(username="city_new", created_by=personas.admin),
        "outsider": personas.outsider,
        "root": UserFactory(username="root2", is_superuser=True, is_staff=True),
    }


TARGETS = ["boss", "inside", "across", "s1_new", "city_new", "outsider", "root"]
MANAGED = {
    "street": {"inside", "s1_new"},
    "district": {"inside"},
    "city": {"boss", "inside", "across", "city_new"},
    "superuser": set(TARGETS),
}
CASES = [(manager, target, target in MANAGED[manager]) for manager in MANAGED for target in TARGETS]
CASE_IDS = [f"{manager}-{'manages' if ok else 'not'}-{target}" for manager, target, ok in CASES]


def api_as(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user=user)
    return client


def fresh(user):
    """The person as stored, with a scope read anew (scopes are cached on the user object)."""
    return User.objects.filter(pk=user.pk).first()


# --- The rule, once -----------------------------------------------------------------


@pytest.mark.parametrize("manager", [*MANAGED, "staff_a", "supervisor"])
def test_the_predicate_and_the_queryset_say_the_same(people, personas, manager):
    user = people.get(manager) or getattr(personas, manager)
    everyone = list(User.objects.all())
    by_predicate = {p.username for p in everyone if scope_for(user).manages_person(p)}
    assert {p.username for p in people_managed_by(user)} == by_predicate
    expected = {people[name].username for name in MANAGED.get(manager, set())}
    assert by_predicate & {people[name].username for name in TARGETS} == expected


def test_the_people_an_admin_manages_are_one_query(people):
    scope_for(people["street"])  # the caller's own seats are read once, before
    with CaptureQueriesContext(connection) as queries:
        names = {p.username for p in people_managed_by(people["street"])}
    assert len(queries) == 1
    assert names == {"admin_s1", "inside", "s1_new", "staff_a", "staff_b", "supervisor"}


def test_only_superusers_manage_people_with_system_wide_powers(people):
    staff_user = MembershipFactory(
        user=UserFactory(username="desk", is_staff=True), unit=people["inside"].memberships.first().unit
    ).user
    assert not scope_for(people["street"]).manages_person(staff_user)
    assert not scope_for(people["city"]).manages_person(staff_user)
    assert scope_for(people["superuser"]).manages_person(staff_user)


def test_a_person_without_a_seat_is_managed_by_their_creator_only_while_they_are_an_admin(people, tree):
    creator = people["street"]
    assert scope_for(creator).manages_person(people["s1_new"])
    Membership.objects.filter(user=creator).update(role=SUPERVISOR)
    assert not scope_for(fresh(creator)).manages_person(people["s1_new"])
    assert "s1_new" not in {p.username for p in people_managed_by(fresh(creator))}


# --- The API: /api/v1/users/ ------------------------------------------------------------


@pytest.mark.parametrize(("manager", "target", "manages"), CASES, ids=CASE_IDS)
def test_api_people_are_reached_only_by_who_manages_them(people, manager, target, manages):
    client, person = api_as(people[manager]), people[target]
    url = f"/api/v1/users/{person.username}/"
    before = fresh(person)
    expected = 200 if manages else 404
    assert client.get(url).status_code == expected
    assert client.get(f"/api/v1/users/{person.pk}/").status_code == expected
    listed = {row["username"] for row in client.get("/api/v1/users/", {"page_size": 100}).json()["results"]}
    assert (person.username in listed) is manages

    answers = {
        "email": client.patch(url, {"email": "taken@example.org"}, format="json").status_code,
        "password": client.patch(url, {"password": NEW_PASSWORD}, format="json").status_code,
        "is_active": client.patch(url, {"is_active": False}, format="json").status_code,
        "put": client.put(url, {"username": person.username, "email": "put@example.org"}, format="json").status_code,
    }
    assert answers == dict.fromkeys(answers, expected)
    after = fresh(person)
    if manages:
        assert after.check_password(NEW_PASSWORD)
        assert not after.is_active and after.email == "put@example.org"
    else:
        assert after.password == before.password and after.check_password(PASSWORD)
        assert after.email == before.email and after.is_active

    assert client.delete(url).status_code == (204 if manages else 404)
    assert User.objects.filter(pk=person.pk).exists() is not manages
    if not manages:
        assert Membership.objects.filter(user=person).count() == before.memberships.count()


def test_the_street_admin_cannot_take_over_the_city_admin_and_signs_in_as_nobody(people):
    response = api_as(people["street"]).patch("/api/v1/users/boss/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 404
    signed_in = APIClient().post("/api/v1/auth/token/", {"username": "boss", "password": NEW_PASSWORD})
    assert signed_in.status_code == 400
    assert fresh(people["boss"]).check_password(PASSWORD)


def test_the_city_admin_resets_the_boss_password_and_it_works(people):
    response = api_as(people["city"]).patch("/api/v1/users/boss/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    signed_in = APIClient().post("/api/v1/auth/token/", {"username": "boss", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json()["token"]


def test_a_new_person_is_created_by_the_caller_and_stays_theirs(people):
    client = api_as(people["street"])
    response = client.post("/api/v1/users/", {"username": "fresh", "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 201, response.json()
    assert User.objects.get(username="fresh").created_by == people["street"]
    assert client.get("/api/v1/users/fresh/").status_code == 200
    assert api_as(people["district"]).get("/api/v1/users/fresh/").status_code == 404


def test_an_admin_neither_deletes_nor_deactivates_themselves(people):
    client = api_as(people["street"])
    response = client.delete("/api/v1/users/admin_s1/")
    assert response.status_code == 403 and response.json()["detail"] == "You cannot delete yourself."
    response = client.patch("/api/v1/users/admin_s1/", {"is_active": False}, format="json")
    assert response.status_code == 400 and "is_active" in response.json()
    assert fresh(people["street"]).is_active


# --- The API: /api/v1/memberships/ ------------------------------------------------------


def seat(person, unit):
    return Membership.objects.get(user=person, unit=unit)


def test_api_seats_of_people_one_does_not_manage_are_not_listed_nor_reached(people, tree):
    client = api_as(people["street"])
    rows = client.get("/api/v1/memberships/", {"page_size": 100}).json()["results"]
    assert {row["user"] for row in rows} == {"admin_s1", "inside", "staff_a", "staff_b", "supervisor"}
    assert client.get("/api/v1/memberships/", {"user": "boss"}).json()["results"] == []
    boss_in_a = seat(people["boss"], tree.a)
    url = f"/api/v1/memberships/{boss_in_a.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"role": "admin"}, format="json").status_code == 404
    assert client.patch(url, {"user": "inside"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert Membership.objects.filter(pk=boss_in_a.pk, user=people["boss"], role=STAFF).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "inside", "unit": "D1", "role": "staff"}, "unit"),  # above the street
        ({"user": "inside", "unit": "C", "role": "staff"}, "unit"),  # beside it
        ({"user": "admin_s1", "unit": "D1", "role": "admin"}, "unit"),  # raising oneself
        ({"user": "boss", "unit": "B", "role": "staff"}, "user"),  # someone with seats elsewhere
        ({"user": "across", "unit": "B", "role": "staff"}, "user"),
        ({"user": "outsider", "unit": "B", "role": "staff"}, "user"),  # someone else's newcomer
        ({"user": "root", "unit": "B", "role": "admin"}, "user"),
        ({"user": "inside", "unit": "B", "role": "superuser"}, "role"),  # no such power to grant
    ],
)
def test_api_a_street_admin_grants_nothing_outside_their_reach(people, body, field):
    before = Membership.objects.count()
    response = api_as(people["street"]).post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Membership.objects.count() == before


def test_api_a_street_admin_grants_and_changes_seats_inside_their_street(people, tree):
    client = api_as(people["street"])
    response = client.post("/api/v1/memberships/", {"user": "s1_new", "unit": "B", "role": "admin"}, format="json")
    assert response.status_code == 201, response.json()
    inside_in_a = seat(people["inside"], tree.a)
    url = f"/api/v1/memberships/{inside_in_a.pk}/"
    assert client.patch(url, {"role": "supervisor"}, format="json").status_code == 200
    # Both the seat as it was and as it would be are checked: it cannot be carried out of the street.
    assert client.patch(url, {"unit": "C"}, format="json").status_code == 400
    assert client.patch(url, {"user": "across"}, format="json").status_code == 400
    assert Membership.objects.filter(pk=inside_in_a.pk, unit=tree.a, user=people["inside"]).exists()
    assert client.delete(url).status_code == 204


def test_api_the_city_admin_changes_and_removes_the_seats_of_mixed_people(people, tree):
    client = api_as(people["city"])
    across_in_c = seat(people["across"], tree.c)
    response = client.patch(f"/api/v1/memberships/{across_in_c.pk}/", {"role": "supervisor"}, format="json")
    assert response.status_code == 200
    boss_in_a = seat(people["boss"], tree.a)
    assert client.delete(f"/api/v1/memberships/{boss_in_a.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=boss_in_a.pk).exists()


def test_api_non_admins_grant_nothing(people, personas):
    for user in (personas.staff_a, personas.supervisor):
        response = api_as(user).post("/api/v1/memberships/", {"user": "inside", "unit": "A", "role": "staff"})
        assert response.status_code == 403


# --- The API: moving units -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("manager", "code", "parent", "status"),
    [
        ("street", "A", "B", 200),  # within the street
        ("street", "A", "S2", 400),  # to a parent outside their units
        ("street", "S1", "B", 403),  # the street itself would leave D1, which is not theirs
        ("street", "C", "S1", 404),  # a unit they cannot see
        ("district", "S1", "D1-EDU", 200),
        ("district", "S1", "A", 400),  # under its own subtree
        ("district", "D1", "D2", 400),
        ("district", "D1", "S1", 403),
        ("city", "S1", "D2", 200),
        ("city", "D1", "A", 400),
    ],
)
def test_api_units_move_only_within_the_movers_admin_scope(people, manager, code, parent, status):
    before = Unit.objects.get(code=code).path
    response = api_as(people[manager]).patch(f"/api/v1/units/{code}/", {"parent": parent}, format="json")
    assert response.status_code == status, response.json()
    if status == 403:
        assert response.json()["detail"] == "A unit moves only between units you administer."
    unit = Unit.objects.get(code=code)
    if status == 200:
        assert unit.parent.code == parent
        assert unit.path == f"{Unit.objects.get(code=parent).path}{code}/"
        assert all(child.path.startswith(unit.path) for child in unit.children.all())
    else:
        assert unit.path == before


def test_api_a_put_that_keeps_the_top_units_parent_is_no_move(people, tree):
    client = api_as(people["street"])
    body = {"code": "S1", "name": "一街道（改）", "parent": "D1", "level": "street", "headcount": 41}
    response = client.put("/api/v1/units/S1/", body, format="json")
    assert response.status_code == 200, response.json()
    assert Unit.objects.get(code="S1").name == "一街道（改）"
    response = client.put("/api/v1/units/S1/", {**body, "parent": "D2"}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert Unit.objects.get(code="S1").path == "/CITY/D1/S1/"


# --- The services, called directly -------------------------------------------------------------


def test_services_refuse_the_street_admin_every_write_on_the_boss(people, tree):
    street, boss = people["street"], fresh(people["boss"])
    boss.email = "mine@example.org"
    with pytest.raises(PermissionDenied):
        user_save(person=boss, password=None, user=street)
    with pytest.raises(PermissionDenied):
        user_save(person=fresh(people["boss"]), password=NEW_PASSWORD, user=street)
    with pytest.raises(PermissionDenied):
        user_delete(person=people["boss"], user=street)
    with pytest.raises(PermissionDenied):
        membership_delete(membership=seat(people["boss"], tree.a), user=street)
    with pytest.raises(PermissionDenied):
        membership_save(membership=Membership(user=people["boss"], unit=tree.b, role=STAFF), user=street)
    changed = seat(people["across"], tree.a)
    changed.role = SUPERVISOR
    with pytest.raises(PermissionDenied):
        membership_save(membership=changed, user=street)
    assert fresh(people["boss"]).check_password(PASSWORD) and fresh(people["boss"]).email == "boss@example.org"


def test_services_grant_no_role_above_ones_own_nor_where_one_is_not_admin(people, tree):
    street = people["street"]
    MembershipFactory(user=street, unit=tree.c, role=STAFF)  # a seat beside the street, as staff
    street = fresh(street)
    assert not scope_for(street).may_grant(tree.c, STAFF)
    assert scope_for(street).may_grant(tree.a, ADMIN)
    assert not scope_for(fresh(people["inside"])).may_grant(tree.a, STAFF)
    with pytest.raises(PermissionDenied):
        membership_save(membership=Membership(user=people["inside"], unit=tree.c, role=STAFF), user=street)


def test_services_keep_system_wide_powers_for_superusers(people):
    inside = fresh(people["inside"])
    inside.is_superuser = True
    with pytest.raises(PermissionDenied):
        user_save(person=inside, password=None, user=people["city"])
    inside.is_superuser, inside.is_staff = False, True
    with pytest.raises(PermissionDenied):
        user_save(person=inside, password=None, user=people["city"])
    with pytest.raises(PermissionDenied):
        user_save(person=User(username="new_root", is_superuser=True), password=None, user=people["city"])
    assert not fresh(people["inside"]).is_staff
    user_save(person=inside, password=None, user=people["superuser"])
    assert fresh(people["inside"]).is_staff


def test_services_refuse_self_deactivation(people):
    me = fresh(people["city"])
    me.is_active = False
    with pytest.raises(ValidationError):
        user_save(person=me, password=None, user=people["city"])


def test_unit_save_refuses_a_stale_path_and_a_unit_outside(people, tree):
    # A unit carried as a history row would: its path as it was, its parent as it was.
    c = Unit.objects.get(code="C")
    c.parent = tree.s1
    with pytest.raises(PermissionDenied):
        unit_save(unit=c, user=people["street"])
    s1 = Unit.objects.get(code="S1")
    s1.parent, s1.path = Unit.objects.get(code="A"), "/elsewhere/"
    with pytest.raises(ValidationError):
        unit_save(unit=s1, user=people["district"])
    assert Unit.objects.get(code="S1").path == "/CITY/D1/S1/"


# --- The Django admin ------------------------------------------------------------------------------


def admin_client(client, user):
    client.force_login(user)
    return client


def user_url(view, person):
    name = "admin:auth_user_password_change" if view == "password_change" else f"admin:burden_user_{view}"
    return reverse(name, args=[person.pk])


def change_form(person, **changes):
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "is_active": "on" if person.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def does_not_exist(response) -> bool:
    """The admin's answer for an object outside the queryset: to the index, as for a missing one."""
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("manager", ["street", "district", "city"])
def test_admin_changelist_lists_only_the_people_one_manages(client, people, manager):
    response = admin_client(client, people[manager]).get(reverse("admin:burden_user_changelist"))
    listed = {person.username for person in response.context["cl"].result_list}
    targets = {people[name].username for name in TARGETS}
    assert listed & targets == {people[name].username for name in MANAGED[manager]}


@pytest.mark.parametrize("target", ["boss", "across", "city_new", "outsider", "root"])
def test_admin_the_street_admin_reaches_no_page_of_someone_they_do_not_manage(client, people, target):
    person, client = people[target], admin_client(client, people["street"])
    before = fresh(person)
    assert does_not_exist(client.get(user_url("change", person)))
    assert does_not_exist(client.post(user_url("change", person), change_form(before, email="x@example.org")))
    assert client.get(user_url("password_change", person)).status_code == 404
    response = client.post(user_url("password_change", person), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert does_not_exist(client.get(user_url("delete", person)))
    assert does_not_exist(client.post(user_url("delete", person), {"post": "yes"}))
    assert does_not_exist(client.get(user_url("history", person)))
    after = fresh(person)
    assert after is not None and after.password == before.password and after.email == before.email


@pytest.mark.parametrize(("manager", "target"), [("street", "inside"), ("street", "s1_new"), ("city", "boss")])
def test_admin_an_admin_changes_resets_and_deletes_the_people_they_manage(client, people, manager, target):
    person, client = people[target], admin_client(client, people[manager])
    assert client.get(user_url("change", person)).status_code == 200
    response = client.post(user_url("change", person), change_form(fresh(person), email="new@example.org"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert fresh(person).email == "new@example.org"
    response = client.post(user_url("change", person), change_form(fresh(person), is_active=""))
    assert response.status_code == 302 and not fresh(person).is_active
    assert client.get(user_url("password_change", person)).status_code == 200
    response = client.post(user_url("password_change", person), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert fresh(person).check_password(NEW_PASSWORD)
    assert client.get(user_url("delete", person)).status_code == 200
    assert client.post(user_url("delete", person), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


def test_admin_a_street_admin_cannot_give_system_wide_powers_through_the_change_form(client, people):
    person = people["inside"]
    client = admin_client(client, people["street"])
    response = client.post(user_url("change", person), change_form(fresh(person), is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    assert not fresh(person).is_superuser and not fresh(person).is_staff


def test_admin_no_one_deletes_themselves(client, people):
    client = admin_client(client, people["street"])
    assert client.get(user_url("delete", people["street"])).status_code == 403
    assert User.objects.filter(pk=people["street"].pk).exists()


def bulk_delete(client, model, pks):
    return client.post(
        reverse(f"admin:burden_{model}_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "post": "yes"},
    )


def test_admin_bulk_delete_leaves_the_people_one_does_not_manage(client, people):
    client = admin_client(client, people["street"])
    chosen = [people[name].pk for name in ("boss", "across", "outsider", "root", "inside")]
    assert bulk_delete(client, "user", chosen).status_code == 302
    assert set(User.objects.filter(pk__in=chosen).values_list("username", flat=True)) == {
        "boss",
        "across",
        "outsider",
        "root2",
    }


def test_admin_bulk_delete_by_the_city_admin_deletes_the_mixed_people(client, people):
    client = admin_client(client, people["city"])
    chosen = [people[name].pk for name in ("boss", "across")]
    assert bulk_delete(client, "user", chosen).status_code == 302
    assert not User.objects.filter(pk__in=chosen).exists()


def test_admin_bulk_delete_including_oneself_deletes_no_one(client, people):
    client = admin_client(client, people["street"])
    chosen = [people["street"].pk, people["inside"].pk]
    assert bulk_delete(client, "user", chosen).status_code == 403
    assert User.objects.filter(pk__in=chosen).count() == 2


def inline_form(person, rows):
    """A person's change form with ``rows`` (dicts of id/unit/role/DELETE) as the seat inline."""
    data = change_form(fresh(person))
    data["memberships-TOTAL_FORMS"] = len(rows)
    data["memberships-INITIAL_FORMS"] = sum(1 for row in rows if row.get("id"))
    for index, row in enumerate(rows):
        data[f"memberships-{index}-user"] = person.pk
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
    return data


def test_admin_membership_inline_grants_only_inside_the_street(client, people, tree):
    person = people["inside"]
    client = admin_client(client, people["street"])
    seats = [{"id": m.pk, "unit": m.unit_id, "role": m.role} for m in person.memberships.all()]
    response = client.post(
        user_url("change", person), inline_form(person, [*seats, {"unit": tree.c.pk, "role": "staff"}])
    )
    assert response.status_code == 200  # the seat in C is not a choice
    assert not Membership.objects.filter(user=person, unit=tree.c).exists()
    response = client.post(
        user_url("change", person), inline_form(person, [*seats, {"unit": tree.s1.pk, "role": "admin"}])
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=person, unit=tree.s1).role == ADMIN


def test_admin_a_units_page_shows_and_saves_only_the_seats_one_may_change(client, people, tree):
    client = admin_client(client, people["street"])
    response = client.get(reverse("admin:burden_unit_change", args=[tree.a.pk]))
    inline = next(
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.model is Membership
    )
    shown = {form.instance.user.username for form in inline.formset.forms if form.instance.pk}
    assert shown == {"staff_a", "inside"}
    boss_in_a = seat(people["boss"], tree.a)
    response = client.get(reverse("admin:burden_membership_change", args=[boss_in_a.pk]))
    assert does_not_exist(response)
    response = client.post(reverse("admin:burden_membership_delete", args=[boss_in_a.pk]), {"post": "yes"})
    assert does_not_exist(response)
    assert bulk_delete(client, "membership", [boss_in_a.pk]).status_code == 302
    history = client.get(reverse("admin:burden_membership_history", args=[boss_in_a.pk]))
    assert history.status_code == 404
    version = boss_in_a.history.first().history_id
    revert = reverse("admin:burden_membership_simple_history", args=[boss_in_a.pk, version])
    assert client.post(revert, {"user": people["street"].pk, "unit": tree.a.pk, "role": "admin"}).status_code == 404
    assert Membership.objects.filter(pk=boss_in_a.pk, user=people["boss"], role=STAFF).exists()


def test_admin_a_street_admin_cannot_seat_someone_they_do_not_manage(client, people, tree):
    client = admin_client(client, people["street"])
    for name in ("boss", "across", "outsider"):
        response = client.post(
            reverse("admin:burden_membership_add"), {"user": people[name].pk, "unit": tree.b.pk, "role": "staff"}
        )
        assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(unit=tree.b, user__username__in=["boss", "across", "outsider"]).exists()


def test_admin_a_new_person_added_by_a_street_admin_is_theirs(client, people):
    client = admin_client(client, people["street"])
    response = client.post(
        reverse("admin:burden_user_add"),
        {
            "username": "added",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = User.objects.get(username="added")
    assert added.created_by == people["street"] and added.check_password(NEW_PASSWORD)
    assert client.get(user_url("change", added)).status_code == 200


def unit_form(unit, **changes):
    data = {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "level": unit.level,
        "parent": unit.parent_id or "",
        "headcount": unit.headcount,
        "is_grassroots": "on" if unit.is_grassroots else "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_admin_units_move_only_within_the_street(client, people, tree):
    client = admin_client(client, people["street"])
    url = reverse("admin:burden_unit_change", args=[tree.a.pk])
    response = client.post(url, unit_form(tree.a, parent=tree.c.pk))
    assert response.status_code == 200 and "parent" in response.context["adminform"].form.errors
    assert client.post(url, unit_form(tree.a, parent=tree.b.pk)).status_code == 302
    assert Unit.objects.get(code="A").path == "/CITY/D1/S1/B/A/"
    # The street itself: its parent is not a field for them, so a posted one is ignored.
    s1_url = reverse("admin:burden_unit_change", args=[tree.s1.pk])
    assert 'name="parent"' not in client.get(s1_url).content.decode()
    assert client.post(s1_url, unit_form(tree.s1, parent=tree.d2.pk, name="改名")).status_code == 302
    s1 = Unit.objects.get(code="S1")
    assert s1.parent == tree.d1 and s1.name == "改名"


def test_admin_a_unit_cannot_be_moved_under_its_own_subtree(client, people, tree):
    client = admin_client(client, people["district"])
    response = client.post(reverse("admin:burden_unit_change", args=[tree.s1.pk]), unit_form(tree.s1, parent=tree.a.pk))
    assert response.status_code == 200 and "parent" in response.context["adminform"].form.errors
    assert Unit.objects.get(code="S1").path == "/CITY/D1/S1/"


def test_admin_history_revert_cannot_bring_a_unit_back_into_the_street(client, people, tree):
    # X once sat in S1; the city admin moved it to S2. Its old version still names S1.
    x = UnitFactory(code="X", parent=tree.s1)
    old = x.history.first().history_id
    x.parent = tree.s2
    unit_save(unit=x, user=people["city"])
    client = admin_client(client, people["street"])
    revert = reverse("admin:burden_unit_simple_history", args=[x.pk, old])
    assert client.get(revert).status_code == 404
    assert client.post(revert, unit_form(Unit.objects.get(code="X"), parent=tree.s1.pk)).status_code == 404
    assert Unit.objects.get(code="X").path == "/CITY/D2/S2/X/"


def test_admin_history_revert_cannot_move_a_unit_out_of_the_street(client, people, tree):
    # Y sat in S2 and was moved into S1: its old version would take it out to S2.
    y = UnitFactory(code="Y", parent=tree.s2)
    old = y.history.first().history_id
    y.parent = tree.s1
    unit_save(unit=y, user=people["city"])
    client = admin_client(client, people["street"])
    revert = reverse("admin:burden_unit_simple_history", args=[y.pk, old])
    assert client.get(revert).status_code == 403
    assert client.post(revert, unit_form(Unit.objects.get(code="Y"), parent=tree.s2.pk)).status_code == 403
    assert Unit.objects.get(code="Y").path == "/CITY/D1/S1/Y/"


def test_admin_history_revert_moves_a_unit_back_through_the_service(client, people, tree):
    client = admin_client(client, people["street"])
    old = tree.a.history.first().history_id
    assert (
        client.post(
            reverse("admin:burden_unit_change", args=[tree.a.pk]), unit_form(tree.a, parent=tree.b.pk)
        ).status_code
        == 302
    )
    revert = reverse("admin:burden_unit_simple_history", args=[tree.a.pk, old])
    assert client.post(revert, unit_form(Unit.objects.get(code="A"), parent=tree.s1.pk)).status_code == 302
    a = Unit.objects.get(code="A")
    assert a.path == "/CITY/D1/S1/A/" and a.history.first().history_user == people["street"]


def test_admin_a_person_added_with_a_seat_in_one_go_is_seated_through_the_service(client, people, tree):
    client = admin_client(client, people["street"])
    response = client.post(
        reverse("admin:burden_user_add"),
        {
            "username": "seated",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-unit": tree.b.pk,
            "memberships-0-role": "supervisor",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    seated = User.objects.get(username="seated")
    assert not seated.has_usable_password()
    assert seat(seated, tree.b).history.first().history_user == people["street"]


def membership_rows(user, unit):
    return membership_rows_for(user, Membership.objects.filter(unit=unit))


def test_admin_a_units_page_seats_only_people_one_manages(client, people, tree):
    client = admin_client(client, people["street"])
    url = reverse("admin:burden_unit_change", args=[tree.b.pk])
    b = Unit.objects.get(pk=tree.b.pk)
    seats = list(membership_rows(people["street"], b))
    rows = {
        "memberships-TOTAL_FORMS": len(seats) + 1,
        "memberships-INITIAL_FORMS": len(seats),
        f"memberships-{len(seats)}-unit": b.pk,
        f"memberships-{len(seats)}-role": "staff",
    }
    for index, membership in enumerate(seats):
        rows.update(
            {
                f"memberships-{index}-id": membership.pk,
                f"memberships-{index}-unit": b.pk,
                f"memberships-{index}-user": membership.user_id,
                f"memberships-{index}-role": membership.role,
            }
        )
    form = {**unit_form(b), **rows, "version": b.version}
    refused = client.post(url, {**form, f"memberships-{len(seats)}-user": people["boss"].pk})
    assert refused.status_code == 200  # the boss is not a choice
    assert not Membership.objects.filter(user=people["boss"], unit=b).exists()
    accepted = client.post(url, {**form, f"memberships-{len(seats)}-user": people["s1_new"].pk})
    assert accepted.status_code == 302
    assert seat(people["s1_new"], b).role == STAFF
