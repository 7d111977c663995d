"""INS-UNPLANNED (paper 4.2.3): an inspection in no approved plan that is not an emergency safety/quality check."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory, InspectionPlanFactory

CODE = "INS-UNPLANNED"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("planned", "emergency", "is_flagged"),
    [(False, False, True), (False, True, False), (True, False, False), (True, True, False)],
)
def test_only_an_inspection_outside_a_plan_that_is_no_emergency_is_flagged(tree, planned, emergency, is_flagged):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept) if planned else None
    inspection = InspectionFactory(unit=tree.a, source_unit=tree.dept, plan=plan, emergency=emergency)
    run()
    assert (inspection.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    InspectionFactory(unit=tree.a, source_unit=tree.dept)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Not in an approved plan, and not an emergency safety or quality check"
    )


def test_adding_it_to_the_plan_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    inspection = InspectionFactory(unit=tree.a, source_unit=tree.dept)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    inspection.plan = InspectionPlanFactory(inspecting_unit=tree.dept)
    inspection.save()
    evaluate_record("inspection", inspection.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
