"""Units, people and memberships through the API: admins only write, and only in their subtree."""

import pytest

from burden.models import Membership, Unit, User


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("staff_a", {"A"}),
        ("supervisor", {"S1", "A", "B"}),
        ("admin", {"CITY", "D1", "D2", "D1-EDU", "S1", "S2", "A", "B", "C"}),
        ("outsider", set()),
    ],
)
def test_everyone_reads_the_units_they_may_see(api, personas, persona, codes):
    body = api.as_(getattr(personas, persona)).get("/api/v1/units/", {"page_size": 100}).json()
    assert {row["code"] for row in body["results"]} == codes


def test_units_are_read_by_code_and_404_outside(api, personas):
    assert api.as_(personas.staff_a).get("/api/v1/units/A/").json()["parent"] == "S1"
    assert api.as_(personas.staff_a).get("/api/v1/units/B/").status_code == 404
    assert api.as_(personas.staff_a).get("/api/v1/units/NOPE/").status_code == 404
    assert api.as_(None).get("/api/v1/units/A/").status_code == 401


def test_units_filter_by_subtree_and_level(api, personas):
    client = api.as_(personas.admin)
    rows = client.get("/api/v1/units/", {"within": "S1"}).json()["results"]
    assert [row["code"] for row in rows] == ["S1", "A", "B"]
    rows = client.get("/api/v1/units/", {"level": "street"}).json()["results"]
    assert {row["code"] for row in rows} == {"S1", "S2"}
    assert client.get("/api/v1/units/", {"level": "galaxy"}).status_code == 400


def test_an_admin_creates_moves_and_deletes_units_in_their_subtree(api, personas):
    client = api.as_(personas.admin)
    body = {"code": "S1-NEW", "name": "新社区", "parent": "S1", "level": "community", "headcount": 7}
    response = client.post("/api/v1/units/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["path"] == "/CITY/D1/S1/S1-NEW/"
    response = client.patch("/api/v1/units/S1-NEW/", {"parent": "S2"}, format="json")
    assert response.status_code == 200 and response.json()["path"] == "/CITY/D2/S2/S1-NEW/"
    assert Unit.objects.get(code="S1-NEW").history.first().history_user == personas.admin
    assert client.delete("/api/v1/units/S1-NEW/").status_code == 204
    assert not Unit.objects.filter(code="S1-NEW").exists()


def test_a_unit_with_records_or_units_below_cannot_be_deleted(api, personas, tree):
    from tests.record_factories.meetings import MeetingFactory

    MeetingFactory(unit=tree.a)
    client = api.as_(personas.admin)
    assert client.delete("/api/v1/units/A/").status_code == 409
    assert client.delete("/api/v1/units/S1/").status_code == 409
    assert Unit.objects.filter(code__in=["A", "S1"]).count() == 2


def test_unit_writes_are_refused_to_everyone_but_admins(api, personas):
    body = {"code": "X1", "name": "X", "parent": "S1", "level": "community"}
    for persona in ("staff_a", "supervisor", "outsider"):
        assert api.as_(getattr(personas, persona)).post("/api/v1/units/", body, format="json").status_code == 403
        response = api.as_(getattr(personas, persona)).patch("/api/v1/units/A/", {"name": "x"}, format="json")
        assert response.status_code in (403, 404)
    assert not Unit.objects.filter(code="X1").exists()


def test_a_unit_admin_stays_inside_their_subtree(api, tree):
    from tests.factories import MembershipFactory, UserFactory

    street_admin = MembershipFactory(user=UserFactory(), unit=tree.s1, role="admin").user
    client = api.as_(street_admin)
    outside = {"code": "X2", "name": "X", "parent": "S2", "level": "community"}
    response = client.post("/api/v1/units/", outside, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    root = {"code": "X3", "name": "X", "level": "city"}
    assert client.post("/api/v1/units/", root, format="json").json() == {
        "parent": ["Choose the unit this one sits under."]
    }
    assert client.patch("/api/v1/units/A/", {"parent": "S2"}, format="json").status_code == 400
    assert client.patch("/api/v1/units/C/", {"name": "x"}, format="json").status_code == 404
    assert client.patch("/api/v1/units/A/", {"headcount": 13}, format="json").status_code == 200


def test_unit_input_is_validated(api, personas):
    client = api.as_(personas.admin)
    cases = [
        ({"code": "bad code", "name": "X", "parent": "S1", "level": "community"}, "code"),
        ({"code": "A", "name": "X", "parent": "S1", "level": "community"}, "code"),
        ({"code": "X4", "name": "X", "parent": "S1", "level": "planet"}, "level"),
        ({"code": "X4", "name": "X", "parent": "S1", "level": "community", "headcount": -2}, "headcount"),
        ({"code": "X4", "parent": "S1", "level": "community"}, "name"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/units/", body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert client.patch("/api/v1/units/S1/", {"parent": "A"}, format="json").status_code == 400
    assert not Unit.objects.filter(code="X4").exists()


@pytest.mark.parametrize("path", ["/api/v1/users/", "/api/v1/memberships/"])
def test_people_are_for_admins_only(api, personas, path):
    assert api.as_(None).get(path).status_code == 401
    for persona in ("staff_a", "supervisor", "outsider"):
        assert api.as_(getattr(personas, persona)).get(path).status_code == 403
    assert api.as_(personas.admin).get(path).status_code == 200


def test_an_admin_creates_a_person_and_gives_them_a_role(api, personas):
    client = api.as_(personas.admin)
    response = client.post(
        "/api/v1/users/", {"username": "newbie", "password": "a-long-enough-Passw0rd", "email": "n@example.org"}
    )
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    person = User.objects.get(username="newbie")
    assert person.check_password("a-long-enough-Passw0rd")
    response = client.post("/api/v1/memberships/", {"user": "newbie", "unit": "A", "role": "staff"})
    assert response.status_code == 201, response.json()
    assert Membership.objects.get(user=person).unit.code == "A"
    assert client.post("/api/v1/memberships/", {"user": "newbie", "unit": "A", "role": "admin"}).status_code == 400
    token = api.post("/api/v1/auth/token/", {"username": "newbie", "password": "a-long-enough-Passw0rd"}).json()
    api.force_authenticate(user=None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    assert [row["code"] for row in api.get("/api/v1/units/").json()["results"]] == ["A"]


def test_weak_passwords_and_bad_people_are_refused(api, personas):
    client = api.as_(personas.admin)
    for body, field in [
        ({"username": "p1", "password": "123"}, "password"),
        ({"username": "p1", "password": "password"}, "password"),
        ({"username": "has space!", "password": "a-long-enough-Passw0rd"}, "username"),
        ({"username": "staff_a", "password": "a-long-enough-Passw0rd"}, "username"),
        ({"username": "p1", "email": "not-an-address"}, "email"),
    ]:
        response = client.post("/api/v1/users/", body)
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert not User.objects.filter(username="p1").exists()


def test_a_unit_admin_manages_only_their_subtrees_people(api, tree, personas):
    from tests.factories import MembershipFactory, UserFactory

    street_admin = MembershipFactory(user=UserFactory(username="s1_admin"), unit=tree.s1, role="admin").user
    MembershipFactory(user=UserFactory(username="in_c"), unit=tree.c, role="staff")
    # A seat in the street does not bring the rest of a person's account within reach.
    MembershipFactory(user=personas.admin, unit=tree.a, role="staff")
    client = api.as_(street_admin)
    names = {row["username"] for row in client.get("/api/v1/users/").json()["results"]}
    assert {"staff_a", "staff_b", "supervisor", "s1_admin"} <= names
    assert not {"in_c", "root", "admin_city", "outsider"} & names
    for name in ("in_c", "root", "admin_city", "outsider"):
        assert client.get(f"/api/v1/users/{name}/").status_code == 404
    response = client.patch("/api/v1/users/admin_city/", {"password": "a-long-enough-Passw0rd"}, format="json")
    assert response.status_code == 404
    response = client.post("/api/v1/memberships/", {"user": "staff_a", "unit": "C", "role": "staff"})
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post("/api/v1/memberships/", {"user": "in_c", "unit": "A", "role": "staff"})
    assert response.status_code == 400 and "user" in response.json()
    units = {row["unit"] for row in client.get("/api/v1/memberships/").json()["results"]}
    assert units <= {"S1", "A", "B"}


def test_an_admin_cannot_delete_themselves(api, personas):
    response = api.as_(personas.admin).delete("/api/v1/users/admin_city/")
    assert response.status_code == 403 and response.json()["detail"] == "You cannot delete yourself."
    assert User.objects.filter(username="admin_city").exists()


def test_a_person_is_found_by_username_or_by_id(api, personas):
    client = api.as_(personas.admin)
    by_name = client.get("/api/v1/users/staff_a/").json()
    assert client.get(f"/api/v1/users/{by_name['id']}/").json()["username"] == "staff_a"
    assert client.get(f"/api/v1/users/{personas.superuser.pk}/").status_code == 404  # out of reach either way
    assert client.get("/api/v1/users/999999/").status_code == 404
