"""Lost updates over the API: ``ETag`` on reads, ``If-Match`` or a ``version`` on writes.

A detail read (and a write's answer) sends ``ETag: "<version>"``. A write may send
that ETag back as ``If-Match`` (refused with 412 Precondition Failed when the object
moved on) or the ``version`` it read in the body (refused with 409 Conflict). Both
answers say what changed and carry the current version. A write with neither is
accepted as before (the last write wins), so existing integrations keep working.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status

from burden.concurrency import StaleWrite

ETAG = re.compile(r'^\s*"(\d+)"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def version_serializer_field() -> serializers.IntegerField:
    """The ``version`` every versioned object shows and a write may send back."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "Moves on with every save. Send back the one you read (or its ETag as If-Match) "
            "and a save made after someone else's is refused instead of undoing theirs."
        ),
    )


class VersionConflict(exceptions.APIException):
    """The object changed since the version the caller sent in the body; nothing was saved."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, stale: StaleWrite):
        super().__init__(detail=stale.summary())
        self.version = stale.current_version
        # Set after APIException has turned the detail into strings: the version stays a number.
        self.detail = {
            "detail": " ".join(stale.messages[:-1]) if stale.changes else stale.summary(),
            "version": stale.current_version,
            "changes": [change.as_dict() for change in stale.changes or []],
        }


class PreconditionFailed(VersionConflict):
    """The object's ETag no longer matches the caller's ``If-Match``; nothing was saved."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def expected_version(request, given: int | None) -> tuple[int | None, type[VersionConflict]]:
    """The version a write is based on, and how a stale one is answered.

    ``If-Match`` wins over the body's ``version``; ``If-Match: *`` checks nothing. An
    ``If-Match`` that is not one of our ETags can match no version (version 0), so it
    fails as a precondition should.
    """
    header = request.headers.get("If-Match")
    if header is not None and header.strip() != "*":
        match = ETAG.match(header)
        return (int(match.group(1)) if match else 0), PreconditionFailed
    return given, VersionConflict


@contextmanager
def stale_as(conflict: type[VersionConflict]):
    """Turn a service's ``StaleWrite`` into the API's 409 or 412."""
    try:
        yield
    except StaleWrite as stale:
        raise conflict(stale) from None


class ETagMixin:
    """Send the object's version as its ``ETag`` on detail reads and writes (when it has one)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if isinstance(data, dict) and isinstance(data.get("version"), int) and "results" not in data:
            response["ETag"] = etag(data["version"])
        return response
