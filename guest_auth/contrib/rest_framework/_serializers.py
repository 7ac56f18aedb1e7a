"""Request and response bodies of the guest API (their class names name the
OpenAPI components)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

__all__ = [
    "GuestErrorSerializer",
    "GuestLoginRequestSerializer",
    "GuestLoginSerializer",
    "GuestProtectedSerializer",
    "GuestRateLimitedSerializer",
    "GuestUserInfoSerializer",
    "UserIdField",
    "form_errors",
    "promote_request_serializer",
]

# The promote form asks for the password twice; the API once.
PASSWORD_FIELDS = ("password1", "password2")


class UserIdField(serializers.Field):
    """The user's primary key as JSON: a number, or a string for a UUID."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value


class GuestLoginSerializer(serializers.Serializer):
    id = UserIdField(help_text=_("The user's primary key."))
    is_guest = serializers.BooleanField()
    token = serializers.CharField(
        required=False,
        help_text=_(
            "Send it as 'Authorization: Token <token>'. Expires after "
            "GUEST_AUTH_MAX_INACTIVITY without use. Absent when the site hands "
            "out JWTs (GUEST_AUTH_API_TOKENS = 'jwt'): then access and refresh."
        ),
    )
    access = serializers.CharField(
        required=False,
        help_text=_(
            "With GUEST_AUTH_API_TOKENS = 'jwt' only: a simplejwt access token, sent as "
            "'Authorization: Bearer <access>'. Its is_guest claim says the user is a guest."
        ),
    )
    refresh = serializers.CharField(
        required=False,
        help_text=_(
            "With GUEST_AUTH_API_TOKENS = 'jwt' only: the refresh token for the site's "
            "simplejwt refresh view; refused once the guest is promoted by another "
            "client, purged or deleted."
        ),
    )
    credential = serializers.CharField(
        help_text=_(
            "The device's secret for POST login/. Keep it on the device: it is not "
            "stored in clear and cannot be shown again."
        )
    )


class GuestLoginRequestSerializer(serializers.Serializer):
    credential = serializers.CharField(trim_whitespace=False)


class GuestUserInfoSerializer(serializers.Serializer):
    id = UserIdField(help_text=_("The user's primary key."))
    is_guest = serializers.BooleanField()
    is_verified = serializers.BooleanField()


class GuestErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class GuestProtectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    protected_by = serializers.ListField(
        child=serializers.CharField(),
        help_text=_('Labels ("app.Model") of the models whose rows keep the guest.'),
    )


class GuestRateLimitedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    retry_after = serializers.IntegerField(help_text=_("Seconds; also the Retry-After header."))


@lru_cache(maxsize=16)
def promote_request_serializer(form_class: type[forms.BaseForm]) -> type[serializers.Serializer]:
    """The promotion body for ``form_class``: its fields, with one ``password``.

    Only the JSON types are checked here; the rules (required, validators,
    uniqueness) stay in the form.
    """
    fields: dict[str, serializers.Field] = {}
    for name, field in form_class.base_fields.items():
        if name in PASSWORD_FIELDS:
            continue
        if isinstance(field, forms.BooleanField):
            fields[name] = serializers.BooleanField(required=False)
        else:
            fields[name] = serializers.CharField(
                required=field.required,
                allow_blank=True,
                trim_whitespace=False,
                help_text=str(field.help_text) or None,
            )
    fields["password"] = serializers.CharField(
        trim_whitespace=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text=_("Checked by the site's AUTH_PASSWORD_VALIDATORS."),
    )
    return type("GuestPromoteRequestSerializer", (serializers.Serializer,), fields)


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    """The form's errors keyed by the API's field names, each message once."""
    names = {name: "password" for name in PASSWORD_FIELDS}
    names[NON_FIELD_ERRORS] = api_settings.NON_FIELD_ERRORS_KEY
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        bucket = errors.setdefault(names.get(name, name), [])
        for message in messages:
            if message not in bucket:
                bucket.append(message)
    return errors
