"""INS-ANNUAL-PLAN (the 2024 regulation, part 三): an inspecting unit's items of a year within its
approved plan's quota, and in principle one comprehensive item a year.

An item is what the unit runs under one title in a year, across every unit it visits.
"""

import datetime

from burden.models import RuleOverride, RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.inspections import InspectionFactory, InspectionPlanFactory
from tests.rules.groups import flagged, groups, open_violations

CODE = "INS-ANNUAL-PLAN"
TODAY = datetime.date(2026, 12, 31)
D = datetime.date


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:inspection"]


def items(tree, plan, titles, *, unit=None, month=1, **kwargs):
    """One visit of each item (title), a month apart from ``month``, to ``unit`` (community A)."""
    return [
        InspectionFactory(
            unit=unit or tree.a, source_unit=tree.dept, plan=plan, title=title, date=D(2026, month + n, 3), **kwargs
        )
        for n, title in enumerate(titles)
    ]


def test_as_many_items_as_the_quota_pass_and_one_more_flags(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=2)
    first, second = items(tree, plan, ["安全生产督查", "消防检查"])
    run()
    assert groups(CODE) == set()
    third = items(tree, plan, ["食品安全检查"], month=5)[0]
    run()
    assert groups(CODE) == {frozenset({third.pk})}
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == "3 items in the 2026 plan, over its quota of 2: 食品安全检查"
    assert violation.key == "2026:quota"
    assert violation.source_unit_id == tree.dept.pk
    assert violation.occurred_on == third.date


def test_visits_of_one_item_to_many_units_are_one_item(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    for unit in (tree.a, tree.b, tree.c):
        items(tree, plan, ["安全生产督查", " 安全生产督查 "], unit=unit)
    run()
    assert groups(CODE) == set()


def test_each_unit_the_excess_item_visited_has_its_own_flag_of_its_visits(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    items(tree, plan, ["安全生产督查"])
    in_a = items(tree, plan, ["消防检查", "消防检查"], month=3)
    in_b = items(tree, plan, ["消防检查"], unit=tree.b, month=4)
    run()
    assert groups(CODE) == {frozenset(visit.pk for visit in in_a), frozenset({in_b[0].pk})}
    assert {violation.unit_id for violation in open_violations(CODE)} == {tree.a.pk, tree.b.pk}


def test_the_items_are_counted_in_the_order_of_their_first_visit(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    later = items(tree, plan, ["消防检查"], month=6)
    earlier = items(tree, plan, ["安全生产督查"], unit=tree.b, month=2)
    run()
    assert flagged(CODE) == {later[0].pk}
    assert earlier[0].pk not in flagged(CODE)


def test_emergency_checks_and_inspections_in_no_plan_are_not_counted_against_the_quota(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    items(tree, plan, ["安全生产督查"])
    items(tree, None, ["台风应急检查"], emergency=True, month=4)
    unplanned = items(tree, None, ["创文检查"], month=5)
    sweep(TODAY, codes=[CODE, "INS-UNPLANNED"])
    assert groups(CODE) == set()
    assert flagged("INS-UNPLANNED") == {unplanned[0].pk}


def test_each_year_is_judged_by_its_own_plan(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    last_year = InspectionPlanFactory(inspecting_unit=tree.dept, year=2025, quota=1)
    items(tree, plan, ["安全生产督查"])
    InspectionFactory(unit=tree.a, source_unit=tree.dept, plan=last_year, title="消防检查", date=D(2025, 5, 3))
    run()
    assert groups(CODE) == set()


def test_a_larger_quota_on_the_plan_moves_the_boundary(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    visits = items(tree, plan, ["安全生产督查", "消防检查"])
    run()
    assert flagged(CODE) == {visits[1].pk}
    plan.quota = 2
    plan.save()
    run()
    assert groups(CODE) == set()


def test_one_comprehensive_item_a_year_passes_and_a_second_flags(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=5)
    first = items(tree, plan, ["年度综合考核"], comprehensive=True)
    run()
    assert groups(CODE) == set()
    second = items(tree, plan, ["半年综合督查"], comprehensive=True, month=6)
    items(tree, plan, ["消防检查"], month=8)  # not comprehensive: the quota's only
    run()
    assert groups(CODE) == {frozenset({second[0].pk})}
    violation = Violation.objects.get(rule=CODE)
    assert violation.key == "2026:comprehensive"
    assert violation.message == "2 comprehensive items in 2026, over the limit of 1 a year: 半年综合督查"
    assert first[0].pk not in flagged(CODE)


def test_comprehensive_items_count_without_a_plan_too(tree):
    items(tree, None, ["年度综合考核", "半年综合督查"], comprehensive=True)
    run()
    assert len(groups(CODE)) == 1


def test_a_changed_limit_of_comprehensive_items_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_comprehensive": 2})
    visits = items(tree, None, ["年度综合考核", "半年综合督查"], comprehensive=True)
    run()
    assert groups(CODE) == set()
    third = items(tree, None, ["专项综合检查"], comprehensive=True, month=7)
    run()
    assert flagged(CODE) == {third[0].pk}
    assert not flagged(CODE) & {visit.pk for visit in visits}


def test_a_research_visit_is_an_item_too(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    items(tree, plan, ["安全生产督查"])
    visit = items(tree, plan, ["基层减负调研"], purpose="research", month=4)[0]
    run()
    assert flagged(CODE) == {visit.pk}


def test_retitling_the_excess_item_as_the_planned_one_clears_the_flag(tree):
    plan = InspectionPlanFactory(inspecting_unit=tree.dept, quota=1)
    items(tree, plan, ["安全生产督查"])
    extra = items(tree, plan, ["消防检查"], month=3)[0]
    assert run()["opened"] == 1
    extra.title = "安全生产督查"
    extra.save()
    evaluate_record("inspection", extra.pk, TODAY)
    assert groups(CODE) == set()
    assert run() == {"opened": 0, "reopened": 0, "cleared": 0}


def test_a_subtrees_own_limit_judges_its_units_and_the_citys_the_others(tree):
    RuleOverride.objects.create(rule=CODE, unit=tree.s2, params={"max_comprehensive": 2})
    in_a = items(tree, None, ["年度综合考核", "半年综合督查"], comprehensive=True)
    in_c = items(tree, None, ["年度综合考核", "半年综合督查"], unit=tree.c, comprehensive=True)
    run()
    assert flagged(CODE) == {in_a[1].pk}
    assert not flagged(CODE) & {visit.pk for visit in in_c}
