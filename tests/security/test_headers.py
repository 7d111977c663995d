"""Every response carries the security headers: a CSP allowing only our own files, and the rest.

The browser proof that the pages work under that policy is tests/browser/test_csp.py; the
last test here keeps the templates free of what the policy forbids, so a new inline
script or style attribute fails here first, without a browser.
"""

import re
from pathlib import Path

import pytest

from burden.security_headers import content_security_policy, permissions_policy
from tests.test_settings import settings_value

ROOT = Path(__file__).resolve().parent.parent.parent


def csp_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path} ({response.status_code})"
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response):
    csp = csp_of(response)
    for directive in ("default-src", "script-src", "style-src", "font-src", "connect-src"):
        assert csp[directive] == ["'self'"], directive
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    features = dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("staff_a", "/", 200),
        ("staff_a", "/meetings/", 200),
        ("admin", "/dashboard/", 200),
        ("superuser", "/admin/", 200),
        ("superuser", "/admin/burden/unit/", 200),
        ("staff_a", "/api/v1/units/", 200),
        ("staff_a", "/api/v1/docs/", 200),
        ("staff_a", "/no-such-page/", 404),
        ("staff_a", "/api/v1/no-such-route/", 404),
        (None, "/accounts/login/", 200),
        (None, "/admin/login/", 200),
        (None, "/", 302),
    ],
)
def test_every_kind_of_response_carries_the_headers(client, personas, persona, url, status):
    if persona:
        client.force_login(getattr(personas, persona))
    response = client.get(url, HTTP_ACCEPT="application/json" if "/api/v1/units/" in url else "text/html")
    assert response.status_code == status
    assert_secure_headers(response)


def test_the_csrf_failure_page_carries_the_headers(personas):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert_secure_headers(response)


def test_a_server_error_page_carries_the_headers(client, personas, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("burden.views.HomeView.get", fail)
    client.raise_request_exception = False
    client.force_login(personas.staff_a)
    response = client.get("/")
    assert response.status_code == 500
    assert_secure_headers(response)


def test_a_view_that_sets_its_own_policy_keeps_it(rf, settings):
    from django.http import HttpResponse

    from burden.security_headers import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse()
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"


def test_debug_pages_go_without_the_policy_and_the_rest_keep_it(rf, settings):
    from django.http import HttpResponse, HttpResponseNotFound

    from burden.security_headers import SecurityHeadersMiddleware

    settings.DEBUG = True
    assert "Content-Security-Policy" not in SecurityHeadersMiddleware(lambda r: HttpResponseNotFound())(rf.get("/x"))
    assert "Content-Security-Policy" in SecurityHeadersMiddleware(lambda r: HttpResponse())(rf.get("/"))
    settings.DEBUG = False
    assert "Content-Security-Policy" in SecurityHeadersMiddleware(lambda r: HttpResponseNotFound())(rf.get("/x"))


def test_only_the_pages_of_an_exception_get_its_sources(client, personas, tree):
    client.force_login(personas.superuser)
    history = client.get(f"/admin/burden/unit/{tree.a.pk}/history/")
    assert history.status_code == 200
    assert b'style="border-top: 0"' in history.content  # django-simple-history still writes it
    assert csp_of(history)["style-src-attr"] == [
        "'unsafe-hashes'",
        "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
    ]
    assert csp_of(history)["script-src"] == ["'self'"]
    for url in ("/", f"/admin/burden/unit/{tree.a.pk}/change/"):
        assert "style-src-attr" not in csp_of(client.get(url))


def test_the_header_values_are_written_as_browsers_read_them():
    assert content_security_policy({"img-src": ["'self'", "data:"], "upgrade-insecure-requests": []}) == (
        "img-src 'self' data:; upgrade-insecure-requests"
    )
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"


def test_the_referrer_policy_holds_in_development_too():
    # Django's SecurityMiddleware reads it once, so the settings fixture can't show it: a fresh process does.
    assert settings_value("settings.SECURE_REFERRER_POLICY", DEBUG="True") == "same-origin"
    assert settings_value("settings.CONTENT_SECURITY_POLICY['script-src']", DEBUG="True") == "[\"'self'\"]"


# What a Content-Security-Policy without 'unsafe-inline' blocks: inline <script> (a
# json_script's type="application/json" is data, never run), <style> blocks, style=""
# attributes, on…= handlers, javascript: links and htmx's hx-on (which evals).
FORBIDDEN = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: link"),
    (re.compile(r"\shx-on", re.I), "hx-on"),
]


def test_no_template_holds_what_the_policy_forbids():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 40
    found = []
    for template in templates:
        # {# … #} comments never reach the browser.
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)
        for pattern, what in FORBIDDEN:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []
