"""MTG-ONLINE (paper 4.1.2): an in-person meeting that could have been held online."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules import get_rule
from burden.rules.engine import sweep
from meetings.models import Meeting
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-ONLINE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
C = Meeting.Category


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize("category", [C.STUDY_TRANSMISSION, C.NOTIFICATION])
def test_an_in_person_meeting_of_a_listed_category_is_flagged(tree, category):
    meeting = MeetingFactory(unit=tree.a, category=category, travel_minutes=10, duration_minutes=90)
    run()
    assert flagged() == {meeting.pk}


@pytest.mark.parametrize("category", [C.DEPLOYMENT, C.COORDINATION, C.TRAINING])
def test_an_unlisted_category_with_short_travel_passes(tree, category):
    MeetingFactory(unit=tree.a, category=category, travel_minutes=10, duration_minutes=90)
    run()
    assert flagged() == set()


@pytest.mark.parametrize(("travel", "is_flagged"), [(0, False), (89, False), (90, True), (91, True)])
def test_travel_as_long_as_the_meeting_or_longer_makes_it_a_candidate_for_online(tree, travel, is_flagged):
    meeting = MeetingFactory(unit=tree.a, category=C.DEPLOYMENT, travel_minutes=travel, duration_minutes=90)
    run()
    assert (meeting.pk in flagged()) is is_flagged


def test_a_decision_that_needs_a_room_exempts_the_meeting(tree):
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=200, needs_decision_in_room=True)
    run()
    assert flagged() == set()


@pytest.mark.parametrize("mode", [Meeting.Mode.ONLINE, Meeting.Mode.HYBRID])
def test_a_meeting_already_online_or_hybrid_passes(tree, mode):
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=200, mode=mode)
    run()
    assert flagged() == set()


def test_a_lower_travel_ratio_moves_the_boundary(tree):
    at_half = MeetingFactory(unit=tree.a, category=C.DEPLOYMENT, travel_minutes=45, duration_minutes=90)
    below_half = MeetingFactory(unit=tree.a, category=C.DEPLOYMENT, travel_minutes=44, duration_minutes=90)
    RuleSetting.objects.create(rule=CODE, params={"travel_ratio_percent": 50})
    run()
    assert at_half.pk in flagged()
    assert below_half.pk not in flagged()


def test_an_empty_category_list_leaves_only_the_travel_test(tree):
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=10, duration_minutes=90)
    far = MeetingFactory(unit=tree.a, category=C.DEPLOYMENT, travel_minutes=120, duration_minutes=90)
    RuleSetting.objects.create(rule=CODE, params={"categories": []})
    run()
    assert flagged() == {far.pk}


@pytest.mark.parametrize(
    ("category", "travel", "reasons"),
    [
        (C.DEPLOYMENT, 89, None),  # neither
        (C.DEPLOYMENT, 90, ["travel"]),  # travel exactly as long as the meeting
        (C.DEPLOYMENT, 91, ["travel"]),
        (C.NOTIFICATION, 89, ["category"]),
        (C.NOTIFICATION, 90, ["category", "travel"]),
    ],
)
def test_the_details_keep_which_condition_held_on_both_sides_of_the_travel_boundary(tree, category, travel, reasons):
    MeetingFactory(unit=tree.a, category=category, travel_minutes=travel, duration_minutes=90)
    run()
    violation = Violation.objects.filter(rule=CODE).first()
    assert (violation.details["reasons"] if violation else None) == reasons


def test_a_listed_category_alone_is_the_only_reason_given(tree):
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=30, duration_minutes=60)
    run()
    message = Violation.objects.get(rule=CODE).message
    assert message == (
        "Held in person with no decision needing a room, though meetings of its category (Notification) can be "
        "held online"
    )


def test_travel_alone_is_the_only_reason_given(tree):
    MeetingFactory(unit=tree.a, category=C.DEPLOYMENT, travel_minutes=60, duration_minutes=60)
    run()
    message = Violation.objects.get(rule=CODE).message
    assert message == (
        "Held in person with no decision needing a room, with 60 minutes of travel for a 60-minute meeting: at or "
        "over 100% of its length, the share from which it should be online"
    )
    assert "categor" not in message


def test_both_reasons_are_given_when_both_hold(tree):
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=45, duration_minutes=90)
    RuleSetting.objects.create(rule=CODE, params={"travel_ratio_percent": 50})
    run()
    message = Violation.objects.get(rule=CODE).message
    assert "meetings of its category (Notification) can be held online" in message
    assert "45 minutes of travel for a 90-minute meeting: at or over 50% of its length" in message


def test_details_found_before_the_reasons_were_kept_still_read_as_they_did():
    old = {
        "category": "notification",
        "travel_minutes": 30,
        "minutes": 60,
        "categories": ["notification"],
        "travel_ratio_percent": 100,
    }
    assert get_rule(CODE).render(old, {}) == (
        "Held in person with no decision needing a room (category: Notification; 30 minutes of travel for a "
        "60-minute meeting, online when travel reaches 100% of it)"
    )


def test_holding_it_online_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    meeting.mode = Meeting.Mode.ONLINE
    meeting.save()
    assert run()["cleared"] == 1
    assert flagged() == set()
    assert run() == UNCHANGED
