"""The burden summary, and the OpenAPI schema and its documentation page."""

import datetime
from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory


@pytest.fixture
def burden(tree):
    MeetingFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 3, 2), duration_minutes=60)
    MeetingFactory(unit=tree.b, source_unit=tree.d1, date=datetime.date(2026, 4, 9), duration_minutes=60)
    DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=datetime.date(2026, 3, 20), handling_minutes=30)
    MeetingFactory(unit=tree.c, source_unit=tree.d2, date=datetime.date(2026, 3, 2))
    MeetingFactory(unit=tree.a, date=datetime.date(2025, 12, 31))


def hours(records):
    return float(sum((r.burden_hours for r in records), Decimal(0)))


def test_the_summary_adds_up_a_subtree_by_kind_month_and_source(api, personas, tree, burden):
    from burden.records.registry import record_models
    from meetings.models import Meeting

    body = (
        api.as_(personas.supervisor)
        .get("/api/v1/burden/summary/", {"unit": "S1", "from": "2026-01-01", "to": "2026-12-31"})
        .json()
    )
    meetings = Meeting.objects.filter(unit__in=[tree.a, tree.b], date__year=2026)
    assert body["by_kind"]["meeting"] == pytest.approx(hours(meetings))
    assert body["by_kind"]["document"] == pytest.approx(0.5)
    assert set(body["by_kind"]) == set(record_models())  # every kind, those with no hours too
    assert body["total_hours"] == pytest.approx(sum(body["by_kind"].values()))
    months = {(row["month"], row["kind"]): row for row in body["by_month"]}
    assert set(months) == {("2026-03", "meeting"), ("2026-03", "document"), ("2026-04", "meeting")}
    assert months[("2026-03", "meeting")]["count"] == 1
    sources = {row["source_unit"]: row["hours"] for row in body["by_source"]}
    assert set(sources) == {"D1-EDU", "D1"}
    assert body["by_source"][0]["hours"] >= body["by_source"][-1]["hours"]


def test_the_summary_stays_inside_the_callers_units(api, personas, burden):
    assert api.as_(personas.supervisor).get("/api/v1/burden/summary/", {"unit": "C"}).status_code == 404
    assert api.as_(personas.staff_a).get("/api/v1/burden/summary/", {"unit": "S1"}).status_code == 404
    everything = api.as_(personas.staff_a).get("/api/v1/burden/summary/").json()
    assert {row["source_unit"] for row in everything["by_source"]} == {"D1-EDU", None}
    assert api.as_(None).get("/api/v1/burden/summary/").status_code == 401
    assert api.as_(personas.outsider).get("/api/v1/burden/summary/").json()["total_hours"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [({"from": "2026-02-30"}, "from"), ({"to": "x"}, "to"), ({"from": "2026-05-01", "to": "2026-04-01"}, "to")],
)
def test_bad_summary_periods_are_a_400(api, personas, query, field):
    response = api.as_(personas.admin).get("/api/v1/burden/summary/", query)
    assert response.status_code == 400 and field in response.json()


def test_the_summary_runs_a_fixed_number_of_queries(api, personas, tree, burden):
    client = api.as_(personas.admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v1/burden/summary/", {"unit": "CITY"})
        return len(captured)

    queries()
    few = queries()
    MeetingFactory.create_batch(10, unit=tree.b, source_unit=tree.d2)
    assert queries() == few


def test_the_schema_is_valid_openapi_and_documents_every_error(api):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes or path.endswith("/auth/token/"), (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method in ("post", "put", "patch"):
                assert "400" in codes, (path, method)
    contract = [
        "/api/v1/auth/token/",
        "/api/v1/units/",
        "/api/v1/users/",
        "/api/v1/memberships/",
        "/api/v1/meetings/",
        "/api/v1/documents/",
        "/api/v1/inspections/",
        "/api/v1/inspection-plans/",
        "/api/v1/secondments/",
        "/api/v1/secondments/{id}/extensions/",
        "/api/v1/catalogue/",
        "/api/v1/data-requests/",
        "/api/v1/rules/",
        "/api/v1/rules/{code}/",
        "/api/v1/violations/",
        "/api/v1/violations/{id}/transition/",
        "/api/v1/burden/summary/",
    ]
    assert set(contract) <= set(schema["paths"])


def test_the_schema_and_its_documentation_are_served(api, personas):
    # Only to people signed in (the tests run with DEBUG off): tests/security/test_leaks_and_defaults.py.
    response = api.as_(personas.staff_a).get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")
    page = api.as_(personas.staff_a).get("/api/v1/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
