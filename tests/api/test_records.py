"""The record endpoints, tested once for all five kinds.

Each kind is driven through the same cases: who may read, write and delete what;
what the API returns it accepts back; every kind of bad input is a 400 naming the
field, in the caller's language, with nothing saved; filters and pagination; and
a list whose queries do not grow with its rows.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import Violation
from tests.factories import RECORD_FACTORIES

PREFIX = {
    "meeting": "meetings",
    "document": "documents",
    "inspection": "inspections",
    "secondment": "secondments",
    "data_request": "data-requests",
    "work_app": "work-apps",
}
READ_ONLY = {"id", "burden_hours", "violations", "created_at", "updated_at", "extensions", "item_count"}
MODELS = list(RECORD_FACTORIES)


@pytest.fixture(params=MODELS, ids=[m.record_kind for m in MODELS])
def kind(request):
    model = request.param
    return model, RECORD_FACTORIES[model], f"/api/v1/{PREFIX[model.record_kind]}/"


@pytest.fixture
def record(kind, tree, personas):
    _model, factory, _url = kind
    return factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)


def payload_of(api, url, record, user):
    """What the API shows of ``record``, minus what it computes: a valid body to send back."""
    shown = api.as_(user).get(f"{url}{record.pk}/").json()
    return {name: value for name, value in shown.items() if name not in READ_ONLY}


def test_every_record_kind_has_an_endpoint(api, personas):
    index = api.as_(personas.staff_a).get("/api/v1/").json()
    assert {PREFIX[m.record_kind] for m in MODELS} <= set(index)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("staff_a", 200), ("supervisor", 200), ("admin", 200), ("superuser", 200), ("staff_b", 404), ("outsider", 404)],
)
def test_a_record_is_readable_only_inside_ones_units(api, kind, record, personas, persona, expected):
    _model, _factory, url = kind
    assert api.as_(getattr(personas, persona)).get(f"{url}{record.pk}/").status_code == expected


def test_anonymous_callers_get_401(api, kind, record):
    _model, _factory, url = kind
    assert api.get(url).status_code == 401
    assert api.get(f"{url}{record.pk}/").status_code == 401
    assert api.post(url, {}, format="json").status_code == 401
    assert api.delete(f"{url}{record.pk}/").status_code == 401


def test_lists_hold_only_records_of_ones_own_units(api, kind, record, tree, personas):
    _model, factory, url = kind
    factory(unit=tree.b)
    factory(unit=tree.c)
    expected = {
        "staff_a": {"A"},
        "staff_b": {"B"},
        "supervisor": {"A", "B"},
        "admin": {"A", "B", "C"},
        "outsider": set(),
    }
    for persona, units in expected.items():
        body = api.as_(getattr(personas, persona)).get(url).json()
        assert {row["unit"] for row in body["results"]} == units, persona
        assert body["count"] == len(body["results"])


def test_what_the_api_returns_it_accepts_back(api, kind, record, personas):
    model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    body["external_id"] = "from-the-api"
    response = api.as_(personas.staff_a).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    created = model.objects.get(pk=response.json()["id"])
    assert created.created_by == personas.staff_a
    assert created.history.count() == 1
    assert float(created.burden_hours) == response.json()["burden_hours"] == float(record.burden_hours)
    assert response.json()["unit"] == "A"


def test_a_write_goes_through_the_service_with_history_and_hours(api, kind, record, personas):
    model, _factory, url = kind
    before = record.history.count()
    response = api.as_(personas.supervisor).patch(f"{url}{record.pk}/", {"notes": "checked"}, format="json")
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    assert record.notes == "checked"
    assert record.updated_by == personas.supervisor
    assert record.history.count() == before + 1


def test_nobody_records_for_a_unit_outside_their_own(api, kind, record, personas):
    model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    count = model.objects.count()
    for unit in ("C", "B", "NO-SUCH-UNIT"):
        response = api.as_(personas.staff_a).post(url, {**body, "unit": unit}, format="json")
        assert response.status_code == 400
        assert "unit" in response.json()
    assert model.objects.count() == count


def test_a_person_without_a_unit_may_not_write(api, kind, record, personas):
    model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    assert api.as_(personas.outsider).post(url, body, format="json").status_code == 403


def test_another_units_record_cannot_be_changed_or_deleted(api, kind, record, personas):
    _model, _factory, url = kind
    client = api.as_(personas.staff_b)
    assert client.patch(f"{url}{record.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert client.delete(f"{url}{record.pk}/").status_code == 404
    record.refresh_from_db()
    assert record.notes != "x"


def test_moving_a_record_to_a_unit_outside_ones_own_is_refused(api, kind, record, personas):
    _model, _factory, url = kind
    response = api.as_(personas.staff_a).patch(f"{url}{record.pk}/", {"unit": "B"}, format="json")
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.unit.code == "A"


def test_delete_keeps_the_history_and_clears_flags(api, kind, record, personas):
    model, _factory, url = kind
    response = api.as_(personas.staff_a).delete(f"{url}{record.pk}/")
    assert response.status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()
    assert record.history.filter(history_type="-").exists()
    assert not Violation.objects.open().filter(record_kind=model.record_kind, record_id=record.pk).exists()


def bad_inputs(model, body):
    """(field, bad value) pairs for every kind of bad input the contract names."""
    date = model.date_field
    cases = [
        (date, "2026-13-45"),  # a malformed date
        (date, 20260301),  # a date of the wrong type
        (date, "2206-03-01"),  # a typing slip far outside the years burden is logged for
        ("trace_requirements", ["photo", "selfie"]),  # an unknown choice in a list
        ("trace_requirements", "photo"),  # a list given as a string
        ("unit", None),  # a required field left empty
        ("source_unit", ["S1"]),  # a code of the wrong type
        ("notes", {"a": 1}),  # text of the wrong type
        ("notes", 0),  # a number for text: DRF alone would store "0"
        ("unit", 7),  # a number for a code
    ]
    for field in model._meta.concrete_fields:
        if field.name not in body or field.name in {"unit", "source_unit", "trace_requirements"}:
            continue
        if field.choices:
            cases.append((field.name, "no-such-choice"))
        elif field.get_internal_type() in ("PositiveIntegerField", "DecimalField"):
            cases += [(field.name, "many"), (field.name, -1), (field.name, "5")]
        elif field.get_internal_type() == "BooleanField":
            cases += [(field.name, "perhaps"), (field.name, 1), (field.name, "true")]
        elif field.get_internal_type() == "DateField" and field.name != date:
            cases.append((field.name, "yesterday"))
    return cases


def test_every_kind_of_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(api, kind, record, personas):
    model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    count, client = model.objects.count(), api.as_(personas.staff_a)
    cases = bad_inputs(model, body)
    assert len(cases) >= 9
    for field, value in cases:
        response = client.post(url, {**body, field: value}, format="json")
        assert response.status_code == 400, (field, value, response.content)
        assert field in response.json(), (field, value, response.json())
        assert all(isinstance(message, str | dict | list) for message in response.json().values())
    for field in ("unit", model.date_field):
        response = client.post(url, {k: v for k, v in body.items() if k != field}, format="json")
        assert response.status_code == 400 and field in response.json(), field
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert model.objects.count() == count


def test_model_validation_errors_come_back_as_field_errors(api, kind, record, personas):
    """The model's own clean() runs (the same as in the browser): an external id used twice in a unit."""
    model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    client = api.as_(personas.staff_a)
    assert client.post(url, {**body, "external_id": "dup"}, format="json").status_code == 201
    response = client.post(url, {**body, "external_id": "dup"}, format="json")
    assert response.status_code == 400
    assert model.objects.filter(external_id="dup").count() == 1


def test_errors_are_in_the_language_the_caller_asks_for(api, kind, record, personas):
    _model, _factory, url = kind
    body = payload_of(api, url, record, personas.staff_a)
    client = api.as_(personas.staff_a)
    english = client.post(url, {**body, "unit": "C"}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["unit"][0]
    chinese = client.post(url, {**body, "unit": "C"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["unit"][0]
    assert "unit" in english.lower()
    assert english != chinese
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese)


def test_lists_filter_by_unit_subtree_source_and_dates(api, kind, record, tree, personas):
    model, factory, url = kind
    date = model.date_field
    factory(unit=tree.b, **{date: datetime.date(2025, 5, 1)})
    factory(unit=tree.c, source_unit=tree.d2)
    client = api.as_(personas.admin)

    def units(query):
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        return sorted(row["unit"] for row in response.json()["results"])

    assert units({"unit": "S1"}) == ["A", "B"]
    assert units({"unit": "C"}) == ["C"]
    assert units({"source_unit": "D1-EDU"}) == ["A"]
    assert units({"date_from": "2026-01-01", "unit": "S1"}) == ["A"]
    assert units({"date_to": "2025-12-31"}) == ["B"]
    assert client.get(url, {"date_from": "not-a-date"}).status_code == 400


def test_lists_paginate(api, kind, tree, personas):
    _model, factory, url = kind
    factory.create_batch(5, unit=tree.a)
    body = api.as_(personas.staff_a).get(url, {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"] and body["previous"] is None
    last = api.as_(personas.staff_a).get(url, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert api.as_(personas.staff_a).get(url, {"page": 99}).status_code == 404


def test_list_queries_do_not_grow_with_rows(api, kind, tree, personas):
    _model, factory, url = kind
    client = api.as_(personas.supervisor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    factory.create_batch(2, unit=tree.a, source_unit=tree.dept)
    queries()  # the first request also reads the caller's memberships
    few = queries()
    factory.create_batch(20, unit=tree.b, source_unit=tree.dept)
    assert queries() == few


def test_records_show_their_flags_with_a_translated_message(api, tree, personas):
    from tests.record_factories.meetings import MeetingFactory

    meeting = MeetingFactory(unit=tree.a, duration_minutes=600, created_by=personas.staff_a)
    from burden.rules.engine import evaluate_record

    evaluate_record("meeting", meeting.pk)
    shown = api.as_(personas.staff_a).get(f"/api/v1/meetings/{meeting.pk}/").json()["violations"]
    assert shown and all(set(flag) == {"rule", "status", "message"} for flag in shown)
    assert any(flag["rule"] == "MTG-DURATION" and flag["status"] == "open" for flag in shown)
    chinese = api.as_(personas.staff_a).get(f"/api/v1/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese["violations"][0]["message"])


def test_figures_that_overflow_the_hours_are_a_400_not_a_500(api, tree, personas):
    body = {"unit": "A", "title": "x", "date": "2026-03-02", "duration_minutes": 2000000, "attendees": 2000000000}
    response = api.as_(personas.staff_a).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_blank_codes_and_invalid_characters_are_refused(api, tree, personas):
    client = api.as_(personas.staff_a)
    body = {"unit": "A", "title": "x", "date": "2026-03-02", "duration_minutes": 30}
    response = client.post("/api/v1/meetings/", {**body, "source_unit": ""}, format="json")
    assert response.status_code == 400 and "source_unit" in response.json()
    response = client.post(
        "/api/v1/meetings/", '{"unit": "A", "title": "\\udaea", "date": "2026-03-02"}', content_type="application/json"
    )
    assert response.status_code == 400 and "title" in response.json()
