"""The response headers that Django does not send by itself: Content-Security-Policy and Permissions-Policy.

Django 5.2 sends Referrer-Policy, X-Content-Type-Options, Cross-Origin-Opener-Policy and
X-Frame-Options from its own settings (``SECURE_REFERRER_POLICY`` and the like); this
middleware adds the two it lacks, built from ``CONTENT_SECURITY_POLICY`` and
``PERMISSIONS_POLICY`` in the settings.

Why our own middleware rather than django-csp: the policy is one fixed list of our own
origin — no nonces, no violation reports, two third-party pages given one hash each —
which is a header string built from the settings and nothing more, while Permissions-Policy
would still need code of ours. The settings are shaped like Django 6.0's ``SECURE_CSP``
(directive -> sources), so moving to Django's own ``ContentSecurityPolicyMiddleware`` on
upgrade is a rename plus the two exceptions.
"""

from fnmatch import fnmatchcase

from django.conf import settings

# Django's debug pages (the yellow 500 and the 404 that lists the URL patterns, only ever
# shown with DEBUG on) are written with inline <style> and <script>; under the policy they
# would lose their layout and their toggles, so a developer gets them without it.
DEBUG_PAGE_STATUSES = {404, 500}


def content_security_policy(directives: dict[str, list[str]]) -> str:
    """``{"img-src": ["'self'", "data:"]}`` -> ``"img-src 'self' data:"``; a directive with no sources stands alone."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``"camera=(), fullscreen=(self)"`` (an empty list turns it off)."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


def policy_for(view_name: str | None) -> dict[str, list[str]]:
    """The policy's directives for the page of ``view_name``, with the sources its exception adds.

    ``CONTENT_SECURITY_POLICY_EXCEPTIONS`` maps a URL name pattern (``fnmatch``, with its
    namespace: ``"admin:*_history"``) to directives and the sources they add; each is a
    third-party page that cannot be fixed from a template, and says why in the settings.
    """
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    for pattern, extra in getattr(settings, "CONTENT_SECURITY_POLICY_EXCEPTIONS", {}).items():
        if view_name and fnmatchcase(view_name, pattern):
            for name, sources in extra.items():
                directives.setdefault(name, []).extend(source for source in sources if source not in directives[name])
    return directives


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response that has none yet.

    A view may set its own header and keep it. Placed right after Django's
    SecurityMiddleware, so it also covers the error pages and WhiteNoise's static files.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        debug_page = settings.DEBUG and response.status_code in DEBUG_PAGE_STATUSES
        if settings.CONTENT_SECURITY_POLICY and not debug_page:
            directives = policy_for(getattr(request.resolver_match, "view_name", None))
            response.headers.setdefault("Content-Security-Policy", content_security_policy(directives))
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", permissions_policy(settings.PERMISSIONS_POLICY))
        return response
