"""A data request's hours, its items and what it refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from burden.models import CostParameters
from datarequests.forms import split_items
from datarequests.models import CatalogueItem, DataRequest, DataRequestItem
from datarequests.services import data_request_save
from tests.record_factories.datarequests import CatalogueItemFactory, DataRequestFactory

D = datetime.date


@pytest.fixture
def population(tree):
    return CatalogueItemFactory(code="POP-001", name="常住人口数", owner_unit=tree.d1)


def new_request(tree, **fields):
    return DataRequestFactory.build(unit=tree.a, source_unit=tree.dept, **fields)


# Burden hours


def test_burden_hours_are_the_filling_time_when_it_is_logged(tree):
    assert DataRequestFactory(unit=tree.a, filling_hours=Decimal("2.5")).burden_hours == Decimal("2.50")


def test_without_a_filling_time_the_hours_are_items_times_minutes_per_item(tree):
    assert DataRequestFactory(unit=tree.a, items=["甲", "乙", "丙"]).burden_hours == Decimal("0.75")  # 3 x 15 min


def test_the_minutes_per_item_come_from_the_cost_parameters(tree, personas):
    CostParameters.objects.update_or_create(pk=1, defaults={"minutes_per_data_item": Decimal(20)})
    record = data_request_save(record=new_request(tree), items=["甲", "乙", "丙"], user=personas.staff_a)
    assert record.burden_hours == Decimal("1.00")


# Items


def test_items_are_split_on_lines_commas_and_enumeration_commas():
    text = "常住人口\n户籍人口,流动人口，学生人数、教师人数\r\n\n  留守儿童  "
    assert split_items(text) == ["常住人口", "户籍人口", "流动人口", "学生人数", "教师人数", "留守儿童"]


def test_a_value_equal_to_a_catalogue_code_links_that_item_and_anything_else_is_free_text(tree, personas, population):
    record = data_request_save(record=new_request(tree), items=["POP-001", "学生人数"], user=personas.staff_a)
    linked, free = record.items.all()
    assert (linked.catalogue_item, linked.name, linked.position) == (population, "常住人口数", 0)
    assert (free.catalogue_item, free.name, free.position) == (None, "学生人数", 1)
    assert record.item_values() == ["POP-001", "学生人数"]
    assert record.item_count == 2


def test_a_code_in_other_letters_or_a_catalogue_name_stays_free_text(tree, personas, population):
    record = data_request_save(record=new_request(tree), items=["pop-001", "常住人口数"], user=personas.staff_a)
    assert [item.catalogue_item for item in record.items.all()] == [None, None]


def test_blank_and_repeated_items_are_dropped(tree, personas):
    record = data_request_save(record=new_request(tree), items=["甲", " ", "乙", "甲 "], user=personas.staff_a)
    assert record.item_values() == ["甲", "乙"]


def test_saving_again_replaces_the_items_count_and_hours_in_one_history_entry(tree, personas):
    record = data_request_save(record=new_request(tree), items=["甲", "乙", "丙", "丁"], user=personas.staff_a)
    assert record.burden_hours == Decimal("1.00")

    record = data_request_save(record=record, items=["戊"], user=personas.supervisor)

    assert record.item_values() == ["戊"]
    assert DataRequestItem.objects.count() == 1
    record.refresh_from_db()
    assert (record.item_count, record.burden_hours) == (1, Decimal("0.25"))
    assert record.history.count() == 2
    assert record.history.first().history_user == personas.supervisor


def test_a_request_without_items_is_refused_and_nothing_is_saved(tree, personas):
    with pytest.raises(ValidationError) as caught:
        data_request_save(record=new_request(tree), items=["", "  "], user=personas.staff_a)
    assert list(caught.value.message_dict) == ["items"]
    assert not DataRequest.objects.exists()


def test_an_item_too_long_to_store_is_refused_and_nothing_is_saved(tree, personas):
    with pytest.raises(ValidationError) as caught:
        data_request_save(record=new_request(tree), items=["甲", "长" * 201], user=personas.staff_a)
    assert list(caught.value.message_dict) == ["items"]
    assert not DataRequest.objects.exists()


def test_a_bad_change_keeps_the_old_items(tree, personas):
    record = data_request_save(record=new_request(tree), items=["甲"], user=personas.staff_a)
    record.deadline = record.date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        data_request_save(record=record, items=["乙"], user=personas.staff_a)
    assert list(DataRequestItem.objects.values_list("name", flat=True)) == ["甲"]


def test_no_one_saves_a_request_for_a_unit_not_theirs(tree, personas):
    with pytest.raises(ValidationError) as caught:
        data_request_save(record=new_request(tree), items=["甲"], user=personas.staff_b)
    assert "unit" in caught.value.message_dict
    assert not DataRequestItem.objects.exists()


# What it refuses


def test_a_deadline_before_the_request_arrived_is_refused(tree):
    record = new_request(tree, date=D(2026, 3, 2), deadline=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert list(caught.value.message_dict) == ["deadline"]


def test_a_deadline_on_the_day_it_arrived_is_allowed(tree):
    new_request(tree, date=D(2026, 3, 2), deadline=D(2026, 3, 2)).full_clean()


def test_a_negative_filling_time_is_refused(tree):
    with pytest.raises(ValidationError) as caught:
        new_request(tree, filling_hours=Decimal("-1")).full_clean()
    assert list(caught.value.message_dict) == ["filling_hours"]


def test_the_database_refuses_a_deadline_before_the_date(tree):
    record = DataRequestFactory(unit=tree.a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.filter(pk=record.pk).update(deadline=record.date - datetime.timedelta(days=1))


def test_the_database_refuses_a_negative_filling_time(tree):
    record = DataRequestFactory(unit=tree.a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.filter(pk=record.pk).update(filling_hours=Decimal("-1"))


# The catalogue


def test_a_catalogue_code_cannot_hold_a_separator(tree):
    for code in ("POP 001", "POP,001", "人口"):
        with pytest.raises(ValidationError):
            CatalogueItem(code=code, name="常住人口数", owner_unit=tree.d1).full_clean()


def test_a_catalogue_item_that_was_asked_for_cannot_be_deleted(tree, personas, population):
    data_request_save(record=new_request(tree), items=["POP-001"], user=personas.staff_a)
    with pytest.raises(ProtectedError):
        population.delete()
