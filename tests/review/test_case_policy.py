"""The case policy: how flags are gathered and the days of each step, set by city-wide admins and audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from burden.models import Case, CasePolicy
from burden.review.cases import case_escalate, case_policy_update
from burden.rules.engine import sweep
from tests.record_factories.meetings import MeetingFactory

TODAY = datetime.date(2026, 6, 30)
DEFAULTS = {"period": "month", "by_rule": True, "reply_days": 15, "reminder_days": 10, "notice_days": 10}


def test_only_city_wide_admins_change_it_and_a_reason_is_required(personas):
    with pytest.raises(PermissionDenied):
        case_policy_update(user=personas.supervisor, reason="why", reply_days=20)
    with pytest.raises(ValidationError) as error:
        case_policy_update(user=personas.admin, reason=" ", reply_days=20)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        case_policy_update(user=personas.admin, reason="Longer", reply_days=0)
    assert "reply_days" in error.value.message_dict
    assert not CasePolicy.objects.exists()


def test_a_change_is_kept_with_who_and_why_and_the_same_values_change_nothing(personas):
    row = case_policy_update(user=personas.admin, reason="Bureaus asked for three weeks", reply_days=21)
    entry = row.history.get()
    assert (entry.reply_days, entry.history_user, entry.history_change_reason) == (
        21,
        personas.admin,
        "Bureaus asked for three weeks",
    )
    assert case_policy_update(user=personas.admin, reason="again", reply_days=21) is None
    assert row.history.count() == 1


def test_new_cases_and_letters_follow_the_policy(tree, personas):
    case_policy_update(user=personas.admin, reason="Tighter", reply_days=5, reminder_days=3)
    MeetingFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 3, 2), duration_minutes=120)
    sweep(TODAY, codes=["MTG-DURATION"])
    case = Case.objects.get()
    assert case.deadline == TODAY + datetime.timedelta(days=5)
    letter = case_escalate(case=case, user=personas.supervisor, today=TODAY)
    assert letter.deadline == TODAY + datetime.timedelta(days=3)


def test_the_page_saves_keeps_what_was_typed_on_an_error_and_lists_the_changes(client, personas):
    client.force_login(personas.admin)
    url = reverse("review:case_policy_settings")
    data = {**DEFAULTS, "interview_days": 15, "reply_days": 400, "reason": "Longer"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'value="400"' in response.content.decode()
    assert not CasePolicy.objects.exists()
    response = client.post(url, {**data, "reply_days": 30}, follow=True)
    assert CasePolicy.current().reply_days == 30
    assert "Longer" in response.content.decode()
