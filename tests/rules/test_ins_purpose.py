"""INS-PURPOSE (paper 4.2.3): an inspection with no stated purpose."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from inspections.models import Inspection
from tests.record_factories.inspections import InspectionFactory

CODE = "INS-PURPOSE"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
P = Inspection.Purpose


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("purpose", "is_flagged"),
    [(P.NOT_STATED, True), (P.SUPERVISION, False), (P.EVALUATION, False), (P.GUIDANCE, False)],
)
def test_only_an_inspection_without_a_stated_purpose_is_flagged(tree, purpose, is_flagged):
    inspection = InspectionFactory(unit=tree.a, purpose=purpose)
    run()
    assert (inspection.pk in flagged()) is is_flagged


def test_the_message_says_what_was_found(tree):
    InspectionFactory(unit=tree.a, purpose=P.NOT_STATED)
    run()
    assert Violation.objects.get(rule=CODE).message == "No purpose stated (supervision, evaluation or guidance)"


def test_stating_the_purpose_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    inspection = InspectionFactory(unit=tree.a, purpose=P.NOT_STATED)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    inspection.purpose = P.GUIDANCE
    inspection.save()
    evaluate_record("inspection", inspection.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
