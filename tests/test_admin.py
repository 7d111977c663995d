"""The admin pages: a unit admin manages their subtree and nothing above or beside it."""

import pytest
from django.urls import reverse

from burden.models import Membership, Unit
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def district_admin(personas, tree):
    return MembershipFactory(user=UserFactory(username="admin_d1"), unit=tree.d1, role=Membership.Role.ADMIN).user


def changelist_codes(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:burden_unit_changelist"))
    assert response.status_code == 200
    return {unit.code for unit in response.context["cl"].result_list}


def test_a_district_admin_lists_only_their_subtree(client, district_admin):
    assert changelist_codes(client, district_admin) == {"D1", "D1-EDU", "S1", "A", "B"}


def test_a_superuser_lists_every_unit(client, personas):
    assert changelist_codes(client, personas.superuser) == set(Unit.objects.values_list("code", flat=True))


def test_a_district_admin_cannot_open_a_unit_elsewhere(client, district_admin, tree):
    client.force_login(district_admin)
    response = client.get(reverse("admin:burden_unit_change", args=[tree.c.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert reverse("admin:index") in response["Location"]


def test_a_district_admin_cannot_grant_a_role_outside_their_subtree(client, district_admin, personas, tree):
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:burden_membership_add"),
        {"user": personas.outsider.pk, "unit": tree.c.pk, "role": "supervisor"},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "unit" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=personas.outsider).exists()


def test_a_district_admin_can_add_a_person_they_created_to_their_subtree(client, district_admin, tree):
    newcomer = UserFactory(username="newcomer", created_by=district_admin)
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:burden_membership_add"),
        {"user": newcomer.pk, "unit": tree.a.pk, "role": "staff"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).unit == tree.a


def test_a_district_admin_cannot_seat_a_person_someone_else_created(client, district_admin, personas, tree):
    # The outsider has no seat and was not created by this admin: only a superuser manages them.
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:burden_membership_add"),
        {"user": personas.outsider.pk, "unit": tree.a.pk, "role": "staff"},
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=personas.outsider).exists()


def test_a_district_admin_cannot_create_a_new_root(client, district_admin):
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:burden_unit_add"),
        {
            "code": "ROOT2",
            "name": "新根",
            "level": "city",
            "headcount": 0,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(code="ROOT2").exists()


def test_a_unit_admin_never_sees_superusers_or_system_powers(client, district_admin, personas, tree):
    MembershipFactory(user=UserFactory(username="staff_c"), unit=tree.c)
    UserFactory(username="newcomer", created_by=district_admin)
    client.force_login(district_admin)
    response = client.get(reverse("admin:burden_user_changelist"))
    usernames = {user.username for user in response.context["cl"].result_list}
    assert "root" not in usernames
    assert {"staff_a", "staff_b", "supervisor", "newcomer"} <= usernames
    # Someone else's people: a seat outside D1, or no seat and created by someone else.
    assert "staff_c" not in usernames and "outsider" not in usernames and "admin_city" not in usernames
    page = client.get(reverse("admin:burden_user_change", args=[personas.staff_a.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="is_staff"' not in page


def test_a_superuser_can_still_grant_system_powers(client, personas):
    client.force_login(personas.superuser)
    page = client.get(reverse("admin:burden_user_change", args=[personas.staff_a.pk])).content.decode()
    assert 'name="is_superuser"' in page


def test_moving_a_unit_in_the_admin_moves_its_subtree(client, personas, tree):
    client.force_login(personas.superuser)
    response = client.post(
        reverse("admin:burden_unit_change", args=[tree.s1.pk]),
        {
            "code": "S1",
            "name": tree.s1.name,
            "name_en": tree.s1.name_en,
            "level": "street",
            "parent": tree.d2.pk,
            "headcount": 40,
            "is_grassroots": "on",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    tree.a.refresh_from_db()
    assert tree.a.path == "/CITY/D2/S1/A/"
