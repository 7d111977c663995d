"""INS-DUPLICATE-DATA (paper 4.2.3): an inspection demands data the system already holds."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory

CODE = "INS-DUPLICATE-DATA"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(("already_held", "is_flagged"), [(True, True), (False, False)])
def test_only_an_inspection_demanding_data_already_held_is_flagged(tree, already_held, is_flagged):
    inspection = InspectionFactory(unit=tree.a, data_already_held=already_held)
    run()
    assert (inspection.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    InspectionFactory(unit=tree.a, data_already_held=True)
    run()
    assert Violation.objects.get(rule=CODE).message == "Demanded data that the system already holds"


def test_correcting_the_record_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    inspection = InspectionFactory(unit=tree.a, data_already_held=True)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    inspection.data_already_held = False
    inspection.save()
    evaluate_record("inspection", inspection.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
