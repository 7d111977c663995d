"""Before a threshold change is saved, the rule's page says what it would clear and raise, writing nothing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.models import RuleChange, RuleOverride, RuleRun, RuleSetting, Violation
from burden.rules import get_rule
from burden.rules.engine import sweep
from burden.rules.preview import rule_override_preview, rule_update_preview
from tests.record_factories.meetings import MeetingFactory

RULE = "MTG-DURATION"  # flags a meeting longer than max_minutes (default 90)
URL = reverse("rule_detail", args=[RULE])
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def meetings(unit, *minutes):
    found = [MeetingFactory(unit=unit, duration_minutes=length) for length in minutes]
    sweep(codes=[RULE])
    return found


def nothing_written(before: int):
    assert not RuleSetting.objects.exists()
    assert not RuleChange.objects.exists()
    assert not RuleRun.objects.exists()
    assert Violation.objects.open().count() == before


def preview(**params):
    return rule_update_preview(rule=get_rule(RULE), enabled=True, params={"max_minutes": 90, **params})


def test_raising_the_limit_would_clear_the_flags_at_or_under_it_and_writes_nothing(tree):
    meetings(tree.a, 100, 120, 121, 80)
    assert Violation.objects.open().count() == 3

    found = preview(max_minutes=120)

    # 120 is not longer than 120: the exact boundary clears too; 121 stays flagged.
    assert (found.cleared, found.raised) == (2, 0)
    nothing_written(3)


def test_lowering_the_limit_would_raise_new_flags_and_clear_none(tree):
    meetings(tree.a, 100, 80, 60)

    found = preview(max_minutes=60)

    assert (found.cleared, found.raised) == (0, 1)  # 80 would be flagged; 60 is at the limit
    assert (preview(max_minutes=59).cleared, preview(max_minutes=59).raised) == (0, 2)
    nothing_written(1)


def test_the_same_thresholds_would_change_nothing(tree):
    meetings(tree.a, 100)

    found = preview()

    assert found.unchanged
    assert (found.cleared, found.raised) == (0, 0)


def test_switching_the_rule_off_would_clear_every_flag_even_under_a_unit_s_own_thresholds(tree):
    meetings(tree.a, 100)
    meetings(tree.c, 200)
    RuleOverride.objects.create(rule=RULE, unit=tree.s1, params={"max_minutes": 90})

    found = rule_update_preview(rule=get_rule(RULE), enabled=False, params={"max_minutes": 90})

    assert (found.cleared, found.raised) == (2, 0)
    assert found.change.summary() == "switched off"


def test_a_city_wide_change_leaves_out_the_units_with_thresholds_of_their_own(tree):
    meetings(tree.a, 100)  # under S1's own limit of 90
    meetings(tree.c, 100)  # under the city's
    RuleOverride.objects.create(rule=RULE, unit=tree.s1, params={"max_minutes": 90})

    found = preview(max_minutes=150)

    assert (found.cleared, found.raised, found.carved_out) == (1, 0, True)


def test_a_unit_s_thresholds_are_previewed_in_its_subtree_only(tree):
    meetings(tree.a, 100)
    meetings(tree.c, 100)
    rule = get_rule(RULE)

    looser = rule_override_preview(rule=rule, unit=tree.s1, params={"max_minutes": 100})
    stricter = rule_override_preview(rule=rule, unit=tree.s1, params={"max_minutes": 10})

    assert (looser.cleared, looser.raised, looser.unit) == (1, 0, tree.s1)  # C, in S2, keeps its flag
    assert (stricter.cleared, stricter.raised) == (0, 0)  # A is flagged already
    assert not RuleOverride.objects.exists()


def test_removing_a_unit_s_thresholds_is_previewed_against_the_ones_above_it(tree):
    RuleOverride.objects.create(rule=RULE, unit=tree.d1, params={"max_minutes": 200})
    RuleOverride.objects.create(rule=RULE, unit=tree.s1, params={"max_minutes": 30})
    meetings(tree.a, 100)  # flagged by S1's 30; D1's 200 would not flag it

    found = rule_override_preview(rule=get_rule(RULE), unit=tree.s1, params=None)

    assert (found.cleared, found.raised) == (1, 0)
    assert found.change.summary() == "thresholds of its own removed; the ones above apply again"


# --- On the page ---------------------------------------------------------------------------------


def post(client, data):
    return client.post(URL, data, **ENGLISH)


def test_the_page_previews_a_change_and_its_confirmation_applies_it(
    client, personas, tree, django_capture_on_commit_callbacks
):
    meetings(tree.a, 100, 120, 130)
    client.force_login(personas.admin)
    version = client.get(URL, **ENGLISH).context["form"]["version"].value()

    shown = post(
        client,
        {"action": "preview", "enabled": "on", "param_max_minutes": "120", "reason": "试点", "version": version},
    )

    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'data-testid="would-clear">2<' in page and 'data-testid="would-raise">0<' in page
    assert "Longest allowed (minutes): 90 → 120" in page
    assert not RuleSetting.objects.exists()
    card = page[page.index('data-testid="preview"') :].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', card))
    assert hidden["param_max_minutes"] == "120" and hidden["reason"] == "试点" and hidden["enabled"] == "on"
    assert 'name="action" value="thresholds"' in card and not re.search(r'\sid="', card.split("<form")[1])

    with django_capture_on_commit_callbacks(execute=True):
        saved = post(client, {**hidden, "action": "thresholds"})

    assert saved.status_code == 302
    assert RuleSetting.objects.get().params["max_minutes"] == 120
    run = RuleRun.objects.get()
    assert (run.cleared, run.opened + run.reopened) == (2, 0)  # what the preview said


def test_the_preview_of_a_unit_s_thresholds_names_the_unit(client, personas, tree):
    meetings(tree.a, 100)
    client.force_login(personas.admin)

    shown = post(client, {"action": "override_preview", "unit": "S1", "param_max_minutes": "100", "reason": "x"})

    assert shown.status_code == 200
    page = shown.content.decode()
    assert "Counted in First Street and the units below it" in page
    assert 'data-testid="would-clear">1<' in page
    assert 'name="action" value="override"' in page
    assert not RuleOverride.objects.exists()


def test_removing_a_unit_s_thresholds_is_previewed_then_confirmed(
    client, personas, tree, django_capture_on_commit_callbacks
):
    override = RuleOverride.objects.create(rule=RULE, unit=tree.s1, params={"max_minutes": 30})
    meetings(tree.a, 60)  # flagged by S1's 30, not by the city's 90
    client.force_login(personas.admin)

    shown = post(client, {"action": "remove_override_preview", "override": override.pk, "reason": "试点结束"})

    page = shown.content.decode()
    assert 'data-testid="would-clear">1<' in page and 'name="action" value="remove_override"' in page
    assert RuleOverride.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = post(client, {"action": "remove_override", "override": override.pk, "reason": "试点结束"})
    assert done.status_code == 302 and not RuleOverride.objects.exists()
    assert Violation.objects.get().status == "cleared"


def test_another_unit_s_thresholds_cannot_be_previewed_for_removal(client, personas, tree):
    from burden.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    override = RuleOverride.objects.create(rule=RULE, unit=tree.s1, params={"max_minutes": 30})
    other = MembershipFactory(user=UserFactory(username="adm_d2"), unit=tree.d2, role=Membership.Role.ADMIN).user
    client.force_login(other)

    assert post(client, {"action": "remove_override_preview", "override": override.pk}).status_code == 404


def test_an_invalid_change_is_refused_before_any_preview(client, personas, tree):
    client.force_login(personas.admin)

    shown = post(client, {"action": "preview", "enabled": "on", "param_max_minutes": "0", "reason": "x"})

    assert shown.status_code == 400
    assert shown.context["preview"] is None


@pytest.mark.parametrize("persona", ["staff_a", "supervisor"])
def test_only_those_who_set_the_thresholds_preview_them(client, personas, persona):
    client.force_login(getattr(personas, persona))
    data = {"action": "preview", "enabled": "on", "param_max_minutes": "10", "reason": "x"}
    assert post(client, data).status_code == 403
    assert post(client, {**data, "action": "override_preview", "unit": "A"}).status_code == 403


def test_the_preview_page_reads_as_many_queries_whatever_the_number_of_records(client, personas, tree):
    client.force_login(personas.admin)
    RuleOverride.objects.create(rule=RULE, unit=tree.s2, params={"max_minutes": 60})
    data = {"action": "preview", "enabled": "on", "param_max_minutes": "120", "reason": "x"}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert post(client, data).status_code == 200
        return len(captured)

    meetings(tree.a, 100, 125)  # one flag to clear, one to keep
    few = queries()
    meetings(tree.b, *range(91, 131))
    meetings(tree.c, *range(50, 90))
    assert queries() == few


def test_the_banner_says_what_was_saved_and_leaves_the_re_application_to_the_panel(
    client, personas, tree, django_capture_on_commit_callbacks
):
    meetings(tree.a, 100)
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, {"enabled": "on", "param_max_minutes": "120", "reason": "x"})

    page = client.get(URL, **ENGLISH).content.decode()

    assert "Saved: Longest allowed (minutes): 90 → 120." in page
    assert "is being applied" not in page
    assert "was applied to every record the rule covers" in page  # the panel, the one voice on the run
