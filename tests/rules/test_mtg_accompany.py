"""MTG-ACCOMPANY (paper 3.1): a unit's accompanying attendances in a calendar year pass 50.

Each meeting with accompanying attendees that takes the unit's running total for the
year above the limit is flagged; the meetings before it are not.
"""

import datetime

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory

CODE = "MTG-ACCOMPANY"
TODAY = datetime.date(2026, 12, 31)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


def meeting(unit, day, accompanying):
    return MeetingFactory(unit=unit, date=day, attendees=accompanying + 1, accompanying=accompanying)


def twenty_five_meetings_of_two(unit, year=2026):
    """50 accompanying attendances: exactly the paper's limit."""
    return [meeting(unit, datetime.date(year, 1, 1) + datetime.timedelta(days=7 * n), 2) for n in range(25)]


def test_fifty_accompanying_attendances_in_a_year_pass(tree):
    twenty_five_meetings_of_two(tree.a)
    run()
    assert flagged() == set()


def test_the_fifty_first_attendance_flags_its_meeting_only(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    crossing = meeting(tree.a, datetime.date(2026, 11, 2), 1)
    run()
    assert flagged() == {crossing.pk}
    assert not flagged() & {m.pk for m in earlier}


def test_every_later_meeting_with_accompanying_attendees_is_flagged_but_not_one_without(tree):
    twenty_five_meetings_of_two(tree.a)
    crossing = meeting(tree.a, datetime.date(2026, 11, 2), 3)
    none_sent = meeting(tree.a, datetime.date(2026, 11, 9), 0)
    later = meeting(tree.a, datetime.date(2026, 11, 16), 1)
    run()
    assert flagged() == {crossing.pk, later.pk}
    assert none_sent.pk not in flagged()


def test_the_message_gives_the_year_the_total_and_the_limit(tree):
    twenty_five_meetings_of_two(tree.a)
    meeting(tree.a, datetime.date(2026, 11, 2), 3)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Accompanying attendances of the unit in 2026 reached 53 with this meeting, over the limit of 50"
    )


def test_the_total_is_counted_per_unit_and_per_calendar_year(tree):
    twenty_five_meetings_of_two(tree.a)
    meeting(tree.b, datetime.date(2026, 11, 2), 2)  # another unit
    meeting(tree.a, datetime.date(2027, 1, 1), 2)  # the next year starts again
    meeting(tree.a, datetime.date(2025, 12, 31), 2)  # the year before
    run()
    assert flagged() == set()


def test_a_lower_limit_moves_the_boundary(tree):
    at_limit = meeting(tree.a, datetime.date(2026, 1, 5), 10)
    over = meeting(tree.a, datetime.date(2026, 1, 6), 1)
    RuleSetting.objects.create(rule=CODE, params={"max_per_year": 10})
    run()
    assert at_limit.pk not in flagged()
    assert flagged() == {over.pk}


def test_fewer_attendances_earlier_in_the_year_clear_the_violation_and_sweeping_again_changes_nothing(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    crossing = meeting(tree.a, datetime.date(2026, 11, 2), 1)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    first = earlier[0]
    first.accompanying = 1
    first.save()
    # Saving one meeting re-evaluates the unit's year: the later meeting's violation clears.
    evaluate_record("meeting", first.pk, TODAY)
    assert flagged() == set()
    assert Violation.objects.get(rule=CODE, record_id=crossing.pk).status == Violation.Status.CLEARED
    assert run() == UNCHANGED
