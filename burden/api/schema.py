"""The OpenAPI schema documents every error a caller can get, on every operation.

drf-spectacular documents the successful responses from the serializers; the
errors follow from the contract and are the same everywhere, so they are added
here once: 401 and 403 and 429 on every operation, 404 wherever the path names
an object, 400 wherever input is read (a body, or the filters of a list), and on
the changes of a versioned object (records, units, people, rules) the ``If-Match``
header and the 409 and 412 of a stale write (``burden.api.versions``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from .versions import ETagMixin

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

# {"field": ["message", ...]}; a malformed body gives {"detail": "..."} and a list field
# {"0": ["..."]}, so the values are left open.
VALIDATION = {
    "type": "object",
    "additionalProperties": {},
    "description": "Messages by field name; non_field_errors for the input as a whole.",
}


STALE = inline_serializer(
    "StaleWrite",
    fields={
        "detail": serializers.CharField(),
        "version": serializers.IntegerField(help_text="The current version (also the response's ETag)."),
        "changes": serializers.ListField(
            child=inline_serializer(
                "StaleWriteChange",
                fields={
                    "field": serializers.CharField(),
                    "label": serializers.CharField(),
                    "value": serializers.CharField(help_text="The value now, as a reader sees it."),
                    "changed_by": serializers.CharField(allow_null=True),
                },
            )
        ),
    },
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the read this change is based on (`"<version>"`); 412 if it changed since.',
)


class AutoSchema(SpectacularAutoSchema):
    def _is_versioned_write(self) -> bool:
        return self.method in ("PUT", "PATCH") and isinstance(self.view, ETagMixin)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IF_MATCH] if self._is_versioned_write() else parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = {
            "401": OpenApiResponse(DETAIL, description="No or invalid credentials."),
            "403": OpenApiResponse(DETAIL, description="The caller's role may not do this."),
            "429": OpenApiResponse(DETAIL, description="Too many requests; retry later."),
        }
        if "{" in self.path or self._is_list_view() or self.method == "GET":
            extra["404"] = OpenApiResponse(
                DETAIL, description="Not found, outside the caller's units, or a page past the end."
            )
        if self.method == "DELETE":
            extra["409"] = OpenApiResponse(DETAIL, description="Still in use by other records or units.")
        if self._is_versioned_write():
            extra["409"] = OpenApiResponse(
                STALE, description="Changed by someone else since the `version` sent; nothing was saved."
            )
            extra["412"] = OpenApiResponse(
                STALE, description="Changed by someone else since the ETag sent as If-Match; nothing was saved."
            )
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view() or self.method == "GET":
            extra["400"] = OpenApiResponse(description="Invalid input; nothing was saved.")
        for code, response in extra.items():
            if code in responses:
                continue
            if code == "400":
                responses[code] = {
                    "content": {"application/json": {"schema": VALIDATION}},
                    "description": response.description,
                }
            else:
                responses[code] = self._get_response_for_code(response, code)
        return responses
