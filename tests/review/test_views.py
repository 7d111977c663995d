"""The review pages: the queue, bulk actions, a flag's page, notifications, preferences and deadlines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.models import NotificationPreference, ReviewDeadlines, Violation, ViolationEvent
from tests.factories import ViolationFactory
from tests.record_factories.meetings import MeetingFactory

from .conftest import days_ago

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """These tests read messages in English; the Chinese pages are checked in tests/test_translations.py."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


S = Violation.Status
QUEUE = reverse("review:violation_list")


def queue(client, user, **params):
    client.force_login(user)
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response


def listed(response) -> set[int]:
    return {violation.pk for violation in response.context["rows"]}


@pytest.fixture
def flags(tree, meeting_a):
    """One open flag in each community, and a resolved one in A."""
    return {
        "a": ViolationFactory(record=meeting_a),
        "b": ViolationFactory(record=MeetingFactory(unit=tree.b, source_unit=tree.s1)),
        "c": ViolationFactory(record=MeetingFactory(unit=tree.c, source_unit=tree.dept)),
        "resolved": ViolationFactory(unit=tree.a, status=S.RESOLVED),
    }


# --- The queue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("staff_a", {"a"}), ("staff_b", {"b"}), ("supervisor", {"a", "b"}), ("admin", {"a", "b", "c"})],
)
def test_the_queue_lists_the_open_flags_of_the_viewers_units(client, personas, flags, persona, expected):
    response = queue(client, getattr(personas, persona))
    assert listed(response) == {flags[name].pk for name in expected}


def test_the_queue_counts_only_the_viewers_units(client, tree, personas, flags):
    ViolationFactory(unit=tree.c, first_seen=days_ago(40))  # overdue, in another district
    ViolationFactory(unit=tree.a, first_seen=days_ago(40))
    response = queue(client, personas.supervisor)
    assert response.context["paginator"].count == 3
    assert response.context["overdue_total"] == 1
    assert queue(client, personas.admin).context["overdue_total"] == 2


def test_the_queue_is_closed_to_people_without_a_unit(client, personas):
    client.force_login(personas.outsider)
    assert client.get(QUEUE).status_code == 403


def test_the_status_filter_shows_any_or_one_status(client, personas, flags):
    assert listed(queue(client, personas.supervisor, status="any")) == {flags[n].pk for n in ("a", "b", "resolved")}
    assert listed(queue(client, personas.supervisor, status="resolved")) == {flags["resolved"].pk}


def test_the_unit_filter_takes_the_subtree_and_never_widens_the_scope(client, personas, flags):
    assert listed(queue(client, personas.admin, unit="S1")) == {flags["a"].pk, flags["b"].pk}
    assert listed(queue(client, personas.admin, unit="C")) == {flags["c"].pk}
    assert listed(queue(client, personas.supervisor, unit="C")) == set()
    assert listed(queue(client, personas.supervisor, unit="CITY")) == {flags["a"].pk, flags["b"].pk}


def test_the_queue_filters_by_source_unit_rule_severity_and_kind(client, tree, personas, flags):
    high = ViolationFactory(unit=tree.b, rule="TRACE-BANNED", severity="high", record_kind="document")
    sup = personas.supervisor
    assert listed(queue(client, sup, source_unit="D1-EDU")) == {flags["a"].pk}
    assert listed(queue(client, sup, rule="TRACE-BANNED")) == {high.pk}
    assert listed(queue(client, sup, severity="high")) == {high.pk}
    assert listed(queue(client, sup, kind="document")) == {high.pk}
    assert listed(queue(client, sup, kind="meeting")) == {flags["a"].pk, flags["b"].pk}


def test_the_age_filter_finds_overdue_and_new_flags(client, tree, personas, flags):
    old = ViolationFactory(unit=tree.a, first_seen=days_ago(40))
    response = queue(client, personas.supervisor, age="overdue")
    assert listed(response) == {old.pk}
    assert 'data-testid="overdue"' in response.content.decode()
    assert response.context["overdue_total"] == 1
    assert listed(queue(client, personas.supervisor, age="new")) == {flags["a"].pk, flags["b"].pk}
    assert listed(queue(client, personas.supervisor, age="older")) == {old.pk}


def test_overdue_flags_come_first_and_columns_sort(client, tree, personas, flags):
    old = ViolationFactory(unit=tree.b, first_seen=days_ago(40), severity="low")
    high = ViolationFactory(unit=tree.b, severity="high")
    rows = queue(client, personas.supervisor).context["rows"]
    assert rows[0].pk == old.pk
    by_severity = [v.pk for v in queue(client, personas.supervisor, sort="-severity").context["rows"]]
    assert by_severity[0] == high.pk and by_severity[-1] == old.pk


def test_each_row_links_the_rule_the_record_and_the_flag(client, personas, flags, meeting_a):
    page = queue(client, personas.staff_a).content.decode()
    assert reverse("rule_detail", args=["MTG-LEADER"]) in page
    assert reverse("meetings:meeting_detail", args=[meeting_a.pk]) in page
    assert reverse("review:violation_detail", args=[flags["a"].pk]) in page
    assert meeting_a.title in page


def test_staff_see_their_flags_without_the_bulk_form(client, personas, flags):
    page = queue(client, personas.staff_a).content.decode()
    assert 'data-testid="bulk-form"' not in page
    assert 'name="violations"' not in page
    supervisor_page = queue(client, personas.supervisor).content.decode()
    assert 'data-testid="bulk-form"' in supervisor_page
    assert supervisor_page.count('name="violations"') == 2


def test_the_queue_paginates(client, tree, personas):
    for _ in range(30):
        ViolationFactory(unit=tree.a)
    first = queue(client, personas.supervisor)
    assert len(first.context["rows"]) == 25
    assert len(queue(client, personas.supervisor, page=2).context["rows"]) == 5


def _queue_queries(client, user):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE, {"status": "any"}).status_code == 200
    return len(captured)


def test_the_queue_runs_the_same_queries_for_5_or_50_flags(client, tree, personas):
    client.force_login(personas.supervisor)
    for n in range(5):
        ViolationFactory(record=MeetingFactory(unit=tree.a, source_unit=tree.dept), first_seen=days_ago(n * 10))
    client.get(QUEUE)  # warm the session
    few = _queue_queries(client, personas.supervisor)
    for n in range(45):
        ViolationFactory(
            record=MeetingFactory(unit=tree.b, source_unit=tree.s1), first_seen=days_ago(n), severity="high"
        )
    assert Violation.objects.count() == 50
    assert _queue_queries(client, personas.supervisor) == few


# --- Bulk actions -------------------------------------------------------------------------------


def bulk(client, user, pks, status, **data):
    client.force_login(user)
    return client.post(QUEUE + "?status=any", {"violations": pks, "status": status, **data})


def test_a_supervisor_acknowledges_several_flags_at_once(client, personas, flags):
    response = bulk(client, personas.supervisor, [flags["a"].pk, flags["b"].pk], "acknowledged", note="on it")
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?status=any"
    assert Violation.objects.get(pk=flags["a"].pk).status == S.ACKNOWLEDGED
    assert ViolationEvent.objects.filter(note="on it", actor=personas.supervisor).count() == 2


def test_a_bulk_waiver_with_an_expiry(client, personas, flags, today):
    expiry = today + datetime.timedelta(days=30)
    response = bulk(
        client, personas.supervisor, [flags["a"].pk], "waived", note="approved case", expires_on=expiry.isoformat()
    )
    assert response.status_code == 302
    assert Violation.objects.get(pk=flags["a"].pk).waiver_expires_on == expiry


def test_a_bulk_action_with_one_refused_flag_changes_nothing_and_says_why(client, personas, flags):
    pks = [flags["a"].pk, flags["b"].pk, flags["resolved"].pk]
    response = bulk(client, personas.supervisor, pks, "acknowledged")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="bulk-errors"' in page
    assert f"Flag {flags['resolved'].pk}" in page
    assert set(Violation.objects.filter(pk__in=pks).values_list("status", flat=True)) == {S.OPEN, S.RESOLVED}
    assert not ViolationEvent.objects.exists()
    # What was selected stays selected for another try.
    assert page.count("checked") >= 2


def test_a_bulk_waiver_without_a_note_shows_the_note_error(client, personas, flags):
    response = bulk(client, personas.supervisor, [flags["a"].pk], "waived")
    assert response.status_code == 400
    assert "Say why the flag is waived." in response.content.decode()
    assert Violation.objects.get(pk=flags["a"].pk).status == S.OPEN


def test_a_bulk_action_on_a_flag_outside_ones_units_is_refused(client, personas, flags):
    response = bulk(client, personas.supervisor, [flags["a"].pk, flags["c"].pk], "resolved")
    assert response.status_code == 400
    assert "A selected flag is not in your units." in response.content.decode()
    assert set(Violation.objects.filter(status=S.RESOLVED).values_list("pk", flat=True)) == {flags["resolved"].pk}


def test_staff_cannot_post_a_bulk_action(client, personas, flags):
    assert bulk(client, personas.staff_a, [flags["a"].pk], "resolved").status_code == 403
    assert Violation.objects.get(pk=flags["a"].pk).status == S.OPEN


# --- A flag's page --------------------------------------------------------------------------------


def detail(pk):
    return reverse("review:violation_detail", args=[pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff_a", 200), ("staff_b", 404), ("supervisor", 200), ("admin", 200), ("superuser", 200), ("outsider", 404)],
)
def test_a_flags_page_is_a_404_outside_ones_units(client, personas, flag_a, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(detail(flag_a.pk)).status_code == status


def test_a_supervisor_cannot_open_another_subtrees_flag(client, personas, flag_c):
    client.force_login(personas.supervisor)
    assert client.get(detail(flag_c.pk)).status_code == 404
    assert client.post(detail(flag_c.pk), {"action": "comment", "note": "x"}).status_code == 404


def test_supervisors_get_the_decision_form_and_staff_the_explanation_form(client, personas, flag_a):
    client.force_login(personas.supervisor)
    page = client.get(detail(flag_a.pk)).content.decode()
    assert 'data-testid="transition-form"' in page and 'data-testid="comment-form"' in page
    client.force_login(personas.staff_a)
    page = client.get(detail(flag_a.pk)).content.decode()
    assert 'data-testid="transition-form"' not in page and 'data-testid="comment-form"' in page


def test_a_decision_and_an_explanation_show_in_the_timeline(client, personas, flag_a):
    client.force_login(personas.staff_a)
    response = client.post(detail(flag_a.pk), {"action": "comment", "note": "The district asked for it."})
    assert response.status_code == 302
    client.force_login(personas.supervisor)
    response = client.post(detail(flag_a.pk), {"action": "transition", "status": "waived", "note": "Agreed."})
    assert response.status_code == 302
    page = client.get(detail(flag_a.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "The district asked for it." in timeline and "Agreed." in timeline
    assert "Open → Waived" in timeline
    assert "staff_a" in timeline and "supervisor" in timeline
    assert Violation.objects.get(pk=flag_a.pk).status == S.WAIVED


def test_a_refused_decision_is_shown_on_the_form(client, personas, flag_a):
    client.force_login(personas.supervisor)
    response = client.post(detail(flag_a.pk), {"action": "transition", "status": "waived", "note": ""})
    assert response.status_code == 400
    assert "Say why the flag is waived." in response.content.decode()


def test_a_self_waiver_is_refused_on_the_page(client, tree, personas):
    flag = ViolationFactory(record=MeetingFactory(unit=tree.a, created_by=personas.supervisor))
    client.force_login(personas.supervisor)
    response = client.post(detail(flag.pk), {"action": "transition", "status": "waived", "note": "fine"})
    assert response.status_code == 400
    assert "You cannot waive a flag on a record you created yourself." in response.content.decode()


def test_staff_cannot_post_a_decision(client, personas, flag_a):
    client.force_login(personas.staff_a)
    response = client.post(detail(flag_a.pk), {"action": "transition", "status": "resolved"})
    assert response.status_code == 403
    assert Violation.objects.get(pk=flag_a.pk).status == S.OPEN


def test_the_decision_form_offers_only_the_allowed_moves(client, tree, personas):
    flag = ViolationFactory(unit=tree.a, status=S.RESOLVED)
    client.force_login(personas.supervisor)
    form = client.get(detail(flag.pk)).context["transition_form"]
    assert [value for value, _label in form.fields["status"].choices] == ["open"]
    cleared = ViolationFactory(unit=tree.a, status=S.CLEARED)
    assert client.get(detail(cleared.pk)).context["transition_form"] is None


def test_a_flags_page_runs_the_same_queries_however_long_its_timeline(client, personas, flag_a):
    client.force_login(personas.supervisor)
    client.get(detail(flag_a.pk))
    with CaptureQueriesContext(connection) as short:
        client.get(detail(flag_a.pk))
    ViolationEvent.objects.bulk_create(
        [ViolationEvent(violation=flag_a, actor=personas.staff_a, note=f"note {n}") for n in range(20)]
    )
    with CaptureQueriesContext(connection) as long:
        client.get(detail(flag_a.pk))
    assert len(long) == len(short)


def test_a_records_flags_link_to_their_review_page(client, personas, flag_a, meeting_a):
    client.force_login(personas.staff_a)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting_a.pk])).content.decode()
    assert f'href="{detail(flag_a.pk)}"' in page


# --- Notifications, preferences, deadlines -------------------------------------------------------


def test_the_bell_shows_the_count_of_cases_and_marking_seen_clears_it(client, tree, personas):
    from .test_selectors import case_for

    cases = {case_for(tree, tree.s1, feeds=[tree.a, tree.a]).pk, case_for(tree, tree.s1, feeds=[tree.b]).pk}
    client.force_login(personas.supervisor)
    page = client.get(reverse("home"))
    assert page.context["review_bell"] == 2  # two cases, three flags
    assert 'data-testid="bell-count">2</span>' in page.content.decode()
    notifications = client.get(reverse("review:notification_list"))
    assert {c.pk for s in notifications.context["sections"] for c in s.items} == cases
    assert client.post(reverse("review:notification_list")).status_code == 302
    page = client.get(reverse("home"))
    assert page.context["review_bell"] == 0
    assert 'data-testid="bell-count"' not in page.content.decode()


def test_the_notifications_page_filters_by_category_pages_and_links_to_cases(client, tree, personas, today):
    from .test_selectors import case_for

    overdue = [case_for(tree, tree.s1, opened_days_ago=30, deadline=today - DAY) for _ in range(27)]
    new = case_for(tree, tree.s1)
    client.force_login(personas.supervisor)
    url = reverse("review:notification_list")
    everything = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    body = everything.content.decode()
    assert [s.category for s in everything.context["sections"]] == ["overdue", "new"]
    assert len(everything.context["sections"][0].items) == 5
    assert f'href="{reverse("review:case_detail", args=[new.pk])}"' in body
    assert 'href="/review/?overdue=true"' in body and 'href="?category=overdue"' in body
    first = client.get(url, {"category": "overdue"})
    assert [s.category for s in first.context["sections"]] == ["overdue"]
    assert len(first.context["sections"][0].items) == 25
    second = client.get(url, {"category": "overdue", "page": 2})
    shown = {c.pk for c in first.context["sections"][0].items} | {c.pk for c in second.context["sections"][0].items}
    assert shown == {c.pk for c in overdue}
    assert "category=overdue&amp;page=1" in second.content.decode()
    assert [s.category for s in client.get(url, {"category": "nonsense"}).context["sections"]] == ["overdue", "new"]


def test_the_notifications_page_runs_the_same_queries_for_2_or_20_cases(client, tree, personas, today):
    from .test_selectors import case_for

    client.force_login(personas.supervisor)
    url = reverse("review:notification_list")

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    def some():
        case_for(tree, tree.s1, feeds=[tree.a])
        case_for(tree, tree.s1, feeds=[tree.b], opened_days_ago=30, deadline=today - DAY, source=tree.d1)

    some()
    client.get(url)
    few, few_one = queries(), queries(category="new")
    for _ in range(9):
        some()
    assert (queries(), queries(category="new")) == (few, few_one)


def test_preferences_are_saved_per_person(client, personas):
    client.force_login(personas.staff_a)
    url = reverse("review:notification_preferences")
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"].initial["language"] == "en"
    response = client.post(url, {"notify_new_flags": "on", "email_digest": "on", "language": "zh-hans"})
    assert response.status_code == 302
    prefs = NotificationPreference.objects.get(user=personas.staff_a)
    assert (prefs.notify_new_flags, prefs.notify_overdue, prefs.email_digest, prefs.language) == (
        True,
        False,
        True,
        "zh-hans",
    )


def test_an_admin_changes_the_deadlines_on_their_page(client, personas):
    client.force_login(personas.admin)
    url = reverse("review:deadline_settings")
    data = {"days_high": 3, "days_medium": 10, "days_low": 20, "reason": "The district wants it faster."}
    assert client.post(url, data).status_code == 302
    assert ReviewDeadlines.current().days == {"low": 20, "medium": 10, "high": 3}
    page = client.get(url).content.decode()
    assert "The district wants it faster." in page
    assert client.post(url, {**data, "reason": ""}).status_code == 400


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("staff_a", 403), ("superuser", 200)])
def test_only_city_wide_admins_open_the_deadlines_page(client, personas, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("review:deadline_settings")).status_code == status
