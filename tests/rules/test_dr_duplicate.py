"""DR-DUPLICATE (paper 4.2.2): an item collected from a unit is not asked again within 90 days."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.engine import evaluate_record, sweep
from datarequests.models import DataRequestItem
from tests.record_factories.datarequests import CatalogueItemFactory, DataRequestFactory

CODE = "DR-DUPLICATE"
FIRST = datetime.date(2026, 1, 5)
DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 6, 1)
pytestmark = pytest.mark.django_db


def open_keys(record):
    return set(
        Violation.objects.filter(rule=CODE, record_id=record.pk, status__in=Violation.OPEN_STATUSES).values_list(
            "key", flat=True
        )
    )


@pytest.fixture
def population(tree):
    return CatalogueItemFactory(code="POP-001", name="常住人口", owner_unit=tree.dept)


def request(unit, date, free_text=(), catalogue=(), **fields):
    record = DataRequestFactory(unit=unit, date=date, items=list(free_text), **fields)
    for position, item in enumerate(catalogue, start=len(free_text)):
        DataRequestItem.objects.create(request=record, catalogue_item=item, name=item.name, position=position)
    return record


def test_a_catalogue_item_asked_again_90_days_later_flags_the_later_request(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 90 * DAY, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(first) == set()
    assert open_keys(again) == {f"catalogue:{population.pk}"}
    violation = Violation.objects.get(rule=CODE, record_id=again.pk)
    assert violation.message == (
        "POP-001 常住人口 was already collected from this unit on 2026-01-05, 90 days before, within 90 days"
    )
    assert violation.details["earlier_request"] == first.pk


def test_the_same_item_91_days_later_passes(tree, population):
    request(tree.a, FIRST, catalogue=[population])
    later = request(tree.a, FIRST + 91 * DAY, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(later) == set()


def test_asked_by_another_requester_it_is_still_a_repeat(tree, population):
    request(tree.a, FIRST, catalogue=[population], source_unit=tree.dept)
    again = request(tree.a, FIRST + 10 * DAY, catalogue=[population], source_unit=tree.s1)
    sweep(TODAY, codes=[CODE])
    assert open_keys(again) == {f"catalogue:{population.pk}"}


def test_the_same_item_asked_of_another_unit_passes(tree, population):
    request(tree.a, FIRST, catalogue=[population])
    other = request(tree.b, FIRST + 10 * DAY, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(other) == set()


def test_free_text_items_repeat_when_their_names_are_the_same(tree):
    request(tree.a, FIRST, free_text=["独居老人台账", "低保户名单"])
    again = request(tree.a, FIRST + 30 * DAY, free_text=["独居老人台账", "退役军人名单"])
    sweep(TODAY, codes=[CODE])
    assert open_keys(again) == {"name:独居老人台账"}


def test_each_repeated_item_is_its_own_violation(tree, population):
    request(tree.a, FIRST, free_text=["独居老人台账"], catalogue=[population])
    again = request(tree.a, FIRST + 30 * DAY, free_text=["独居老人台账"], catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(again) == {"name:独居老人台账", f"catalogue:{population.pk}"}


def test_on_the_same_day_the_request_entered_later_is_the_repeat(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    second = request(tree.a, FIRST, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(first) == set()
    assert open_keys(second) == {f"catalogue:{population.pk}"}


def test_an_item_listed_twice_in_one_request_is_not_a_repeat(tree):
    record = request(tree.a, FIRST, free_text=["独居老人台账", "独居老人台账"])
    sweep(TODAY, codes=[CODE])
    assert open_keys(record) == set()


def test_a_long_free_text_name_gets_a_short_key(tree):
    name = "某街道" + "各社区独居老人及困难群众基本信息台账" * 5
    request(tree.a, FIRST, free_text=[name])
    again = request(tree.a, FIRST + DAY, free_text=[name])
    sweep(TODAY, codes=[CODE])
    (key,) = open_keys(again)
    assert len(key) <= 64 and key.startswith("name#")


def test_a_window_set_by_an_admin_moves_the_boundary(tree, population):
    RuleSetting.objects.create(rule=CODE, params={"days": 30})
    request(tree.a, FIRST, catalogue=[population])
    at_30_days = request(tree.a, FIRST + 30 * DAY, catalogue=[population])
    request(tree.b, FIRST, catalogue=[population])
    at_31_days = request(tree.b, FIRST + 31 * DAY, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    assert open_keys(at_30_days) == {f"catalogue:{population.pk}"}
    assert open_keys(at_31_days) == set()
    violation = Violation.objects.get(rule=CODE, record_id=at_30_days.pk)
    assert violation.message.endswith("30 days before, within 30 days")


def test_saving_the_earlier_request_re_judges_the_later_ones(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    evaluate_record("data_request", first.pk, TODAY)
    assert open_keys(again) == {f"catalogue:{population.pk}"}

    first.date = FIRST - 100 * DAY
    first.deadline = first.date + 10 * DAY
    first.save()
    evaluate_record("data_request", first.pk, TODAY)
    assert open_keys(again) == set()


def test_a_sweep_opens_a_second_changes_nothing_and_moving_the_request_clears_it(tree, population):
    request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 90 * DAY, catalogue=[population])
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 1, "reopened": 0, "cleared": 0}
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 0}

    again.date = FIRST + 91 * DAY
    again.deadline = again.date + 10 * DAY
    again.save()
    assert sweep(TODAY, codes=[CODE])[f"{CODE}:data_request"] == {"opened": 0, "reopened": 0, "cleared": 1}
    assert open_keys(again) == set()


def test_deleting_the_earlier_request_clears_the_later_one(tree, population):
    first = request(tree.a, FIRST, catalogue=[population])
    again = request(tree.a, FIRST + 10 * DAY, catalogue=[population])
    sweep(TODAY, codes=[CODE])
    first_pk = first.pk
    first.delete()
    evaluate_record("data_request", first_pk, TODAY)
    assert open_keys(again) == set()
