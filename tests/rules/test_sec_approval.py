"""SEC-APPROVAL (paper 4.2.1): every secondment approved by a leader and filed with HR."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import sweep
from tests.record_factories.secondments import SecondmentFactory

CODE = "SEC-APPROVAL"
TODAY = datetime.date(2026, 3, 1)
pytestmark = pytest.mark.django_db


def open_keys(record):
    return set(
        Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).values_list(
            "key", flat=True
        )
    )


def secondment(unit, **fields):
    defaults = {"approved_by": "王主任", "approved_on": datetime.date(2026, 2, 20), "hr_filed_on": TODAY}
    return SecondmentFactory(unit=unit, **{**defaults, **fields})


def test_an_approved_and_filed_secondment_passes(tree):
    record = secondment(tree.a)
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == set()


def test_a_secondment_without_an_approver_flags(tree):
    record = secondment(tree.a, approved_by="")
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == {"approval"}
    violation = Violation.objects.get(rule=CODE, record_id=record.pk)
    assert violation.message == "No approval: the approver or the approval date is missing"


def test_a_secondment_without_an_approval_date_flags(tree):
    record = secondment(tree.a, approved_on=None)
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == {"approval"}


def test_a_secondment_not_filed_with_hr_flags(tree):
    record = secondment(tree.a, hr_filed_on=None)
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == {"hr"}
    assert Violation.objects.get(rule=CODE, record_id=record.pk).message == "Not filed with HR"


def test_neither_approved_nor_filed_flags_both(tree):
    record = secondment(tree.a, approved_by="", approved_on=None, hr_filed_on=None)
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == {"approval", "hr"}


def test_a_sweep_opens_a_second_changes_nothing_and_filing_clears_it(tree):
    record = secondment(tree.a, hr_filed_on=None)
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 0}

    record.hr_filed_on = TODAY
    record.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:secondment"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_keys(record) == set()


def test_a_disabled_rule_clears_what_it_found(tree):
    record = secondment(tree.a, hr_filed_on=None)
    sweep(TODAY, codes=[CODE])
    RuleSetting.objects.create(rule=CODE, enabled=False)
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == set()
