"""The secondment's clock panel and the extension form on its detail page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from secondments.models import Extension
from tests.record_factories.secondments import SecondmentFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def secondment(tree, today):
    return SecondmentFactory(
        unit=tree.a,
        source_unit=tree.d1,
        start_date=today - datetime.timedelta(days=10),
        planned_end_date=today + datetime.timedelta(days=20),
    )


def extend(client, secondment, **data):
    return client.post(reverse("secondments:secondment_extend", args=[secondment.pk]), data)


def test_the_detail_page_shows_the_clock(client, personas, secondment):
    client.force_login(personas.staff_a)
    html = client.get(secondment.get_absolute_url()).content.decode()
    assert 'data-testid="days-served">11<' in html
    assert 'data-testid="days-left">20<' in html
    assert 'data-testid="hours-by-month"' in html
    assert 'data-testid="extension-form"' in html


def test_staff_extend_a_secondment_from_its_page(client, personas, secondment, today):
    client.force_login(personas.staff_a)
    hours_before = secondment.burden_hours
    new_end = today + datetime.timedelta(days=50)

    response = extend(client, secondment, new_end_date=new_end.isoformat(), approved_by="李部长", approved_on=today)

    assert response.status_code == 302
    assert response["Location"] == secondment.get_absolute_url()
    extension = Extension.objects.get()
    assert (extension.new_end_date, extension.approved_by, extension.approved_on) == (new_end, "李部长", today)
    assert extension.created_by == personas.staff_a
    assert extension.history.get().history_user == personas.staff_a
    secondment.refresh_from_db()
    assert secondment.burden_hours > hours_before
    assert secondment.burden_hours == secondment.compute_burden_hours_now()
    assert secondment.history.count() == 2
    assert secondment.history.first().history_user == personas.staff_a
    assert "李部长" in client.get(secondment.get_absolute_url()).content.decode()


def test_a_supervisor_extends_a_secondment_below_them(client, personas, secondment, today):
    client.force_login(personas.supervisor)
    response = extend(client, secondment, new_end_date=(today + datetime.timedelta(days=40)).isoformat())
    assert response.status_code == 302
    assert Extension.objects.get().created_by == personas.supervisor


def test_an_extension_that_does_not_extend_saves_nothing_and_says_why(client, personas, secondment):
    client.force_login(personas.staff_a)
    hours_before = secondment.burden_hours

    response = extend(client, secondment, new_end_date=secondment.planned_end_date.isoformat())

    assert response.status_code == 200
    errors = response.context["extension_form"].errors
    assert list(errors) == ["new_end_date"]
    assert escape(errors["new_end_date"][0]) in response.content.decode()  # shown on the page
    assert not Extension.objects.exists()
    secondment.refresh_from_db()
    assert secondment.burden_hours == hours_before
    assert secondment.history.count() == 1


def test_an_extension_without_a_date_saves_nothing(client, personas, secondment):
    client.force_login(personas.staff_a)
    response = extend(client, secondment, approved_by="李部长")
    assert response.status_code == 200
    assert "new_end_date" in response.context["extension_form"].errors
    assert not Extension.objects.exists()


@pytest.mark.parametrize("persona", ["staff_b", "outsider"])
def test_another_units_secondment_is_not_found(client, personas, secondment, today, persona):
    client.force_login(getattr(personas, persona))
    response = extend(client, secondment, new_end_date=(today + datetime.timedelta(days=40)).isoformat())
    assert response.status_code == 404
    assert not Extension.objects.exists()


def test_anonymous_people_are_sent_to_log_in_instead_of_extending(client, secondment, today):
    response = extend(client, secondment, new_end_date=(today + datetime.timedelta(days=40)).isoformat())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not Extension.objects.exists()


def test_extending_takes_only_a_post(client, personas, secondment):
    client.force_login(personas.staff_a)
    assert client.get(reverse("secondments:secondment_extend", args=[secondment.pk])).status_code == 405
