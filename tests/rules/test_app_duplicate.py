"""APP-DUPLICATE (Fingertip Opinions, part 三, 防止多头填报): one matter, one app or group of a source for a unit.

Apps are counted in force at once: a group ended the day before another started does
not duplicate it; one ending on that very day does.
"""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.workapps import WorkAppFactory
from tests.rules.groups import groups

CODE = "APP-DUPLICATE"
TODAY = datetime.date(2026, 12, 31)
MARCH_2 = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return MARCH_2 + datetime.timedelta(days=n)


def app(tree, start=MARCH_2, end=None, **kwargs):
    values = {"unit": tree.a, "source_unit": tree.dept, "matter": "文明城市创建", "start_date": start, "end_date": end}
    return WorkAppFactory(**{**values, **kwargs})


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def run():
    sweep(TODAY, codes=[CODE])


def test_one_app_for_a_matter_passes(tree):
    app(tree)
    run()
    assert groups(CODE) == set()


def test_two_apps_of_one_source_for_one_matter_are_one_violation_listing_both(tree):
    first, second = app(tree), app(tree, start=day(10), name="创文打卡群")
    run()
    assert groups(CODE) == {ids(first, second)}
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.key, violation.occurred_on) == (first.pk, "文明城市创建", day(10))
    assert (violation.unit_id, violation.source_unit_id) == (tree.a.pk, tree.dept.pk)
    assert violation.message == ("2 apps or groups of the same source for 文明城市创建 at once, over the limit of 1")


@pytest.mark.parametrize(("first_ends", "is_flagged"), [(9, False), (10, True)])
def test_a_group_that_ended_before_the_next_started_is_no_duplicate(tree, first_ends, is_flagged):
    first = app(tree, end=day(first_ends))
    second = app(tree, start=day(10))
    run()
    assert groups(CODE) == ({ids(first, second)} if is_flagged else set())


@pytest.mark.parametrize("other", ["another matter", "another source", "another unit", "no source", "no matter"])
def test_other_matters_sources_or_units_do_not_duplicate(tree, other):
    changes = {
        "another matter": {"matter": "垃圾分类"},
        "another source": {"source_unit": tree.d1},
        "another unit": {"unit": tree.b},
        "no source": {"source_unit": None},
        "no matter": {"matter": ""},
    }[other]
    app(tree, **({"matter": ""} if other == "no matter" else {}))
    app(tree, start=day(1), **changes)
    run()
    assert groups(CODE) == set()


def test_a_higher_limit_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_per_matter": 2})
    two = [app(tree), app(tree, start=day(1))]
    run()
    assert groups(CODE) == set()
    third = app(tree, start=day(2))
    run()
    assert groups(CODE) == {ids(*two, third)}
    assert Violation.objects.get(rule=CODE).details["count"] == 3


def test_saving_the_second_app_finds_the_group_and_ending_it_earlier_clears_it(tree):
    first = app(tree)
    second = app(tree, start=day(5))
    evaluate_record("work_app", second.pk, TODAY)
    assert groups(CODE) == {ids(first, second)}
    first.end_date = day(4)
    first.save()
    evaluate_record("work_app", first.pk, TODAY)
    assert groups(CODE) == set()
