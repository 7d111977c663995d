"""Where a request comes from: the one answer used by the sign-in guard and the API's rate limits.

Behind reverse proxies the connection's address (``REMOTE_ADDR``) is the nearest proxy's,
and the client's is in ``X-Forwarded-For``. That header is a list anyone can start: each
proxy appends the address it received the request from, so only the entries added by our
own proxies can be believed. With ``TRUSTED_PROXY_COUNT`` = N the client is the Nth entry
from the right; what a client wrote further left is never read. With N = 0 (nothing in
front of the app) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request) -> str:
    """The client's IP address as our trusted proxies saw it; ``""`` when there is no request."""
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:
        # Fewer entries than proxies: the request did not pass all of them (it reached the
        # app directly, or the proxies are set up differently), so no entry is ours to trust.
        return remote
    address = hops[-trusted]
    return address if _valid(address) else remote
