"""Burden hours (Standard Cost Model): the shared arithmetic of ``burden.costs``, the kinds'
formulas (in their apps) and the cost parameters admins change."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from burden import costs
from burden.models import CostParameters
from burden.services import cost_parameters_update
from meetings.models import burden_hours_for_meeting
from secondments.models import burden_hours_for_secondment, secondment_hours_by_month
from tests.record_factories.datarequests import DataRequestFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.secondments import SecondmentFactory

MONDAY = datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (MONDAY, MONDAY, 1),
        (MONDAY, MONDAY + datetime.timedelta(days=4), 5),  # Monday to Friday
        (MONDAY, MONDAY + datetime.timedelta(days=6), 5),  # the weekend adds nothing
        (MONDAY + datetime.timedelta(days=5), MONDAY + datetime.timedelta(days=6), 0),  # a weekend alone
        (MONDAY, MONDAY + datetime.timedelta(days=13), 10),
        (MONDAY, MONDAY - datetime.timedelta(days=1), 0),  # end before start
    ],
)
def test_working_days_count_mondays_to_fridays(start, end, days):
    assert costs.working_days(start, end) == days


def test_working_days_agree_with_walking_the_calendar():
    start = datetime.date(2026, 1, 1)
    for length in range(0, 400, 7):
        end = start + datetime.timedelta(days=length)
        walked = sum(1 for n in range(length + 1) if (start + datetime.timedelta(days=n)).weekday() < 5)
        assert costs.working_days(start, end) == walked


def test_hours_by_month_add_up_to_the_whole():
    start, end = datetime.date(2026, 1, 20), datetime.date(2026, 4, 10)
    months = secondment_hours_by_month(start=start, end=end, hours_per_day=Decimal(8))
    assert list(months) == [datetime.date(2026, m, 1) for m in (1, 2, 3, 4)]
    assert sum(months.values()) == burden_hours_for_secondment(start=start, end=end, hours_per_day=Decimal(8))


def test_meeting_hours_are_length_and_travel_times_people():
    assert burden_hours_for_meeting(duration_minutes=90, travel_minutes=30, attendees=3) == Decimal("6.00")


def test_money_is_hours_times_the_tariff():
    assert costs.cost(Decimal("6.5"), Decimal(60)) == Decimal("390.00")


def test_a_new_document_default_moves_only_documents_without_a_logged_time(tree, personas):
    default = DocumentFactory(unit=tree.a, kind="notice", handling_minutes=None)
    logged = DocumentFactory(unit=tree.a, kind="notice", handling_minutes=120)
    assert default.burden_hours == Decimal("0.50")
    params = CostParameters.current()
    params.document_minutes = {**params.document_minutes, "notice": 90}
    changed = cost_parameters_update(params=params, user=personas.superuser)
    default.refresh_from_db()
    logged.refresh_from_db()
    assert (default.burden_hours, logged.burden_hours) == (Decimal("1.50"), Decimal("2.00"))
    assert changed["documents.document"] == 1
    assert default.burden_hours == default.compute_burden_hours_now()


def test_a_new_minutes_per_item_moves_requests_without_a_logged_time(tree, personas):
    request = DataRequestFactory(unit=tree.a, filling_hours=None)
    params = CostParameters.current()
    params.minutes_per_data_item = Decimal(30)
    cost_parameters_update(params=params, user=personas.superuser)
    request.refresh_from_db()
    assert request.burden_hours == request.compute_burden_hours_now() == Decimal(request.item_count) / 2


def test_a_new_working_day_moves_every_secondment(tree, personas):
    secondment = SecondmentFactory(unit=tree.a)
    before = secondment.burden_hours
    params = CostParameters.current()
    params.hours_per_working_day = Decimal(6)
    cost_parameters_update(params=params, user=personas.superuser)
    secondment.refresh_from_db()
    assert secondment.burden_hours == before * Decimal("0.75") == secondment.compute_burden_hours_now()


def test_only_superusers_and_city_admins_edit_the_cost_parameters(client, personas, tree):
    CostParameters.current()
    url = reverse("admin:burden_costparameters_change", args=[1])
    client.force_login(personas.admin)  # admin of the city, the root
    assert client.get(url).status_code == 200
    from burden.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    district_admin = MembershipFactory(user=UserFactory(username="d1_admin"), unit=tree.d1, role=Membership.Role.ADMIN)
    client.force_login(district_admin.user)
    assert client.get(url).status_code in (302, 403)


def test_the_admin_page_saves_and_recomputes(client, personas, tree):
    document = DocumentFactory(unit=tree.a, kind="opinion", handling_minutes=None)
    params = CostParameters.current()
    client.force_login(personas.superuser)
    minutes = {**params.document_minutes, "opinion": 120}
    response = client.post(
        reverse("admin:burden_costparameters_change", args=[params.pk]),
        {
            "document_minutes": __import__("json").dumps(minutes),
            "minutes_per_data_item": "15",
            "hours_per_working_day": "8",
            "hourly_tariffs": __import__("json").dumps(params.hourly_tariffs),
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.burden_hours == Decimal("2.00")


@pytest.mark.parametrize("hours_per_day", [Decimal(4), Decimal(16)])
def test_each_secondment_is_scaled_once_even_when_figures_collide(tree, personas, hours_per_day):
    one_week = SecondmentFactory(unit=tree.a, start_date=MONDAY, planned_end_date=MONDAY + datetime.timedelta(days=4))
    two_weeks = SecondmentFactory(unit=tree.a, start_date=MONDAY, planned_end_date=MONDAY + datetime.timedelta(days=11))
    assert (one_week.burden_hours, two_weeks.burden_hours) == (40, 80)
    params = CostParameters.current()
    params.hours_per_working_day = hours_per_day
    cost_parameters_update(params=params, user=personas.superuser)
    for secondment in (one_week, two_weeks):
        secondment.refresh_from_db()
        assert secondment.burden_hours == secondment.compute_burden_hours_now()
