"""The daily e-mail digest: each person's news about flags, in their own language."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import NotificationPreference, ReviewDeadlines
from .selectors import Section, digest_recipients, digest_sections


def review_digests_send(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Send every person who asked for it a digest of their flags; return how many were sent.

    Queries: two for the recipients and their units, one for the deadlines, then a
    fixed number per person (one count, one list per category they want), never one
    per flag. Nobody gets an empty digest. Side effects: the e-mails (over one
    connection), and ``last_digest_at`` of the recipients set in one UPDATE, so the
    next digest's "new" starts there.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    deadlines = ReviewDeadlines.current()
    messages, recipients = [], []
    for user, pref, scope in digest_recipients():
        sections = digest_sections(pref, scope, deadlines, today=today, now=now)
        if not sections:
            continue
        with translation.override(pref.language):
            messages.append(digest_message(user, sections, today=today))
        recipients.append(pref.pk)
    if messages:
        get_connection().send_messages(messages)
        NotificationPreference.objects.filter(pk__in=recipients).update(last_digest_at=now)
    return len(messages)


def digest_message(user, sections: list[Section], *, today: datetime.date) -> EmailMessage:
    """One person's digest as an e-mail, in the active language."""
    site = settings.SITE_URL.rstrip("/")
    for section in sections:
        for violation in section.items:
            violation.link = site + reverse("review:violation_detail", args=[violation.pk])
    total = sum(section.total for section in sections)
    subject = ngettext(
        "Review digest: %(count)s flag needs your attention",
        "Review digest: %(count)s flags need your attention",
        total,
    ) % {"count": total}
    body = render_to_string(
        "review/email/digest.txt",
        {
            "user": user,
            "sections": sections,
            "today": today,
            "queue_url": site + reverse("review:violation_list"),
            "preferences_url": site + reverse("review:notification_preferences"),
        },
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])
