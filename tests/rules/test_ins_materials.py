"""INS-MATERIALS (paper 3.2): more than 10 tables or 5 report materials demanded for one inspection."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory

CODE = "INS-MATERIALS"
TODAY = datetime.date(2026, 6, 30)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def flagged() -> set[int]:
    return set(
        Violation.objects.filter(rule=CODE, status__in=Violation.OPEN_STATUSES).values_list("record_id", flat=True)
    )


@pytest.mark.parametrize(
    ("tables", "reports", "is_flagged"),
    [
        (0, 0, False),
        (10, 5, False),
        (11, 0, True),
        (0, 6, True),
        (11, 6, True),
        (20, 10, True),  # the paper's example: 20-odd tables and 10-odd reports
    ],
)
def test_more_than_ten_tables_or_five_reports_are_flagged(tree, tables, reports, is_flagged):
    inspection = InspectionFactory(unit=tree.a, tables_demanded=tables, reports_demanded=reports)
    run()
    assert (inspection.pk in flagged()) is is_flagged


def test_higher_limits_move_both_boundaries(tree):
    at_limits = InspectionFactory(unit=tree.a, tables_demanded=20, reports_demanded=10)
    more_tables = InspectionFactory(unit=tree.a, tables_demanded=21, reports_demanded=0)
    more_reports = InspectionFactory(unit=tree.a, tables_demanded=0, reports_demanded=11)
    RuleSetting.objects.create(rule=CODE, params={"max_tables": 20, "max_reports": 10})
    run()
    assert flagged() == {more_tables.pk, more_reports.pk}
    assert at_limits.pk not in flagged()


def test_the_message_gives_what_was_demanded_against_the_limits(tree):
    InspectionFactory(unit=tree.a, tables_demanded=20, reports_demanded=10)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Demanded 20 tables and 10 report materials, over the limits of 10 tables or 5 reports"
    )


def test_demanding_less_clears_the_violation_and_sweeping_again_changes_nothing(tree):
    inspection = InspectionFactory(unit=tree.a, tables_demanded=11, reports_demanded=0)
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    inspection.tables_demanded = 10
    inspection.save()
    evaluate_record("inspection", inspection.pk, TODAY)
    assert flagged() == set()
    assert run() == UNCHANGED
