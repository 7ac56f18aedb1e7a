"""Request and response bodies of the guest API (their class names name the
OpenAPI components)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

__all__ = [
    "GuestCreateRequestSerializer",
    "GuestCredentialSerializer",
    "GuestErrorSerializer",
    "GuestLoginRequestSerializer",
    "GuestLoginSerializer",
    "GuestMergeRequestSerializer",
    "GuestMergeSerializer",
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


_NO_NULL_CHARACTERS = RegexValidator(
    r"^[^\x00]*\Z",
    message=ProhibitNullCharactersValidator.message,
    code=ProhibitNullCharactersValidator.code,
)


class StrictCharField(serializers.CharField):
    """A JSON string, not a number or a boolean turned into one."""

    default_error_messages = {"not_a_string": _("Not a valid string.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # DRF refuses NUL characters with a validator drf-spectacular does not
        # describe; the same rule as a pattern is stated in the OpenAPI document.
        # (A field with a pattern of its own, the username's, excludes them too.)
        if not any(isinstance(v, RegexValidator) for v in self.validators):
            self.validators = [
                v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            self.validators.append(_NO_NULL_CHARACTERS)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


class GuestCreateRequestSerializer(serializers.Serializer):
    """A JSON object; its members are ignored. What matters is that it is JSON:
    a cross-site form cannot send it."""


class GuestLoginRequestSerializer(serializers.Serializer):
    credential = StrictCharField(trim_whitespace=False, min_length=1)


class GuestUserInfoSerializer(serializers.Serializer):
    id = UserIdField(help_text=_("The user's primary key."))
    is_guest = serializers.BooleanField()
    is_verified = serializers.BooleanField()


class GuestCredentialSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("The public part of the token, before the dot."))
    kind = serializers.ChoiceField(choices=["token", "credential"])
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Tokens only: updated at most once an activity interval.")
    )
    current = serializers.BooleanField(help_text=_("The token this request authenticated with."))


class GuestMergeCountsSerializer(serializers.Serializer):
    moved = serializers.IntegerField()
    kept = serializers.IntegerField()
    dropped = serializers.IntegerField()


class GuestMergeSerializer(serializers.Serializer):
    guest = UserIdField(help_text=_("The former guest's primary key."))
    merged = serializers.BooleanField()
    summary = serializers.DictField(
        child=GuestMergeCountsSerializer(),
        help_text=_("Per model label: rows moved, kept with the guest, dropped."),
    )


class GuestMergeRequestSerializer(serializers.Serializer):
    decline = serializers.BooleanField(required=False, default=False)


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


# What the promote form says of a blank required field.
_BLANK_IS_MISSING = {"blank": forms.Field.default_error_messages["required"]}


@lru_cache(maxsize=16)
def promote_request_serializer(form_class: type[forms.BaseForm]) -> type[serializers.Serializer]:
    """The promotion body for ``form_class``: its fields, with one ``password``.

    The JSON types, blank, length and pattern are checked here too, so that the
    OpenAPI document states them; the rules (validators, uniqueness) stay in
    the form.
    """
    fields: dict[str, serializers.Field] = {}
    for name, field in form_class.base_fields.items():
        if name in PASSWORD_FIELDS:
            continue
        if isinstance(field, forms.BooleanField):
            fields[name] = serializers.BooleanField(required=False)
            continue
        # What the form enforces, stated (and checked again) here so the
        # OpenAPI document says it: blank, length, the model field's pattern.
        options: dict[str, Any] = {
            "required": field.required,
            "allow_blank": not field.required,
            "trim_whitespace": False,
            "help_text": str(field.help_text) or None,
            "max_length": getattr(field, "max_length", None),
        }
        if field.required:
            options["min_length"] = 1
            options["error_messages"] = _BLANK_IS_MISSING
        if isinstance(field, forms.EmailField):
            fields[name] = StrictEmailField(**options)
            continue
        pattern = _model_pattern(form_class, name)
        if pattern is not None:
            options["validators"] = [pattern]
        fields[name] = StrictCharField(**options)
    fields["password"] = StrictCharField(
        trim_whitespace=False,
        min_length=1,
        error_messages=_BLANK_IS_MISSING,
        style={"input_type": "password"},
        help_text=_("Checked by the site's AUTH_PASSWORD_VALIDATORS."),
    )
    return type("GuestPromoteRequestSerializer", (serializers.Serializer,), fields)


def _model_pattern(form_class: type[forms.BaseForm], name: str) -> RegexValidator | None:
    """The model field's validator of the regular expression it must match, if any."""
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    try:
        model_field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None
    for validator in getattr(model_field, "validators", ()):
        if isinstance(validator, RegexValidator) and not validator.inverse_match:
            return validator
    return None


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
