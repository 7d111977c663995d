"""SEC-TERM (paper 4.2.1): a secondment's first term is at most 3 calendar months."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

CODE = "SEC-TERM"
TODAY = datetime.date(2026, 1, 1)
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


def term(unit, start, end):
    return SecondmentFactory(unit=unit, start_date=start, planned_end_date=end)


def test_a_term_of_exactly_three_months_to_the_end_of_a_shorter_month_passes(tree):
    secondment = term(tree.a, datetime.date(2026, 1, 31), datetime.date(2026, 4, 30))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment) is None


def test_one_day_more_than_three_months_flags(tree):
    secondment = term(tree.a, datetime.date(2026, 1, 31), datetime.date(2026, 5, 1))
    sweep(TODAY, codes=[CODE])
    violation = open_violation(secondment)
    assert violation is not None
    assert violation.details["months"] == 3 and violation.details["days"] == 1
    assert violation.message == "A first term of 3 months and 1 days, over the limit of 3 months"
    assert violation.severity == "high"
    assert violation.unit_id == tree.a.pk


def test_a_term_shorter_than_three_months_passes(tree):
    secondment = term(tree.a, datetime.date(2026, 3, 2), datetime.date(2026, 5, 15))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment) is None


def test_the_papers_example_a_secondment_of_more_than_three_months_is_flagged(tree):
    # "原则上单次借调期限不得超过3个月": four months and a day is over.
    secondment = term(tree.a, datetime.date(2026, 3, 2), datetime.date(2026, 7, 3))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment).message == "A first term of 4 months and 1 days, over the limit of 3 months"


def test_a_term_crossing_the_year_is_counted_in_calendar_months(tree):
    passes = term(tree.a, datetime.date(2025, 11, 30), datetime.date(2026, 2, 28))
    flags = term(tree.a, datetime.date(2025, 11, 30), datetime.date(2026, 3, 1))
    sweep(TODAY, codes=[CODE])
    assert open_violation(passes) is None
    assert open_violation(flags) is not None


def test_extensions_do_not_lengthen_the_first_term(tree):
    secondment = term(tree.a, datetime.date(2026, 3, 2), datetime.date(2026, 6, 2))
    ExtensionFactory(secondment=secondment, new_end_date=datetime.date(2026, 9, 2))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment) is None


def test_a_longer_limit_set_by_an_admin_moves_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_months": 4})
    four_months = term(tree.a, datetime.date(2026, 3, 2), datetime.date(2026, 7, 2))
    one_day_more = term(tree.a, datetime.date(2026, 3, 2), datetime.date(2026, 7, 3))
    sweep(TODAY, codes=[CODE])
    assert open_violation(four_months) is None
    violation = open_violation(one_day_more)
    assert violation.message == "A first term of 4 months and 1 days, over the limit of 4 months"


def test_a_shorter_limit_set_by_an_admin_flags_what_the_paper_allows(tree):
    RuleSetting.objects.create(rule=CODE, params={"max_months": 2})
    secondment = term(tree.a, datetime.date(2026, 1, 31), datetime.date(2026, 4, 30))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment) is not None


def test_a_sweep_opens_a_second_sweep_changes_nothing_and_a_fixed_term_is_cleared(tree):
    secondment = term(tree.a, datetime.date(2026, 1, 31), datetime.date(2026, 5, 1))
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 0}
    assert Violation.objects.filter(rule=CODE).count() == 1

    secondment.planned_end_date = datetime.date(2026, 4, 30)
    secondment.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED
    assert open_violation(secondment) is None
