"""simplejwt serializers for the site's own token views (TokenObtainPairView,
TokenRefreshView), set through SIMPLE_JWT's TOKEN_OBTAIN_SERIALIZER and
TOKEN_REFRESH_SERIALIZER."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings

from guest_auth._gate import JWT_REFRESH, admit
from guest_auth._session import is_guest
from guest_auth._tokens import bound_token

from .tokens import BOUND_TOKEN_CLAIM, IS_GUEST_CLAIM, GuestRefreshToken

__all__ = ["GuestTokenObtainPairSerializer", "GuestTokenRefreshSerializer"]


class GuestTokenObtainPairSerializer(TokenObtainPairSerializer):
    """simplejwt's login, with tokens that carry ``is_guest``."""

    token_class = GuestRefreshToken


class GuestTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, with ``is_guest`` as it is now, not as it was.

    Refused (401) when the user is gone or inactive, and for a guest's token
    whose APIToken row is gone (another client promoted the guest, it was
    purged, merged or deleted) or unused for GUEST_AUTH_MAX_INACTIVITY.
    """

    token_class = GuestRefreshToken
    default_error_messages = {
        **TokenRefreshSerializer.default_error_messages,
        "revoked": _("This token was revoked or has expired."),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])
        user = _user(refresh.payload.get(api_settings.USER_ID_CLAIM))
        if (
            user is None
            or not api_settings.USER_AUTHENTICATION_RULE(user)
            or admit(user, path=JWT_REFRESH) is None
        ):
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        bound = refresh.payload.get(BOUND_TOKEN_CLAIM)
        if bound is not None and bound_token(None, bound, user) is None:
            raise AuthenticationFailed(self.error_messages["revoked"], "token_revoked")
        refresh[IS_GUEST_CLAIM] = is_guest(user)
        data = {"access": str(refresh.access_token)}
        if api_settings.ROTATE_REFRESH_TOKENS:
            if api_settings.BLACKLIST_AFTER_ROTATION:
                blacklist = getattr(refresh, "blacklist", None)
                if blacklist is not None:
                    blacklist()
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            data["refresh"] = str(refresh)
        return data


def _user(user_id: Any) -> Any:
    if user_id is None:
        return None
    try:
        return (
            get_user_model()
            ._default_manager.filter(**{api_settings.USER_ID_FIELD: user_id})
            .first()
        )
    except (ValidationError, ValueError, TypeError):
        return None
