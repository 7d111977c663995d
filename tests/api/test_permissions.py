"""Every API route, for every role: the status each caller gets on GET.

A test walks the API's URL configuration and fails when a route has no row here,
so a new endpoint cannot ship without its permission row. Writes are tested per
endpoint in the other files of this folder.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from burden.rules.engine import evaluate_record
from tests.record_factories.datarequests import CatalogueItemFactory
from tests.record_factories.inspections import InspectionPlanFactory
from tests.record_factories.meetings import MeetingFactory

PERSONAS = ["anonymous", "outsider", "staff_a", "staff_b", "supervisor", "admin", "superuser"]
OK, FOUND, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 401, 403, 404, 405


def row(*statuses):
    return dict(zip(PERSONAS, statuses, strict=True))


EVERYONE = row(UNAUTHORIZED, OK, OK, OK, OK, OK, OK)
ADMINS = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
IN_UNIT_A = row(UNAUTHORIZED, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK)
POST_ONLY = row(UNAUTHORIZED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
RECORDS = ["meeting", "document", "inspection", "secondment", "data-request", "work-app"]

# (url name, how to find its argument, expected status per persona)
ROUTES = [
    ("api-root", None, EVERYONE),
    ("token", None, row(NOT_ALLOWED, *[NOT_ALLOWED] * 6)),
    ("token_revoke", None, row(UNAUTHORIZED, *[NOT_ALLOWED] * 6)),
    ("burden_summary", None, EVERYONE),
    # With DEBUG off (as in tests and production) the schema and its docs need a sign-in;
    # the docs page sends a browser to the login page.
    ("schema", None, EVERYONE),
    ("docs", None, row(FOUND, OK, OK, OK, OK, OK, OK)),
    ("token_list", None, EVERYONE),
    ("token_detail", "token_key", row(UNAUTHORIZED, *[NOT_ALLOWED] * 6)),
    ("unit-list", None, EVERYONE),
    ("unit-detail", "unit", IN_UNIT_A),
    ("user-list", None, ADMINS),
    ("user-detail", "user", ADMINS),
    ("membership-list", None, ADMINS),
    ("membership-detail", "membership", ADMINS),
    ("rule-list", None, EVERYONE),
    ("rule-detail", "rule", EVERYONE),
    ("violation-list", None, EVERYONE),
    ("violation-detail", "violation", IN_UNIT_A),
    ("violation-events", "violation", IN_UNIT_A),
    ("violation-transition", "violation", POST_ONLY),
    ("case-list", None, EVERYONE),
    ("case-detail", "case", IN_UNIT_A),
    ("case-events", "case", IN_UNIT_A),
    ("case-reply", "case", POST_ONLY),
    ("case-escalate", "case", POST_ONLY),
    ("case-transition", "case", POST_ONLY),
    ("case-minutes", "case", POST_ONLY),
    ("case-notice", None, POST_ONLY),
    ("inspection-plan-list", None, EVERYONE),
    ("inspection-plan-detail", "plan", EVERYONE),
    ("catalogue-list", None, EVERYONE),
    ("catalogue-detail", "catalogue", EVERYONE),
    ("secondment-extensions", "secondment", IN_UNIT_A),
    *[(f"{kind}-list", None, EVERYONE) for kind in RECORDS],
    *[(f"{kind}-detail", kind, IN_UNIT_A) for kind in RECORDS],
]


def api_url_names() -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            names |= {key for key in pattern.reverse_dict if isinstance(key, str)}
    return names


def test_every_api_route_has_a_permission_row():
    assert api_url_names() == {name for name, _arg, _row in ROUTES}


@pytest.fixture
def objects(tree, personas):
    from tests.factories import RECORD_FACTORIES

    found = {"unit": "A", "user": "staff_a", "rule": "MTG-DURATION", "token_key": "abcdefgh"}
    found["membership"] = personas.staff_a.memberships.get().pk
    for model, factory in RECORD_FACTORIES.items():
        found[model.record_kind.replace("_", "-")] = factory(unit=tree.a).pk
    meeting = MeetingFactory(unit=tree.a, duration_minutes=500)
    evaluate_record("meeting", meeting.pk)
    from burden.models import Violation

    found["violation"] = Violation.objects.filter(record_id=meeting.pk, record_kind="meeting").first().pk
    # A flag with no source unit is a case of its own, owned by the unit above A (S1).
    found["case"] = Violation.objects.get(pk=found["violation"]).case_id
    found["plan"] = InspectionPlanFactory(inspecting_unit=tree.d2).pk
    found["catalogue"] = CatalogueItemFactory(owner_unit=tree.d2).code
    return found


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "argument", "expected"), ROUTES, ids=[route[0] for route in ROUTES])
def test_every_api_route_answers_each_role_as_expected(api, personas, objects, persona, name, argument, expected):
    user = None if persona == "anonymous" else getattr(personas, persona)
    args = [objects[argument]] if argument else []
    response = api.as_(user).get(reverse(f"api:{name}", args=args))
    assert response.status_code == expected[persona], response.content[:300]
