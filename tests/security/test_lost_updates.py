"""Lost updates: a save made from a read that someone else's save overtook is refused, by every door.

For records (all five kinds), a rule's thresholds, units and people, through their
pages and the API: one person loads, someone else saves, and the first save is
refused with a message naming what changed, its value now and who changed it;
nothing is overwritten and the form keeps what was typed. A save from the current
version works; a stale ``If-Match`` is a 412; an API write with no version at all is
accepted as before (the last write wins), so existing integrations keep working.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse

from burden.concurrency import StaleWrite
from burden.models import RuleSetting, Unit, User
from burden.record_views import record_configs
from burden.rules import get_rule
from burden.rules.services import rule_update
from burden.services import record_save, unit_save, user_save
from tests.factories import RECORD_FACTORIES, UnitFactory
from tests.test_records import form_data

CONFIGS = {config.model: config for config in record_configs()}
MODELS = list(RECORD_FACTORIES)
RULE, PARAM = "MTG-DURATION", "max_minutes"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def api(monkeypatch):
    """An API client; ``api.as_(user)`` signs it in. Rate limits have their own tests."""
    from rest_framework.test import APIClient
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


@pytest.fixture(params=MODELS, ids=[m._meta.model_name for m in MODELS])
def kind(request):
    return CONFIGS[request.param], RECORD_FACTORIES[request.param]


@pytest.fixture
def record(kind, tree, personas):
    _config, factory = kind
    return factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a, notes="as logged")


def someone_else_changes_notes(record, user, notes="changed by the supervisor"):
    """Another person's save, from the record as stored now."""
    stored = type(record).objects.get(pk=record.pk)
    stored.notes = notes
    if stored.record_kind == "data_request":
        from datarequests.services import data_request_save

        data_request_save(record=stored, items=stored.item_values(), user=user)
    else:
        record_save(record=stored, user=user)
    return stored


class FormScraper(HTMLParser):
    """The fields a browser would post from the first ``<form method="post">`` holding ``marker``."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker, self.forms, self.current, self.select, self.textarea = marker, [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image"):
                self.current.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.current.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.current.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.current = None

    def data(self) -> dict:
        for fields in self.forms:
            names = [name for name, _value in fields]
            if self.marker in names:
                posted = {}
                for name, value in fields:
                    posted.setdefault(name, []).append(value)
                return {name: values if len(values) > 1 else values[0] for name, values in posted.items()}
        raise AssertionError(f"no form with {self.marker!r}")


def scraped(response, marker="version") -> dict:
    scraper = FormScraper(marker)
    scraper.feed(response.content.decode())
    return scraper.data()


# --- Records: the pages ----------------------------------------------------------------------


def test_a_record_page_refuses_a_save_someone_else_overtook(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    edit = reverse(config.url_name("update"), args=[record.pk])
    page = client.get(edit, **ENGLISH)
    loaded = page.context["form"]["version"].value()
    assert loaded == record.version

    someone_else_changes_notes(record, personas.supervisor)

    typed = {**form_data(config, record), "notes": "typed by staff A", "version": loaded}
    response = client.post(edit, typed, **ENGLISH)

    assert response.status_code == 409
    errors = " ".join(response.context["form"].non_field_errors())
    assert "someone else changed this" in errors
    assert "Notes was changed by supervisor to changed by the supervisor" in errors
    assert type(record).objects.get(pk=record.pk).notes == "changed by the supervisor"
    form = response.context["form"]
    assert form["notes"].value() == "typed by staff A"  # what was typed is kept
    # The form now carries the current version: saving again is a deliberate choice, and works.
    current = type(record).objects.get(pk=record.pk).version
    assert int(form["version"].value()) == current == loaded + 1
    again = client.post(edit, {**typed, "version": current}, **ENGLISH)
    assert again.status_code == 302
    assert type(record).objects.get(pk=record.pk).notes == "typed by staff A"


def test_a_records_admin_page_refuses_a_save_someone_else_overtook(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.admin)
    change = reverse(f"admin:{config.app_label}_{config.model_name}_change", args=[record.pk])
    loaded = scraped(client.get(change, **ENGLISH))
    someone_else_changes_notes(record, personas.supervisor)

    response = client.post(change, {**loaded, "notes": "typed in the admin"}, **ENGLISH)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Notes was changed by supervisor to changed by the supervisor" in " ".join(form.non_field_errors())
    assert type(record).objects.get(pk=record.pk).notes == "changed by the supervisor"
    assert form["notes"].value() == "typed in the admin"


def test_a_record_page_saves_from_the_current_version(client, kind, record, personas):
    config, _factory = kind
    client.force_login(personas.staff_a)
    edit = reverse(config.url_name("update"), args=[record.pk])
    version = client.get(edit).context["form"]["version"].value()
    response = client.post(edit, {**form_data(config, record), "notes": "fine", "version": version})
    assert response.status_code == 302
    stored = type(record).objects.get(pk=record.pk)
    assert (stored.notes, stored.version) == ("fine", version + 1)


def test_the_refusal_is_translated_and_names_the_field_in_chinese(client, tree, personas):
    from tests.record_factories.meetings import MeetingFactory

    meeting = MeetingFactory(unit=tree.a, source_unit=tree.dept, duration_minutes=90)
    config = CONFIGS[type(meeting)]
    client.force_login(personas.staff_a)
    edit = reverse(config.url_name("update"), args=[meeting.pk])
    loaded = client.get(edit, HTTP_ACCEPT_LANGUAGE="zh-hans").context["form"]["version"].value()
    stored = type(meeting).objects.get(pk=meeting.pk)
    stored.duration_minutes = 120
    record_save(record=stored, user=personas.supervisor)

    typed = {**form_data(config, meeting), "duration_minutes": 45, "version": loaded}
    response = client.post(edit, typed, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 409
    page = response.content.decode()
    assert "您的修改未保存" in page
    assert "会议时长（分钟） 已被 supervisor 改为 120" in page
    assert response.context["form"]["duration_minutes"].value() == "45"
    assert type(meeting).objects.get(pk=meeting.pk).duration_minutes == 120


def test_a_change_that_moved_only_derived_values_is_no_conflict(client, tree, personas):
    """An extension re-saves its secondment (new hours, new version) but changes nothing a form shows."""
    from secondments.services import secondment_extend
    from tests.record_factories.secondments import SecondmentFactory

    secondment = SecondmentFactory(unit=tree.a, source_unit=tree.dept)
    config = CONFIGS[type(secondment)]
    client.force_login(personas.staff_a)
    edit = reverse(config.url_name("update"), args=[secondment.pk])
    loaded = client.get(edit).context["form"]["version"].value()
    secondment_extend(
        secondment=secondment,
        new_end_date=secondment.planned_end_date.replace(year=secondment.planned_end_date.year + 1),
        user=personas.supervisor,
    )
    assert type(secondment).objects.get(pk=secondment.pk).version == loaded + 1
    response = client.post(edit, {**form_data(config, secondment), "notes": "mine", "version": loaded})
    assert response.status_code == 302
    assert type(secondment).objects.get(pk=secondment.pk).notes == "mine"


def test_two_saves_from_one_version_cannot_both_pass(kind, record, personas):
    first = type(record).objects.get(pk=record.pk)
    second = type(record).objects.get(pk=record.pk)
    loaded = first.version
    first.notes, second.notes = "first", "second"
    save = record_save
    if record.record_kind == "data_request":
        from datarequests.services import data_request_save

        def save(*, record, user, expected_version):
            return data_request_save(record=record, items=record.item_values(), user=user, expected_version=loaded)

    save(record=first, user=personas.staff_a, expected_version=loaded)
    with pytest.raises(StaleWrite) as refused:
        save(record=second, user=personas.supervisor, expected_version=loaded)
    assert [change.name for change in refused.value.changes] == ["notes"]
    assert refused.value.changes[0].changed_by == personas.staff_a
    assert type(record).objects.get(pk=record.pk).notes == "first"


# --- Records: the API ------------------------------------------------------------------------


def detail_url(record) -> str:
    prefixes = {
        "meeting": "meetings",
        "document": "documents",
        "inspection": "inspections",
        "secondment": "secondments",
        "data_request": "data-requests",
        "work_app": "work-apps",
    }
    return f"/api/v1/{prefixes[record.record_kind]}/{record.pk}/"


def test_a_record_read_sends_its_version_as_etag(api, record, personas):
    response = api.as_(personas.staff_a).get(detail_url(record))
    assert response.status_code == 200
    stored = type(record).objects.get(pk=record.pk)
    assert response.data["version"] == stored.version >= 1
    assert response["ETag"] == f'"{stored.version}"'


def test_the_api_refuses_a_stale_version_with_409_and_says_what_changed(api, record, personas):
    client = api.as_(personas.staff_a)
    loaded = client.get(detail_url(record)).data["version"]
    someone_else_changes_notes(record, personas.supervisor)

    response = client.patch(detail_url(record), {"notes": "mine", "version": loaded}, format="json")

    assert response.status_code == 409
    assert response.data["version"] == loaded + 1
    assert response["ETag"] == f'"{loaded + 1}"'
    assert response.data["changes"] == [
        {"field": "notes", "label": "Notes", "value": "changed by the supervisor", "changed_by": "supervisor"}
    ]
    assert "someone else changed this" in response.data["detail"]
    assert type(record).objects.get(pk=record.pk).notes == "changed by the supervisor"


def test_the_api_refuses_a_stale_if_match_with_412(api, record, personas):
    client = api.as_(personas.staff_a)
    etag = client.get(detail_url(record))["ETag"]
    someone_else_changes_notes(record, personas.supervisor)

    response = client.patch(detail_url(record), {"notes": "mine"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert response.data["changes"][0]["field"] == "notes"
    assert type(record).objects.get(pk=record.pk).notes == "changed by the supervisor"


def test_the_api_saves_from_the_current_version_or_etag(api, record, personas):
    client = api.as_(personas.staff_a)
    read = client.get(detail_url(record))
    by_body = client.patch(detail_url(record), {"notes": "one", "version": read.data["version"]}, format="json")
    assert by_body.status_code == 200
    moved_on = read.data["version"] + 1
    assert by_body.data["version"] == moved_on and by_body["ETag"] == f'"{moved_on}"'
    by_header = client.patch(detail_url(record), {"notes": "two"}, format="json", HTTP_IF_MATCH=by_body["ETag"])
    assert by_header.status_code == 200
    assert type(record).objects.get(pk=record.pk).notes == "two"


def test_an_api_write_without_a_version_is_accepted_as_before(api, record, personas):
    """Backwards compatible: a caller that sends neither If-Match nor version gets the last write wins."""
    someone_else_changes_notes(record, personas.supervisor)
    response = api.as_(personas.staff_a).patch(detail_url(record), {"notes": "last one wins"}, format="json")
    assert response.status_code == 200
    assert type(record).objects.get(pk=record.pk).notes == "last one wins"


def test_a_data_requests_items_changed_by_someone_else_are_a_conflict(api, tree, personas):
    """Items keep no history of their own: a newer save that changed no field changed them."""
    from datarequests.services import data_request_save
    from tests.record_factories.datarequests import DataRequestFactory

    request = DataRequestFactory(unit=tree.a, source_unit=tree.dept)
    client = api.as_(personas.staff_a)
    url = detail_url(request)
    loaded = client.get(url).data
    stored = type(request).objects.get(pk=request.pk)
    data_request_save(record=stored, items=["常住人口", "流动人口"], user=personas.supervisor)

    response = client.patch(url, {"items": ["户籍人口"], "version": loaded["version"]}, format="json")

    assert response.status_code == 409
    assert response.data["changes"] == [
        {"field": "items", "label": "Items", "value": "常住人口, 流动人口", "changed_by": "supervisor"}
    ]
    assert stored.item_values() == ["常住人口", "流动人口"]


def test_an_if_match_that_is_not_our_etag_fails(api, record, personas):
    response = api.as_(personas.staff_a).patch(detail_url(record), {"notes": "x"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412
    assert type(record).objects.get(pk=record.pk).notes == "as logged"


# --- A rule's thresholds ------------------------------------------------------------------------


def another_admin_sets(personas, minutes):
    rule = get_rule(RULE)
    from burden.rules.engine import rule_state

    enabled, params = rule_state(rule)
    rule_update(rule=rule, enabled=enabled, params={**params, PARAM: minutes}, reason="theirs", user=personas.superuser)


def test_the_thresholds_page_refuses_a_save_someone_else_overtook(client, personas):
    client.force_login(personas.admin)
    page = reverse("rule_detail", args=[RULE])
    loaded = client.get(page, **ENGLISH).context["form"]["version"].value()
    another_admin_sets(personas, 120)

    typed = {f"param_{PARAM}": 100, "enabled": "on", "reason": "mine", "version": loaded}
    response = client.post(page, typed, **ENGLISH)

    assert response.status_code == 409
    form = response.context["form"]
    errors = " ".join(form.non_field_errors())
    label = str(get_rule(RULE).params[0].label)
    assert f"{label} was changed by root to 120" in errors
    assert RuleSetting.objects.get(rule=RULE).params[PARAM] == 120
    assert form[f"param_{PARAM}"].value() == "100"
    again = client.post(page, {**typed, "version": form["version"].value()}, **ENGLISH)
    assert again.status_code == 302
    assert RuleSetting.objects.get(rule=RULE).params[PARAM] == 100


def test_the_rules_api_refuses_a_stale_version_and_a_stale_etag(api, personas):
    client = api.as_(personas.admin)
    url = f"/api/v1/rules/{RULE}/"
    read = client.get(url)
    assert read.data["version"] == 1 and read["ETag"] == '"1"'
    another_admin_sets(personas, 120)

    stale = client.patch(url, {"params": {PARAM: 100}, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.data["changes"][0]["field"] == PARAM
    assert stale.data["changes"][0]["value"] == "120"
    assert stale.data["changes"][0]["changed_by"] == "root"
    precondition = client.patch(url, {"params": {PARAM: 100}}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert precondition.status_code == 412
    assert RuleSetting.objects.get(rule=RULE).params[PARAM] == 120

    current = client.patch(url, {"params": {PARAM: 100}}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert current.status_code == 200
    assert current.data["params"][PARAM] == 100 and current["ETag"] == '"3"'
    unversioned = client.patch(url, {"params": {PARAM: 95}}, format="json")
    assert unversioned.status_code == 200
    assert RuleSetting.objects.get(rule=RULE).params[PARAM] == 95


# --- Units --------------------------------------------------------------------------------------


@pytest.fixture
def leaf(tree):
    return UnitFactory(code="A-LEAF", name="甲社区一组", parent=tree.a, headcount=3)


def someone_else_renames(unit, user, name="由他人改名"):
    stored = Unit.objects.get(pk=unit.pk)
    stored.name = name
    unit_save(unit=stored, user=user)


def test_the_unit_admin_page_refuses_a_save_someone_else_overtook(client, personas, leaf):
    client.force_login(personas.admin)
    change = reverse("admin:burden_unit_change", args=[leaf.pk])
    loaded = scraped(client.get(change, **ENGLISH))
    assert loaded["version"] == "1"
    someone_else_renames(leaf, personas.superuser)

    response = client.post(change, {**loaded, "headcount": "7", "name": "我的名字"}, **ENGLISH)

    assert response.status_code == 200  # the admin shows the form again with the error
    form = response.context["adminform"].form
    errors = " ".join(form.non_field_errors())
    assert "Name was changed by root to 由他人改名" in errors
    stored = Unit.objects.get(pk=leaf.pk)
    assert (stored.name, stored.headcount) == ("由他人改名", 3)
    assert form["headcount"].value() == "7" and form["name"].value() == "我的名字"
    again = client.post(change, scraped(response), **ENGLISH)
    assert again.status_code == 302
    assert Unit.objects.get(pk=leaf.pk).headcount == 7


def test_the_unit_admin_page_saves_from_the_current_version(client, personas, leaf):
    client.force_login(personas.admin)
    change = reverse("admin:burden_unit_change", args=[leaf.pk])
    response = client.post(change, {**scraped(client.get(change)), "headcount": "5"})
    assert response.status_code == 302
    stored = Unit.objects.get(pk=leaf.pk)
    assert (stored.headcount, stored.version) == (5, 2)


def test_a_history_revert_is_a_deliberate_return_and_is_not_refused(client, personas, leaf):
    first = leaf.history.earliest()
    someone_else_renames(leaf, personas.superuser)
    client.force_login(personas.admin)
    revert = reverse("admin:burden_unit_simple_history", args=[leaf.pk, first.history_id])
    response = client.post(revert, scraped(client.get(revert)))
    assert response.status_code == 302
    stored = Unit.objects.get(pk=leaf.pk)
    assert (stored.name, stored.version) == ("甲社区一组", 3)  # the old name, and the version moves on


def test_the_units_api_guards_against_lost_updates(api, personas, leaf):
    client = api.as_(personas.admin)
    url = f"/api/v1/units/{leaf.code}/"
    read = client.get(url)
    assert read.data["version"] == 1 and read["ETag"] == '"1"'
    someone_else_renames(leaf, personas.superuser)

    stale = client.patch(url, {"headcount": 20, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.data["changes"] == [{"field": "name", "label": "Name", "value": "由他人改名", "changed_by": "root"}]
    assert client.patch(url, {"headcount": 20}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert Unit.objects.get(pk=leaf.pk).headcount == 3

    current = client.patch(url, {"headcount": 20, "version": 2}, format="json")
    assert current.status_code == 200 and current.data["version"] == 3
    assert client.patch(url, {"headcount": 21}, format="json").status_code == 200  # no version: as before
    assert Unit.objects.get(pk=leaf.pk).headcount == 21


def test_moving_a_district_does_not_make_its_units_forms_stale(personas, tree, leaf):
    """Paths below a moved unit are rewritten set-based: derived, so no version moves."""
    d1 = Unit.objects.get(pk=tree.d1.pk)
    d1.parent = tree.d2
    unit_save(unit=d1, user=personas.superuser)
    stored = Unit.objects.get(pk=leaf.pk)
    assert stored.path.startswith("/CITY/D2/D1/") and stored.version == 1


# --- People ---------------------------------------------------------------------------------------


def someone_else_sets_email(person, user, email="new@example.org"):
    stored = User.objects.get(pk=person.pk)
    stored.email = email
    user_save(person=stored, password=None, user=user)


def test_the_person_admin_page_refuses_a_save_someone_else_overtook(client, personas):
    client.force_login(personas.admin)
    change = reverse("admin:burden_user_change", args=[personas.staff_a.pk])
    loaded = scraped(client.get(change, **ENGLISH))
    someone_else_sets_email(personas.staff_a, personas.superuser)

    response = client.post(change, {**loaded, "first_name": "小明"}, **ENGLISH)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Email address was changed by root to new@example.org" in " ".join(form.non_field_errors())
    stored = User.objects.get(pk=personas.staff_a.pk)
    assert (stored.email, stored.first_name) == ("new@example.org", "")
    assert form["first_name"].value() == "小明"
    assert client.post(change, scraped(response), **ENGLISH).status_code == 302
    assert User.objects.get(pk=personas.staff_a.pk).first_name == "小明"


def test_the_people_api_guards_against_lost_updates(api, personas):
    client = api.as_(personas.admin)
    url = f"/api/v1/users/{personas.staff_a.username}/"
    read = client.get(url)
    assert read["ETag"] == f'"{read.data["version"]}"'
    someone_else_sets_email(personas.staff_a, personas.superuser)

    stale = client.patch(url, {"first_name": "小明", "version": read.data["version"]}, format="json")
    assert stale.status_code == 409
    assert stale.data["changes"] == [
        {"field": "email", "label": "Email address", "value": "new@example.org", "changed_by": "root"}
    ]
    assert client.patch(url, {"first_name": "小明"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 412
    assert User.objects.get(pk=personas.staff_a.pk).first_name == ""

    current = client.patch(url, {"first_name": "小明"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert current.status_code == 200
    assert client.patch(url, {"last_name": "王"}, format="json").status_code == 200  # no version: as before
    stored = User.objects.get(pk=personas.staff_a.pk)
    assert (stored.first_name, stored.last_name) == ("小明", "王")


def test_signing_in_does_not_make_a_persons_form_stale(client, personas):
    before = User.objects.get(pk=personas.staff_a.pk)
    client.force_login(personas.staff_a)  # stamps last_login
    after = User.objects.get(pk=personas.staff_a.pk)
    assert after.last_login != before.last_login
    assert after.version == before.version
    assert after.history.count() == before.history.count()


# --- Imports and set-based updates ----------------------------------------------------------------


def test_an_import_that_changes_a_record_makes_an_open_form_stale(
    client, tree, personas, settings, tmp_path, django_capture_on_commit_callbacks
):
    """An import changes what people typed: an open form of the record must hear of it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.models import Meeting
    from tests.test_ledger import GOOD, csv_bytes

    settings.MEDIA_ROOT = tmp_path

    def upload(rows, user):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("meetings:meeting_import"), {"file": SimpleUploadedFile("l.csv", csv_bytes(rows))})

    upload(GOOD, personas.staff_a)
    meeting = Meeting.objects.get(external_id="L-1")
    assert meeting.version == 1
    upload([GOOD[0][:5] + ["5"] + GOOD[0][6:], GOOD[1]], personas.supervisor)
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.attendees, stored.version) == (5, 2)
    assert Meeting.objects.get(external_id="L-2").version == 1  # unchanged rows keep theirs

    meeting.notes = "typed while the import ran"
    with pytest.raises(StaleWrite) as refused:
        record_save(record=meeting, user=personas.staff_a, expected_version=1)
    assert [(c.name, c.value, c.changed_by) for c in refused.value.changes] == [("attendees", "5", personas.supervisor)]


def test_set_based_recomputation_of_hours_keeps_the_version(tree, personas):
    from burden.models import CostParameters
    from burden.services import cost_parameters_update
    from tests.record_factories.documents import DocumentFactory

    document = DocumentFactory(unit=tree.a, source_unit=tree.dept, handling_minutes=None)
    params = CostParameters.current()
    params.document_minutes = {**params.document_minutes, document.kind: 240}
    cost_parameters_update(params=params, user=personas.superuser)
    stored = type(document).objects.get(pk=document.pk)
    assert stored.burden_hours == 4 and stored.version == document.version


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_one_version_let_exactly_one_through(tree, personas):
    """Two threads, two connections, one version: the conditional UPDATE lets one pass."""
    from tests.record_factories.meetings import MeetingFactory

    meeting = MeetingFactory(unit=tree.a, source_unit=tree.dept)
    outcomes, barrier = [], threading.Barrier(2)

    def save(notes, user):
        try:
            stored = type(meeting).objects.get(pk=meeting.pk)
            stored.notes = notes
            barrier.wait(timeout=10)
            record_save(record=stored, user=user, expected_version=1)
            outcomes.append("saved")
        except StaleWrite:
            outcomes.append("stale")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("one", personas.staff_a)),
        threading.Thread(target=save, args=("two", personas.supervisor)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("saved") == 1, outcomes
    assert type(meeting).objects.get(pk=meeting.pk).version == 2
