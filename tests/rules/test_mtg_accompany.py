"""MTG-ACCOMPANY (paper 3.1): a unit's accompanying attendances in a calendar year pass 50.

The year's attendances together are the burden: one violation per unit and year over
the limit, keyed by the year and dated by its first day, anchored on the year's first
meeting with accompanying attendees and listing every such meeting of the year.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "MTG-ACCOMPANY"
TODAY = datetime.date(2026, 12, 31)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
NOVEMBER_2 = datetime.date(2026, 11, 2)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def judge(how: str, record) -> None:
    """A sweep, or the evaluation that saving ``record`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("meeting", record.pk, TODAY)


def ids(records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def meeting(unit, day, accompanying, **fields):
    return MeetingFactory(unit=unit, date=day, attendees=accompanying + 1, accompanying=accompanying, **fields)


def twenty_five_meetings_of_two(unit, year=2026, **fields):
    """50 accompanying attendances: exactly the paper's limit."""
    return [meeting(unit, datetime.date(year, 1, 1) + datetime.timedelta(days=7 * n), 2, **fields) for n in range(25)]


def sent(record, accompanying):
    record.accompanying = accompanying
    record.save()
    evaluate_record("meeting", record.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
def test_fifty_accompanying_attendances_in_a_year_pass_and_one_more_is_one_violation_for_the_year(tree, how):
    earlier = twenty_five_meetings_of_two(tree.a)
    judge(how, earlier[-1])
    assert groups(CODE) == set()
    crossing = meeting(tree.a, NOVEMBER_2, 1)
    judge(how, crossing)
    assert groups(CODE) == {ids([*earlier, crossing])}
    assert Violation.objects.filter(rule=CODE).count() == 1


def test_the_violation_is_anchored_on_the_years_first_meeting_and_dated_by_january_first(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    meeting(tree.a, NOVEMBER_2, 1)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.key) == (earlier[0].pk, "2026")
    assert (violation.unit_id, violation.occurred_on) == (tree.a.pk, datetime.date(2026, 1, 1))
    assert violation.details["total"] == 51


def test_meetings_without_accompanying_attendees_are_not_listed(tree):
    none_sent_first = meeting(tree.a, datetime.date(2026, 1, 1), 0)  # the year's first meeting, yet not the anchor
    earlier = twenty_five_meetings_of_two(tree.a, year=2026)
    none_sent = meeting(tree.a, NOVEMBER_2, 0)
    crossing = meeting(tree.a, NOVEMBER_2 + datetime.timedelta(days=7), 3)
    run()
    (violation,) = open_violations(CODE)
    assert records_of(violation) == ids([*earlier, crossing])
    assert not records_of(violation) & ids([none_sent_first, none_sent])
    assert violation.record_id == earlier[0].pk


def test_the_message_gives_the_year_the_total_and_the_limit(tree):
    twenty_five_meetings_of_two(tree.a)
    meeting(tree.a, NOVEMBER_2, 3)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Accompanying attendances of the unit in 2026 reached 53, over the limit of 50"
    )


def test_the_year_goes_to_the_organizer_that_asked_for_the_most_attendances(tree):
    # The street held five meetings of 5 (25), the bureau one of 30: the bureau asked for the most.
    street = [meeting(tree.a, datetime.date(2026, 2, day), 5, source_unit=tree.s1) for day in range(1, 6)]
    bureau = meeting(tree.a, datetime.date(2026, 3, 1), 30, source_unit=tree.dept)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids([*street, bureau])
    assert violation.source_unit_id == tree.dept.pk
    assert violation.details["by_source"] == {str(tree.s1.pk): 25, str(tree.dept.pk): 30}


def test_the_total_is_counted_per_unit_and_per_calendar_year(tree):
    twenty_five_meetings_of_two(tree.a)
    meeting(tree.b, NOVEMBER_2, 2)  # another unit
    meeting(tree.a, datetime.date(2027, 1, 1), 2)  # the next year starts again
    meeting(tree.a, datetime.date(2025, 12, 31), 2)  # the year before
    run()
    assert groups(CODE) == set()


def test_each_year_over_the_limit_is_its_own_violation(tree):
    this_year = [*twenty_five_meetings_of_two(tree.a), meeting(tree.a, NOVEMBER_2, 1)]
    next_year = [*twenty_five_meetings_of_two(tree.a, year=2027), meeting(tree.a, datetime.date(2027, 11, 1), 1)]
    run()
    assert groups(CODE) == {ids(this_year), ids(next_year)}
    dated = set(open_violations(CODE).values_list("key", "occurred_on"))
    assert dated == {("2026", datetime.date(2026, 1, 1)), ("2027", datetime.date(2027, 1, 1))}


def test_a_lower_limit_moves_the_boundary(tree):
    meeting(tree.a, datetime.date(2026, 1, 5), 10)  # at the limit
    over = [meeting(tree.b, datetime.date(2026, 1, 5), 10), meeting(tree.b, datetime.date(2026, 1, 6), 1)]
    RuleSetting.objects.create(rule=CODE, params={"max_per_year": 10})
    run()
    assert groups(CODE) == {ids(over)}
    assert Violation.objects.get(rule=CODE).message == (
        "Accompanying attendances of the unit in 2026 reached 11, over the limit of 10"
    )


def test_meetings_join_and_leave_the_years_violation_and_fewer_attendances_clear_it(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    crossing = meeting(tree.a, NOVEMBER_2, 2)
    evaluate_record("meeting", crossing.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)

    later = meeting(tree.a, NOVEMBER_2 + datetime.timedelta(days=7), 1)
    evaluate_record("meeting", later.pk, TODAY)
    assert groups(CODE) == {ids([*earlier, crossing, later])}
    assert open_violations(CODE).get().pk == violation.pk

    sent(earlier[3], 0)  # 51 left, without it
    assert groups(CODE) == {ids([*earlier, crossing, later]) - {earlier[3].pk}}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).details["total"] == 51
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    sent(later, 0)  # 50: at the limit
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    sent(later, 1)  # 51 again: the same violation reopens
    assert groups(CODE) == {ids([*earlier, crossing, later]) - {earlier[3].pk}}
    violation = Violation.objects.get(rule=CODE)
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_a_meeting_moved_to_another_year_leaves_its_violation(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    crossing, later = meeting(tree.a, NOVEMBER_2, 1), meeting(tree.a, NOVEMBER_2 + datetime.timedelta(days=7), 1)
    run()
    violation = Violation.objects.get(rule=CODE)
    later.date = datetime.date(2027, 1, 4)
    later.save()
    evaluate_record("meeting", later.pk, TODAY)
    assert groups(CODE) == {ids([*earlier, crossing])}
    assert open_violations(CODE).get().pk == violation.pk


def test_fewer_attendances_earlier_in_the_year_clear_the_violation_and_sweeping_again_changes_nothing(tree):
    earlier = twenty_five_meetings_of_two(tree.a)
    meeting(tree.a, NOVEMBER_2, 1)
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED
    # Saving one meeting re-evaluates the unit's year: its violation clears.
    sent(earlier[0], 1)
    assert groups(CODE) == set()
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED
    assert run() == UNCHANGED
