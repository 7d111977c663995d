"""The daily digest: each person's cases, in departments and days, scoped, in their language, in bounded queries."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from burden.models import Case, NotificationPreference, Violation
from burden.review.digest import review_digests_send
from tests.factories import ViolationFactory

from .test_selectors import case_for

S = Violation.Status
DAY = datetime.timedelta(days=1)


def opt_in(user, language="en", **kwargs):
    return NotificationPreference.objects.create(user=user, email_digest=True, language=language, **kwargs)


def link(case) -> str:
    return reverse("review:case_detail", args=[case.pk])


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


@pytest.fixture
def news(tree):
    """Cases in every state the digest speaks of, inside and outside street S1 (opened long ago unless new)."""
    today = timezone.localdate()
    old = {"opened_days_ago": 30}
    return {
        "overdue": case_for(tree, tree.s1, deadline=today - DAY, feeds=[tree.a], **old),
        "due_in_7": case_for(tree, tree.s1, deadline=today + 7 * DAY, feeds=[tree.b], **old),
        "due_in_1": case_for(tree, tree.s1, deadline=today + DAY, feeds=[tree.a], **old),
        "due_in_3": case_for(tree, tree.s1, deadline=today + 3 * DAY, feeds=[tree.a], **old),
        "new": case_for(tree, tree.s1, feeds=[tree.b]),
        "resolved_long_ago": case_for(tree, tree.s1, status=Case.Status.RESOLVED, feeds=[tree.a], **old),
        "elsewhere": case_for(tree, tree.s2, deadline=today - DAY, feeds=[tree.c], **old),
        "elsewhere_new": case_for(tree, tree.s2, feeds=[tree.c]),
    }


def test_the_digest_speaks_in_cases_per_department_and_links_each_case(personas, news):
    opt_in(personas.supervisor)
    assert review_digests_send() == 1
    message = mail_to(personas.supervisor)
    for name in ("overdue", "due_in_7", "due_in_1", "new"):
        assert link(news[name]) in message.body, name
    for name in ("due_in_3", "resolved_long_ago", "elsewhere", "elsewhere_new"):
        assert link(news[name]) not in message.body, name
    assert message.subject == "Review digest: 4 cases need your attention"
    assert "* 1 new case against East Education Bureau; 1 overdue" in message.body
    assert "http://127.0.0.1:8000/review/\n" in message.body  # the case list
    assert "/review/flags/" not in message.body


def test_the_digest_is_scoped_to_the_persons_cases(personas, news):
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
    chinese, english = mail_to(personas.supervisor), mail_to(personas.staff_b)
    assert "New cases" in english.body and "East Education Bureau" in english.body
    assert "东区教育局：新增 1 件督办事项；逾期 1 件" in chinese.body
    assert chinese.subject == "督办摘要：4 件督办事项需要您关注"
    assert "New cases" not in chinese.body and "East Education Bureau" not in chinese.body
    assert re.search(r"[\u4e00-\u9fff]", chinese.body)


def test_the_digest_respects_what_the_person_wants(personas, news):
    opt_in(personas.supervisor, notify_overdue=False, notify_new_flags=False, notify_expiring_waivers=False)
    review_digests_send()
    body = mail_to(personas.supervisor).body
    assert link(news["due_in_7"]) in body and link(news["due_in_1"]) in body
    assert link(news["overdue"]) not in body and link(news["new"]) not in body


def test_waivers_expiring_stay_per_flag(tree, personas):
    flag = ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=timezone.localdate() + 7 * DAY)
    ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=timezone.localdate() + 8 * DAY)
    opt_in(personas.supervisor)
    assert review_digests_send() == 1
    message = mail_to(personas.supervisor)
    assert reverse("review:violation_detail", args=[flag.pk]) in message.body
    assert message.subject == "Review digest: 1 waiver expires soon"


def test_nobody_gets_an_empty_digest_or_one_they_did_not_ask_for(tree, personas):
    case_for(tree, tree.s2, feeds=[tree.c])
    opt_in(personas.supervisor)
    opt_in(personas.outsider)
    NotificationPreference.objects.create(user=personas.staff_a, email_digest=False)
    case_for(tree, tree.s1, feeds=[tree.a])
    personas.staff_b.email = ""
    personas.staff_b.save()
    opt_in(personas.staff_b)
    assert review_digests_send() == 1
    assert [m.to for m in mail.outbox] == [[personas.supervisor.email]]


def test_new_starts_where_the_last_digest_left_off(tree, personas):
    prefs = opt_in(personas.supervisor)
    first = case_for(tree, tree.s1)
    now = timezone.now()
    assert review_digests_send(now=now) == 1
    prefs.refresh_from_db()
    assert prefs.last_digest_at == now
    mail.outbox.clear()
    assert review_digests_send(now=now + datetime.timedelta(hours=1)) == 0  # nothing new since
    second = case_for(tree, tree.s1, rule="DOC-DAILY")
    review_digests_send(now=timezone.now() + datetime.timedelta(hours=2))
    body = mail_to(personas.supervisor).body
    assert link(second) in body and link(first) not in body


def test_the_digest_takes_the_same_queries_for_2_or_20_cases(tree, personas):
    opt_in(personas.supervisor)
    opt_in(personas.staff_a)
    today = timezone.localdate()

    def queries():
        NotificationPreference.objects.update(last_digest_at=None)
        with CaptureQueriesContext(connection) as captured:
            assert review_digests_send(today=today) == 2
        return len(captured)

    def one_of_each():  # new, overdue, due in 7 days; a waiver expiring: every section has rows
        case_for(tree, tree.s1, feeds=[tree.a])
        case_for(tree, tree.s1, feeds=[tree.a], opened_days_ago=30, deadline=today - DAY)
        ViolationFactory(unit=tree.a, status=S.WAIVED, waiver_expires_on=today + 2 * DAY)

    one_of_each()
    few = queries()
    for _ in range(9):
        one_of_each()
    assert Case.objects.count() == 20
    assert queries() == few


def test_the_digest_task_runs_the_digest(personas, news):
    from burden.tasks import review_digests_send as task

    opt_in(personas.supervisor)
    assert task.delay().get() == 1
    assert len(mail.outbox) == 1
