"""Leaks and defaults: rule pages keep other units' thresholds and reasons to themselves, the API
describes itself only to people signed in, and the demo stays off a production server.

The tree and personas are those of tests/conftest.py: staff_a in community A, staff_b in
community B (both under street S1), the supervisor of S1, an admin of the city; street S2
(with community C) lies in the other district.
"""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from burden.models import RuleChange, RuleOverride, User
from tests.conftest import PASSWORD

RULE = "MTG-DURATION"
PAGE = f"/rules/{RULE}/"


def unit_code_shown(page: str, code: str) -> bool:
    """Whether the page lists ``code`` as a unit (as its list of overrides names them)."""
    return f'<code class="unit-code" translate="no">{code}</code>' in page


@pytest.fixture
def thresholds(tree, personas):
    """An override with its change for A, B, S1 and S2, and one change of the city's own thresholds."""
    reasons = {}
    for unit, minutes in ((tree.a, 45), (tree.b, 50), (tree.s1, 55), (tree.s2, 40)):
        RuleOverride.objects.create(rule=RULE, unit=unit, params={"max_minutes": minutes})
        reasons[unit.code] = f"reason-for-{unit.code}"
        RuleChange.objects.create(
            rule=RULE,
            unit=unit,
            changed_by=personas.admin,
            old={"params": None},
            new={"params": {"max_minutes": minutes}},
            reason=reasons[unit.code],
        )
    reasons["CITY"] = "reason-for-the-whole-city"
    RuleChange.objects.create(
        rule=RULE,
        changed_by=personas.admin,
        old={"enabled": True, "params": {"max_minutes": 120}},
        new={"enabled": True, "params": {"max_minutes": 90}},
        reason=reasons["CITY"],
    )
    return reasons


def rule_page(client, user) -> str:
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_of_b_sees_neither_the_override_nor_the_reason_of_community_a_or_street_s2(client, personas, thresholds):
    page = rule_page(client, personas.staff_b)
    for code in ("A", "S1", "S2"):
        assert thresholds[code] not in page
        assert not unit_code_shown(page, code)
    assert thresholds["B"] in page and unit_code_shown(page, "B")  # their own unit's


def test_the_supervisor_of_s1_sees_its_subtree_and_nothing_beside_it(client, personas, thresholds):
    page = rule_page(client, personas.supervisor)
    for code in ("A", "B", "S1"):
        assert thresholds[code] in page
        assert unit_code_shown(page, code)
    assert thresholds["S2"] not in page
    assert not unit_code_shown(page, "S2")


def test_the_city_admin_sees_every_unit(client, personas, thresholds):
    page = rule_page(client, personas.admin)
    assert all(reason in page for reason in thresholds.values())


@pytest.mark.parametrize("persona", ["staff_a", "staff_b", "supervisor", "admin", "superuser", "outsider"])
def test_a_change_of_the_citys_own_thresholds_is_shown_to_everyone_signed_in(client, personas, thresholds, persona):
    assert thresholds["CITY"] in rule_page(client, getattr(personas, persona))


def test_a_person_with_no_unit_sees_only_the_citys_changes(client, personas, thresholds):
    page = rule_page(client, personas.outsider)
    assert [code for code, reason in thresholds.items() if reason in page] == ["CITY"]


def test_a_change_whose_unit_was_deleted_is_not_mistaken_for_the_citys(client, personas, tree, thresholds):
    # SET_NULL leaves the change without a unit once its unit is gone.
    RuleChange.objects.create(
        rule=RULE,
        unit=None,
        changed_by=personas.admin,
        old={"params": None},
        new={"params": {"max_minutes": 30}},
        reason="reason-for-a-unit-since-deleted",
    )
    assert "reason-for-a-unit-since-deleted" not in rule_page(client, personas.staff_b)
    assert "reason-for-a-unit-since-deleted" in rule_page(client, personas.superuser)


def test_the_re_application_of_another_units_override_is_not_shown(client, personas, tree, thresholds):
    from django.utils import timezone

    from burden.models import RuleRun

    change = RuleChange.objects.get(rule=RULE, unit=tree.s2)
    RuleRun.objects.create(
        rule=RULE, change=change, triggered_by=personas.admin, status="done", finished_at=timezone.now()
    )
    marker = 'data-testid="rule-run" data-status="done"'
    for persona in ("staff_b", "supervisor", "outsider"):
        client.force_login(getattr(personas, persona))
        assert marker not in client.get(PAGE).content.decode(), persona
        assert marker not in client.get(f"{PAGE}run/").content.decode(), persona
    assert marker in rule_page(client, personas.admin)


def test_the_scoping_gate_of_changes_is_empty_for_a_stranger(personas, thresholds):
    from django.contrib.auth.models import AnonymousUser

    assert not RuleChange.objects.for_user(AnonymousUser()).exists()
    personas.staff_a.is_active = False
    assert not RuleChange.objects.for_user(personas.staff_a).exists()


def test_the_rule_list_and_the_api_show_no_unit_override(client, personas, thresholds):
    client.force_login(personas.staff_b)
    listing = client.get("/rules/").content.decode()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(personas.staff_b)
    bodies = [api.get("/api/v1/rules/").content.decode(), api.get(f"/api/v1/rules/{RULE}/").content.decode()]
    for text in (listing, *bodies):
        assert RULE in text
        assert not any(reason in text for code, reason in thresholds.items() if code != "CITY")
        assert '"max_minutes":45' not in text.replace(" ", "")  # A's threshold


# --- The API's schema and docs ---------------------------------------------------------------


def token_for(user) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_with_debug_off_the_schema_needs_a_sign_in(personas):
    # pytest-django runs every test with DEBUG off, as production does.
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 401
    assert "openapi" not in response.content.decode()


def test_with_debug_off_the_docs_send_a_browser_to_the_login_page(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/api/v1/docs/"


def test_a_token_opens_the_schema(personas):
    token = token_for(personas.staff_a)
    response = APIClient().get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_a_session_opens_the_schema_and_the_docs(client, personas):
    client.force_login(personas.staff_a)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_deactivated_persons_session_opens_neither(client, personas):
    client.force_login(personas.staff_a)
    User.objects.filter(pk=personas.staff_a.pk).update(is_active=False)
    assert client.get("/api/v1/schema/").status_code in (401, 403)
    assert client.get("/api/v1/docs/").status_code == 302


def test_with_debug_on_the_schema_and_docs_are_open(client, db, settings):
    settings.DEBUG = True
    assert APIClient().get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


# --- load_demo --------------------------------------------------------------------------------


def test_load_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", "--no-records", stdout=io.StringIO())
    assert not User.objects.exists()  # nothing was created


def test_load_demo_runs_with_debug_off_when_forced(db, settings):
    settings.DEBUG = False
    call_command("load_demo", "--no-records", "--force", stdout=io.StringIO())
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_load_demo_runs_with_debug_on(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--no-records", stdout=io.StringIO())
    assert User.objects.filter(username="admin").exists()
