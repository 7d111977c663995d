"""Every URL, for every role: who gets the page, who is sent to log in, who gets a 404.

``PAGES`` lists each page with the status each persona must get. A test walks the URL
configuration and fails when a page is missing here, so a new page cannot ship
without its permission row.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from burden.record_views import record_configs
from tests.conftest import client_for

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
PERSONAS = ["anonymous", "outsider", "staff_a", "staff_b", "supervisor", "admin", "superuser"]


def row(anonymous, outsider, staff_a, staff_b, supervisor, admin, superuser):
    return dict(zip(PERSONAS, [anonymous, outsider, staff_a, staff_b, supervisor, admin, superuser], strict=True))


# (url name, args, expected statuses per persona)
PAGES = [
    ("home", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("unit_list", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("unit_detail", ["A"], row(REDIRECT, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK)),
    ("unit_detail", ["B"], row(REDIRECT, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK)),
    ("unit_detail", ["S1"], row(REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK)),
    ("unit_detail", ["C"], row(REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK)),
    ("unit_detail", ["NO-SUCH-UNIT"], row(REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ("health", [], row(OK, OK, OK, OK, OK, OK, OK)),
    ("health_live", [], row(OK, OK, OK, OK, OK, OK, OK)),
    ("health_ready", [], row(OK, OK, OK, OK, OK, OK, OK)),
    ("rule_list", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("rule_detail", ["MTG-DURATION"], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    # The rule's latest re-application: whoever reads the rule page (its city-wide counts only
    # for those who set thresholds: tests/test_rule_runs.py).
    ("rule_run", ["MTG-DURATION"], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("rule_run", ["NO-SUCH"], row(REDIRECT, *[NOT_FOUND] * 6)),
    ("login", [], row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("password_change", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("password_change_done", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    # The admin sends anyone it does not admit to its own login page.
    ("admin:index", [], row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK)),
    ("admin:burden_unit_changelist", [], row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK)),
    ("admin:burden_membership_changelist", [], row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK)),
    ("admin:burden_user_changelist", [], row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK)),
    # The review: staff read their units' flags, people without a unit have no queue;
    # a flag's page per persona is in tests/review/test_views.py (no flag exists here).
    ("review:case_list", [], row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)),
    ("review:violation_list", [], row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)),
    ("review:violation_detail", [999999], row(REDIRECT, *[NOT_FOUND] * 6)),
    # A case's page and its letters per persona: tests/review/test_case_pages.py (no case exists here).
    ("review:case_detail", [999999], row(REDIRECT, *[NOT_FOUND] * 6)),
    ("review:case_letter", [999999], row(REDIRECT, *[NOT_FOUND] * 6)),
    # A notice's page with no case chosen: nothing to circulate; the cases per persona in test_case_pages.py.
    ("review:notice_new", [], row(REDIRECT, FORBIDDEN, OK, OK, OK, OK, OK)),
    ("review:notification_list", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("review:notification_preferences", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("review:deadline_settings", [], row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)),
    ("review:case_policy_settings", [], row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)),
    # Dashboards and the burden ledger: each person sees their own units (people without one, an
    # empty page); a department page counts only the viewer's units. Scoping: tests/insights/.
    ("insights:dashboard", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("insights:source_ranking", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("insights:source_detail", ["D1-EDU"], row(REDIRECT, NOT_FOUND, OK, OK, OK, OK, OK)),
    ("insights:source_detail", ["C"], row(REDIRECT, NOT_FOUND, OK, OK, OK, OK, OK)),
    ("insights:source_detail", ["NO-SUCH-UNIT"], row(REDIRECT, *[NOT_FOUND] * 6)),
    # An explanation is written by the department itself or those above it (here: the city's admin).
    ("insights:source_explain", ["D1-EDU"], row(REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK)),
    ("insights:target_list", [], row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)),
    # Reports: each person's own top unit by default (people without one: the dashboard's empty page,
    # and no spreadsheet). Other units, periods and the background jobs: tests/insights/test_reports.py.
    ("insights:report_index", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("insights:report_view", [], row(REDIRECT, OK, OK, OK, OK, OK, OK)),
    ("insights:report_xlsx", [], row(REDIRECT, NOT_FOUND, OK, OK, OK, OK, OK)),
    ("insights:report_job", [999999], row(REDIRECT, *[NOT_FOUND] * 6)),
    ("insights:report_job_file", [999999], row(REDIRECT, *[NOT_FOUND] * 6)),
]

# Pages reached only by POST or owned by Django's admin beyond the ones above; each is
# exercised by its own test (logout, the language switch) or by Django's own suite.
NOT_PAGES = {
    "logout",
    "set_language",
    "secondments:secondment_extend",  # tests/secondments/test_views.py
    "insights:target_delete",  # tests/insights/test_targets.py
}


def persona_user(personas, name):
    return None if name == "anonymous" else getattr(personas, name)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[f"{p[0]}{p[1]}" for p in PAGES])
def test_every_page_answers_each_role_as_expected(client, personas, persona, name, args, expected):
    response = client_for(client, persona_user(personas, persona)).get(reverse(name, args=args))
    assert response.status_code == expected[persona]
    if expected[persona] == REDIRECT and persona == "anonymous":
        assert "login" in response["Location"]


def test_every_url_has_a_permission_row():
    # tests/test_records.py walks every record kind's pages for every persona.
    record_pages = {
        config.url_name(action)
        for config in record_configs()
        for action in (
            *("list", "create", "estimate", "deleted", "detail", "update", "delete", "restore"),
            *("import", "import_job", "export", "template"),  # and tests/test_ledger.py
        )
    }
    covered = {name for name, _, _ in PAGES} | NOT_PAGES | record_pages
    missing = sorted(name for name in _url_names(get_resolver()) if name not in covered)
    assert missing == [], f"add these URLs to PAGES in {__name__}: {missing}"


def _url_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin's own pages are covered through the rows above
            if pattern.namespace == "api":
                continue  # tests/api/test_permissions.py walks every API route for every role
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_logout_needs_a_post_and_ends_the_session(client, personas):
    client.force_login(personas.staff_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == REDIRECT
    assert client.get(reverse("home")).status_code == REDIRECT


def test_the_outside_unit_page_looks_like_any_missing_page(client, personas):
    client.force_login(personas.staff_a)
    sibling = client.get(reverse("unit_detail", args=["B"]))
    missing = client.get(reverse("unit_detail", args=["NO-SUCH-UNIT"]))
    assert sibling.status_code == missing.status_code == NOT_FOUND
    assert _normalised(sibling) == _normalised(missing)


def _normalised(response) -> bytes:
    """The page without what legitimately differs: fresh CSRF masks and the requested address."""
    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    html = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", html)
    return html.replace(response.wsgi_request.get_full_path().encode(), b"<path>")
