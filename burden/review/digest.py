"""The daily e-mail digest: each person's news about cases, in days and departments, in their own language."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import NotificationPreference
from .selectors import EXPIRING, Notifications, digest_recipients, digest_sections


def review_digests_send(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Send every person who asked for it a digest of their cases; return how many were sent.

    Queries: two for the recipients and their units, then a fixed number per person (a
    count of cases, one of waivers, the headline's departments, one list per category
    with news), never one per case or flag. Nobody gets an empty digest. Side effects:
    the e-mails (over one connection), and ``last_digest_at`` of the recipients set in
    one UPDATE, so the next digest's news starts there.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    messages, recipients = [], []
    for user, pref, _scope in digest_recipients():
        notifications = digest_sections(pref, today=today, now=now)
        if not notifications:
            continue
        with translation.override(pref.language):
            messages.append(digest_message(user, notifications, today=today))
        recipients.append(pref.pk)
    if messages:
        get_connection().send_messages(messages)
        NotificationPreference.objects.filter(pk__in=recipients).update(last_digest_at=now)
    return len(messages)


def digest_message(user, notifications: Notifications, *, today: datetime.date) -> EmailMessage:
    """One person's digest as an e-mail, in the active language: a headline, then each case with its link."""
    site = settings.SITE_URL.rstrip("/")
    for section in notifications.sections:
        name = "review:violation_detail" if section.category == EXPIRING else "review:case_detail"
        for item in section.items:
            item.link = site + reverse(name, args=[item.pk])
        section.link = site + section.list_url
    cases = sum(s.total for s in notifications.sections if s.category != EXPIRING)
    waivers = sum(s.total for s in notifications.sections if s.category == EXPIRING)
    if cases:
        subject = ngettext(
            "Review digest: %(count)s case needs your attention",
            "Review digest: %(count)s cases need your attention",
            cases,
        ) % {"count": cases}
    else:
        subject = ngettext(
            "Review digest: %(count)s waiver expires soon", "Review digest: %(count)s waivers expire soon", waivers
        ) % {"count": waivers}
    body = render_to_string(
        "review/email/digest.txt",
        {
            "user": user,
            "departments": notifications.departments,
            "sections": notifications.sections,
            "today": today,
            "queue_url": site + reverse("review:case_list"),
            "preferences_url": site + reverse("review:notification_preferences"),
        },
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])
