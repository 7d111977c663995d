"""INS-FREQUENCY (paper 3.3): one inspecting unit visits one unit more than once in a calendar quarter.

The visits beyond the limit are flagged, in date order; the first ones are not.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory

CODE = "INS-FREQUENCY"
TODAY = datetime.date(2026, 12, 31)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
D = datetime.date


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


def visit(tree, day, **kwargs):
    return InspectionFactory(**{"unit": tree.a, "source_unit": tree.dept, "date": day, **kwargs})


def test_one_visit_a_quarter_passes(tree):
    for day in (D(2026, 1, 5), D(2026, 4, 5), D(2026, 7, 5), D(2026, 10, 5)):
        visit(tree, day)
    run()
    assert flagged() == set()


def test_the_second_visit_in_a_quarter_is_flagged_and_the_first_is_not(tree):
    first = visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 2, 10))
    third = visit(tree, D(2026, 3, 31))
    run()
    assert flagged() == {second.pk, third.pk}
    assert first.pk not in flagged()


def test_the_order_is_by_date_not_by_entry(tree):
    later = visit(tree, D(2026, 2, 10))
    visit(tree, D(2026, 1, 10))
    run()
    assert flagged() == {later.pk}


def test_two_visits_on_one_day_flag_the_one_entered_later(tree):
    visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 1, 10))
    run()
    assert flagged() == {second.pk}


@pytest.mark.parametrize(
    ("first_day", "second_day"),
    [(D(2026, 3, 31), D(2026, 4, 1)), (D(2026, 12, 31), D(2027, 1, 1)), (D(2026, 1, 10), D(2027, 1, 10))],
)
def test_visits_in_different_quarters_pass(tree, first_day, second_day):
    visit(tree, first_day)
    visit(tree, second_day)
    run()
    assert flagged() == set()


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
    assert flagged() == set()


def test_a_higher_limit_moves_the_boundary(tree):
    visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 2, 10))
    third = visit(tree, D(2026, 3, 10))
    RuleSetting.objects.create(rule=CODE, params={"max_per_quarter": 2})
    run()
    assert flagged() == {third.pk}
    assert second.pk not in flagged()


def test_the_message_gives_the_visit_the_quarter_and_the_limit(tree):
    visit(tree, D(2026, 4, 10))
    visit(tree, D(2026, 5, 10))
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Visit number 2 of the same inspecting unit in 2026 Q2, over the limit of 1 a quarter"
    )


def test_saving_the_second_visit_flags_it(tree):
    visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 2, 10))
    evaluate_record("inspection", second.pk, TODAY)
    assert flagged() == {second.pk}


def test_saving_an_earlier_visit_flags_the_one_that_became_second(tree):
    later = visit(tree, D(2026, 2, 10))
    evaluate_record("inspection", later.pk, TODAY)
    assert flagged() == set()
    earlier = visit(tree, D(2026, 1, 10))
    evaluate_record("inspection", earlier.pk, TODAY)
    assert flagged() == {later.pk}


def test_moving_the_visit_to_the_next_quarter_clears_it_and_sweeping_again_changes_nothing(tree):
    visit(tree, D(2026, 1, 10))
    second = visit(tree, D(2026, 2, 10))
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    second.date = D(2026, 4, 10)
    second.save()
    evaluate_record("inspection", second.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
