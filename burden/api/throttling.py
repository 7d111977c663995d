"""DRF's rate limits, keyed by the client address of ``burden.net`` and open when the cache is down.

DRF's own ``get_ident`` believes whatever ``X-Forwarded-For`` a client sends (unless
``NUM_PROXIES`` is set, which settings does too); here it asks the one helper the
sign-in guard asks. The counts live in the cache (Redis in production): when it cannot
be reached a limit lets the request through and says so in the log, rather than failing
every API call with a 500. The pause after failed sign-ins does not depend on the cache.
"""

from __future__ import annotations

import logging

from rest_framework import throttling

from burden.net import client_address

logger = logging.getLogger(__name__)


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's own errors (redis, memcached…) have no common base
            logger.warning("Rate limit %s skipped: the cache is unreachable.", type(self).__name__)
            return True


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """Requests without credentials, per client address."""


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """Requests per signed-in person (per client address when anonymous)."""


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """A view's own rate (``throttle_scope``), e.g. the token endpoint's."""
