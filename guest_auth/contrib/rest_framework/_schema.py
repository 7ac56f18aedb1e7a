"""OpenAPI descriptions for drf-spectacular, an optional dependency.

Imported by the views and by GuestAuthConfig.ready() (which registers the
extensions below when drf_spectacular is installed); never by
authentication.py, which DRF imports while it loads rest_framework.views for
DEFAULT_AUTHENTICATION_CLASSES, nor does anything here import
drf_spectacular.openapi at import time: that module imports
rest_framework.views, and either import would close a cycle.

Without drf-spectacular, or when DRF's DEFAULT_SCHEMA_CLASS is not its
AutoSchema (a site using DRF's own schema generator), :func:`document` leaves
views as they are; nothing else here needs drf-spectacular.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models

__all__ = ["BAD_REQUEST", "EXPORT", "EXPORT_RETRY_AFTER", "RETRY_AFTER", "document", "response"]

_F = TypeVar("_F", bound=Callable[..., Any])

# DRF's 400 bodies: field name (or non_field_errors) -> messages, or
# {"detail": ...} when the body is not valid JSON.
BAD_REQUEST: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        {"$ref": "#/components/schemas/GuestError"},
    ]
}

# GET me/export/: guest_auth._export's document.
EXPORT: dict[str, Any] = {
    "type": "object",
    "required": ["format", "exported_at", "user", "models", "extra"],
    "properties": {
        "format": {"type": "string", "enum": ["guest_auth.export/1"]},
        "exported_at": {"type": "string", "format": "date-time"},
        "user": {
            "type": "object",
            "required": ["model", "pk"],
            "properties": {
                "model": {
                    "type": "string",
                    "description": 'The user model\'s label ("auth.User").',
                },
                "pk": {"description": "The guest's primary key."},
            },
        },
        "models": {
            "type": "object",
            "description": (
                'Per model label ("shop.CartItem"), the rows that reference the guest; '
                "the user's own row and its Guest row included, models without rows left out."
            ),
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["pk", "fields"],
                    "properties": {
                        "pk": {"description": "The row's primary key."},
                        "fields": {
                            "type": "object",
                            "description": (
                                'Field name -> value; `{"not_exported": "<field class>"}` '
                                "where JSON cannot hold the value (binary data, a custom "
                                "field's object)."
                            ),
                            "additionalProperties": {},
                        },
                    },
                },
            },
        },
        "extra": {
            "type": "object",
            "description": "What the site's adapter adds (GuestAdapter.export_extra).",
            "additionalProperties": {},
        },
    },
}

try:
    from drf_spectacular.extensions import (
        OpenApiAuthenticationExtension,
        OpenApiSerializerFieldExtension,
    )
    from drf_spectacular.plumbing import build_basic_type, build_bearer_security_scheme_object
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
except ImportError:
    extend_schema = None  # type: ignore[assignment]
    RETRY_AFTER: list[Any] = []
    EXPORT_RETRY_AFTER: list[Any] = []
else:
    RETRY_AFTER = [
        OpenApiParameter(
            "Retry-After",
            int,
            OpenApiParameter.HEADER,
            response=[429],
            description="Seconds until a guest may be created again.",
        )
    ]
    EXPORT_RETRY_AFTER = [
        OpenApiParameter(
            "Retry-After",
            int,
            OpenApiParameter.HEADER,
            response=[429],
            description="Seconds until the guest may export its data again.",
        )
    ]

    class _GuestTokenScheme(OpenApiAuthenticationExtension):
        target_class = "guest_auth.contrib.rest_framework.authentication.GuestTokenAuthentication"
        match_subclasses = True
        name = "guestToken"

        def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
            return build_bearer_security_scheme_object(
                header_name="Authorization", token_prefix=self.target.keyword
            )

    class _GuestJWTScheme(OpenApiAuthenticationExtension):
        # Only with GUEST_AUTH_API_TOKENS = "jwt"; drf-spectacular skips a
        # target it cannot import (simplejwt not installed).
        target_class = "guest_auth.contrib.simplejwt.authentication.GuestJWTAuthentication"
        match_subclasses = True
        name = "jwtAuth"

        def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
            return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

    class _UserIdFieldSchema(OpenApiSerializerFieldExtension):
        target_class = "guest_auth.contrib.rest_framework._serializers.UserIdField"

        def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
            pk = get_user_model()._meta.pk
            if isinstance(pk, models.UUIDField):
                kind = OpenApiTypes.UUID
            elif isinstance(pk, (models.AutoField, models.IntegerField)):
                kind = OpenApiTypes.INT
            else:
                kind = OpenApiTypes.STR
            schema = dict(build_basic_type(kind) or {})
            schema["readOnly"] = True
            if self.target.help_text:
                schema["description"] = str(self.target.help_text)
            return schema


def document(*, body_required: bool = False, **kwargs: Any) -> Callable[[_F], _F]:
    """drf-spectacular's extend_schema(**kwargs) when the site uses drf-spectacular.

    extend_schema subclasses DEFAULT_SCHEMA_CLASS when applied (at import), so
    on a site whose schema class is DRF's it would break DRF's own generator.
    ``body_required`` marks the request body required where drf-spectacular
    cannot tell (a body given as a plain schema).
    """
    from rest_framework.settings import api_settings

    if extend_schema is None:
        return lambda view: view
    from drf_spectacular.openapi import AutoSchema

    base: Any = api_settings.DEFAULT_SCHEMA_CLASS
    if not issubclass(base, AutoSchema):
        return lambda view: view
    if not body_required:
        return extend_schema(**kwargs)

    class RequiredBodySchema(base):
        def _get_request_body(self, *args: Any, **options: Any) -> Any:
            body = super()._get_request_body(*args, **options)
            if body:
                body["required"] = True
            return body

    def decorate(view: _F) -> _F:
        view.schema = RequiredBodySchema  # type: ignore[attr-defined]  # extend_schema's base
        return extend_schema(**kwargs)(view)

    return decorate


def response(body: Any, description: str) -> Any:
    """A described response (for document()); None without drf-spectacular."""
    if extend_schema is None:
        return None
    return OpenApiResponse(response=body, description=description)
