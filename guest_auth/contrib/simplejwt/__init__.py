"""djangorestframework-simplejwt integration: JWTs that say whether their user is a guest.

Install with ``pip install "django-guest-auth[jwt]"``. Access and refresh
tokens made here carry an ``is_guest`` claim, recomputed at every refresh (a
guest promoted meanwhile gets ``is_guest: false`` from its next refresh). A
guest's refresh token is bound to one of guest_auth's API token rows, so
promotion, purge, self-deletion and GUEST_AUTH_MAX_INACTIVITY end it as they
end the guest's opaque tokens; the client that promoted keeps its own.

With ``GUEST_AUTH_API_TOKENS = "jwt"`` the guest API (``POST api/guest/``,
``POST api/guest/login/``) hands out access/refresh pairs instead of opaque
tokens, and accepts ``Authorization: Bearer <access>``. For the site's own
logins and refreshes, point simplejwt at the serializers here::

    SIMPLE_JWT = {
        "TOKEN_OBTAIN_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenObtainPairSerializer",
        "TOKEN_REFRESH_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenRefreshSerializer",
    }

and use ``guest_auth.contrib.simplejwt.GuestJWTAuthentication`` in place of
simplejwt's ``JWTAuthentication``. Importing this package imports nothing of
simplejwt; each name does when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .authentication import GuestJWTAuthentication
    from .serializers import GuestTokenObtainPairSerializer, GuestTokenRefreshSerializer
    from .tokens import GuestRefreshToken

__all__ = [
    "GuestJWTAuthentication",
    "GuestRefreshToken",
    "GuestTokenObtainPairSerializer",
    "GuestTokenRefreshSerializer",
]

_MODULES = {
    "GuestJWTAuthentication": "authentication",
    "GuestRefreshToken": "tokens",
    "GuestTokenObtainPairSerializer": "serializers",
    "GuestTokenRefreshSerializer": "serializers",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
