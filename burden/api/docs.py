"""The API's schema and its Swagger UI page: open while developing, for people signed in otherwise.

A production server (``DEBUG=False``) describes its API only to a person signed in,
by the session or a token, like every other endpoint: the schema lists every route
and field, which is an attacker's map. The page sends a browser that is not signed
in to the login page and back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, permissions


class SignedInUnlessDebug(permissions.IsAuthenticated):
    """Anyone while ``DEBUG`` is on (read per request, so tests can switch it); else people signed in."""

    def has_permission(self, request, view):
        return settings.DEBUG or super().has_permission(request, view)


class SchemaView(SpectacularAPIView):
    permission_classes = [SignedInUnlessDebug]


class DocsView(SpectacularSwaggerView):
    permission_classes = [SignedInUnlessDebug]

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
