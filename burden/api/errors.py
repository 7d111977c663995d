"""Errors as the contract states them, whatever raised them.

Services raise Django's ``ValidationError`` and ``PermissionDenied``; DRF knows only
its own exceptions. Here a Django ``ValidationError`` becomes a 400 with
``{"field": ["message"]}`` (errors not tied to a field under ``non_field_errors``), and
a unit or record that still has others depending on it is a 409, not a 500.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def as_drf_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A DRF validation error with the same messages, keyed by field."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": _("This cannot be deleted while other records or units depend on it.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def api_aware(html_handler, status_code: int):
    """Wrap one of Django's error views: callers of ``/api/`` get JSON, browsers the page."""

    def handler(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            detail = _("Not found.") if status_code == 404 else _("Server error.")
            return JsonResponse({"detail": str(detail)}, status=status_code)
        return html_handler(request, *args, **kwargs)

    return handler
