"""Deadlines and overdue flags in SQL, the bell and the notifications, each scoped to the person."""

import datetime

import pytest
from django.utils import timezone

from burden.models import NotificationPreference, ReviewDeadlines, Violation
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
from tests.factories import ViolationFactory

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
    assert watch_for(personas.supervisor).deadlines.days == {"low": 1, "medium": 1, "high": 1}


def test_without_a_saved_setting_the_defaults_apply_and_nothing_is_written(db):
    assert ReviewDeadlines.current().days == {"low": 30, "medium": 14, "high": 7}
    assert not ReviewDeadlines.objects.exists()


# --- The bell -----------------------------------------------------------------------------


def test_the_bell_counts_new_flags_on_ones_units_until_marked_seen(tree, personas):
    ViolationFactory(unit=tree.a)
    ViolationFactory(unit=tree.b)
    ViolationFactory(unit=tree.c)
    ViolationFactory(unit=tree.a, status=S.CLEARED)
    assert bell_count(watch_for(personas.supervisor)) == 2
    assert bell_count(watch_for(personas.staff_a)) == 1
    assert bell_count(watch_for(personas.staff_b)) == 1
    assert bell_count(watch_for(personas.admin)) == 3
    assert bell_count(watch_for(personas.outsider)) == 0

    notifications_mark_seen(user=personas.supervisor)
    assert bell_count(watch_for(personas.supervisor)) == 0
    ViolationFactory(unit=tree.b)
    assert bell_count(watch_for(personas.supervisor)) == 1
    assert bell_count(watch_for(personas.staff_a)) == 1  # seeing is per person


def test_the_bell_never_counts_another_subtrees_flags(tree, personas, today):
    ViolationFactory(unit=tree.c, first_seen=days_ago(60))  # overdue
    ViolationFactory(unit=tree.c, status=S.WAIVED, waiver_expires_on=today + 2 * DAY)  # expiring
    ViolationFactory(unit=tree.c)  # new
    assert bell_count(watch_for(personas.supervisor)) == 0
    assert notification_sections(watch_for(personas.supervisor)) == []
    assert bell_count(watch_for(personas.admin)) == 3


def test_the_bell_takes_two_queries(tree, personas, django_assert_num_queries):
    for _ in range(5):
        ViolationFactory(unit=tree.a, first_seen=days_ago(40))
    scope_for(personas.supervisor)  # the navigation has read the memberships already
    with django_assert_num_queries(2):
        assert bell_count(watch_for(personas.supervisor)) == 5


def test_the_bell_counts_only_the_categories_one_wants(tree, personas, today):
    ViolationFactory(unit=tree.a, first_seen=days_ago(60))  # overdue, not new
    ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=today + 3 * DAY)
    NotificationPreference.objects.create(user=personas.supervisor, notify_overdue=False)
    assert bell_count(watch_for(personas.supervisor)) == 1
    NotificationPreference.objects.filter(user=personas.supervisor).update(notify_expiring_waivers=False)
    assert bell_count(watch_for(personas.supervisor)) == 0


def _sections(user, **kwargs):
    return {s.category: s for s in notification_sections(watch_for(user), **kwargs)}


def test_notifications_list_overdue_due_soon_expiring_and_new_flags(tree, personas):
    today = timezone.localdate()
    now = timezone.now()
    overdue = ViolationFactory(unit=tree.a, first_seen=days_ago(15, today))  # medium: due 14 days on
    due_in_3 = ViolationFactory(unit=tree.a, first_seen=days_ago(11, today))
    due_in_9 = ViolationFactory(unit=tree.a, first_seen=days_ago(5, today))
    expiring = ViolationFactory(unit=tree.b, status=S.WAIVED, waiver_expires_on=today + 7 * DAY)
    ViolationFactory(unit=tree.b, status=S.WAIVED, waiver_expires_on=today + 8 * DAY)
    ViolationFactory(unit=tree.b, status=S.RESOLVED, first_seen=days_ago(40, today))
    sections = _sections(personas.supervisor, today=today, now=now)
    assert [v.pk for v in sections["overdue"].items] == [overdue.pk]
    assert [v.pk for v in sections["due_soon"].items] == [due_in_3.pk]
    assert [v.pk for v in sections["expiring"].items] == [expiring.pk]
    # Never looked: "new" reaches back 7 days.
    assert [v.pk for v in sections["new"].items] == [due_in_9.pk]
    assert sections["due_soon"].items[0].due_on == today + 3 * DAY


def test_marking_seen_leaves_the_list_but_empties_the_unseen_counts(tree, personas, today):
    ViolationFactory(unit=tree.a, first_seen=days_ago(20, today))
    ViolationFactory(unit=tree.a)
    assert {c: s.unseen for c, s in _sections(personas.supervisor).items()} == {"overdue": 1, "new": 1}
    notifications_mark_seen(user=personas.supervisor)
    sections = _sections(personas.supervisor)
    assert sections["overdue"].total == 1
    assert all(s.unseen == 0 for s in sections.values())
    assert not any(v.is_new for s in sections.values() for v in s.items)


def test_an_overdue_flag_is_news_again_the_day_after_its_due_day(tree, personas):
    today = timezone.localdate()
    flag = ViolationFactory(unit=tree.a, first_seen=days_ago(14, today))  # medium: due today
    seen = day_start(today) + datetime.timedelta(hours=1)
    NotificationPreference.objects.create(user=personas.supervisor, last_seen_at=seen)
    watch = watch_for(personas.supervisor)
    assert bell_count(watch, today=today, now=seen) == 0
    tomorrow = today + DAY
    assert bell_count(watch, today=tomorrow, now=day_start(tomorrow)) == 1
    assert _sections(personas.supervisor, today=tomorrow, now=day_start(tomorrow))["overdue"].items == [flag]


def test_a_deadline_pings_7_days_and_1_day_before(tree, personas):
    today = timezone.localdate()
    # medium: due 14 days after first seen; due in 7 days means first seen 7 days ago.
    ViolationFactory(unit=tree.a, first_seen=days_ago(7, today))
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


def test_the_bell_stops_counting_at_its_cap(tree, personas, client):
    from burden.review.selectors import BELL_CAP

    ViolationFactory.create_batch(BELL_CAP + 5, unit=tree.a)
    assert bell_count(watch_for(personas.supervisor)) == BELL_CAP
    client.force_login(personas.supervisor)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="bell-count">99+</span>' in page
