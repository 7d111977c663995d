"""APP-COUNT (2024 regulation, part 五): no more than 3 apps or groups of one source on a unit at once."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.workapps import WorkAppFactory
from tests.rules.groups import groups

CODE = "APP-COUNT"
TODAY = datetime.date(2026, 12, 31)
MARCH_2 = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return MARCH_2 + datetime.timedelta(days=n)


def app(tree, start=MARCH_2, end=None, **kwargs):
    values = {"unit": tree.a, "source_unit": tree.dept, "start_date": start, "end_date": end}
    return WorkAppFactory(**{**values, **kwargs})


def ids(*records) -> frozenset[int]:
    return frozenset(record.pk for record in records)


def run():
    sweep(TODAY, codes=[CODE])


@pytest.mark.parametrize(("count", "is_flagged"), [(2, False), (3, False), (4, True)])
def test_more_than_three_apps_at_once_flag_and_three_pass(tree, count, is_flagged):
    apps = [app(tree, start=day(n), matter=f"事项{n}") for n in range(count)]
    run()
    assert groups(CODE) == ({ids(*apps)} if is_flagged else set())


def test_the_violation_is_anchored_on_the_first_and_dated_by_the_day_the_limit_was_passed(tree):
    apps = [app(tree, start=day(n)) for n in range(4)]
    run()
    violation = Violation.objects.get(rule=CODE)
    assert (violation.record_id, violation.occurred_on) == (apps[0].pk, day(3))
    assert violation.message == "4 apps or groups of the same source at once, over the limit of 3"
    assert get_rule(CODE).citation == "Several Provisions (2024), part V"


@pytest.mark.parametrize(("first_ends", "is_flagged"), [(2, False), (3, True)])
def test_an_app_that_ended_before_the_fourth_started_does_not_count(tree, first_ends, is_flagged):
    first = app(tree, end=day(first_ends))
    others = [app(tree, start=day(n)) for n in (1, 2, 3)]
    run()
    assert groups(CODE) == ({ids(first, *others)} if is_flagged else set())


def test_apps_of_other_sources_or_units_are_counted_apart(tree):
    app(tree)
    app(tree, start=day(1))
    app(tree, start=day(2), source_unit=tree.d1)
    app(tree, start=day(3), unit=tree.b)
    app(tree, start=day(4), source_unit=None)
    run()
    assert groups(CODE) == set()


def test_a_lower_limit_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_apps": 1})
    first = app(tree)
    run()
    assert groups(CODE) == set()
    second = app(tree, start=day(30))
    run()
    assert groups(CODE) == {ids(first, second)}


def test_saving_a_fourth_app_opens_the_violation_and_deleting_it_clears_it(tree):
    apps = [app(tree, start=day(n)) for n in range(3)]
    fourth = app(tree, start=day(3))
    evaluate_record("work_app", fourth.pk, TODAY)
    assert groups(CODE) == {ids(*apps, fourth)}
    pk = fourth.pk
    fourth.delete()
    evaluate_record("work_app", pk, TODAY)
    assert groups(CODE) == set()
