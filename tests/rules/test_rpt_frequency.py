"""RPT-FREQUENCY (paper 4.3.3): routine reports monthly at most ("月汇总、季通报")."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from datarequests.models import DataRequest
from tests.record_factories.datarequests import DataRequestFactory

CODE = "RPT-FREQUENCY"
TODAY = datetime.date(2026, 3, 2)
F = DataRequest.Frequency
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


def report(unit, frequency, kind=DataRequest.Kind.REPORT):
    return DataRequestFactory(unit=unit, kind=kind, frequency=frequency)


def test_a_weekly_report_flags(tree):
    record = report(tree.a, F.WEEKLY)
    sweep(TODAY, codes=[CODE])
    violation = open_violation(record)
    assert violation.details["frequency"] == "weekly"
    assert violation.message == "A report asked weekly; allowed: monthly、once、quarterly、yearly"


@pytest.mark.parametrize("frequency", [F.MONTHLY, F.QUARTERLY, F.YEARLY, F.ONCE])
def test_a_report_monthly_or_less_often_passes(tree, frequency):
    record = report(tree.a, frequency)
    sweep(TODAY, codes=[CODE])
    assert open_violation(record) is None


def test_weekly_data_that_is_not_a_report_is_not_judged(tree):
    record = report(tree.a, F.WEEKLY, kind=DataRequest.Kind.DATA)
    sweep(TODAY, codes=[CODE])
    assert open_violation(record) is None


def test_frequencies_set_by_an_admin_move_the_boundary(tree):
    # Quarterly at most: a monthly report is now too often.
    RuleSetting.objects.create(rule=CODE, params={"allowed_frequencies": ["once", "quarterly", "yearly"]})
    monthly = report(tree.a, F.MONTHLY)
    quarterly = report(tree.a, F.QUARTERLY)
    sweep(TODAY, codes=[CODE])
    assert open_violation(monthly).message == "A report asked monthly; allowed: once、quarterly、yearly"
    assert open_violation(quarterly) is None


def test_allowing_weekly_reports_clears_them(tree):
    record = report(tree.a, F.WEEKLY)
    sweep(TODAY, codes=[CODE])
    RuleSetting.objects.create(rule=CODE, params={"allowed_frequencies": ["monthly", "weekly"]})
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"]["cleared"] == 1
    assert open_violation(record) is None


def test_a_sweep_opens_a_second_changes_nothing_and_a_monthly_report_clears_it(tree):
    record = report(tree.a, F.WEEKLY)
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 0}

    record.frequency = F.MONTHLY
    record.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_violation(record) is None
