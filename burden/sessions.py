"""Browser sessions end after ``SESSION_IDLE_TIMEOUT_MINUTES`` idle and ``SESSION_ABSOLUTE_HOURS`` in all.

Django knows one lifetime (``SESSION_COOKIE_AGE``, set to the absolute one); the idle
timeout and the start of the session are kept in the session itself and checked here on
every request of a signed-in person. A session that has run out is ended (as a sign-out
would) before the view runs, so the page asks for a sign-in again.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STARTED_KEY = "_burden_session_started"
SEEN_KEY = "_burden_session_seen"
# Writing the last-seen time on every request would save the session on every request;
# a minute's precision is plenty for a timeout of many minutes.
SEEN_PRECISION_SECONDS = 60

ENDED_MESSAGE = _("Your session has ended. Please sign in again.")


class SessionTimeoutMiddleware:
    """End a signed-in browser session that has been idle too long or has lasted too long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            self.check(request, session)
        return self.get_response(request)

    def check(self, request, session):
        now = int(time.time())
        started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
        if started is None or seen is None:
            start_the_clock(session)  # a session from before this check existed
            return
        idle = now - seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        too_old = now - started > settings.SESSION_ABSOLUTE_HOURS * 3600
        if idle or too_old:
            logout(request)
            messages.info(request, ENDED_MESSAGE)
        elif now - seen >= SEEN_PRECISION_SECONDS:
            session[SEEN_KEY] = now


def start_the_clock(session) -> None:
    """Mark the start of a signed-in session; Django then drops the stored session at its absolute end."""
    session[STARTED_KEY] = session[SEEN_KEY] = int(time.time())
    session.set_expiry(timezone.now() + timedelta(hours=settings.SESSION_ABSOLUTE_HOURS))


@receiver(user_logged_in, dispatch_uid="burden.sessions.start_the_clock")
def _start_on_sign_in(sender, request, user, **kwargs):
    # Signing in again (the same person keeps the session's data) restarts the lifetime.
    session = getattr(request, "session", None)
    if session is not None:
        start_the_clock(session)
