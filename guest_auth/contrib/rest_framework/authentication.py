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
from guest_auth._access import OPT_IN, opt_in_only
from guest_auth._session import is_guest
from guest_auth._tokens import authenticate_api_token

__all__ = ["GuestTokenAuthentication"]


class GuestTokenAuthentication(BaseAuthentication):
    """Authenticates the user of a guest API token; use it beside SessionAuthentication.

    A token-authenticated request needs no CSRF token: browsers never add the
    header on their own. A header value that is not one of this app's tokens is
    left to the other authentication classes (DRF's TokenAuthentication uses
    the same keyword); one of this app's tokens that is unknown, revoked or
    expired fails with 401.
    """

    keyword = "Token"
    # Set by the create and login views: there a failing token counts as none,
    # so a client whose token expired can still log in with its credential.
    _ignore_failures = False

    @sensitive_variables("parts", "raw")
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
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
        result = authenticate_api_token(request._request, raw)
        if result is None and not self._ignore_failures:
            raise AuthenticationFailed(_("Invalid or expired token."))
        if result is not None and opt_in_only() and is_guest(result[0]):
            # GUEST_AUTH_GUEST_ACCESS = "opt-in": a guest's token counts on the
            # views that opt in only; elsewhere the client is anonymous.
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if not getattr(type(view), OPT_IN, False):
                return None
        return result

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
