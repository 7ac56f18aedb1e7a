"""``Authorization: Bearer <access token>``, remembering a guest's bound token."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from guest_auth._tokens import REQUEST_TOKEN
from guest_auth.models import APIToken

from .tokens import BOUND_TOKEN_CLAIM

__all__ = ["GuestJWTAuthentication"]


class GuestJWTAuthentication(JWTAuthentication):
    """simplejwt's JWTAuthentication; for a guest's token, the request also
    remembers the APIToken row it is bound to, so that promoting the guest
    from this client keeps this client's refresh token working.

    Access tokens stay stateless: one that was issued before a promotion or
    deletion works until it expires (SIMPLE_JWT's ACCESS_TOKEN_LIFETIME) if
    its user still exists; its ``is_guest`` claim is then stale, so decide
    with ``is_guest(request.user)`` on the server.
    """

    # Set by guest_auth's API views: there a failing token answers with the
    # API's own error body ({"detail": ...}), or on the create and login views
    # counts as none, so a client whose access token expired can still get in.
    _ignore_failures = False
    _plain_errors = False

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            result = super().authenticate(request)
        except (InvalidToken, AuthenticationFailed):
            if self._ignore_failures:
                return None
            if self._plain_errors:
                raise AuthenticationFailed(_("Invalid or expired token.")) from None
            raise
        if result is not None:
            bound = result[1].payload.get(BOUND_TOKEN_CLAIM)
            if bound is not None:
                # Only its primary key is read (by promote_guest): no query.
                setattr(request._request, REQUEST_TOKEN, APIToken(pk=bound))
        return result
