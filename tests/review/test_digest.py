"""The daily digest: each person's flags, scoped, in their language, in a bounded number of queries."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from burden.models import NotificationPreference, Violation
from burden.review.digest import review_digests_send
from tests.factories import ViolationFactory

from .conftest import days_ago

S = Violation.Status
DAY = datetime.timedelta(days=1)


def opt_in(user, language="en", **kwargs):
    return NotificationPreference.objects.create(user=user, email_digest=True, language=language, **kwargs)


def link(violation) -> str:
    return reverse("review:violation_detail", args=[violation.pk])


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


@pytest.fixture
def news(tree):
    """Medium flags (14 days to resolve) in every state the digest speaks of, inside and outside street S1."""
    today = timezone.localdate()
    return {
        "overdue": ViolationFactory(unit=tree.a, first_seen=days_ago(20, today)),
        "due_in_7": ViolationFactory(unit=tree.b, first_seen=days_ago(7, today)),
        "due_in_1": ViolationFactory(unit=tree.a, first_seen=days_ago(13, today)),
        "due_in_3": ViolationFactory(unit=tree.a, first_seen=days_ago(11, today)),
        "expiring": ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=today + 5 * DAY),
        "new": ViolationFactory(unit=tree.b),
        "resolved": ViolationFactory(unit=tree.a, status=S.RESOLVED, first_seen=days_ago(30, today)),
        "elsewhere": ViolationFactory(unit=tree.c, first_seen=days_ago(20, today)),
        "elsewhere_new": ViolationFactory(unit=tree.c),
    }


def test_the_digest_holds_overdue_deadlines_in_7_and_1_days_expiring_waivers_and_new_flags(personas, news):
    opt_in(personas.supervisor)
    assert review_digests_send() == 1
    message = mail_to(personas.supervisor)
    for name in ("overdue", "due_in_7", "due_in_1", "expiring", "new"):
        assert link(news[name]) in message.body, name
    for name in ("due_in_3", "resolved", "elsewhere", "elsewhere_new"):
        assert link(news[name]) not in message.body, name
    assert message.subject == "Review digest: 5 flags need your attention"
    assert "http://127.0.0.1:8000/review/" in message.body


def test_the_digest_is_scoped_to_the_persons_units(personas, news):
    opt_in(personas.staff_b)
    opt_in(personas.admin)
    review_digests_send()
    staff_b = mail_to(personas.staff_b).body
    assert link(news["due_in_7"]) in staff_b and link(news["new"]) in staff_b
    assert link(news["overdue"]) not in staff_b and link(news["elsewhere"]) not in staff_b
    admin = mail_to(personas.admin).body
    assert link(news["elsewhere"]) in admin and link(news["elsewhere_new"]) in admin


def test_the_digest_is_written_in_the_persons_language(personas, news):
    opt_in(personas.supervisor, language="zh-hans")
    opt_in(personas.staff_b, language="en")
    review_digests_send()
    chinese, english = mail_to(personas.supervisor).body, mail_to(personas.staff_b).body
    assert "Top leader required without need" in english
    assert "Top leader required without need" not in chinese
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert "社区" in chinese  # the unit's Chinese name, not its English one
    assert "Community A" not in chinese


def test_the_digest_respects_what_the_person_wants(personas, news):
    opt_in(personas.supervisor, notify_overdue=False, notify_new_flags=False, notify_expiring_waivers=False)
    review_digests_send()
    body = mail_to(personas.supervisor).body
    assert link(news["due_in_7"]) in body
    assert link(news["overdue"]) not in body and link(news["new"]) not in body and link(news["expiring"]) not in body


def test_nobody_gets_an_empty_digest_or_one_they_did_not_ask_for(tree, personas):
    ViolationFactory(unit=tree.c)
    opt_in(personas.supervisor)
    opt_in(personas.outsider)
    NotificationPreference.objects.create(user=personas.staff_a, email_digest=False)
    ViolationFactory(unit=tree.a)
    personas.staff_b.email = ""
    personas.staff_b.save()
    opt_in(personas.staff_b)
    assert review_digests_send() == 1
    assert [m.to for m in mail.outbox] == [[personas.supervisor.email]]


def test_new_starts_where_the_last_digest_left_off(tree, personas):
    prefs = opt_in(personas.supervisor)
    first = ViolationFactory(unit=tree.a)
    now = timezone.now()
    assert review_digests_send(now=now) == 1
    prefs.refresh_from_db()
    assert prefs.last_digest_at == now
    mail.outbox.clear()
    assert review_digests_send(now=now + datetime.timedelta(hours=1)) == 0  # nothing new since
    second = ViolationFactory(unit=tree.b)
    review_digests_send(now=timezone.now() + datetime.timedelta(hours=2))
    body = mail_to(personas.supervisor).body
    assert link(second) in body and link(first) not in body


def test_the_digest_takes_the_same_queries_for_5_or_50_flags(tree, personas):
    opt_in(personas.supervisor)
    opt_in(personas.staff_a)
    today = timezone.localdate()

    def queries():
        NotificationPreference.objects.update(last_digest_at=None)
        with CaptureQueriesContext(connection) as captured:
            assert review_digests_send(today=today) == 2
        return len(captured)

    def one_of_each():  # overdue, due in 7 days, due in 1 day, new, expiring: every section has rows
        for days in (20, 7, 13, 0):
            ViolationFactory(unit=tree.a, first_seen=days_ago(days, today) if days else None)
        ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=today + 2 * DAY)

    one_of_each()
    few = queries()
    for _ in range(9):
        one_of_each()
    assert Violation.objects.count() == 50
    assert queries() == few
    # Recipients (2) + deadlines (1) + per person a count and a list per category (4) + the UPDATE.
    assert few <= 3 + 2 * 5 + 1


def test_the_digest_task_runs_the_digest(personas, news):
    from burden.tasks import review_digests_send as task

    opt_in(personas.supervisor)
    assert task.delay().get() == 1
    assert len(mail.outbox) == 1
