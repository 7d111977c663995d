"""Extensions edited inline in the admin move the secondment's stored hours too."""

import datetime

from django.urls import reverse

from burden.models import Membership
from secondments.models import Extension
from tests.factories import MembershipFactory
from tests.record_factories.secondments import SecondmentFactory


def test_an_extension_added_in_the_admin_recomputes_the_hours(client, tree, personas):
    secondment = SecondmentFactory(
        unit=tree.a, start_date=datetime.date(2026, 3, 2), planned_end_date=datetime.date(2026, 3, 31)
    )
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:secondments_secondment_change", args=[secondment.pk]),
        {
            "unit": tree.a.pk,
            "person_name": secondment.person_name,
            "host_name": secondment.host_name,
            "arrangement": "secondment",
            "start_date": "2026-03-02",
            "planned_end_date": "2026-03-31",
            "extensions-TOTAL_FORMS": "1",
            "extensions-INITIAL_FORMS": "0",
            "extensions-0-new_end_date": "2026-04-10",
            "extensions-0-approved_by": "李部长",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Extension.objects.get().created_by == personas.admin
    secondment.refresh_from_db()
    assert secondment.burden_hours == secondment.compute_burden_hours_now() == 240


def test_a_unit_admin_cannot_open_a_secondment_elsewhere(client, tree, personas):
    secondment = SecondmentFactory(unit=tree.c)
    client.force_login(MembershipFactory(unit=tree.s1, role=Membership.Role.ADMIN).user)
    assert client.get(reverse("admin:secondments_secondment_change", args=[secondment.pk])).status_code == 302
