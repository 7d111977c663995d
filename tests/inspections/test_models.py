"""Inspections: burden hours, the plan they belong to, and no negative counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from inspections.models import Inspection
from tests.record_factories.inspections import InspectionFactory, InspectionPlanFactory


@pytest.fixture
def plan(tree):
    return InspectionPlanFactory(inspecting_unit=tree.dept, year=2026)


@pytest.fixture
def inspection(tree):
    return InspectionFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 3, 2))


def errors_of(record) -> dict:
    """The field errors ``full_clean()`` raises, in English (messages are compared in some tests)."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def test_burden_is_preparation_plus_time_on_site_for_each_person_there(tree):
    inspection = InspectionFactory(
        unit=tree.a, preparation_hours=Decimal("6.0"), onsite_hours=Decimal("2.5"), staff_involved=3
    )
    assert inspection.burden_hours == Decimal("13.50")


def test_an_inspection_with_no_staff_on_site_costs_only_its_preparation(tree):
    inspection = InspectionFactory(unit=tree.a, preparation_hours=Decimal("4.0"), onsite_hours=3, staff_involved=0)
    assert inspection.burden_hours == Decimal("4.00")


def test_a_plan_of_the_inspecting_unit_for_that_year_is_accepted(inspection, plan):
    inspection.plan = plan
    inspection.full_clean()


def test_a_plan_of_another_inspecting_unit_is_refused(inspection, tree):
    inspection.plan = InspectionPlanFactory(inspecting_unit=tree.d1, year=2026)
    assert list(errors_of(inspection)) == ["plan"]


def test_a_plan_without_an_inspecting_unit_named_is_refused(inspection, plan):
    inspection.source_unit = None
    inspection.plan = plan
    assert list(errors_of(inspection)) == ["plan"]


def test_a_plan_of_another_year_is_refused(inspection, tree):
    inspection.plan = InspectionPlanFactory(inspecting_unit=tree.dept, year=2025)
    assert list(errors_of(inspection)) == ["plan"]


def test_no_plan_is_accepted(inspection):
    inspection.plan = None
    inspection.full_clean()


def test_deleting_a_plan_keeps_its_inspections(inspection, plan):
    inspection.plan = plan
    inspection.save()
    plan.delete()
    inspection.refresh_from_db()
    assert inspection.plan is None


def test_no_stated_purpose_is_allowed(inspection):
    inspection.purpose = Inspection.Purpose.NOT_STATED
    inspection.full_clean()
    with translation.override("en"):
        assert inspection.get_purpose_display() == "Not stated"


@pytest.mark.parametrize(
    "field", ["tables_demanded", "reports_demanded", "staff_involved", "preparation_hours", "onsite_hours"]
)
def test_negative_numbers_are_refused(inspection, field):
    setattr(inspection, field, -1)
    assert list(errors_of(inspection)) == [field]


@pytest.mark.parametrize(
    "field", ["tables_demanded", "reports_demanded", "staff_involved", "preparation_hours", "onsite_hours"]
)
def test_the_database_refuses_negative_numbers(inspection, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(**{field: -1})


def test_an_inspecting_unit_has_one_plan_a_year(plan, tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionPlanFactory(inspecting_unit=tree.dept, year=2026)
    InspectionPlanFactory(inspecting_unit=tree.dept, year=2027)


def test_a_plan_reads_as_its_unit_and_year(plan):
    with translation.override("en"):
        assert str(plan) == "East Education Bureau, plan for 2026"
