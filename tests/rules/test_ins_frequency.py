"""INS-FREQUENCY (paper 3.3): one inspecting unit visits one unit more than once in a calendar quarter.

The quarter's visits together are the burden: one violation per inspecting unit, unit
and quarter over the limit, keyed by the quarter and dated by its first day, anchored
on its first visit (by date, then entry) and listing every visit of it.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "INS-FREQUENCY"
TODAY = datetime.date(2026, 12, 31)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
D = datetime.date


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def judge(how: str, inspection) -> None:
    """A sweep, or the evaluation that saving ``inspection`` triggers."""
    if how == "sweep":
        run()
    else:
        evaluate_record("inspection", inspection.pk, TODAY)


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def visit(tree, day, **kwargs):
    return InspectionFactory(**{"unit": tree.a, "source_unit": tree.dept, "date": day, **kwargs})


def moved(inspection, day):
    inspection.date = day
    inspection.save()
    evaluate_record("inspection", inspection.pk, TODAY)


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


def test_one_visit_a_quarter_passes(tree):
    for day in (D(2026, 1, 5), D(2026, 4, 5), D(2026, 7, 5), D(2026, 10, 5)):
        visit(tree, day)
    run()
    assert groups(CODE) == set()


@pytest.mark.parametrize("how", ["sweep", "save"])
def test_one_visit_in_a_quarter_passes_and_a_second_makes_one_violation_listing_both(tree, how):
    first = visit(tree, D(2026, 1, 10))
    judge(how, first)
    assert groups(CODE) == set()
    second = visit(tree, D(2026, 3, 31))
    judge(how, second)
    assert groups(CODE) == {ids(first, second)}
    assert Violation.objects.filter(rule=CODE).count() == 1


def test_the_violation_is_anchored_on_the_first_visit_and_dated_by_the_quarter(tree):
    first = visit(tree, D(2026, 5, 10))
    second = visit(tree, D(2026, 5, 20))
    third = visit(tree, D(2026, 6, 30))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert records_of(violation) == ids(first, second, third)
    assert (violation.record_id, violation.key, violation.occurred_on) == (first.pk, "2026Q2", D(2026, 4, 1))
    assert (violation.unit_id, violation.source_unit_id) == (tree.a.pk, tree.dept.pk)


def test_the_first_visit_is_the_first_by_date_not_by_entry(tree):
    later = visit(tree, D(2026, 2, 10))
    earlier = visit(tree, D(2026, 1, 10))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.record_id == earlier.pk
    assert records_of(violation) == ids(earlier, later)


def test_of_two_visits_on_one_day_the_one_entered_first_anchors(tree):
    first = visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 1, 10))
    run()
    assert Violation.objects.get(rule=CODE).record_id == first.pk
    assert groups(CODE) == {ids(first, second)}


@pytest.mark.parametrize(
    ("first_day", "second_day"),
    [(D(2026, 3, 31), D(2026, 4, 1)), (D(2026, 12, 31), D(2027, 1, 1)), (D(2026, 1, 10), D(2027, 1, 10))],
)
def test_visits_in_different_quarters_pass(tree, first_day, second_day):
    visit(tree, first_day)
    visit(tree, second_day)
    run()
    assert groups(CODE) == set()


def test_each_quarter_over_the_limit_is_its_own_violation(tree):
    winter = [visit(tree, D(2026, 1, 10)), visit(tree, D(2026, 3, 10))]
    spring = [visit(tree, D(2026, 4, 10)), visit(tree, D(2026, 5, 10)), visit(tree, D(2026, 6, 10))]
    visit(tree, D(2026, 7, 10))  # alone in its quarter
    run()
    assert groups(CODE) == {ids(*winter), ids(*spring)}
    dated = set(open_violations(CODE).values_list("key", "occurred_on", "details__visit"))
    assert dated == {("2026Q1", D(2026, 1, 1), 2), ("2026Q2", D(2026, 4, 1), 3)}


@pytest.mark.parametrize("other", ["another inspecting unit", "another unit", "no inspecting unit"])
def test_visits_are_counted_per_inspecting_unit_and_unit(tree, other):
    changes = {
        "another inspecting unit": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "no inspecting unit": {"source_unit": None},
    }[other]
    visit(tree, D(2026, 1, 10), **changes)
    visit(tree, D(2026, 2, 10))
    run()
    assert groups(CODE) == set()


def test_a_higher_limit_moves_the_boundary(tree):
    visit(tree, D(2026, 1, 10))
    visit(tree, D(2026, 2, 10))  # two: at the limit
    over = [visit(tree, D(2026, 1, 10), unit=tree.b) for _ in range(3)]
    RuleSetting.objects.create(rule=CODE, params={"max_per_quarter": 2})
    run()
    assert groups(CODE) == {ids(*over)}
    assert Violation.objects.get(rule=CODE).message == (
        "3 visits of the same inspecting unit in 2026 Q1, over the limit of 2 a quarter"
    )


def test_the_message_gives_the_visits_the_quarter_and_the_limit(tree):
    visit(tree, D(2026, 4, 10))
    visit(tree, D(2026, 5, 10))
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "2 visits of the same inspecting unit in 2026 Q2, over the limit of 1 a quarter"
    )


def test_saving_an_earlier_visit_makes_the_quarter_one_violation_anchored_on_it(tree):
    later = visit(tree, D(2026, 2, 10))
    evaluate_record("inspection", later.pk, TODAY)
    assert groups(CODE) == set()
    earlier = visit(tree, D(2026, 1, 10))
    evaluate_record("inspection", earlier.pk, TODAY)
    assert groups(CODE) == {ids(earlier, later)}
    assert Violation.objects.get(rule=CODE).record_id == earlier.pk


def test_visits_join_and_leave_the_quarters_violation_and_moving_back_reopens_it(tree):
    first, second = visit(tree, D(2026, 1, 10)), visit(tree, D(2026, 2, 10))
    evaluate_record("inspection", second.pk, TODAY)
    violation = Violation.objects.get(rule=CODE)

    third = visit(tree, D(2026, 3, 10))
    evaluate_record("inspection", third.pk, TODAY)
    assert groups(CODE) == {ids(first, second, third)}
    assert open_violations(CODE).get().pk == violation.pk
    assert Violation.objects.get(pk=violation.pk).message.startswith("3 visits")

    moved(third, D(2026, 4, 10))  # to the next quarter: two left, the same violation
    assert groups(CODE) == {ids(first, second)}
    assert open_violations(CODE).get().pk == violation.pk
    assert timeline(Violation.objects.get(pk=violation.pk)) == [("", "open")]  # never cleared on the way

    moved(second, D(2026, 7, 10))  # now one visit in each of three quarters
    assert groups(CODE) == set()
    assert Violation.objects.get(pk=violation.pk).status == Violation.Status.CLEARED

    moved(second, D(2026, 2, 10))  # back: the same violation reopens
    assert groups(CODE) == {ids(first, second)}
    violation = Violation.objects.get(rule=CODE, key="2026Q1")
    assert violation.status == Violation.Status.OPEN
    assert timeline(violation) == [("", "open"), ("open", "cleared"), ("cleared", "open")]


def test_deleting_a_visit_below_the_limit_clears_the_violation(tree):
    first, second = visit(tree, D(2026, 1, 10)), visit(tree, D(2026, 2, 10))
    run()
    second_pk = second.pk
    second.delete()
    evaluate_record("inspection", second_pk, TODAY)
    assert groups(CODE) == set()
    assert Violation.objects.get(rule=CODE, record_id=first.pk).status == Violation.Status.CLEARED


def test_moving_the_visit_to_the_next_quarter_clears_it_and_sweeping_again_changes_nothing(tree):
    visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 2, 10))
    assert run() == {"opened": 1, "reopened": 0, "cleared": 0}
    assert run() == UNCHANGED
    moved(second, D(2026, 4, 10))
    assert groups(CODE) == set()
    assert run() == UNCHANGED
