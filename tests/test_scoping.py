"""The one scoping gate: who reaches which units."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden import scoping
from burden.models import Membership, Unit
from burden.scoping import scope_for
from tests.factories import MembershipFactory


def visible(user, **kwargs):
    return set(Unit.objects.for_user(user, **kwargs).values_list("code", flat=True))


def test_staff_see_only_their_own_unit(personas):
    assert visible(personas.staff_a) == {"A"}


def test_a_supervisor_sees_the_whole_subtree(personas):
    assert visible(personas.supervisor) == {"S1", "A", "B"}


def test_an_admin_sees_everything_below_the_unit(personas):
    assert visible(personas.admin) == set(Unit.objects.values_list("code", flat=True))


def test_a_superuser_sees_everything(personas):
    assert visible(personas.superuser) == set(Unit.objects.values_list("code", flat=True))


def test_people_without_a_unit_see_nothing(personas):
    assert visible(personas.outsider) == set()
    assert visible(AnonymousUser()) == set()


def test_an_inactive_person_sees_nothing(personas):
    personas.supervisor.is_active = False
    assert visible(personas.supervisor) == set()


def test_min_role_drops_staff_memberships(personas, tree):
    MembershipFactory(user=personas.staff_a, unit=tree.c, role=Membership.Role.SUPERVISOR)
    assert visible(personas.staff_a) == {"A", "C"}
    assert visible(personas.staff_a, min_role=scoping.SUPERVISOR) == {"C"}
    assert visible(personas.staff_a, min_role=scoping.ADMIN) == set()


def test_nested_grants_collapse_to_the_outer_subtree(personas, tree):
    MembershipFactory(user=personas.supervisor, unit=tree.d1, role=Membership.Role.SUPERVISOR)
    personas.supervisor._burden_scope = None
    query = scope_for(personas.supervisor).q()
    assert str(query).count("path__startswith") == 1
    assert visible(personas.supervisor) == {"D1", "D1-EDU", "S1", "A", "B"}


def test_roles_are_read_once_per_user(personas):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            list(Unit.objects.for_user(personas.supervisor))
    assert len(queries) == 4  # one for the memberships, then one per list


@pytest.mark.parametrize(
    ("persona", "unit", "role"),
    [
        ("staff_a", "a", "staff"),
        ("staff_a", "b", None),
        ("staff_a", "s1", None),
        ("supervisor", "a", "supervisor"),
        ("supervisor", "s1", "supervisor"),
        ("supervisor", "d1", None),
        ("supervisor", "c", None),
        ("admin", "c", "admin"),
        ("superuser", "c", "admin"),
        ("outsider", "a", None),
    ],
)
def test_role_at_a_unit(personas, tree, persona, unit, role):
    assert scope_for(getattr(personas, persona)).role_at(getattr(tree, unit)) == role


def test_related_querysets_scope_through_their_unit(personas):
    codes = set(Membership.objects.for_user(personas.supervisor).values_list("unit__code", flat=True))
    assert codes == {"S1", "A", "B"}
    assert Membership.objects.for_user(personas.staff_a).count() == 1


@pytest.mark.parametrize(
    ("persona", "admin_somewhere", "reviews", "city_settings"),
    [
        ("staff_a", False, False, False),
        ("supervisor", False, True, False),
        ("district_admin", True, True, False),  # an admin, but below the top: not the city's settings
        ("admin", True, True, True),
        ("superuser", True, True, True),
        ("outsider", False, False, False),
    ],
)
def test_what_a_person_may_do_is_said_in_words_on_the_scope(
    personas, tree, persona, admin_somewhere, reviews, city_settings
):
    if persona == "district_admin":
        user = MembershipFactory(unit=tree.d1, role=Membership.Role.ADMIN).user
    else:
        user = getattr(personas, persona)
    scope = scope_for(user)
    assert (scope.is_admin_somewhere, scope.reviews_somewhere, scope.sets_city_settings) == (
        admin_somewhere,
        reviews,
        city_settings,
    )
