"""MTG-DURATION (paper 4.1.2): a meeting longer than 90 minutes."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-DURATION"
TODAY = datetime.date(2026, 6, 30)


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("minutes", "is_flagged"), [(89, False), (90, False), (91, True), (240, True)])
def test_a_meeting_is_flagged_only_when_longer_than_90_minutes(tree, minutes, is_flagged):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=minutes)
    sweep(TODAY, codes=[CODE])
    assert (meeting.pk in flagged()) is is_flagged


def test_the_message_says_how_long_against_the_limit(tree):
    MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(TODAY, codes=[CODE])
    assert Violation.objects.get(rule=CODE).message == "Lasted 120 minutes, over the limit of 90 minutes"


def test_a_lower_limit_flags_a_meeting_the_default_allows(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=61)
    at_limit = MeetingFactory(unit=tree.a, duration_minutes=60)
    RuleSetting.objects.create(rule=CODE, params={"max_minutes": 60})
    sweep(TODAY, codes=[CODE])
    assert flagged() == {meeting.pk}
    assert at_limit.pk not in flagged()


def test_shortening_the_meeting_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=91)
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]["opened"] == 1
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"] == {"opened": 0, "reopened": 0, "cleared": 0}
    meeting.duration_minutes = 90
    meeting.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]["cleared"] == 1
    assert flagged() == set()
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"] == {"opened": 0, "reopened": 0, "cleared": 0}
