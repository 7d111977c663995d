"""SEC-EXTENSION (paper 4.2.1): extensions re-approved and adding at most 3 months in all."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

CODE = "SEC-EXTENSION"
TODAY = datetime.date(2026, 1, 1)
PLANNED_END = datetime.date(2026, 5, 31)  # + 3 months = 31 August
pytestmark = pytest.mark.django_db


def open_violation(record, key):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, key=key, status__in=Violation.OPEN_STATUSES).first()


@pytest.fixture
def secondment(tree):
    return SecondmentFactory(unit=tree.a, start_date=datetime.date(2026, 3, 1), planned_end_date=PLANNED_END)


def extend(secondment, new_end, approved_on=datetime.date(2026, 5, 20)):
    return ExtensionFactory(secondment=secondment, new_end_date=new_end, approved_on=approved_on)


def test_a_secondment_without_extensions_passes(secondment):
    sweep(TODAY, codes=[CODE])
    assert not Violation.objects.filter(rule=CODE).exists()


def test_an_approved_extension_of_exactly_three_months_passes(secondment):
    extend(secondment, datetime.date(2026, 8, 31))
    sweep(TODAY, codes=[CODE])
    assert not Violation.objects.filter(rule=CODE).exists()


def test_an_extension_one_day_past_three_months_flags(secondment):
    extend(secondment, datetime.date(2026, 9, 1))
    sweep(TODAY, codes=[CODE])
    violation = open_violation(secondment, "length")
    assert violation is not None
    assert violation.message == "Extensions add 3 months and 1 days to the planned end, over the limit of 3 months"
    assert open_violation(secondment, "approval") is None


def test_extensions_count_together_against_the_limit(secondment):
    extend(secondment, datetime.date(2026, 7, 31))
    extend(secondment, datetime.date(2026, 8, 31))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length") is None

    extend(secondment, datetime.date(2026, 10, 15))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length").details["months"] == 4


def test_an_extension_without_its_re_approval_flags_even_when_short(secondment):
    extend(secondment, datetime.date(2026, 6, 30), approved_on=None)
    sweep(TODAY, codes=[CODE])
    violation = open_violation(secondment, "approval")
    assert violation.message == "1 extensions without a new approval"
    assert open_violation(secondment, "length") is None


def test_a_long_unapproved_extension_is_flagged_for_both_reasons(secondment):
    extend(secondment, datetime.date(2026, 12, 1), approved_on=None)
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length") is not None
    assert open_violation(secondment, "approval") is not None


def test_a_longer_limit_set_by_an_admin_moves_the_boundary(secondment):
    RuleSetting.objects.create(rule=CODE, params={"max_extension_months": 4})
    extend(secondment, datetime.date(2026, 9, 30))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length") is None

    extend(secondment, datetime.date(2026, 10, 1))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length").message == (
        "Extensions add 4 months and 1 days to the planned end, over the limit of 4 months"
    )


def test_a_limit_of_zero_flags_any_extension(secondment):
    RuleSetting.objects.create(rule=CODE, params={"max_extension_months": 0})
    extend(secondment, datetime.date(2026, 6, 1))
    sweep(TODAY, codes=[CODE])
    assert open_violation(secondment, "length") is not None


def test_a_sweep_opens_a_second_changes_nothing_and_the_re_approval_clears_it(secondment):
    extension = extend(secondment, datetime.date(2026, 6, 30), approved_on=None)
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"]["opened"] == 1
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 0}

    extension.approved_on = datetime.date(2026, 5, 25)
    extension.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_violation(secondment, "approval") is None
