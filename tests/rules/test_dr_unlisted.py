"""DR-UNLISTED (paper 4.2.2): data off the approved data catalogue is not asked without approval."""

import datetime

import pytest

from burden.models import Violation
from burden.rules.engine import evaluate_record, sweep
from datarequests.models import DataRequestItem
from tests.record_factories.datarequests import CatalogueItemFactory, DataRequestFactory

CODE = "DR-UNLISTED"
TODAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def open_violation(record):
    return Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).first()


def request(unit, free_text=(), catalogue=(), **fields):
    record = DataRequestFactory(unit=unit, items=list(free_text), **fields)
    for position, item in enumerate(catalogue, start=len(free_text)):
        DataRequestItem.objects.create(request=record, catalogue_item=item, name=item.name, position=position)
    return record


def test_a_request_for_catalogue_items_only_passes(tree):
    record = request(tree.a, catalogue=[CatalogueItemFactory(owner_unit=tree.dept)])
    sweep(TODAY, codes=[CODE])
    assert open_violation(record) is None


def test_an_item_off_the_catalogue_without_approval_flags(tree):
    record = request(
        tree.a, free_text=["低保户名单", "独居老人台账"], catalogue=[CatalogueItemFactory(owner_unit=tree.dept)]
    )
    sweep(TODAY, codes=[CODE])
    violation = open_violation(record)
    assert violation.details["count"] == 2
    assert violation.message == "2 items outside the data catalogue asked without approval: 低保户名单、独居老人台账"


def test_an_approved_request_may_ask_items_off_the_catalogue(tree):
    record = request(tree.a, free_text=["低保户名单"], approved_on=TODAY)
    sweep(TODAY, codes=[CODE])
    assert open_violation(record) is None


def test_a_request_without_items_passes(tree):
    record = request(tree.a)
    sweep(TODAY, codes=[CODE])
    assert open_violation(record) is None


def test_saving_one_request_judges_that_request(tree):
    record = request(tree.a, free_text=["低保户名单"])
    other = request(tree.a, free_text=["独居老人台账"])
    evaluate_record("data_request", record.pk, TODAY)
    assert open_violation(record) is not None
    assert open_violation(other) is None


def test_a_sweep_opens_a_second_changes_nothing_and_the_approval_clears_it(tree):
    record = request(tree.a, free_text=["低保户名单"])
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 0}

    record.approved_on = TODAY
    record.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_violation(record) is None
