"""A secondment's hours, its clock and what it refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from burden.models import CostParameters
from secondments.models import Extension, Secondment
from secondments.services import extension_delete, secondment_extend
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

D = datetime.date


@pytest.fixture
def secondment(tree):
    # Monday 2 March to Tuesday 31 March 2026: 22 working days.
    return SecondmentFactory(
        unit=tree.a, source_unit=tree.d1, start_date=D(2026, 3, 2), planned_end_date=D(2026, 3, 31)
    )


def hours_for(start, end, **kwargs):
    return SecondmentFactory.build(start_date=start, planned_end_date=end, **kwargs).compute_burden_hours_now()


# Burden hours


def test_burden_hours_are_working_days_times_hours_per_day(secondment):
    assert secondment.burden_hours == Decimal("176.00")  # 22 x 8


def test_a_secondment_of_exactly_one_calendar_week_is_five_working_days(db):
    assert hours_for(D(2026, 3, 4), D(2026, 3, 10)) == Decimal("40.00")


def test_the_hours_follow_the_hours_of_a_working_day(db):
    CostParameters.objects.update_or_create(pk=1, defaults={"hours_per_working_day": Decimal("7.5")})
    assert hours_for(D(2026, 3, 4), D(2026, 3, 10)) == Decimal("37.50")


def test_hours_by_month_across_a_month_boundary_add_up_to_the_total(tree):
    secondment = SecondmentFactory(unit=tree.a, start_date=D(2026, 3, 23), planned_end_date=D(2026, 4, 10))
    by_month = secondment.hours_by_month(CostParameters.current())
    assert by_month == [(D(2026, 3, 1), Decimal("56.00")), (D(2026, 4, 1), Decimal("64.00"))]
    assert sum(hours for _month, hours in by_month) == secondment.burden_hours


def test_an_early_return_stops_the_hours(db):
    assert hours_for(D(2026, 3, 2), D(2026, 3, 31), returned_on=D(2026, 3, 6)) == Decimal("40.00")


def test_a_late_return_counts_the_days_past_the_end(db):
    assert hours_for(D(2026, 3, 2), D(2026, 3, 6), returned_on=D(2026, 3, 13)) == Decimal("80.00")


def test_an_extension_moves_the_end_and_the_stored_hours(secondment, personas):
    secondment_extend(secondment=secondment, new_end_date=D(2026, 4, 10), approved_by="李部长", user=personas.staff_a)
    secondment.refresh_from_db()
    assert secondment.effective_end_date == D(2026, 4, 10)
    assert secondment.burden_hours == Decimal("240.00")  # + 8 working days in April


def test_deleting_an_extension_moves_the_hours_back(secondment, personas):
    extension = secondment_extend(secondment=secondment, new_end_date=D(2026, 4, 10), user=personas.staff_a)
    extension_delete(extension=extension, user=personas.staff_a)
    secondment.refresh_from_db()
    assert secondment.burden_hours == Decimal("176.00")
    assert not Extension.objects.exists()
    assert Extension.history.filter(history_type="-").get().history_user == personas.staff_a


# The clock


@pytest.mark.parametrize(
    ("today", "served", "left"),
    [
        (D(2026, 3, 1), 0, 30),  # the day before the start
        (D(2026, 3, 2), 1, 29),  # the first day
        (D(2026, 3, 30), 29, 1),  # the day before the end
        (D(2026, 3, 31), 30, 0),  # the last day
        (D(2026, 4, 1), 31, 0),  # past the end and not back: still away
    ],
)
def test_the_clock_counts_days_served_and_left_around_the_end(secondment, today, served, left):
    assert (secondment.days_served(today), secondment.days_left(today)) == (served, left)


def test_once_back_the_clock_stops(secondment):
    secondment.returned_on = D(2026, 3, 20)
    assert secondment.days_served(D(2026, 4, 15)) == 19
    assert secondment.days_left(D(2026, 3, 25)) == 0


def test_the_clock_reads_the_extended_end(secondment):
    ExtensionFactory(secondment=secondment, new_end_date=D(2026, 4, 30))
    clock = secondment.clock(D(2026, 4, 1))
    assert (clock.end, clock.days_left, clock.term_days) == (D(2026, 4, 30), 29, 60)
    assert clock.percent_served == 52
    assert [e.new_end_date for e in clock.extensions] == [D(2026, 4, 30)]


def test_an_overdue_secondment_counts_the_days_past_its_end(secondment):
    assert secondment.clock(D(2026, 4, 3)).overdue_days == 3
    assert secondment.clock(D(2026, 3, 31)).overdue_days == 0


def test_the_latest_allowed_end_is_three_months_then_three_more(db):
    assert SecondmentFactory.build(start_date=D(2026, 3, 2)).latest_allowed_end == D(2026, 9, 2)


def test_the_latest_allowed_end_follows_the_rules_thresholds_where_the_unit_is(db):
    """An admin's city-wide term and a district's override move the clock as they move the flags."""
    from burden.models import RuleOverride, RuleSetting
    from tests.factories import UnitFactory

    city = UnitFactory(code="CITY", level="city", is_grassroots=False)
    district = UnitFactory(code="D1", parent=city, level="district", is_grassroots=False)
    community = UnitFactory(code="A", parent=UnitFactory(code="S1", parent=district, level="street"))
    elsewhere = UnitFactory(code="B", parent=city)
    RuleSetting.objects.create(rule="SEC-TERM", params={"max_months": 2})
    RuleOverride.objects.create(rule="SEC-EXTENSION", unit=district, params={"max_extension_months": 1})
    start = D(2026, 3, 2)
    assert SecondmentFactory.build(unit=elsewhere, start_date=start).latest_allowed_end == D(2026, 8, 2)  # 2 + 3
    assert SecondmentFactory.build(unit=community, start_date=start).latest_allowed_end == D(2026, 6, 2)  # 2 + 1


def test_the_latest_allowed_end_of_a_31_january_start_is_30_april_plus_three_months(db):
    secondment = SecondmentFactory.build(start_date=D(2026, 1, 31))
    assert secondment.latest_allowed_end == D(2026, 7, 30)


# What it refuses


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize("end", [D(2026, 3, 1), D(2026, 3, 2)])
def test_the_planned_end_must_be_after_the_start(tree, end):
    secondment = SecondmentFactory.build(unit=tree.a, start_date=D(2026, 3, 2), planned_end_date=end)
    assert list(errors_of(secondment)) == ["planned_end_date"]


def test_a_return_before_the_start_is_refused(tree):
    secondment = SecondmentFactory.build(unit=tree.a, start_date=D(2026, 3, 2), returned_on=D(2026, 3, 1))
    assert list(errors_of(secondment)) == ["returned_on"]


def test_a_return_on_the_first_day_is_allowed(tree):
    SecondmentFactory.build(unit=tree.a, start_date=D(2026, 3, 2), returned_on=D(2026, 3, 2)).full_clean()


@pytest.mark.parametrize("new_end", [D(2026, 3, 31), D(2026, 3, 20)])
def test_an_extension_that_does_not_extend_is_refused(secondment, new_end):
    assert list(errors_of(Extension(secondment=secondment, new_end_date=new_end))) == ["new_end_date"]


def test_an_extension_must_go_past_the_previous_extension(secondment):
    ExtensionFactory(secondment=secondment, new_end_date=D(2026, 4, 30))
    assert list(errors_of(Extension(secondment=secondment, new_end_date=D(2026, 4, 15)))) == ["new_end_date"]
    Extension(secondment=secondment, new_end_date=D(2026, 5, 1)).full_clean()


def test_an_extension_edited_in_place_is_measured_against_the_others(secondment):
    extension = ExtensionFactory(secondment=secondment, new_end_date=D(2026, 4, 30))
    extension.new_end_date = D(2026, 4, 15)  # earlier than before, still past the planned end
    extension.full_clean()


def test_the_extend_service_saves_nothing_for_an_extension_that_does_not_extend(secondment, personas):
    with pytest.raises(ValidationError):
        secondment_extend(secondment=secondment, new_end_date=D(2026, 3, 31), user=personas.staff_a)
    assert not Extension.objects.exists()
    assert secondment.history.count() == 1


def test_no_one_extends_a_secondment_of_another_unit(secondment, personas):
    with pytest.raises(PermissionDenied):
        secondment_extend(secondment=secondment, new_end_date=D(2026, 4, 30), user=personas.staff_b)
    assert not Extension.objects.exists()


def test_extensions_are_scoped_by_their_secondments_unit(secondment, personas):
    extension = ExtensionFactory(secondment=secondment)
    assert list(Extension.objects.for_user(personas.supervisor)) == [extension]
    assert not Extension.objects.for_user(personas.staff_b).exists()


def test_the_database_refuses_an_end_not_after_the_start(secondment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Secondment.objects.filter(pk=secondment.pk).update(planned_end_date=secondment.start_date)


def test_the_database_refuses_a_return_before_the_start(secondment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Secondment.objects.filter(pk=secondment.pk).update(returned_on=D(2026, 3, 1))
