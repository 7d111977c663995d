"""INS-DISGUISED (the 2024 regulation, part 三): a research visit (调研) that demands tables, report
materials or the unit's principal is an inspection under another name."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from inspections.models import Inspection
from tests.record_factories.inspections import InspectionFactory
from tests.rules.groups import flagged, groups

CODE = "INS-DISGUISED"
TODAY = datetime.date(2026, 6, 30)
RESEARCH = Inspection.Purpose.RESEARCH


def run(*codes):
    return sweep(TODAY, codes=[CODE, *codes])


def research(tree, **kwargs):
    values = {"unit": tree.a, "source_unit": tree.dept, "purpose": RESEARCH, "tables_demanded": 0}
    return InspectionFactory(**{**values, "reports_demanded": 0, **kwargs})


def test_a_research_visit_demanding_twenty_tables_is_flagged_citing_the_regulation(tree):
    visit = research(tree, tables_demanded=20)
    run()
    violation = Violation.objects.get(rule=CODE, record_id=visit.pk)
    assert violation.message == (
        "A research visit that demanded 20 tables and 0 report materials (allowed: 0 and 0): "
        "an inspection under another name"
    )
    assert violation.severity == "high"
    rule = get_rule(CODE)
    assert rule.source == Source.REGULATION_2024
    assert rule.citation == "Several Provisions (2024), part III"
    assert str(rule.quote)


def test_a_research_visit_that_asks_for_nothing_passes_and_one_table_flags(tree):
    nothing = research(tree)
    one_table = research(tree, tables_demanded=1)
    one_report = research(tree, reports_demanded=1)
    run()
    assert flagged(CODE) == {one_table.pk, one_report.pk}
    assert nothing.pk not in flagged(CODE)


def test_a_research_visit_that_requires_the_principal_is_flagged_and_says_so(tree):
    visit = research(tree, principal_required=True)
    run()
    assert Violation.objects.get(rule=CODE, record_id=visit.pk).message == (
        "A research visit that demanded 0 tables and 0 report materials (allowed: 0 and 0), and the unit's "
        "principal: an inspection under another name"
    )


@pytest.mark.parametrize("purpose", ["supervision", "evaluation", "guidance", ""])
def test_an_inspection_called_so_is_not_disguised(tree, purpose):
    research(tree, purpose=purpose, tables_demanded=20, principal_required=True)
    run()
    assert groups(CODE) == set()


def test_a_changed_limit_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_tables": 20, "max_reports": 2})
    at_limit = research(tree, tables_demanded=20, reports_demanded=2)
    over_tables = research(tree, tables_demanded=21)
    over_reports = research(tree, reports_demanded=3)
    run()
    assert flagged(CODE) == {over_tables.pk, over_reports.pk}
    assert at_limit.pk not in flagged(CODE)


def test_it_stands_for_ins_materials_on_the_same_visit_one_cause_one_flag(tree):
    disguised = research(tree, tables_demanded=20)
    inspection = research(tree, purpose="supervision", tables_demanded=20)
    run("INS-MATERIALS")
    assert flagged(CODE) == {disguised.pk}
    assert flagged("INS-MATERIALS") == {inspection.pk}


def test_called_a_supervision_instead_it_clears_and_ins_materials_takes_over(tree):
    visit = research(tree, tables_demanded=20)
    run("INS-MATERIALS")
    visit.purpose = Inspection.Purpose.SUPERVISION
    visit.save()
    evaluate_record("inspection", visit.pk, TODAY)
    assert flagged(CODE) == set()
    assert flagged("INS-MATERIALS") == {visit.pk}


def test_a_research_visit_is_counted_as_an_inspection_by_ins_frequency(tree):
    check = InspectionFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 1, 5))
    visit = research(tree, date=datetime.date(2026, 2, 5))
    sweep(TODAY, codes=["INS-FREQUENCY"])
    assert groups("INS-FREQUENCY") == {frozenset({check.pk, visit.pk})}


def test_research_visits_are_the_relabelled_inspections(tree):
    visit = research(tree)
    InspectionFactory(unit=tree.a, source_unit=tree.dept)
    assert list(Inspection.objects.filter(Inspection.relabelled()).values_list("pk", flat=True)) == [visit.pk]
