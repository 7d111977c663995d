"""MTG-MERGE (paper 4.1.2): meetings of the same organizer for the same unit within 7 days could be one."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-MERGE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[tuple[int, str]]:
    return set(Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", "key"))


def meeting(tree, day, **kwargs):
    return MeetingFactory(**{"unit": tree.a, "source_unit": tree.dept, "date": day, **kwargs})


@pytest.mark.parametrize(("days_apart", "is_flagged"), [(0, True), (6, True), (7, True), (8, False), (30, False)])
def test_the_later_of_two_meetings_within_seven_days_is_flagged(tree, days_apart, is_flagged):
    first = meeting(tree, MARCH_2)
    later = meeting(tree, MARCH_2 + datetime.timedelta(days=days_apart))
    run()
    assert flagged() == ({(later.pk, str(first.pk))} if is_flagged else set())


def test_the_order_of_entry_does_not_matter_only_the_dates(tree):
    later = meeting(tree, MARCH_2 + datetime.timedelta(days=3))
    first = meeting(tree, MARCH_2)
    run()
    assert flagged() == {(later.pk, str(first.pk))}


def test_each_meeting_in_a_chain_is_flagged_against_the_one_before(tree):
    first = meeting(tree, MARCH_2)
    second = meeting(tree, MARCH_2 + datetime.timedelta(days=4))
    third = meeting(tree, MARCH_2 + datetime.timedelta(days=8))
    run()
    assert flagged() == {(second.pk, str(first.pk)), (third.pk, str(second.pk))}


@pytest.mark.parametrize("other", ["another organizer", "another unit", "no organizer"])
def test_meetings_of_different_organizers_or_units_are_not_merged(tree, other):
    meeting(tree, MARCH_2)
    changes = {
        "another organizer": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "no organizer": {"source_unit": None},
    }[other]
    meeting(tree, MARCH_2 + datetime.timedelta(days=1), **changes)
    run()
    assert flagged() == set()


def test_a_shorter_window_moves_the_boundary(tree):
    first = meeting(tree, MARCH_2)
    at_limit = meeting(tree, MARCH_2 + datetime.timedelta(days=3))
    beyond = meeting(tree, MARCH_2 + datetime.timedelta(days=7))
    RuleSetting.objects.create(rule=CODE, params={"max_days": 3})
    run()
    assert flagged() == {(at_limit.pk, str(first.pk))}
    assert beyond.pk not in {record_id for record_id, _key in flagged()}


def test_the_message_gives_the_days_apart_and_the_earlier_date(tree):
    meeting(tree, MARCH_2)
    meeting(tree, MARCH_2 + datetime.timedelta(days=5))
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Held 5 days after another meeting of the same organizer (2026-03-02), within the 7 days in which "
        "they could have been one"
    )


def test_moving_the_meeting_apart_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting(tree, MARCH_2)
    later = meeting(tree, MARCH_2 + datetime.timedelta(days=2))
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    later.date = MARCH_2 + datetime.timedelta(days=8)
    later.save()
    evaluate_record("meeting", later.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED


def test_saving_an_earlier_meeting_flags_the_one_after_it(tree):
    later = meeting(tree, MARCH_2 + datetime.timedelta(days=2))
    evaluate_record("meeting", later.pk, TODAY)
    assert flagged() == set()
    first = meeting(tree, MARCH_2)
    evaluate_record("meeting", first.pk, TODAY)
    assert flagged() == {(later.pk, str(first.pk))}
