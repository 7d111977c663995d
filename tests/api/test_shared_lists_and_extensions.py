"""The data catalogue, inspection plans and secondment extensions through the API."""

import datetime

import pytest

from datarequests.models import CatalogueItem, DataRequestItem
from inspections.models import InspectionPlan
from secondments.models import Extension
from tests.factories import MembershipFactory, UserFactory
from tests.record_factories.datarequests import CatalogueItemFactory
from tests.record_factories.inspections import InspectionPlanFactory
from tests.record_factories.secondments import SecondmentFactory


@pytest.fixture
def d2_admin(tree):
    return MembershipFactory(user=UserFactory(username="d2_admin"), unit=tree.d2, role="admin").user


def test_everyone_reads_the_catalogue_and_the_plans(api, tree, personas):
    CatalogueItemFactory(code="POP-1", owner_unit=tree.d2)
    InspectionPlanFactory(inspecting_unit=tree.d2, year=2026)
    for persona in ("staff_a", "outsider", "supervisor"):
        client = api.as_(getattr(personas, persona))
        assert client.get("/api/v1/catalogue/").json()["results"][0]["owner_unit"] == "D2"
        assert client.get("/api/v1/catalogue/POP-1/").json()["code"] == "POP-1"
        assert client.get("/api/v1/inspection-plans/").json()["results"][0]["inspecting_unit"] == "D2"


def test_the_owning_units_admin_keeps_the_catalogue(api, tree, personas, d2_admin):
    client = api.as_(d2_admin)
    body = {"code": "HH-1", "name": "户籍人口", "owner_unit": "C"}
    assert client.post("/api/v1/catalogue/", body).status_code == 201
    assert client.patch("/api/v1/catalogue/HH-1/", {"name": "户籍人口数"}).status_code == 200
    assert CatalogueItem.objects.get(code="HH-1").history.first().history_user == d2_admin
    assert client.post("/api/v1/catalogue/", {**body, "code": "HH-2", "owner_unit": "A"}).status_code == 400
    assert client.delete("/api/v1/catalogue/HH-1/").status_code == 204
    assert not CatalogueItem.objects.filter(code="HH-1").exists()


def test_others_may_not_touch_an_item_they_do_not_own(api, tree, personas, d2_admin):
    CatalogueItemFactory(code="POP-1", owner_unit=tree.a)
    assert api.as_(d2_admin).patch("/api/v1/catalogue/POP-1/", {"name": "x"}).status_code == 403
    assert api.as_(d2_admin).delete("/api/v1/catalogue/POP-1/").status_code == 403
    for persona in ("staff_a", "supervisor", "outsider"):
        client = api.as_(getattr(personas, persona))
        assert client.patch("/api/v1/catalogue/POP-1/", {"name": "x"}).status_code == 403
        body = {"code": "X-1", "name": "x", "owner_unit": "A"}
        assert client.post("/api/v1/catalogue/", body).status_code == 403
    assert CatalogueItem.objects.get(code="POP-1").name != "x"


def test_an_item_still_asked_for_cannot_be_deleted(api, tree, personas):
    from tests.record_factories.datarequests import DataRequestFactory

    item = CatalogueItemFactory(code="POP-1", owner_unit=tree.a)
    request = DataRequestFactory(unit=tree.a)
    DataRequestItem.objects.create(request=request, catalogue_item=item, name=item.name)
    assert api.as_(personas.admin).delete("/api/v1/catalogue/POP-1/").status_code == 409
    assert CatalogueItem.objects.filter(code="POP-1").exists()


def test_catalogue_input_is_validated(api, personas):
    client = api.as_(personas.admin)
    for body, field in [
        ({"code": "has space", "name": "x", "owner_unit": "A"}, "code"),
        ({"code": "OK-1", "name": "", "owner_unit": "A"}, "name"),
        ({"code": "OK-1", "name": "x", "owner_unit": "NOPE"}, "owner_unit"),
        ({"code": "OK-1", "name": 5, "owner_unit": "A"}, "name"),
    ]:
        response = client.post("/api/v1/catalogue/", body)
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert not CatalogueItem.objects.exists()


def test_the_inspecting_units_admin_keeps_its_plans(api, tree, personas, d2_admin):
    client = api.as_(d2_admin)
    body = {"inspecting_unit": "D2", "year": 2026, "approved_on": "2026-01-05", "quota": 3}
    response = client.post("/api/v1/inspection-plans/", body)
    assert response.status_code == 201, response.json()
    plan = response.json()["id"]
    assert client.post("/api/v1/inspection-plans/", body).status_code == 400  # one plan a year
    assert client.post("/api/v1/inspection-plans/", {**body, "year": 1999}).status_code == 400
    assert client.patch(f"/api/v1/inspection-plans/{plan}/", {"quota": 4}).json()["quota"] == 4
    assert api.as_(personas.supervisor).patch(f"/api/v1/inspection-plans/{plan}/", {"quota": 9}).status_code == 403
    client = api.as_(d2_admin)
    other = InspectionPlanFactory(inspecting_unit=tree.d1)
    assert client.patch(f"/api/v1/inspection-plans/{other.pk}/", {"quota": 9}).status_code == 403
    assert client.delete(f"/api/v1/inspection-plans/{plan}/").status_code == 204
    assert not InspectionPlan.objects.filter(pk=plan).exists()


def test_a_secondment_is_extended_through_the_api(api, tree, personas):
    secondment = SecondmentFactory(unit=tree.a, start_date=datetime.date(2026, 1, 31))
    url = f"/api/v1/secondments/{secondment.pk}/extensions/"
    hours = secondment.burden_hours
    body = {"new_end_date": "2026-06-30", "approved_by": "李部长", "approved_on": "2026-04-20"}
    response = api.as_(personas.staff_a).post(url, body)
    assert response.status_code == 201, response.json()
    secondment.refresh_from_db()
    assert secondment.burden_hours > hours
    assert secondment.extensions.get().history.first().history_user == personas.staff_a
    shown = api.as_(personas.staff_a).get(f"/api/v1/secondments/{secondment.pk}/").json()
    assert [e["new_end_date"] for e in shown["extensions"]] == ["2026-06-30"]
    assert api.as_(personas.staff_a).get(url).json()[0]["approved_by"] == "李部长"


def test_an_extension_that_does_not_extend_is_a_400(api, tree, personas):
    secondment = SecondmentFactory(unit=tree.a)
    url = f"/api/v1/secondments/{secondment.pk}/extensions/"
    for body, field in [
        ({"new_end_date": secondment.planned_end_date.isoformat()}, "new_end_date"),
        ({"new_end_date": "someday"}, "new_end_date"),
        ({"new_end_date": "9999-12-31"}, "new_end_date"),
        ({}, "new_end_date"),
    ]:
        response = api.as_(personas.staff_a).post(url, body)
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert not Extension.objects.exists()


def test_nobody_extends_another_units_secondment(api, tree, personas):
    secondment = SecondmentFactory(unit=tree.a)
    url = f"/api/v1/secondments/{secondment.pk}/extensions/"
    assert api.as_(personas.staff_b).post(url, {"new_end_date": "2026-12-31"}).status_code == 404
    assert api.as_(personas.staff_b).get(url).status_code == 404
    assert api.as_(None).post(url, {"new_end_date": "2026-12-31"}).status_code == 401
    assert not Extension.objects.exists()
