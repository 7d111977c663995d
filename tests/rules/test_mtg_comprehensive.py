"""MTG-COMPREHENSIVE (2024 regulation, part II): more than one comprehensive work meeting of a system a year.

Counted per unit, organizer (the system: its source unit) and calendar year: a year over
the limit is one violation keyed by organizer and year, anchored on and dated by its
first meeting, listing every comprehensive meeting of it.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.meetings import MeetingFactory
from tests.rules.groups import groups, open_violations, records_of

CODE = "MTG-COMPREHENSIVE"
TODAY = datetime.date(2026, 12, 31)
UNCHANGED = {"opened": 0, "reopened": 0, "cleared": 0}
MARCH_2 = datetime.date(2026, 3, 2)


def run():
    return sweep(TODAY, codes=[CODE])[f"{CODE}:meeting"]


def judge(how: str, record) -> None:
    if how == "sweep":
        run()
    else:
        evaluate_record("meeting", record.pk, TODAY)


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def meeting(tree, on, **kwargs):
    return MeetingFactory(**{"unit": tree.a, "source_unit": tree.dept, "date": on, "comprehensive": True, **kwargs})


def month(n: int) -> datetime.date:
    return MARCH_2.replace(month=n)


@pytest.mark.parametrize("how", ["sweep", "save"])
@pytest.mark.parametrize(("count", "is_flagged"), [(1, False), (2, True), (3, True)])
def test_more_than_one_comprehensive_meeting_of_an_organizer_in_a_year_is_one_violation(tree, how, count, is_flagged):
    held = [meeting(tree, month(3 + n)) for n in range(count)]
    judge(how, held[-1])
    assert groups(CODE) == ({ids(*held)} if is_flagged else set())


def test_the_violation_is_keyed_by_organizer_and_year_and_dated_by_the_first(tree):
    first = meeting(tree, month(3))
    meeting(tree, month(9))
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.key, violation.occurred_on) == (first.pk, f"{tree.dept.pk}:2026", month(3))
    assert (violation.unit_id, violation.source_unit_id) == (tree.a.pk, tree.dept.pk)
    assert violation.message == "2 comprehensive work meetings of the same organizer in 2026, over the limit of 1"
    rule = get_rule(CODE)
    assert (rule.source, rule.clause) == (Source.REGULATION_2024, "II")


def test_ordinary_meetings_do_not_count(tree):
    meeting(tree, month(3))
    meeting(tree, month(4), comprehensive=False)
    meeting(tree, month(5), comprehensive=False)
    run()
    assert groups(CODE) == set()


@pytest.mark.parametrize("other", ["another organizer", "another unit", "another year", "no organizer"])
def test_one_meeting_each_of_organizers_units_or_years_is_within_the_limit(tree, other):
    meeting(tree, month(3))
    changes = {
        "another organizer": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "another year": {"on": datetime.date(2025, 12, 30)},
        "no organizer": {"source_unit": None},
    }[other]
    meeting(tree, changes.pop("on", month(4)), **changes)
    run()
    assert groups(CODE) == set()


def test_each_organizer_over_the_limit_is_its_own_violation(tree):
    education = [meeting(tree, month(3)), meeting(tree, month(6))]
    district = [meeting(tree, month(4), source_unit=tree.d1), meeting(tree, month(5), source_unit=tree.d1)]
    run()
    assert groups(CODE) == {ids(*education), ids(*district)}
    assert {violation.source_unit_id for violation in open_violations(CODE)} == {tree.dept.pk, tree.d1.pk}


def test_a_higher_limit_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_per_year": 2})
    two = [meeting(tree, month(3)), meeting(tree, month(4))]
    run()
    assert groups(CODE) == set()
    third = meeting(tree, month(5))
    evaluate_record("meeting", third.pk, TODAY)
    assert groups(CODE) == {ids(*two, third)}
    assert Violation.objects.get(rule=CODE).message == (
        "3 comprehensive work meetings of the same organizer in 2026, over the limit of 2"
    )


def test_unmarking_one_clears_the_violation_and_moving_it_to_another_year_too(tree):
    first, second = meeting(tree, month(3)), meeting(tree, month(4))
    assert run()["opened"] == 1
    assert run() == UNCHANGED
    second.comprehensive = False
    second.save()
    evaluate_record("meeting", second.pk, TODAY)
    assert groups(CODE) == set()

    second.comprehensive = True
    second.save()
    evaluate_record("meeting", second.pk, TODAY)
    assert records_of(open_violations(CODE).get()) == ids(first, second)

    second.date = datetime.date(2027, 1, 5)
    second.save()
    evaluate_record("meeting", second.pk, TODAY)
    assert groups(CODE) == set()
    assert run() == UNCHANGED
