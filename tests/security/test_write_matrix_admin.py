"""Every Django admin view of every registered model, for every persona, on an object in each place.

``ADMIN_MODELS`` says for each registered model who may use it: ``scoped`` models are
managed by admins of the object's unit (out of their units an object is neither listed
nor reachable: the admin's "does not exist" answer, never a 403 that would tell it
exists), ``city`` ones by superusers and admins of the top unit, ``superusers`` ones by
superusers alone. ``expected()`` turns that into the outcome of each view (list, add,
change, history, a history version, delete, bulk delete) for each persona and place
(the places: ``tests/security/conftest.py``). A test fails when a registered model has
no entry, so a new admin page cannot ship without its row.

People: only what holds whatever the people rule says (staff and supervisors never get
in; no unit admin sees or opens a superuser, nor sets their password); the rest is
tested with the people rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .conftest import PERSONAS, PLACES, row, write_matrix_counts

OK, LOGIN, FORBIDDEN, HIDDEN, KEPT = "ok", "login", "forbidden", "hidden", "kept"

pytestmark = pytest.mark.usefixtures("write_matrix")


@dataclass(frozen=True)
class Access:
    """Who may use a model's admin, and how to find its object in a place (None: no object per place)."""

    kind: str
    find: object = None  # (world, place) -> pk
    other: bool = False  # one object outside the places (world.others)
    can_add: bool = True
    delete: str = "admins"  # "admins", "superusers" or "nobody"


def record(kind):
    return Access("scoped", lambda world, place: place.records[kind])


def _catalogue_pk(world, place):
    from datarequests.models import CatalogueItem

    return CatalogueItem.objects.get(code=place.catalogue).pk


ADMIN_MODELS = {
    "burden.unit": Access("scoped", lambda world, place: place.leaf.pk),
    "burden.membership": Access("scoped", lambda world, place: place.membership),
    "burden.user": Access("people"),
    "meetings.meeting": record("meeting"),
    "documents.document": record("document"),
    "inspections.inspection": record("inspection"),
    "secondments.secondment": record("secondment"),
    "datarequests.datarequest": record("data_request"),
    "workapps.workapp": record("work_app"),
    "inspections.inspectionplan": Access("scoped", lambda world, place: place.plan),
    "datarequests.catalogueitem": Access("scoped", _catalogue_pk),
    # One row, edited in place: never added twice, never deleted.
    "burden.costparameters": Access("city", other=True, can_add=False, delete="nobody"),
    # Written by the workers; admins mark them dealt with.
    "burden.taskfailure": Access("city", other=True, can_add=False, delete="superusers"),
    "auth.group": Access("superusers", other=True),
    "django_celery_beat.periodictask": Access("superusers"),
    "django_celery_beat.clockedschedule": Access("superusers"),
    "django_celery_beat.crontabschedule": Access("superusers"),
    "django_celery_beat.solarschedule": Access("superusers"),
    "django_celery_beat.intervalschedule": Access("superusers"),
}

# Who gets into the admin site at all: the rest are sent to its login page.
NOT_IN = [LOGIN] * 5  # anonymous, outsider, staff_a, staff_b, supervisor


def in_site(admin_d1, admin_city, superuser) -> dict:
    return row(*NOT_IN, admin_d1, admin_city, superuser)


#: (admin_d1, admin, superuser) for a model only some of those who get into the site may use.
WHO = {
    "city": (FORBIDDEN, OK, OK),
    "superusers": (FORBIDDEN, FORBIDDEN, OK),
    "nobody": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
}
OBJECT_VIEWS = ["change", "history", "delete"]
DELETES = ("delete", "delete_post", "bulk_delete")


def expected(access: Access, view: str) -> dict:
    """Place (or None) -> outcome per persona, for one view of a model."""
    if access.kind == "scoped":
        if view in ("changelist", "add"):
            return {None: in_site(OK, OK, OK)}
        # admin_d1 administers A and S1, not C: a bulk delete there leaves the object (it is not in their list).
        outside = KEPT if view == "bulk_delete" else HIDDEN
        return {"A": in_site(OK, OK, OK), "S1": in_site(OK, OK, OK), "C": in_site(outside, OK, OK)}
    who = access.kind
    if view == "add" and not access.can_add:
        who = "nobody"
    if view in DELETES and access.delete != "admins":
        who = access.delete
    outcomes = WHO[who]
    if view == "bulk_delete":
        # Who may see the list but not delete is not offered the action: the list comes back, nothing deleted.
        outcomes = tuple(
            KEPT if mine == FORBIDDEN and seen == OK else mine
            for mine, seen in zip(outcomes, WHO[access.kind], strict=True)
        )
    return {None: in_site(*outcomes)}


def _views(model_admin, access: Access) -> list[str]:
    views = ["changelist", "add"]
    if access.find is not None or access.other:
        views += [*OBJECT_VIEWS, "delete_post"]
        if isinstance(model_admin, SimpleHistoryAdmin):
            views.append("history_form")
        if access.delete != "nobody":
            views.append("bulk_delete")
    return views


#: People the site lets in, and for every view also anonymous and the highest role it keeps out; the
#: other personas it keeps out (the site refuses them before any model's view) on a list and a delete.
SITE_PERSONAS = ["anonymous", "supervisor", "admin_d1", "admin", "superuser"]


def cases():
    for label, access in ADMIN_MODELS.items():
        if access.kind == "people":
            continue  # below, with only what is clearly right
        model = apps.get_model(label)
        model_admin = admin.site._registry[model]
        for view in _views(model_admin, access):
            for place in expected(access, view):
                for persona in PERSONAS if view in ("changelist", "delete_post") else SITE_PERSONAS:
                    yield pytest.param(label, view, place, persona, id=f"{label}-{view}-{place or 'any'}-{persona}")


def _pk(world, access: Access, label: str, place):
    if place is None:
        return world.others[label] if access.other else None
    return access.find(world, world.places[place])


def _url(model, view: str, pk, history_id=None) -> str:
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if view in ("changelist", "add", "bulk_delete"):
        return reverse(f"{base}_{'changelist' if view == 'bulk_delete' else view}")
    if view == "delete_post":
        return reverse(f"{base}_delete", args=[pk])
    if view == "history_form":
        return reverse(f"{base}_simple_history", args=[pk, history_id])
    if view == "password":
        return reverse("admin:auth_user_password_change", args=[pk])  # Django's name, whatever the user model
    return reverse(f"{base}_{view}", args=[pk])


def _exists(model, pk) -> bool:
    return model._default_manager.filter(pk=pk).exists()


def _check(response, outcome, *, model, pk, view, before, writes):
    status = response.status_code
    if outcome == LOGIN:
        assert status == 302 and reverse("admin:login") in response["Location"], status
    elif outcome == FORBIDDEN:
        assert status == 403, status
    elif outcome == HIDDEN:
        # The admin's "does not exist": back to its index with a message, or a 404; never a 403.
        assert status == 404 or (status == 302 and response["Location"] == reverse("admin:index")), (
            status,
            response.get("Location"),
        )
    elif outcome == KEPT:
        assert status in (200, 302, 403), status  # the list again, or a refusal: nothing deleted either way
    elif writes:
        assert status == 302, (status, getattr(response, "context_data", {}) and response.context_data.get("errors"))
    else:
        assert status == 200, status
    if writes:
        gone = pk is not None and not _exists(model, pk)
        assert gone == (outcome == OK), "deleted" if gone else "not deleted"
        if outcome != OK:
            assert write_matrix_counts() == before, "refused, but some table changed"


@pytest.mark.parametrize(("label", "view", "place", "persona"), list(cases()))
def test_each_admin_view_answers_each_persona_in_each_place(client, write_matrix, label, view, place, persona):
    access = ADMIN_MODELS[label]
    model = apps.get_model(label)
    outcome = expected(access, view)[place][persona]
    user = write_matrix.user(persona)
    if user is not None:
        client.force_login(user)
    pk = _pk(write_matrix, access, label, place)
    history_id = None
    if view == "history_form":
        history_id = model.history.filter(**{model._meta.pk.attname: pk}).latest().history_id
    url = _url(model, view, pk, history_id)
    writes = view in ("delete_post", "bulk_delete")
    before = write_matrix_counts() if writes else None
    if view == "delete_post":
        response = client.post(url, {"post": "yes"})
    elif view == "bulk_delete":
        response = client.post(url, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    else:
        response = client.get(url)
    _check(
        response, outcome, model=model, pk=pk, view=view, before=before, writes=view in ("delete_post", "bulk_delete")
    )


def test_every_registered_model_has_a_row():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), f"give these models a row in {__name__}: {registered ^ set(ADMIN_MODELS)}"


@pytest.mark.parametrize(
    ("persona", "outcome"), list(zip(PERSONAS, in_site(OK, OK, OK).values(), strict=True)), ids=PERSONAS
)
def test_the_index_lets_in_admins_only_and_lists_what_each_may_use(client, write_matrix, persona, outcome):
    user = write_matrix.user(persona)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("admin:index"))
    if outcome == LOGIN:
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
        return
    assert response.status_code == 200
    listed = {
        f"{app['app_label']}.{entry['object_name'].lower()}"
        for app in response.context["app_list"]
        for entry in app["models"]
    }
    kinds = {"admin_d1": {"scoped", "people"}, "admin": {"scoped", "people", "city"}}.get(
        persona, {"scoped", "people", "city", "superusers"}
    )
    assert listed == {label for label, access in ADMIN_MODELS.items() if access.kind in kinds}


# --- Lists: what is out of scope is not listed ---------------------------------------------


SCOPED_MODELS = [label for label, access in ADMIN_MODELS.items() if access.kind == "scoped"]


@pytest.mark.parametrize("label", SCOPED_MODELS)
@pytest.mark.parametrize(
    ("persona", "listed"), [("admin_d1", {"A", "S1"}), ("admin", set(PLACES)), ("superuser", set(PLACES))]
)
def test_a_list_holds_only_the_objects_of_the_viewers_units(client, write_matrix, label, persona, listed):
    access = ADMIN_MODELS[label]
    client.force_login(write_matrix.user(persona))
    response = client.get(_url(apps.get_model(label), "changelist", None))
    shown = {obj.pk for obj in response.context["cl"].queryset}
    places = {place for place in PLACES if access.find(write_matrix, write_matrix.places[place]) in shown}
    assert places == listed


# --- People: only what is clearly right whatever the people rule ---------------------------

USER_VIEWS = {
    "changelist": in_site(OK, OK, OK),
    # Nobody but a superuser opens a superuser's pages; a superuser may not delete themselves.
    "change": in_site(HIDDEN, HIDDEN, OK),
    "password": in_site(HIDDEN, HIDDEN, OK),
    "history": in_site(HIDDEN, HIDDEN, OK),
    "delete": in_site(HIDDEN, HIDDEN, FORBIDDEN),
    "delete_post": in_site(HIDDEN, HIDDEN, FORBIDDEN),
    "bulk_delete": in_site(KEPT, KEPT, KEPT),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("view", list(USER_VIEWS))
def test_no_unit_admin_reaches_a_superuser(client, write_matrix, view, persona):
    from burden.models import User

    root = write_matrix.user("superuser")
    user = write_matrix.user(persona)
    if user is not None:
        client.force_login(user)
    url = _url(User, view, root.pk)
    writes = view in ("delete_post", "bulk_delete")
    before = write_matrix_counts() if writes else None
    if view == "delete_post":
        response = client.post(url, {"post": "yes"})
    elif view == "bulk_delete":
        response = client.post(url, {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"})
    else:
        response = client.get(url)
    outcome = USER_VIEWS[view][persona]
    _check(response, outcome, model=User, pk=root.pk, view=view, before=before, writes=writes)
    if view == "changelist" and outcome == OK and persona != "superuser":
        assert root.pk not in {person.pk for person in response.context["cl"].queryset}


@pytest.mark.parametrize("persona", ["admin_d1", "admin"])
def test_a_unit_admin_cannot_set_a_superusers_password(client, write_matrix, persona):
    from burden.models import User

    client.force_login(write_matrix.user(persona))
    root = write_matrix.user("superuser")
    password = "a-new-Passw0rd-for-tests"
    response = client.post(
        _url(User, "password", root.pk), {"password1": password, "password2": password, "usable_password": "true"}
    )
    assert response.status_code in (302, 404)
    assert response.status_code == 404 or response["Location"] == reverse("admin:index")
    assert not User.objects.get(pk=root.pk).check_password(password)


RECORD_MODELS = [label for label in SCOPED_MODELS if hasattr(apps.get_model(label), "record_kind")]


@pytest.mark.parametrize("label", RECORD_MODELS)
def test_a_bulk_delete_of_records_goes_through_the_service(client, write_matrix, label):
    from burden.models import PendingEvaluation

    model = apps.get_model(label)
    pk = write_matrix.places["A"].records[model.record_kind]
    client.force_login(write_matrix.user("admin_d1"))
    client.post(
        _url(model, "bulk_delete", None), {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    )
    assert not _exists(model, pk)
    # record_delete queues the rules, which clear the deleted record's flags.
    assert PendingEvaluation.objects.filter(record_kind=model.record_kind, record_id=pk).exists()


# --- Cost parameters: the one city-wide row every burden hour is computed from ----------------


def _cost_form(world) -> dict:
    """The change form as a superuser sees it, filled in as it stands, with a new working day."""
    from django.test import Client

    from burden.models import CostParameters

    reader = Client()
    reader.force_login(world.user("superuser"))
    form = reader.get(_url(CostParameters, "change", world.others["burden.costparameters"])).context["adminform"].form
    data = {field.html_name: "" if field.value() is None else field.value() for field in form}
    return {**data, "hours_per_working_day": "7.5"}


@pytest.mark.parametrize(
    ("persona", "outcome"), list(zip(PERSONAS, in_site(FORBIDDEN, OK, OK).values(), strict=True)), ids=PERSONAS
)
def test_cost_parameters_are_changed_by_city_wide_admins_only(client, write_matrix, persona, outcome):
    from decimal import Decimal

    from burden.models import CostParameters

    pk = write_matrix.others["burden.costparameters"]
    data = _cost_form(write_matrix)
    user = write_matrix.user(persona)
    if user is not None:
        client.force_login(user)
    before = write_matrix_counts()
    response = client.post(_url(CostParameters, "change", pk), data)
    changed = CostParameters.objects.get(pk=pk).hours_per_working_day == Decimal("7.5")
    if outcome == OK:
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert changed
        return
    _check(response, outcome, model=CostParameters, pk=pk, view="change", before=before, writes=False)
    assert not changed
    assert write_matrix_counts() == before
