"""The OpenAPI schema documents every error a caller can get, on every operation.

drf-spectacular documents the successful responses from the serializers; the
errors follow from the contract and are the same everywhere, so they are added
here once: 401 and 403 and 429 on every operation, 404 wherever the path names
an object, 400 wherever input is read (a body, or the filters of a list).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

# {"field": ["message", ...]}; a malformed body gives {"detail": "..."} and a list field
# {"0": ["..."]}, so the values are left open.
VALIDATION = {
    "type": "object",
    "additionalProperties": {},
    "description": "Messages by field name; non_field_errors for the input as a whole.",
}


class AutoSchema(SpectacularAutoSchema):
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
