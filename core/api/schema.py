"""How the base classes appear in the OpenAPI schema (drf-spectacular), so every endpoint documents alike:

- the bearer token as the `bearerAuth` security scheme (the session as `cookieAuth`);
- the input serializer as the request body of creates, updates and actions;
- `If-Match` on updates (required unless the view says otherwise), `ETag` on what returns a record;
- every error an endpoint can give: 400 (field errors), 401, 403, 404, 412/428 (updates), 429.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from core.api import views


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ecm_<key id>_<secret>, issued by an administrator in Manage ECM > API tokens",
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words")


ERRORS: dict[str, str] = {
    "401": "No token, or one that is not valid, expired or revoked, or whose person left.",
    "403": "Your token's scope, or your role, does not allow this on a record you can see.",
    "404": "No such record, or none you may see: the two are the same answer.",
    "429": "Too many requests from this token: wait for the time in Retry-After.",
}
FIELD_ERRORS = "Field errors: each field (or non_field_errors) with its messages."
PRECONDITIONS: dict[str, str] = {
    "412": "The record changed since you read it (If-Match is not its ETag).",
    "428": "If-Match is missing: send the ETag you read.",
}
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200", "201"],
    description="The record's version: send it back in If-Match to change the record.",
)


class ApiAutoSchema(AutoSchema):
    def _is_create_operation(self) -> bool:
        return isinstance(self.view, views.ApiCreateView) and self.method == "POST" or super()._is_create_operation()

    def _updates(self) -> bool:
        return isinstance(self.view, views.ApiUpdateView) and self.method in {"PATCH", "POST"}

    def get_request_serializer(self) -> Any:
        input_class = getattr(self.view, "input_serializer_class", None)
        if self.method in {"POST", "PUT", "PATCH"} and input_class is not None:
            return input_class()
        return super().get_request_serializer()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._updates():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=bool(getattr(self.view, "if_match_required", True)),
                    description="The ETag of the record as you read it; a stale one is refused with 412.",
                )
            )
        if isinstance(self.view, views.ApiDetailView | views.ApiCreateView):
            parameters.append(ETAG)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if not isinstance(self.view, views.ApiView) or direction != "response":
            return responses
        errors = dict(ERRORS)
        if self.method != "GET" or getattr(self.view, "filter_serializer_class", None) is not None:
            errors["400"] = FIELD_ERRORS
        if self._updates():
            errors.update(PRECONDITIONS)
        for code, description in sorted(errors.items()):
            if code in responses:
                continue
            schema = OpenApiTypes.OBJECT if code == "400" else ErrorSerializer
            responses[code] = self._get_response_for_code(OpenApiResponse(schema, description=description), code)
        return responses
