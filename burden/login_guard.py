"""One pause after failed sign-ins, for every door: the sign-in page, the admin's and the API's token.

Every attempt is a ``SignInAttempt`` row (the database, not the cache: a Redis outage must
neither open the doors nor shut them). Within ``LOGIN_FAILURE_WINDOW_SECONDS``:

- an **account** with ``LOGIN_FAILURE_LIMIT`` failures since its last success is paused,
  from every address: further attempts are refused without checking the password, even
  the right one, until the window has passed over the failures;
- an **address** with ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures (a much higher number: an
  office or a mobile network shares one) is slowed down rather than shut: from then on it
  may only try accounts that signed in from it before (within
  ``LOGIN_KNOWN_ADDRESS_DAYS``), so guessing across many accounts stops while the people
  who work there still get in.

Attempts refused during a pause are logged but not counted, so a pause ends on time.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth_models import SignInAttempt
from .net import client_address

Door = SignInAttempt.Door
Outcome = SignInAttempt.Outcome

ACCOUNT_PAUSED = _("Too many failed sign-ins. Wait a few minutes, then try again.")
ADDRESS_SLOWED = _("Too many failed sign-ins from your network. Wait a few minutes, then try again.")


class SignInPaused(Exception):
    """Raised instead of checking a password while the account or the address is paused."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:150]


def pause_reason(*, username: str, address: str, now=None) -> str | None:
    """Why a sign-in as ``username`` from ``address`` is refused right now, or None."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    username = _normal(username)
    if username:
        attempts = SignInAttempt.objects.filter(username=username, at__gte=since)
        # A success clears the account's count: only failures after the last one count.
        last_success = attempts.filter(outcome=Outcome.SUCCEEDED).aggregate(last=Max("at"))["last"]
        failures = attempts.filter(outcome=Outcome.FAILED)
        if last_success is not None:
            failures = failures.filter(at__gt=last_success)
        if failures.count() >= settings.LOGIN_FAILURE_LIMIT:
            return ACCOUNT_PAUSED
    if address:
        failures = SignInAttempt.objects.filter(address=address, outcome=Outcome.FAILED, at__gte=since)
        if failures.count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT and not _known_at(username, address, now):
            return ADDRESS_SLOWED
    return None


def _known_at(username: str, address: str, now) -> bool:
    since = now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return SignInAttempt.objects.filter(
        username=username, address=address, outcome=Outcome.SUCCEEDED, at__gte=since
    ).exists()


def attempt_record(*, username: str, address: str, door: str, outcome: str) -> SignInAttempt:
    """Log one attempt, and drop the ones older than the retention period."""
    attempt = SignInAttempt.objects.create(
        username=_normal(username), address=address or None, door=door, outcome=outcome
    )
    cutoff = attempt.at - timedelta(days=settings.LOGIN_ATTEMPT_RETENTION_DAYS)
    SignInAttempt.objects.filter(at__lt=cutoff).delete()
    return attempt


def authenticate(request, *, username: str, password: str, door: str):
    """Django's ``authenticate()`` behind the guard: the user, or None for a wrong sign-in.

    Raises ``SignInPaused`` (without looking at the password) while the account or the
    address is paused. Every outcome is logged as a ``SignInAttempt``.
    """
    address = client_address(request)
    reason = pause_reason(username=username, address=address)
    if reason is not None:
        attempt_record(username=username, address=address, door=door, outcome=Outcome.PAUSED)
        raise SignInPaused(reason)
    user = django_authenticate(getattr(request, "_request", request), username=username, password=password)
    outcome = Outcome.FAILED if user is None else Outcome.SUCCEEDED
    attempt_record(username=username, address=address, door=door, outcome=outcome)
    return user
