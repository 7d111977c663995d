"""Every API route that writes, for every persona, on an object in each place.

``ROUTES`` has a row per (route, method) that writes, with the status each persona must
get in each place (the places: ``tests/security/conftest.py``), as ``/shared/API.md``
states it: 401 without credentials, 403 for a role that may not act, 404 outside one's
units (never revealing that something exists), 400 for a unit one may not choose (the
same answer as for a unit that does not exist), 2xx when allowed. An allowed write
must also have written; a refused one must leave every table as it was. A test reads
the methods of every route from the URL configuration and fails when a writing one
has no row here.

People and memberships: only what holds whatever the people rule (anonymous 401;
people who are not admins 403); admins' mixed scopes are tested in their own file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from burden.models import Case as CaseModel  # ``Case`` in this file is one persona in one place
from burden.models import CaseLetter, Membership, RuleSetting, Unit, Violation
from burden.record_views import record_configs

from .conftest import PERSONAS, RULE, RULE_PARAM, case_at_step, case_interviewed, row, write_matrix_counts

OK, CREATED, NO_CONTENT = 200, 201, 204
BAD, UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 400, 401, 403, 404
#: Not asserted here: tested where the rule it depends on is (people with mixed scopes).
ELSEWHERE = None
CHANGED = "changed by the write matrix"
WRITE_METHODS = {"post", "put", "patch", "delete"}

pytestmark = pytest.mark.usefixtures("write_matrix", "write_matrix_cases")


@pytest.fixture(scope="module")
def write_matrix_cases(write_matrix_world, django_db_blocker):
    """A case in each place: its flag moved to a month of its own, so each place's flag makes its own case.

    The flags are all of one department (D1-EDU) and rule; A's and S1's cases are owned by
    D1 (the nearest unit holding both the place and the department), C's by the city.
    Made inside the world's transaction, so they go with it when the module ends.
    """
    import datetime

    from burden.review.cases import cases_gather

    with django_db_blocker.unblock():
        for month, place in enumerate(write_matrix_world.places.values(), start=1):
            Violation.objects.filter(pk=place.violation).update(occurred_on=datetime.date(2026, month, 1))
        cases_gather()


@dataclass
class Case:
    world: object
    place: object
    persona: str

    @property
    def user(self):
        return self.world.user(self.persona)

    @property
    def unit(self):
        return self.place.unit


@dataclass
class Route:
    id: str
    name: str  # the route's name in the ``api`` namespace
    method: str
    #: place code (or None for a route with no object) -> status per persona
    expect: dict
    args: Callable[[Case], list] = lambda case: []
    body: Callable[[Case], dict] = lambda case: {}
    done: Callable[[Case], bool] = lambda case: False


def by_place(a, s1, c) -> dict:
    return {"A": a, "S1": s1, "C": c}


def reads(status: int) -> dict:
    """Anyone with a role over the object's unit gets ``status``; people with no unit may not write at all."""
    return by_place(
        row(UNAUTHORIZED, FORBIDDEN, status, NOT_FOUND, status, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, status, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, status, status),
    )


def picks(status: int) -> dict:
    """The place's unit named in the body: a unit one may not use is a 400, like one that does not exist."""
    return by_place(
        row(UNAUTHORIZED, FORBIDDEN, status, BAD, status, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, BAD, BAD, status, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, BAD, BAD, BAD, BAD, status, status),
    )


def admin_picks(status: int) -> dict:
    """Admins name one of the units they administer; nobody else writes at all."""
    return by_place(
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD, status, status),
    )


def admins_of(status: int, outside: int) -> dict:
    """Admins of the object's unit; other admins get ``outside`` (404 where the object is hidden, 403 where public)."""
    return by_place(
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, status, status, status),
        row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, outside, status, status),
    )


CITY_WIDE = {None: row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)}
PEOPLE = {None: row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ELSEWHERE, ELSEWHERE, ELSEWHERE)}


# --- Records ------------------------------------------------------------------------------

READ_ONLY_FIELDS = {"id", "burden_hours", "violations", "created_at", "updated_at", "extensions", "item_count"}


def _model(kind):
    return next(c.model for c in record_configs() if c.model.record_kind == kind)


def _as_given(case, basename, pk, **changes) -> dict:
    """The object as the API shows it to a superuser, without its read-only fields, with ``changes``."""
    client = APIClient()
    client.force_authenticate(case.world.user("superuser"))
    shown = client.get(reverse(f"api:{basename}-detail", args=[pk])).json()
    return {**{k: v for k, v in shown.items() if k not in READ_ONLY_FIELDS}, **changes}


def record_routes(kind: str) -> list[Route]:
    model = _model(kind)
    basename = kind.replace("_", "-")

    def record(case):
        return model.objects.filter(pk=case.place.records[kind]).first()

    def given(case, **changes):
        return _as_given(case, basename, case.place.records[kind], notes=CHANGED, **changes)

    return [
        Route(
            f"{kind}-create",
            f"{basename}-list",
            "post",
            picks(CREATED),
            body=lambda case: given(case, unit=case.unit.code, external_id=""),
            done=lambda case: model.objects.filter(unit=case.unit, notes=CHANGED).exists(),
        ),
        Route(
            f"{kind}-put",
            f"{basename}-detail",
            "put",
            reads(OK),
            args=lambda case: [case.place.records[kind]],
            body=given,
            done=lambda case: record(case).notes == CHANGED,
        ),
        Route(
            f"{kind}-patch",
            f"{basename}-detail",
            "patch",
            reads(OK),
            args=lambda case: [case.place.records[kind]],
            body=lambda case: {"notes": CHANGED},
            done=lambda case: record(case).notes == CHANGED,
        ),
        Route(
            f"{kind}-patch-into-C",
            f"{basename}-detail",
            "patch",
            {"A": row(UNAUTHORIZED, FORBIDDEN, BAD, NOT_FOUND, BAD, BAD, OK, OK)},
            args=lambda case: [case.place.records[kind]],
            body=lambda case: {"unit": "C"},
            done=lambda case: record(case).unit.code == "C",
        ),
        Route(
            f"{kind}-delete",
            f"{basename}-detail",
            "delete",
            reads(NO_CONTENT),
            args=lambda case: [case.place.records[kind]],
            done=lambda case: record(case) is None,
        ),
    ]


RECORD_KINDS = sorted(config.model.record_kind for config in record_configs())


def _extended(case) -> bool:
    from secondments.models import Extension

    return Extension.objects.filter(secondment_id=case.place.records["secondment"]).exists()


def _extension(case) -> dict:
    from secondments.models import Secondment

    secondment = Secondment.objects.get(pk=case.place.records["secondment"])
    return {"new_end_date": "2026-12-31", "approved_by": "王主任", "approved_on": secondment.start_date.isoformat()}


# --- Units, shared lists, rules, flags ------------------------------------------------------


def _leaf(case):
    return Unit.objects.filter(pk=case.place.leaf.pk).first()


def _plan(case):
    from inspections.models import InspectionPlan

    return InspectionPlan.objects.filter(pk=case.place.plan).first()


def _catalogue(case):
    from datarequests.models import CatalogueItem

    return CatalogueItem.objects.filter(code=case.place.catalogue).first()


def _new_unit(case) -> dict:
    code = f"NEW-{case.unit.code}"
    return {"code": code, "name": "新单位", "name_en": "New unit", "parent": case.unit.code, "level": "community"}


def _staff_a_changed(case) -> bool:
    staff_a = case.world.user("staff_a")
    return staff_a is None or staff_a.email == "changed@example.org" or not staff_a.is_active


def _staff_a_membership(case) -> int:
    return Membership.objects.get(user__username="staff_a").pk


ROUTES: list[Route] = [
    *(route for kind in RECORD_KINDS for route in record_routes(kind)),
    Route(
        "secondment-extend",
        "secondment-extensions",
        "post",
        reads(CREATED),
        args=lambda case: [case.place.records["secondment"]],
        body=_extension,
        done=_extended,
    ),
    Route(
        "unit-create",
        "unit-list",
        "post",
        admin_picks(CREATED),
        body=_new_unit,
        done=lambda case: Unit.objects.filter(code=f"NEW-{case.unit.code}").exists(),
    ),
    Route(
        "unit-put",
        "unit-detail",
        "put",
        admins_of(OK, outside=NOT_FOUND),
        args=lambda case: [case.place.leaf.code],
        body=lambda case: _as_given(case, "unit", case.place.leaf.code, headcount=99, path=None, depth=None),
        done=lambda case: _leaf(case).headcount == 99,
    ),
    Route(
        "unit-patch",
        "unit-detail",
        "patch",
        admins_of(OK, outside=NOT_FOUND),
        args=lambda case: [case.place.leaf.code],
        body=lambda case: {"headcount": 99},
        done=lambda case: _leaf(case).headcount == 99,
    ),
    Route(
        "unit-delete",
        "unit-detail",
        "delete",
        admins_of(NO_CONTENT, outside=NOT_FOUND),
        args=lambda case: [case.place.leaf.code],
        done=lambda case: _leaf(case) is None,
    ),
    Route(
        "plan-create",
        "inspection-plan-list",
        "post",
        admin_picks(CREATED),
        body=lambda case: {"inspecting_unit": case.unit.code, "year": 2031, "approved_on": "2031-01-05", "quota": 3},
        done=lambda case: _plan_exists(case.unit, 2031),
    ),
    # Plans and the catalogue are read by everyone: another unit's entry is a 403, not hidden.
    Route(
        "plan-put",
        "inspection-plan-detail",
        "put",
        admins_of(OK, outside=FORBIDDEN),
        args=lambda case: [case.place.plan],
        body=lambda case: _as_given(case, "inspection-plan", case.place.plan, quota=99, id=None),
        done=lambda case: _plan(case).quota == 99,
    ),
    Route(
        "plan-patch",
        "inspection-plan-detail",
        "patch",
        admins_of(OK, outside=FORBIDDEN),
        args=lambda case: [case.place.plan],
        body=lambda case: {"quota": 99},
        done=lambda case: _plan(case).quota == 99,
    ),
    Route(
        "plan-delete",
        "inspection-plan-detail",
        "delete",
        admins_of(NO_CONTENT, outside=FORBIDDEN),
        args=lambda case: [case.place.plan],
        done=lambda case: _plan(case) is None,
    ),
    Route(
        "catalogue-create",
        "catalogue-list",
        "post",
        admin_picks(CREATED),
        body=lambda case: {"code": f"NEW-{case.unit.code}", "name": "新数据", "owner_unit": case.unit.code},
        done=lambda case: _catalogue_exists(f"NEW-{case.unit.code}"),
    ),
    Route(
        "catalogue-put",
        "catalogue-detail",
        "put",
        admins_of(OK, outside=FORBIDDEN),
        args=lambda case: [case.place.catalogue],
        body=lambda case: _as_given(case, "catalogue", case.place.catalogue, name=CHANGED),
        done=lambda case: _catalogue(case).name == CHANGED,
    ),
    Route(
        "catalogue-patch",
        "catalogue-detail",
        "patch",
        admins_of(OK, outside=FORBIDDEN),
        args=lambda case: [case.place.catalogue],
        body=lambda case: {"name": CHANGED},
        done=lambda case: _catalogue(case).name == CHANGED,
    ),
    Route(
        "catalogue-delete",
        "catalogue-detail",
        "delete",
        admins_of(NO_CONTENT, outside=FORBIDDEN),
        args=lambda case: [case.place.catalogue],
        done=lambda case: _catalogue(case) is None,
    ),
    Route(
        "rule-patch",
        "rule-detail",
        "patch",
        CITY_WIDE,
        args=lambda case: [RULE],
        body=lambda case: {"params": {RULE_PARAM: 123}, "reason": CHANGED},
        done=lambda case: _rule_param() == 123,
    ),
    Route(
        "violation-transition",
        "violation-transition",
        "post",
        by_place(
            row(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
        ),
        args=lambda case: [case.place.violation],
        body=lambda case: {"status": "acknowledged", "note": CHANGED},
        done=lambda case: Violation.objects.get(pk=case.place.violation).status == "acknowledged",
    ),
    Route(
        "case-reply",
        "case-reply",
        "post",
        by_place(
            row(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
        ),
        args=lambda case: [_case_of(case)],
        body=lambda case: {"note": CHANGED},
        done=lambda case: _case_status(case) == "replied",
    ),
    # A burdened unit's supervisor may send the first reminder; the owner climbs every step.
    Route(
        "case-escalate",
        "case-escalate",
        "post",
        by_place(
            row(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_of(case)],
        body=lambda case: {"note": CHANGED},
        done=lambda case: CaseLetter.objects.filter(cases=_case_of(case)).exists(),
    ),
    Route(
        "case-transition",
        "case-transition",
        "post",
        by_place(
            row(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_of(case)],
        body=lambda case: {"status": "resolved", "note": CHANGED},
        done=lambda case: _case_status(case) == "resolved",
    ),
    # A circulated notice names reminded cases the caller's unit owns; another unit's are "no such case".
    Route(
        "case-notice",
        "case-notice",
        "post",
        by_place(
            row(UNAUTHORIZED, BAD, FORBIDDEN, BAD, FORBIDDEN, CREATED, CREATED, CREATED),
            row(UNAUTHORIZED, BAD, BAD, BAD, FORBIDDEN, CREATED, CREATED, CREATED),
            row(UNAUTHORIZED, BAD, BAD, BAD, BAD, FORBIDDEN, CREATED, CREATED),
        ),
        body=lambda case: {"cases": [case_at_step(_case_of(case), "reminder")], "note": CHANGED},
        done=lambda case: CaseLetter.objects.filter(cases=_case_of(case), step="notice").exists(),
    ),
    Route(
        "case-minutes",
        "case-minutes",
        "post",
        by_place(
            row(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_of(case)],
        body=lambda case: _minutes_body(case),
        done=lambda case: CaseLetter.objects.filter(cases=_case_of(case), minutes=CHANGED).exists(),
    ),
    # People: only the cases that hold whatever the people rule says.
    Route(
        "user-create",
        "user-list",
        "post",
        PEOPLE,
        body=lambda case: {"username": "newcomer", "password": "a-new-Passw0rd-for-tests"},
        done=lambda case: _user_exists("newcomer"),
    ),
    *(
        Route(
            f"user-{method}",
            "user-detail",
            method,
            PEOPLE,
            args=lambda case: ["staff_a"],
            body=lambda case: {"username": "staff_a", "email": "changed@example.org"},
            done=_staff_a_changed,
        )
        for method in ("put", "patch", "delete")
    ),
    Route(
        "membership-create",
        "membership-list",
        "post",
        PEOPLE,
        body=lambda case: {"user": "outsider", "unit": "A", "role": "staff"},
        done=lambda case: Membership.objects.filter(user__username="outsider").exists(),
    ),
    *(
        Route(
            f"membership-{method}",
            "membership-detail",
            method,
            PEOPLE,
            args=lambda case: [_staff_a_membership(case)],
            body=lambda case: {"user": "staff_a", "unit": "A", "role": "admin"},
            done=lambda case: not Membership.objects.filter(user__username="staff_a", role="staff").exists(),
        )
        for method in ("put", "patch", "delete")
    ),
    # Signing out: the token helper's tests cover what is revoked; nobody signs out anonymously.
    Route(
        "token-revoke",
        "token_revoke",
        "delete",
        {None: row(UNAUTHORIZED, *[ELSEWHERE] * 7)},
    ),
]

#: Writing routes tested in their own files.
NOT_HERE = {
    ("token", "post"): "signing in: tests/api/test_auth.py and the brute-force tests in this folder",
    ("token_detail", "delete"): "revoking one's own token by key: tests/security/test_tokens.py",
}


def _case_of(case) -> int:
    """The id of the case (督办事项) the place's flag is gathered into (``write_matrix_cases``)."""
    return Violation.objects.values_list("case_id", flat=True).get(pk=case.place.violation)


def _minutes_body(case) -> dict:
    """The place's case called to an interview first (before the write is counted), then its minutes."""
    from django.utils import timezone

    case_interviewed(_case_of(case))
    return {"held_on": timezone.localdate(), "minutes": CHANGED}


def _case_status(case) -> str:
    return CaseModel.objects.values_list("status", flat=True).get(pk=_case_of(case))


def _rule_param():
    setting = RuleSetting.objects.filter(rule=RULE).first()
    return setting.params.get(RULE_PARAM) if setting else None


def _plan_exists(unit, year) -> bool:
    from inspections.models import InspectionPlan

    return InspectionPlan.objects.filter(inspecting_unit=unit, year=year).exists()


def _catalogue_exists(code) -> bool:
    from datarequests.models import CatalogueItem

    return CatalogueItem.objects.filter(code=code).exists()


def _user_exists(username) -> bool:
    from burden.models import User

    return User.objects.filter(username=username).exists()


def cases():
    for route in ROUTES:
        for place, expected in route.expect.items():
            for persona in PERSONAS:
                if expected[persona] is not ELSEWHERE:
                    yield pytest.param(route, place, persona, id=f"{route.id}-{place or 'any'}-{persona}")


@pytest.mark.parametrize(("route", "place", "persona"), list(cases()))
def test_each_write_answers_each_persona_in_each_place(write_matrix, route, place, persona):
    case = Case(write_matrix, write_matrix.places.get(place), persona)
    expected = route.expect[place][persona]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(case.user)
    body = route.body(case)
    before = write_matrix_counts()
    response = getattr(client, route.method)(reverse(f"api:{route.name}", args=route.args(case)), body, format="json")
    assert response.status_code == expected, response.content[:500]
    if expected < 300:
        assert route.done(case), "answered as allowed, but nothing was written"
    else:
        assert not route.done(case), "refused, but the write happened"
        assert write_matrix_counts() == before, "refused, but some table changed"


def api_write_routes() -> set[tuple[str, str]]:
    """(route name, method) for every method of every API route that may write."""
    found = set()
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == "api":
            for name, pattern in _patterns(resolver):
                found |= {(name, method) for method in _methods(pattern.callback)} & {(name, m) for m in WRITE_METHODS}
    return found


def _patterns(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name, pattern


def _methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset's route: the methods it maps
        return set(actions)
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return {m for m in getattr(view, "http_method_names", []) if hasattr(view, m)}


def test_every_writing_route_has_a_row():
    covered = {(route.name, route.method) for route in ROUTES} | set(NOT_HERE)
    missing = sorted(api_write_routes() - covered)
    assert missing == [], f"add these (route, method) to ROUTES in {__name__}: {missing}"
    assert covered <= api_write_routes(), "a row names a route or method that does not exist"


@pytest.mark.parametrize("route", ROUTES, ids=[route.id for route in ROUTES])
def test_a_browser_session_without_a_csrf_token_cannot_write(write_matrix, route):
    """The API takes browser sessions too; a page elsewhere must not be able to write through them."""
    place = next(iter(route.expect))
    case = Case(write_matrix, write_matrix.places.get(place), "superuser")
    client = Client(enforce_csrf_checks=True)
    client.force_login(case.user)
    body = route.body(case)  # a body may set the stage (a case's step), as in the test above: before the count
    before = write_matrix_counts()
    response = getattr(client, route.method)(
        reverse(f"api:{route.name}", args=route.args(case)),
        data=_json(body),
        content_type="application/json",
    )
    assert response.status_code == FORBIDDEN, response.content[:300]
    assert b"CSRF" in response.content
    assert not route.done(case)
    assert write_matrix_counts() == before


def _json(body: dict) -> str:
    import json

    return json.dumps(body, default=str)
