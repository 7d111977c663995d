"""MTG-SPEECH (2024 regulation, part II): a principal's speech or main report longer than an hour."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-SPEECH"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("minutes", "is_flagged"), [(None, False), (0, False), (59, False), (60, False), (61, True), (90, True)]
)
def test_a_speech_is_flagged_only_when_longer_than_an_hour(tree, minutes, is_flagged):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120, principal_speech_minutes=minutes)
    run()
    assert (meeting.pk in flagged()) is is_flagged


def test_a_lower_limit_moves_the_boundary(tree):
    at_limit = MeetingFactory(unit=tree.a, principal_speech_minutes=30)
    over = MeetingFactory(unit=tree.a, principal_speech_minutes=31)
    RuleSetting.objects.create(rule=CODE, params={"max_minutes": 30})
    run()
    assert flagged() == {over.pk}
    assert at_limit.pk not in flagged()


def test_the_message_gives_the_length_and_the_limit_and_the_rule_cites_its_article(tree):
    MeetingFactory(unit=tree.a, source_unit=tree.dept, principal_speech_minutes=75)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == "The principal's speech or main report lasted 75 minutes, over the limit of 60"
    assert violation.source_unit_id == tree.dept.pk
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.REGULATION_2024, "II")


def test_correcting_the_length_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting = MeetingFactory(unit=tree.a, principal_speech_minutes=61)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    meeting.principal_speech_minutes = 60
    meeting.save()
    evaluate_record("meeting", meeting.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
