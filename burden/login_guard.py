"""A pause after repeated failed sign-ins, shared by the login page and the API's token endpoint.

Failures are counted in the cache per account and per client address for
``LOGIN_FAILURE_WINDOW_SECONDS``; at ``LOGIN_FAILURE_LIMIT`` failures for an account
(or four times as many from one address, since a whole office may sit behind one)
further attempts are refused without checking the password, so guessing stops
paying, until the window runs out. A successful sign-in clears the account's count,
never the address's.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

ADDRESS_FACTOR = 4
LOCKED_MESSAGE = _("Too many failed sign-ins. Wait a few minutes, then try again.")


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _keys(username: str, address: str) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        keys.append(f"login-failures:user:{digest}")
    if address:
        keys.append(f"login-failures:addr:{address}")
    return keys


def is_locked(username: str, request) -> bool:
    """Whether sign-ins for ``username`` or from this client are paused."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_keys(username, client_address(request)))
    return any(count >= (limit if ":user:" in key else limit * ADDRESS_FACTOR) for key, count in counts.items())


def record_failure(username: str, request) -> None:
    """Count one failed sign-in against the account and the address."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username, client_address(request)):
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, window)


def clear(username: str) -> None:
    """Forget an account's failures after it signed in."""
    cache.delete_many(_keys(username, ""))
