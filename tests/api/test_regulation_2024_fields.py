"""The 2024 regulation's fields through the API: a research visit, a loan by any name, a report's core share.

A record written through the API is evaluated when its transaction commits; its
``violations`` then name the rules it breaks.
"""

import pytest

from burden.models import Violation

pytestmark = pytest.mark.django_db(transaction=True)


def rules_of(api, user, url):
    return {violation["rule"] for violation in api.as_(user).get(url).json()["violations"]}


def test_a_research_visit_demanding_twenty_tables_is_flagged_as_a_disguised_inspection(api, tree, personas):
    body = {
        "unit": "A",
        "source_unit": "D1-EDU",
        "title": "基层治理调研",
        "date": "2026-03-02",
        "purpose": "research",
        "tables_demanded": 20,
    }
    created = api.as_(personas.staff_a).post("/api/v1/inspections/", body, format="json")
    assert created.status_code == 201, created.json()
    shown = created.json()
    assert shown["purpose"] == "research"
    assert shown["comprehensive"] is False and shown["principal_required"] is False
    rules = rules_of(api, personas.staff_a, f"/api/v1/inspections/{shown['id']}/")
    assert "INS-DISGUISED" in rules and "INS-MATERIALS" not in rules
    violation = Violation.objects.get(rule="INS-DISGUISED")
    assert violation.message.startswith("A research visit that demanded 20 tables")


def test_a_four_month_attachment_post_from_a_community_is_flagged_by_the_term_and_the_grassroots_rules(
    api, tree, personas
):
    body = {
        "unit": "A",
        "source_unit": "D1-EDU",
        "person_name": "王芳",
        "host_name": "区创文专班",
        "arrangement": "attachment",
        "start_date": "2026-03-02",
        "planned_end_date": "2026-07-02",
        "approved_by": "区委组织部",
        "approved_on": "2026-02-25",
        "hr_filed_on": "2026-03-05",
    }
    created = api.as_(personas.staff_a).post("/api/v1/secondments/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["arrangement"] == "attachment" and created.json()["specially_approved"] is False
    url = f"/api/v1/secondments/{created.json()['id']}/"
    assert {"SEC-TERM", "SEC-GRASSROOTS"} <= rules_of(api, personas.staff_a, url)
    approved = api.as_(personas.staff_a).patch(url, {"specially_approved": True}, format="json")
    assert approved.status_code == 200, approved.json()
    assert "SEC-GRASSROOTS" not in rules_of(api, personas.staff_a, url)


def test_a_loan_without_an_arrangement_is_a_secondment(api, tree, personas):
    body = {
        "unit": "A",
        "person_name": "李强",
        "host_name": "区防汛指挥部",
        "start_date": "2026-03-02",
        "planned_end_date": "2026-04-02",
    }
    created = api.as_(personas.staff_a).post("/api/v1/secondments/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["arrangement"] == "secondment"


def test_an_unknown_arrangement_is_a_400_naming_the_field(api, tree, personas):
    body = {
        "unit": "A",
        "person_name": "李强",
        "host_name": "区防汛指挥部",
        "arrangement": "loan",
        "start_date": "2026-03-02",
        "planned_end_date": "2026-04-02",
    }
    response = api.as_(personas.staff_a).post("/api/v1/secondments/", body, format="json")
    assert response.status_code == 400 and "arrangement" in response.json()


def report(**kwargs):
    return {
        "unit": "A",
        "title": "季度工作汇报",
        "date": "2026-03-02",
        "kind": "report",
        "items": ["工作进展"],
        "frequency": "quarterly",
        **kwargs,
    }


def test_a_report_with_little_core_content_is_flagged(api, tree, personas):
    created = api.as_(personas.staff_a).post("/api/v1/data-requests/", report(core_share_percent=60), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["core_share_percent"] == 60
    assert "RPT-CORE-SHARE" in rules_of(api, personas.staff_a, f"/api/v1/data-requests/{created.json()['id']}/")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"core_share_percent": 101}, "core_share_percent"),
        ({"kind": "data", "core_share_percent": 50}, "core_share_percent"),
    ],
)
def test_a_core_share_over_a_hundred_or_on_a_data_request_is_a_400(api, tree, personas, changes, field):
    response = api.as_(personas.staff_a).post("/api/v1/data-requests/", report(**changes), format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


@pytest.mark.parametrize(("matters", "status"), [(50, 201), (51, 400), (2147483647, 400)])
def test_a_document_bundles_at_most_fifty_matters(api, tree, personas, matters, status):
    body = {"unit": "A", "title": "多文合一", "received_on": "2026-03-02", "matters": matters}
    response = api.as_(personas.staff_a).post("/api/v1/documents/", body, format="json")
    assert response.status_code == status, response.json()
    if status == 400:
        assert "matters" in response.json()
