"""The work app form: short enough for a phone, everything but the name and the demands defaulted."""

import datetime

import pytest
from django.utils import timezone

from workapps.forms import WorkAppForm
from workapps.models import WorkApp

pytestmark = pytest.mark.django_db


def test_a_new_form_offers_today_and_the_staff_members_only_unit(tree, personas):
    form = WorkAppForm(user=personas.staff_a)
    assert form.initial["start_date"] == timezone.localdate()
    assert form.initial["unit"] == tree.a.pk
    required = {name for name, field in form.fields.items() if field.required}
    assert required == {"name", "app_kind", "unit", "start_date", "people_required", "minutes_per_day"}


def test_a_name_the_unit_the_start_and_a_demand_are_enough(client, tree, personas):
    client.force_login(personas.staff_a)
    response = client.post(
        "/work-apps/new/",
        {
            "name": "创文打卡群",
            "app_kind": "group",
            "unit": tree.a.pk,
            "source_unit": "D1-EDU",
            "demands": ["checkin"],
            "start_date": "2026-03-02",
            "people_required": 1,
            "minutes_per_day": 10,
        },
    )
    app = WorkApp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == app.get_absolute_url()
    assert (app.demands, app.end_date, app.security_or_emergency, app.created_by) == (
        ["checkin"],
        None,
        False,
        personas.staff_a,
    )
    assert app.start_date == datetime.date(2026, 3, 2)


def test_the_demands_and_notes_take_the_whole_width():
    assert {"name", "demands", "notes"} <= set(WorkAppForm.wide_fields)
