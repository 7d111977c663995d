"""MTG-NEGATIVE (paper 4.1.2): meetings on the negative list — study and transmission, repeated deployment."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules import get_rule
from burden.rules.engine import evaluate_record, sweep
from meetings.models import Meeting
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-NEGATIVE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
C = Meeting.Category


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


def deployment(tree, day, **kwargs):
    return MeetingFactory(**{"unit": tree.a, "source_unit": tree.dept, "category": C.DEPLOYMENT, "date": day, **kwargs})


def test_a_study_and_transmission_meeting_is_flagged(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    run()
    assert flagged() == {meeting.pk}


@pytest.mark.parametrize("category", [C.NOTIFICATION, C.COORDINATION, C.TRAINING, C.EVALUATION, C.OTHER])
def test_a_category_off_the_list_passes(tree, category):
    MeetingFactory(unit=tree.a, source_unit=tree.dept, category=category)
    run()
    assert flagged() == set()


def test_a_first_deployment_meeting_passes_and_the_repeat_by_the_same_organizer_is_flagged(tree):
    first = deployment(tree, datetime.date(2026, 3, 2))
    repeat = deployment(tree, datetime.date(2026, 9, 1))
    run()
    assert first.pk not in flagged()
    assert flagged() == {repeat.pk}


def test_of_two_deployment_meetings_on_one_day_the_one_entered_later_is_the_repeat(tree):
    deployment(tree, datetime.date(2026, 3, 2))
    second = deployment(tree, datetime.date(2026, 3, 2))
    run()
    assert flagged() == {second.pk}


@pytest.mark.parametrize(
    "other",
    [
        {"source_unit_id": "d1"},  # another organizer
        {"unit_id": "b"},  # another unit
        {"date": datetime.date(2027, 1, 4)},  # the next year
    ],
)
def test_a_deployment_meeting_is_no_repeat_of_another_organizers_unit_or_year(tree, other):
    deployment(tree, datetime.date(2026, 3, 2))
    values = {key: getattr(tree, value) if key.endswith("_id") else value for key, value in other.items()}
    values = {key.removesuffix("_id"): value for key, value in values.items()}
    deployment(tree, **{"day": datetime.date(2026, 9, 1), **values})
    run()
    assert flagged() == set()


def test_deployment_meetings_without_an_organizer_are_not_repeats(tree):
    deployment(tree, datetime.date(2026, 3, 2), source_unit=None)
    deployment(tree, datetime.date(2026, 3, 3), source_unit=None)
    run()
    assert flagged() == set()


def test_the_list_is_a_parameter(tree):
    notification = MeetingFactory(unit=tree.a, category=C.NOTIFICATION)
    MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    deployment(tree, datetime.date(2026, 3, 2))
    deployment(tree, datetime.date(2026, 3, 3))
    RuleSetting.objects.create(rule=CODE, params={"categories": ["notification"]})
    run()
    assert flagged() == {notification.pk}


def test_the_message_names_the_kind_of_meeting(tree):
    MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION, mode=Meeting.Mode.ONLINE)
    deployment(tree, datetime.date(2026, 3, 2), mode=Meeting.Mode.ONLINE)
    deployment(tree, datetime.date(2026, 3, 3), mode=Meeting.Mode.ONLINE)
    run()
    messages = sorted(violation.message for violation in Violation.objects.filter(rule=CODE))
    assert messages == [
        "A meeting of a kind on the negative list: Repeated work deployment",
        "A meeting of a kind on the negative list: Study and transmission",
    ]


def test_held_in_person_with_no_decision_needing_a_room_the_message_says_so_too(tree):
    MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.details["in_person_no_decision"] is True
    assert violation.message == (
        "A meeting of a kind on the negative list: Study and transmission; held in person with no decision "
        "needing a room, it could at most have been online"
    )


@pytest.mark.parametrize(
    "meeting",
    [
        {"needs_decision_in_room": True},
        {"mode": Meeting.Mode.HYBRID},
        {"mode": Meeting.Mode.ONLINE},
    ],
)
def test_a_meeting_that_needed_its_room_or_was_not_only_in_person_is_not_said_to_be(tree, meeting):
    MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION, **meeting)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.details["in_person_no_decision"] is False
    assert violation.message == "A meeting of a kind on the negative list: Study and transmission"


def test_details_found_before_the_mode_was_kept_still_read_as_they_did():
    old = {"category": "study_transmission", "categories": ["study_transmission"]}
    assert get_rule(CODE).render(old, {}) == "A meeting of a kind on the negative list: Study and transmission"


def test_changing_the_first_deployment_meeting_clears_the_repeat_and_sweeping_again_changes_nothing(tree):
    first = deployment(tree, datetime.date(2026, 3, 2))
    repeat = deployment(tree, datetime.date(2026, 3, 9))
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    first.category = C.TRAINING
    first.save()
    evaluate_record("meeting", first.pk, TODAY)  # reaches the later meeting of the same organizer
    assert repeat.pk not in flagged()
    assert Violation.objects.get(rule=CODE, record_id=repeat.pk).status == Violation.Status.CLEARED
    assert run() == UNCHANGED
