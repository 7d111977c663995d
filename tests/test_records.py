"""The pages every kind of record shares, tested once for all of them.

Each record app only adds its factory to ``RECORD_FACTORIES``; these tests then walk
its list, detail, form, delete and restore pages for every persona, post its form,
and bound its list page's queries.
"""

import datetime
import re

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.fields import MultipleChoiceField
from burden.record_forms import duplicate_fields
from burden.record_views import record_configs
from meetings.models import Meeting
from tests.factories import RECORD_FACTORIES, UnitFactory

CONFIGS = {config.model: config for config in record_configs()}
MODELS = list(RECORD_FACTORIES)


def test_every_record_kind_has_a_factory():
    assert set(CONFIGS) == set(RECORD_FACTORIES)


@pytest.fixture(params=MODELS, ids=[m._meta.model_name for m in MODELS])
def kind(request):
    model = request.param
    return CONFIGS[model], RECORD_FACTORIES[model]


@pytest.fixture
def record(kind, tree, personas):
    _config, factory = kind
    return factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)


def url(config, action, *args):
    return reverse(config.url_name(action), args=args)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("staff_a", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("superuser", 200),
        ("staff_b", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("action", ["detail", "update", "delete"])
def test_record_pages_answer_each_role(client, kind, record, personas, persona, expected, action):
    config, _factory = kind
    client.force_login(getattr(personas, persona))
    assert client.get(url(config, action, record.pk)).status_code == expected


@pytest.mark.parametrize(
    "action", ["list", "create", "detail", "update", "delete", "deleted", "import", "export", "template"]
)
def test_anonymous_people_are_sent_to_log_in(client, kind, record, action):
    config, _factory = kind
    args = [record.pk] if action in ("detail", "update", "delete") else []
    response = client.get(url(config, action, *args))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_lists_show_only_records_of_ones_own_units(client, kind, record, tree, personas):
    config, factory = kind
    factory(unit=tree.b)
    factory(unit=tree.c)
    expected = {"staff_a": {tree.a}, "staff_b": {tree.b}, "supervisor": {tree.a, tree.b}, "outsider": set()}
    for persona, units in expected.items():
        client.force_login(getattr(personas, persona))
        listed = client.get(url(config, "list")).context["object_list"]
        assert {r.unit for r in listed} == units, persona


def test_someone_without_a_unit_cannot_log_or_import_anything(client, kind, personas):
    config, _factory = kind
    client.force_login(personas.outsider)
    assert client.get(url(config, "create")).status_code == 403
    assert client.get(url(config, "import")).status_code == 403


def test_an_export_holds_only_the_viewers_records(client, kind, record, tree, personas):
    config, factory = kind
    factory(unit=tree.b)
    client.force_login(personas.staff_a)
    lines = b"".join(client.get(url(config, "export"), {"format": "csv"}).streaming_content).decode().splitlines()
    assert len(lines) == 2  # the header and staff_a's one record
    assert lines[1].startswith(f"{record.pk},")


def test_only_admins_see_deleted_records(client, kind, personas):
    config, _factory = kind
    for persona, expected in [("staff_a", 403), ("supervisor", 403), ("admin", 200)]:
        client.force_login(getattr(personas, persona))
        assert client.get(url(config, "deleted")).status_code == expected


def form_data(config, record) -> dict:
    """The POST a person would send to create ``record`` through its form."""
    data = {}
    values = model_to_dict(record, fields=config.form_class._meta.fields)
    for name, value in values.items():
        field = record._meta.get_field(name)
        if name == "source_unit":
            data[name] = record.source_unit.code if record.source_unit else ""
        elif isinstance(field, MultipleChoiceField):
            data[name] = list(value)
        elif isinstance(value, bool):
            data[name] = str(value)  # what a check box's "on" and a yes/no question's radio both read
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    # Form fields that are not model fields (a data request's items): the factory says what to type.
    data.update(getattr(record, "form_extra", {}))
    return data


def test_staff_log_a_record_through_the_form(client, kind, tree, personas):
    config, factory = kind
    built = factory.build(unit=tree.a, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    response = client.post(url(config, "create"), form_data(config, built))
    assert response.status_code == 302, response.context["form"].errors
    saved = config.model.objects.get()
    assert response["Location"] == saved.get_absolute_url()
    assert saved.created_by == personas.staff_a
    assert saved.burden_hours == saved.compute_burden_hours_now()
    assert saved.history.get().history_user == personas.staff_a


@pytest.mark.parametrize("typed", ["东区教育局", "east education bureau", "D1-EDU 东区教育局", "D1-EDU"])
def test_staff_may_type_the_source_unit_by_its_name(client, kind, tree, personas, typed):
    config, factory = kind
    built = factory.build(unit=tree.a, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    response = client.post(url(config, "create"), {**form_data(config, built), "source_unit": typed})
    assert response.status_code == 302, response.context["form"].errors
    assert config.model.objects.get().source_unit == tree.dept


def test_a_name_two_units_bear_is_refused_naming_both_and_keeping_what_was_typed(client, kind, tree, personas):
    config, factory = kind
    UnitFactory(code="D2-EDU", name="东区教育局", name_en="", level="department", parent=tree.d2, is_grassroots=False)
    built = factory.build(unit=tree.a, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    data = {**form_data(config, built), "source_unit": "东区教育局"}
    response = client.post(url(config, "create"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    [error] = response.context["form"].errors["source_unit"]
    assert "D1-EDU" in error and "D2-EDU" in error
    assert 'value="东区教育局"' in response.content.decode()
    assert not config.model.objects.exists()


def test_the_list_filters_by_a_units_name(client, kind, tree, personas):
    config, factory = kind
    config.model.objects.bulk_create(
        [factory.build(unit=tree.a, source_unit=tree.dept), factory.build(unit=tree.b, source_unit=None)]
    )
    client.force_login(personas.supervisor)
    by_unit = client.get(url(config, "list"), {"unit": "甲社区"})
    assert [r.unit for r in by_unit.context["object_list"]] == [tree.a]
    by_source = client.get(url(config, "list"), {"source_unit": "East Education Bureau"})
    assert [r.source_unit for r in by_source.context["object_list"]] == [tree.dept]
    assert list(client.get(url(config, "list"), {"unit": "无此社区"}).context["object_list"]) == []


def test_the_form_refuses_a_unit_the_person_does_not_belong_to(client, kind, tree, personas):
    config, factory = kind
    built = factory.build(unit=tree.b, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    response = client.post(url(config, "create"), form_data(config, built))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not config.model.objects.exists()


def test_editing_keeps_who_changed_what(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.supervisor)
    data = form_data(config, record)
    data["notes"] = "已核实"
    response = client.post(url(config, "update", record.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert record.updated_by == personas.supervisor
    detail = client.get(url(config, "detail", record.pk))
    latest = detail.context["history"][0]
    assert latest["who"] == personas.supervisor
    assert [c["new"] for c in latest["changes"]] == ["已核实"]


def test_deleting_asks_first_then_an_admin_can_restore(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    confirm = client.get(url(config, "delete", record.pk))
    assert confirm.status_code == 200
    assert config.model.objects.filter(pk=record.pk).exists()  # asking deleted nothing
    assert client.post(url(config, "delete", record.pk)).status_code == 302
    assert not config.model.objects.filter(pk=record.pk).exists()

    client.force_login(personas.admin)
    deleted = client.get(url(config, "deleted")).context["deleted"]
    assert [entry.id for entry in deleted] == [record.pk]
    response = client.post(url(config, "restore", deleted[0].history_id))
    assert response.status_code == 302
    assert config.model.objects.filter(pk=record.pk).exists()
    assert list(client.get(url(config, "deleted")).context["deleted"]) == []


def test_staff_cannot_restore(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    client.post(url(config, "delete", record.pk))
    history_id = config.model.history.filter(history_type="-").get().history_id
    assert client.post(url(config, "restore", history_id)).status_code == 404
    assert not config.model.objects.filter(pk=record.pk).exists()


def _list_queries(client, config):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(config, "list"), {"sort": "-burden_hours"})
    assert response.status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_from_10_to_1000_records(client, kind, tree, personas):
    config, factory = kind
    client.force_login(personas.supervisor)
    config.model.objects.bulk_create([factory.build(unit=tree.a, source_unit=tree.dept) for _ in range(10)])
    few = _list_queries(client, config)
    config.model.objects.bulk_create([factory.build(unit=tree.b, source_unit=tree.dept) for _ in range(990)])
    assert config.model.objects.count() == 1000
    assert _list_queries(client, config) == few


def test_the_list_scans_its_rows_once_for_the_count_the_pages_and_the_hours(client, kind, tree, personas):
    config, factory = kind
    client.force_login(personas.supervisor)
    config.model.objects.bulk_create([factory.build(unit=tree.a, source_unit=tree.dept) for _ in range(30)])
    table = connection.ops.quote_name(config.model._meta.db_table)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(config, "list"))
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and f"FROM {table}" in q["sql"]]
    assert len(counts) == 1, counts
    assert response.context["totals"]["count"] == 30
    assert response.context["paginator"].count == 30
    assert response.context["paginator"].num_pages == 2


def test_detail_queries_do_not_grow_with_history(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    client.get(url(config, "detail", record.pk))
    with CaptureQueriesContext(connection) as first:
        client.get(url(config, "detail", record.pk))
    for n in range(30):
        record.notes = f"第{n}次修改"
        record.source_unit = record.unit if n % 2 else record.source_unit
        record.save()
    with CaptureQueriesContext(connection) as later:
        client.get(url(config, "detail", record.pk))
    assert len(later) <= len(first) + 1  # +1: the units the changes point at, fetched together


def test_the_list_filters_by_date_and_unit(client, kind, tree, personas):
    config, factory = kind
    date_field = config.model.date_field
    early = factory(unit=tree.a, **{date_field: datetime.date(2026, 1, 5)})
    late = factory(unit=tree.b, **{date_field: datetime.date(2026, 6, 5)})
    client.force_login(personas.supervisor)

    def listed(**params):
        return set(client.get(url(config, "list"), params).context["object_list"])

    assert listed(date_from="2026-03-01") == {late}
    assert listed(date_to="2026-03-01") == {early}
    assert listed(unit="A") == {early}
    assert listed(unit="S1") == {early, late}
    assert listed(unit="C") == set()


def test_the_estimate_fragment_saves_nothing(client, kind, tree, personas):
    config, factory = kind
    if not config.estimate_fields:
        pytest.skip("this kind has no live estimate")
    built = factory.build(unit=tree.a, source_unit=tree.dept)
    client.force_login(personas.staff_a)
    response = client.post(url(config, "estimate"), form_data(config, built))
    assert response.status_code == 200
    assert response.context["hours"] == built.compute_burden_hours_now()
    assert not config.model.objects.exists()


def test_the_edit_form_shows_iso_dates_and_the_source_unit_by_code_and_name(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    page = client.get(url(config, "update", record.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    date_value = getattr(record, config.model.date_field).isoformat()
    assert f'value="{date_value}"' in page  # the browser's date picker reads nothing else
    source = record.source_unit
    assert f'name="source_unit" value="{source.code} {source.name}"' in page


def test_the_list_links_to_its_import_export_and_template(client, kind, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    page = client.get(url(config, "list")).content.decode()
    for action in ("import", "export", "create"):
        assert f'href="{url(config, action)}' in page
    assert f'href="{url(config, "template")}"' in client.get(url(config, "import")).content.decode()


def _create_page_token(client, config) -> str:
    page = client.get(url(config, "create")).content.decode()
    return re.search(r'name="submission" value="([^"]+)"', page).group(1)


def test_a_form_sent_twice_saves_once_and_opens_what_it_saved(client, kind, tree, personas):
    config, factory = kind
    client.force_login(personas.staff_a)
    data = {**form_data(config, factory.build(unit=tree.a, source_unit=tree.dept)), "submission": ""}
    data["submission"] = _create_page_token(client, config)
    first = client.post(url(config, "create"), data)
    assert first.status_code == 302, first.context["form"].errors
    again = client.post(url(config, "create"), data, follow=True)  # back, then save again
    saved = config.model.objects.get()
    assert again.redirect_chain[0][0] == saved.get_absolute_url()
    assert "未重复保存" in again.content.decode()  # "Nothing was saved twice."
    assert saved.source_unit == tree.dept


def test_a_likely_duplicate_waits_for_confirmation_with_everything_typed_kept(client, kind, tree, personas):
    config, factory = kind
    existing = factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)
    client.force_login(personas.staff_a)
    twin = factory.build(unit=tree.a, source_unit=tree.dept)
    for name in duplicate_fields(config.model):
        setattr(twin, name, getattr(existing, name))
    data = {**form_data(config, twin), "notes": "另一次", "submission": _create_page_token(client, config)}
    warned = client.post(url(config, "create"), data)
    assert warned.status_code == 200
    assert warned.context["form"].duplicate_of == existing
    assert 'data-testid="warnings"' in warned.content.decode() and "另一次" in warned.content.decode()
    assert config.model.objects.count() == 1
    confirmed = client.post(url(config, "create"), {**data, "confirm_warnings": "1"})
    assert confirmed.status_code == 302
    assert config.model.objects.count() == 2


def test_another_date_is_not_a_duplicate(client, kind, tree, personas):
    config, factory = kind
    existing = factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)
    twin = factory.build(unit=tree.a, source_unit=tree.dept)
    for name in duplicate_fields(config.model):
        setattr(twin, name, getattr(existing, name))
    date_name = config.model.date_field
    setattr(twin, date_name, getattr(existing, date_name) - datetime.timedelta(days=1))
    if hasattr(twin, "planned_end_date"):
        twin.planned_end_date = twin.planned_end_date - datetime.timedelta(days=1)
    client.force_login(personas.staff_a)
    response = client.post(url(config, "create"), form_data(config, twin))
    assert response.status_code == 302, response.context["form"].errors


@pytest.mark.parametrize(("attendees", "warned"), [(1, False), (2, True)])
def test_implausible_hours_wait_for_confirmation(client, tree, personas, attendees, warned):
    # Community A has 12 people: 12 x 22 days x 8 h = 2,112 person-hours is the most saved without asking.
    config = CONFIGS[Meeting]
    client.force_login(personas.staff_a)
    meeting = RECORD_FACTORIES[Meeting].build(
        unit=tree.a, source_unit=tree.dept, duration_minutes=2112 * 60, attendees=attendees, travel_minutes=0
    )
    meeting.accompanying = 0
    assert meeting.compute_burden_hours_now() == 2112 * attendees
    response = client.post(url(config, "create"), form_data(config, meeting))
    assert (response.status_code == 200) is warned
    assert Meeting.objects.exists() is not warned
    if warned:
        [warning] = response.context["form"].warnings
        assert "4,224" in warning


def test_the_estimate_warns_while_a_new_record_is_typed_not_while_one_is_edited(client, tree, personas):
    config = CONFIGS[Meeting]
    existing = RECORD_FACTORIES[Meeting](unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)
    client.force_login(personas.staff_a)
    data = form_data(config, existing)
    new = client.post(url(config, "estimate"), {**data, "submission": "t"}).content.decode()
    assert 'data-testid="estimate-warning"' in new
    edited = client.post(url(config, "estimate"), data).content.decode()
    assert 'data-testid="estimate-warning"' not in edited
