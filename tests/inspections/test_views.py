"""The inspection list filters, the form's plan choices, and the plans in the admin."""

import pytest
from django.urls import reverse

from burden.models import Membership
from inspections.forms import InspectionForm
from inspections.models import Inspection
from tests.factories import MembershipFactory, UserFactory
from tests.record_factories.inspections import InspectionFactory, InspectionPlanFactory


@pytest.fixture
def listed(client, personas):
    client.force_login(personas.supervisor)

    def listed(**params):
        return set(client.get(reverse("inspections:inspection_list"), params).context["object_list"])

    return listed


def test_the_list_filters_by_purpose_including_none_stated(tree, listed):
    supervision = InspectionFactory(unit=tree.a, purpose=Inspection.Purpose.SUPERVISION)
    unstated = InspectionFactory(unit=tree.b, purpose=Inspection.Purpose.NOT_STATED)
    assert listed(purpose="supervision") == {supervision}
    assert listed(purpose="none") == {unstated}
    assert listed(purpose="") == {supervision, unstated}


def test_the_list_filters_unannounced_and_emergency_checks(tree, listed):
    surprise = InspectionFactory(unit=tree.a, unannounced=True)
    emergency = InspectionFactory(unit=tree.a, emergency=True)
    assert listed(unannounced="true") == {surprise}
    assert listed(emergency="true") == {emergency}
    assert listed(emergency="false") == {surprise}
    assert listed(emergency="") == {surprise, emergency}


def test_every_plan_is_offered_whoever_logs(tree, personas):
    plans = {InspectionPlanFactory(inspecting_unit=tree.dept), InspectionPlanFactory(inspecting_unit=tree.d2)}
    assert set(InspectionForm(user=personas.staff_a).fields["plan"].queryset) == plans


def test_the_form_refuses_a_plan_of_another_inspecting_unit(client, tree, personas):
    plan = InspectionPlanFactory(inspecting_unit=tree.d2, year=2026)
    client.force_login(personas.staff_a)
    response = client.post(
        reverse("inspections:inspection_create"),
        {
            "title": "安全检查",
            "date": "2026-03-03",
            "unit": tree.a.pk,
            "source_unit": "D1-EDU",
            "plan": plan.pk,
            "staff_involved": 2,
            "tables_demanded": 0,
            "reports_demanded": 0,
            "preparation_hours": "1.5",
            "onsite_hours": "2",
        },
    )
    assert response.status_code == 200
    assert "plan" in response.context["form"].errors
    assert not Inspection.objects.exists()


@pytest.fixture
def district_admin(personas, tree):
    return MembershipFactory(user=UserFactory(username="admin_d1"), unit=tree.d1, role=Membership.Role.ADMIN).user


def test_an_admin_manages_the_plans_of_their_subtree_only(client, tree, district_admin):
    own = InspectionPlanFactory(inspecting_unit=tree.dept)
    elsewhere = InspectionPlanFactory(inspecting_unit=tree.d2)
    client.force_login(district_admin)
    changelist = client.get(reverse("admin:inspections_inspectionplan_changelist"))
    assert list(changelist.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:inspections_inspectionplan_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:inspections_inspectionplan_change", args=[elsewhere.pk])).status_code == 302


def test_staff_cannot_reach_the_plans_in_the_admin(client, personas):
    client.force_login(personas.staff_a)
    assert client.get(reverse("admin:inspections_inspectionplan_changelist")).status_code == 302


def test_an_admin_opens_an_inspection_in_the_admin(client, tree, personas):
    inspection = InspectionFactory(
        unit=tree.a, source_unit=tree.dept, plan=InspectionPlanFactory(inspecting_unit=tree.dept)
    )
    client.force_login(personas.admin)
    assert client.get(reverse("admin:inspections_inspection_change", args=[inspection.pk])).status_code == 200
    assert client.get(reverse("admin:inspections_inspection_changelist")).status_code == 200
