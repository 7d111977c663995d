"""Deadlines and overdue flags in SQL, the bell and the notifications, each scoped to the person."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from burden.models import Case, CaseEvent, Membership, NotificationPreference, ReviewDeadlines, Violation
from burden.review.selectors import (
    bell_count,
    day_start,
    notification_sections,
    overdue_q,
    review_queue,
    watch_for,
)
from burden.review.services import notifications_mark_seen
from burden.scoping import scope_for
from tests.factories import MembershipFactory, UserFactory, ViolationFactory

from .conftest import days_ago

S = Violation.Status
DAY = datetime.timedelta(days=1)
FIRST = datetime.date(2026, 3, 2)  # a flag is first seen on this day
DEADLINES = ReviewDeadlines(days_low=30, days_medium=14, days_high=7)


def _flag_seen_at(unit, moment, **kwargs):
    return ViolationFactory(unit=unit, first_seen=moment, **kwargs)


def _overdue(today):
    return set(Violation.objects.filter(overdue_q(DEADLINES, today)).values_list("pk", flat=True))


@pytest.mark.parametrize(("severity", "days"), [("low", 30), ("medium", 14), ("high", 7)])
def test_a_flag_is_overdue_from_the_day_after_its_due_day(tree, severity, days):
    start_of_day = _flag_seen_at(tree.a, day_start(FIRST), severity=severity)
    end_of_day = _flag_seen_at(tree.a, day_start(FIRST + DAY) - datetime.timedelta(microseconds=1), severity=severity)
    next_day = _flag_seen_at(tree.a, day_start(FIRST + DAY), severity=severity)
    due_day = FIRST + datetime.timedelta(days=days)
    assert DEADLINES.due_on(start_of_day) == DEADLINES.due_on(end_of_day) == due_day
    assert _overdue(due_day) == set()
    assert _overdue(due_day + DAY) == {start_of_day.pk, end_of_day.pk}
    assert _overdue(due_day + 2 * DAY) == {start_of_day.pk, end_of_day.pk, next_day.pk}


@pytest.mark.parametrize("status", [S.OPEN, S.ACKNOWLEDGED, S.RESOLVED, S.WAIVED, S.CLEARED])
def test_only_open_and_acknowledged_flags_are_overdue(tree, status):
    flag = _flag_seen_at(tree.a, day_start(FIRST), status=status)
    expected = {flag.pk} if status in (S.OPEN, S.ACKNOWLEDGED) else set()
    assert _overdue(FIRST + 30 * DAY) == expected


def test_the_queue_annotates_overdue_in_sql_consistently_with_the_due_day(tree, personas):
    today = FIRST + 15 * DAY
    late = _flag_seen_at(tree.a, day_start(FIRST))  # medium: due FIRST + 14
    on_time = _flag_seen_at(tree.a, day_start(FIRST + DAY))  # due today
    rows = {v.pk: v for v in review_queue(personas.supervisor, deadlines=DEADLINES, today=today)}
    assert rows[late.pk].is_overdue is True
    assert rows[on_time.pk].is_overdue is False
    assert DEADLINES.due_on(rows[on_time.pk]) == today


def test_the_deadlines_come_from_the_admins_setting(tree, personas):
    ReviewDeadlines.objects.create(pk=1, days_low=1, days_medium=1, days_high=1)
    flag = _flag_seen_at(tree.a, day_start(FIRST))
    assert ReviewDeadlines.current().due_on(flag) == FIRST + DAY


def test_without_a_saved_setting_the_defaults_apply_and_nothing_is_written(db):
    assert ReviewDeadlines.current().days == {"low": 30, "medium": 14, "high": 7}
    assert not ReviewDeadlines.objects.exists()


# --- The bell and the notifications: cases, not flags ---------------------------------------


def case_for(tree, owner, *, source=None, opened_days_ago=0, feeds=None, **fields):
    """A case against ``source`` (the education bureau) owned by ``owner``, opened ``opened_days_ago`` days ago.

    ``feeds``: units whose flags the case holds (so their staff follow it).
    """
    today = timezone.localdate()
    fields = {"rule": "MTG-DURATION", "period": today.replace(day=1), "deadline": today + 15 * DAY, **fields}
    case = Case.objects.create(
        source_unit=source or tree.dept, owner_unit=owner, key=f"k{Case.objects.count()}", **fields
    )
    Case.objects.filter(pk=case.pk).update(opened_at=days_ago(opened_days_ago) if opened_days_ago else timezone.now())
    for unit in feeds or ():
        ViolationFactory(unit=unit, case=case)
    case.refresh_from_db()
    return case


def _sections(user, **kwargs):
    return {s.category: s for s in notification_sections(watch_for(user), **kwargs).sections}


def _pks(section):
    return [item.pk for item in section.items]


def test_the_bell_counts_new_cases_one_sees_until_marked_seen_not_flags(tree, personas):
    case_for(tree, tree.s1, feeds=[tree.a, tree.a, tree.a])  # three flags, one case
    case_for(tree, tree.s1, feeds=[tree.b])
    case_for(tree, tree.s2, feeds=[tree.c])  # another street's
    assert bell_count(watch_for(personas.supervisor)) == 2
    assert bell_count(watch_for(personas.staff_a)) == 1
    assert bell_count(watch_for(personas.admin)) == 3
    assert bell_count(watch_for(personas.outsider)) == 0

    notifications_mark_seen(user=personas.supervisor)
    assert bell_count(watch_for(personas.supervisor)) == 0
    case_for(tree, tree.s1, feeds=[tree.b], rule="DOC-DAILY")
    assert bell_count(watch_for(personas.supervisor)) == 1
    assert bell_count(watch_for(personas.staff_a)) == 1  # seeing is per person


def test_another_streets_cases_never_appear(tree, personas):
    other = case_for(tree, tree.s2, feeds=[tree.c], deadline=timezone.localdate() - DAY)  # new and overdue
    case_for(tree, tree.s2, feeds=[tree.c], status=Case.Status.RESOLVED, closed_at=timezone.now())
    ViolationFactory(unit=tree.c, status=S.WAIVED, waiver_expires_on=timezone.localdate() + 2 * DAY)
    assert bell_count(watch_for(personas.supervisor)) == 0
    assert not notification_sections(watch_for(personas.supervisor))
    assert bell_count(watch_for(personas.admin)) == 3
    assert _pks(_sections(personas.admin)["overdue"]) == [other.pk]


def test_the_bell_takes_the_same_queries_for_2_or_20_cases(tree, personas):
    def count():
        scope_for(personas.supervisor)  # the navigation has read the memberships already
        with CaptureQueriesContext(connection) as captured:
            value = bell_count(watch_for(personas.supervisor))
        return value, len(captured)

    for _ in range(2):
        case_for(tree, tree.s1, feeds=[tree.a])
    few, queries = count()
    assert few == 2
    for _ in range(18):
        case_for(tree, tree.s1, feeds=[tree.a])
    assert count() == (20, queries)
    assert queries <= 3  # the preferences, the cases, the waivers


def test_the_bell_counts_only_the_categories_one_wants(tree, personas, today):
    case_for(tree, tree.s1, opened_days_ago=30, deadline=today - DAY)  # overdue, not new
    ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=today + 3 * DAY)
    NotificationPreference.objects.create(user=personas.supervisor, notify_overdue=False)
    assert bell_count(watch_for(personas.supervisor)) == 1
    NotificationPreference.objects.filter(user=personas.supervisor).update(notify_expiring_waivers=False)
    assert bell_count(watch_for(personas.supervisor)) == 0
    NotificationPreference.objects.filter(user=personas.supervisor).update(notify_overdue=True)
    assert bell_count(watch_for(personas.supervisor)) == 1


def test_the_bell_stops_counting_at_its_cap(tree, personas, client):
    from burden.review.selectors import BELL_CAP

    for _ in range(BELL_CAP + 1):
        case_for(tree, tree.s1)
    assert bell_count(watch_for(personas.supervisor)) == BELL_CAP
    client.force_login(personas.supervisor)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="bell-count">99+</span>' in page


def test_notifications_speak_of_new_overdue_due_soon_cases_and_expiring_waivers(tree, personas, today):
    overdue = case_for(tree, tree.s1, opened_days_ago=20, deadline=today - DAY)
    case_for(tree, tree.s1, opened_days_ago=20, deadline=today - DAY, status=Case.Status.REPLIED)  # not overdue
    due_today = case_for(tree, tree.s1, opened_days_ago=20, deadline=today)
    due_in_7 = case_for(tree, tree.s1, opened_days_ago=20, deadline=today + 7 * DAY)
    case_for(tree, tree.s1, opened_days_ago=20, deadline=today + 8 * DAY)  # not yet due soon
    new = case_for(tree, tree.s1, opened_days_ago=6)
    case_for(tree, tree.s1, opened_days_ago=8)  # never looked: "new" reaches back 7 days
    expiring = ViolationFactory(unit=tree.b, status=S.WAIVED, waiver_expires_on=today + 7 * DAY)
    ViolationFactory(unit=tree.b, status=S.WAIVED, waiver_expires_on=today + 8 * DAY)
    sections = _sections(personas.supervisor)
    assert _pks(sections["overdue"]) == [overdue.pk]
    assert _pks(sections["due_soon"]) == [due_today.pk, due_in_7.pk]
    assert _pks(sections["new"]) == [new.pk]
    assert _pks(sections["expiring"]) == [expiring.pk]
    assert sections["overdue"].list_url == "/review/?overdue=true"


def test_the_headline_counts_new_and_overdue_cases_per_source_department(tree, personas, today):
    for _ in range(3):
        case_for(tree, tree.s1)
    case_for(tree, tree.s1, opened_days_ago=30, deadline=today - DAY)
    case_for(tree, tree.s1, source=tree.d1)
    with translation.override("en"):
        lines = [d.text for d in notification_sections(watch_for(personas.supervisor)).departments]
        assert lines == ["3 new cases against East Education Bureau; 1 overdue", "1 new case against East District"]
    with translation.override("zh-hans"):
        lines = [d.text for d in notification_sections(watch_for(personas.supervisor)).departments]
        assert lines[0] == "东区教育局：新增 3 件督办事项；逾期 1 件"


def test_replied_cases_wait_on_the_owner_only(tree, personas, people_district):
    replied = case_for(tree, tree.d1, feeds=[tree.a], status=Case.Status.REPLIED)
    CaseEvent.objects.create(case=replied, kind=CaseEvent.Kind.REPLY, note="done")
    assert _pks(_sections(people_district)["replied"]) == [replied.pk]
    assert "replied" not in _sections(personas.supervisor)  # sees the case, does not decide it
    assert bell_count(watch_for(people_district)) == 1
    notifications_mark_seen(user=people_district)
    assert bell_count(watch_for(people_district)) == 0
    assert _sections(people_district)["replied"].unseen == 0  # still awaiting, no longer news
    CaseEvent.objects.create(case=replied, kind=CaseEvent.Kind.REPLY, note="more")
    assert bell_count(watch_for(people_district)) == 1


def test_letters_to_ones_department_and_outcomes_of_ones_units(tree, personas, dept_staff):
    escalated = case_for(tree, tree.d1, feeds=[tree.a], opened_days_ago=30)
    CaseEvent.objects.create(case=escalated, kind=CaseEvent.Kind.STEP, step=Case.Step.REMINDER)
    case_for(tree, tree.d1, source=tree.d1, opened_days_ago=30).events.create(kind=CaseEvent.Kind.STEP)
    resolved = case_for(
        tree, tree.d1, feeds=[tree.a], opened_days_ago=30, status=Case.Status.RESOLVED, closed_at=timezone.now()
    )
    old = case_for(tree, tree.d1, feeds=[tree.a], opened_days_ago=30, status=Case.Status.WAIVED)
    Case.objects.filter(pk=old.pk).update(closed_at=days_ago(8))
    assert _pks(_sections(dept_staff)["escalated"]) == [escalated.pk]
    assert "outcome" not in _sections(dept_staff)  # the department's units feed no flags
    staff_a = _sections(personas.staff_a)
    assert _pks(staff_a["outcome"]) == [resolved.pk]
    assert "escalated" not in staff_a
    assert "outcome" not in _sections(personas.staff_b)  # community B feeds none of them


def test_marking_seen_keeps_the_states_and_the_weeks_news_but_empties_the_unseen(tree, personas, today):
    case_for(tree, tree.s1, opened_days_ago=20, deadline=today - 2 * DAY)
    case_for(tree, tree.s1)
    assert {c: s.unseen for c, s in _sections(personas.supervisor).items()} == {"overdue": 1, "new": 1}
    notifications_mark_seen(user=personas.supervisor)
    sections = _sections(personas.supervisor)
    assert {c: s.total for c, s in sections.items()} == {"overdue": 1, "new": 1}
    assert all(s.unseen == 0 for s in sections.values())
    assert not any(item.is_new for s in sections.values() for item in s.items)


def test_an_overdue_case_is_news_again_the_day_after_its_deadline(tree, personas):
    today = timezone.localdate()
    case = case_for(tree, tree.s1, opened_days_ago=20, deadline=today)
    seen = day_start(today) + datetime.timedelta(hours=1)
    NotificationPreference.objects.create(user=personas.supervisor, last_seen_at=seen, notify_deadlines=False)
    watch = watch_for(personas.supervisor)
    assert bell_count(watch, today=today, now=seen) == 0
    tomorrow = today + DAY
    assert bell_count(watch, today=tomorrow, now=day_start(tomorrow)) == 1
    assert _pks(_sections(personas.supervisor, today=tomorrow, now=day_start(tomorrow))["overdue"]) == [case.pk]


def test_a_cases_deadline_pings_7_days_and_1_day_before(tree, personas):
    today = timezone.localdate()
    case_for(tree, tree.s1, opened_days_ago=20, deadline=today + 7 * DAY)
    NotificationPreference.objects.create(
        user=personas.supervisor, last_seen_at=day_start(today - DAY), notify_new_flags=False
    )
    watch = watch_for(personas.supervisor)
    assert bell_count(watch, today=today) == 1  # due in 7 days: news today
    notifications_mark_seen(user=personas.supervisor, now=day_start(today) + datetime.timedelta(hours=9))
    watch = watch_for(personas.supervisor)
    for later in range(1, 6):  # quiet until the day before
        assert bell_count(watch, today=today + later * DAY, now=day_start(today + later * DAY)) == 0
    assert bell_count(watch, today=today + 6 * DAY, now=day_start(today + 6 * DAY)) == 1


@pytest.fixture
def people_district(tree):
    return MembershipFactory(user=UserFactory(username="district"), unit=tree.d1, role=Membership.Role.SUPERVISOR).user


@pytest.fixture
def dept_staff(tree):
    return MembershipFactory(user=UserFactory(username="dept_staff"), unit=tree.dept, role=Membership.Role.STAFF).user
