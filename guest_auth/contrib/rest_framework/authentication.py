"""``Authorization: Token <token>`` for the tokens the guest API hands out.

Sites name this class in REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"], so
DRF imports it while rest_framework.views is still loading: it imports
nothing that imports rest_framework.views (drf-spectacular's openapi module
does; its description of this class is registered by GuestAuthConfig.ready()).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from guest_auth import _secrets
from guest_auth._gate import API_TOKEN, admit
from guest_auth._tokens import authenticate_api_token

__all__ = ["GatedAuthentication", "GuestTokenAuthentication"]


class GatedAuthentication(BaseAuthentication):
    """The base of guest_auth's DRF authentication classes: ``authenticate``
    always ends in the gate (guest_auth._gate.admit), which applies every
    guest rule (demotion, inactive users, "opt-in" access for this view).

    Subclasses implement ``find(request)`` (the user and auth their
    credential names, or None) and say which way in they are (``path``);
    they may not override ``authenticate`` itself.
    """

    #: The way in, one of guest_auth._gate.PATHS.
    path: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "authenticate" in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} overrides authenticate(): implement find() instead, "
                "so that every user it finds passes through guest_auth's gate."
            )

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        found = self.find(request)
        if found is None:
            return None
        user, auth = found
        view = (getattr(request, "parser_context", None) or {}).get("view")
        admitted = admit(user, path=self.path, **self.admit_arguments(request, user, auth, view))
        if admitted is None:
            return self.refused(request)
        if not admitted.is_authenticated:
            # GUEST_AUTH_GUEST_ACCESS = "opt-in": a guest counts on the views
            # that opt in only; elsewhere the client is anonymous.
            return None
        return admitted, auth

    def find(self, request: Request) -> tuple[Any, Any] | None:
        raise NotImplementedError

    def admit_arguments(self, request: Request, user: Any, auth: Any, view: Any) -> dict[str, Any]:
        """Keyword arguments for admit(): what this way in knows of the user."""
        return {"view": view} if view is not None else {}

    def refused(self, request: Request) -> tuple[Any, Any] | None:
        """The answer when the gate refuses the user found (inactive, no longer issued)."""
        raise AuthenticationFailed(_("Invalid or expired token."))


class GuestTokenAuthentication(GatedAuthentication):
    """Authenticates the user of a guest API token; use it beside SessionAuthentication.

    A token-authenticated request needs no CSRF token: browsers never add the
    header on their own. A header value that is not one of this app's tokens is
    left to the other authentication classes (DRF's TokenAuthentication uses
    the same keyword); one of this app's tokens that is unknown, revoked or
    expired fails with 401.
    """

    keyword = "Token"
    path = API_TOKEN
    # Set by the create and login views: there a failing token counts as none,
    # so a client whose token expired can still log in with its credential.
    _ignore_failures = False

    @sensitive_variables("parts", "raw")
    def find(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            return None
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            return None
        if _secrets.split(raw) is None:
            return None
        # The HttpRequest, not DRF's wrapper: promotion reads the token from it.
        # The gate runs in there too (its guest row comes with the token).
        result = authenticate_api_token(request._request, raw)
        if result is None:
            return self.refused(request)
        return result

    def refused(self, request: Request) -> tuple[Any, Any] | None:
        if self._ignore_failures:
            return None
        return super().refused(request)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
