"""MTG-MERGE (paper 4.1.2): meetings of the same organizer for the same unit within 7 days could be one.

A run of such meetings, each within the limit of the one before, is one violation:
anchored on and dated by its first meeting, listing every meeting of the run.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "MTG-MERGE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def judge(how: str, record) -> None:
    """A sweep, or the evaluation that saving ``record`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("meeting", record.pk, TODAY)


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def day(n: int) -> datetime.date:
    return MARCH_2 + datetime.timedelta(days=n)


def meeting(tree, on, **kwargs):
    return MeetingFactory(**{"unit": tree.a, "source_unit": tree.dept, "date": on, **kwargs})


def moved(record, on):
    record.date = on
    record.save()
    evaluate_record("meeting", record.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("days_apart", "is_flagged"), [(0, True), (6, True), (7, True), (8, False), (30, False)])
def test_two_meetings_within_seven_days_are_one_violation_listing_both(tree, how, days_apart, is_flagged):
    first = meeting(tree, MARCH_2)
    later = meeting(tree, day(days_apart))
    judge(how, later)
    assert groups(CODE) == ({ids(first, later)} if is_flagged else set())
    assert list(Violation.objects.filter(rule=CODE).values_list("record_id", flat=True)) == (
        [first.pk] if is_flagged else []
    )


def test_the_violation_is_anchored_on_and_dated_by_the_first_meeting(tree):
    first = meeting(tree, MARCH_2)
    meeting(tree, day(5))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.key, violation.occurred_on) == (first.pk, "", MARCH_2)
    assert (violation.unit_id, violation.source_unit_id) == (tree.a.pk, tree.dept.pk)


def test_the_order_of_entry_does_not_matter_only_the_dates(tree):
    later = meeting(tree, day(3))
    first = meeting(tree, MARCH_2)
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.record_id == first.pk
    assert records_of(violation) == ids(first, later)


def test_on_the_same_day_the_meeting_entered_first_anchors(tree):
    first, second = meeting(tree, MARCH_2), meeting(tree, MARCH_2)
    run()
    assert Violation.objects.get(rule=CODE).record_id == first.pk
    assert groups(CODE) == {ids(first, second)}


def test_a_chain_of_meetings_each_within_seven_days_of_the_one_before_is_one_violation(tree):
    # 14 days from the first to the last, but never more than 7 between two.
    chain = [meeting(tree, MARCH_2), meeting(tree, day(7)), meeting(tree, day(14))]
    run()
    assert groups(CODE) == {ids(*chain)}
    assert Violation.objects.get(rule=CODE).details["count"] == 3


def test_a_gap_of_more_than_seven_days_starts_a_new_run(tree):
    first_run = [meeting(tree, MARCH_2), meeting(tree, day(4))]
    alone = meeting(tree, day(12))  # 8 days after the one before, 8 before the next
    second_run = [meeting(tree, day(20)), meeting(tree, day(22))]
    run()
    assert groups(CODE) == {ids(*first_run), ids(*second_run)}
    assert alone.pk not in set().union(*groups(CODE))
    dated = set(open_violations(CODE).values_list("record_id", "occurred_on"))
    assert dated == {(first_run[0].pk, MARCH_2), (second_run[0].pk, day(20))}


@pytest.mark.parametrize("other", ["another organizer", "another unit", "no organizer"])
def test_meetings_of_different_organizers_or_units_are_not_merged(tree, other):
    meeting(tree, MARCH_2)
    changes = {
        "another organizer": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "no organizer": {"source_unit": None},
    }[other]
    meeting(tree, day(1), **changes)
    run()
    assert groups(CODE) == set()


def test_a_shorter_window_moves_the_boundary(tree):
    first = meeting(tree, MARCH_2)
    at_limit = meeting(tree, day(3))
    meeting(tree, day(7))  # 4 days after the one before: beyond
    RuleSetting.objects.create(rule=CODE, params={"max_days": 3})
    run()
    assert groups(CODE) == {ids(first, at_limit)}
    assert Violation.objects.get(rule=CODE).message == (
        "2 meetings of the same organizer from 2026-03-02 to 2026-03-05, each within 3 days of the one before, "
        "could have been one"
    )


def test_the_message_gives_the_count_the_dates_and_the_limit(tree):
    meeting(tree, MARCH_2)
    meeting(tree, day(5))
    meeting(tree, day(9))
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "3 meetings of the same organizer from 2026-03-02 to 2026-03-11, each within 7 days of the one before, "
        "could have been one"
    )


def test_meetings_join_and_leave_the_run_and_moving_back_reopens_its_violation(tree):
    first, second = meeting(tree, MARCH_2), meeting(tree, day(2))
    evaluate_record("meeting", second.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)

    third = meeting(tree, day(9))
    evaluate_record("meeting", third.pk, TODAY)
    assert groups(CODE) == {ids(first, second, third)}
    assert open_violations(CODE).get().pk == violation.pk

    moved(third, day(30))  # off the run: the same violation, without it
    assert groups(CODE) == {ids(first, second)}
    assert open_violations(CODE).get().pk == violation.pk
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    moved(second, day(8))  # 8 days after the first: no run left
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    moved(second, day(7))  # back within the limit: the same violation reopens
    assert groups(CODE) == {ids(first, second)}
    violation = Violation.objects.get(rule=CODE)
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_a_meeting_between_two_runs_joins_them_into_the_first_runs_violation(tree):
    first_run = [meeting(tree, MARCH_2), meeting(tree, day(5))]
    second_run = [meeting(tree, day(19)), meeting(tree, day(24))]
    run()
    first_violation = Violation.objects.get(rule=CODE, record_id=first_run[0].pk)
    bridge = meeting(tree, day(12))  # 7 days after the first run, 7 before the second
    evaluate_record("meeting", bridge.pk, TODAY)
    assert groups(CODE) == {ids(*first_run, bridge, *second_run)}
    assert open_violations(CODE).get().pk == first_violation.pk
    assert Violation.objects.get(rule=CODE, record_id=second_run[0].pk).status == Violation.Status.CLEARED


def test_moving_the_meeting_apart_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    meeting(tree, MARCH_2)
    later = meeting(tree, day(2))
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED
    moved(later, day(8))
    assert groups(CODE) == set()
    assert run() == UNCHANGED


def test_saving_an_earlier_meeting_makes_one_violation_anchored_on_it(tree):
    later = meeting(tree, day(2))
    evaluate_record("meeting", later.pk, TODAY)
    assert groups(CODE) == set()
    first = meeting(tree, MARCH_2)
    evaluate_record("meeting", first.pk, TODAY)
    assert groups(CODE) == {ids(first, later)}
    assert Violation.objects.get(rule=CODE).record_id == first.pk
