"""``Authorization: Bearer <access token>``, remembering a guest's bound token."""

from __future__ import annotations

from typing import Any

from django.db import router
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from guest_auth import _state as state
from guest_auth._gate import JWT_ACCESS
from guest_auth.contrib.rest_framework.authentication import GatedAuthentication
from guest_auth.models import APIToken

from .tokens import BOUND_TOKEN_CLAIM, IS_GUEST_CLAIM

__all__ = ["GuestJWTAuthentication"]


class GuestJWTAuthentication(GatedAuthentication, JWTAuthentication):
    """simplejwt's JWTAuthentication, through guest_auth's gate: a guest's
    access token is demoted like its session, anonymous to the views that
    do not opt in under GUEST_AUTH_GUEST_ACCESS = "opt-in", and the request
    remembers the APIToken row it is bound to, so that promoting the guest
    from this client keeps this client's refresh token working.

    Access tokens stay stateless for regular users: one works until it
    expires (SIMPLE_JWT's ACCESS_TOKEN_LIFETIME) if its user still exists.
    A token issued to a guest that has been promoted since works only while
    its bound row does (the promoting client's), one query then: so while a
    promotion waits for mandatory email verification, it works nowhere. Its
    ``is_guest`` claim may be stale: decide with ``is_guest(request.user)``.
    """

    path = JWT_ACCESS
    # Set by guest_auth's API views: there a failing token answers with the
    # API's own error body ({"detail": ...}), or on the create and login views
    # counts as none, so a client whose access token expired can still get in.
    _ignore_failures = False
    _plain_errors = False

    def find(self, request: Request) -> tuple[Any, Any] | None:
        try:
            result = JWTAuthentication.authenticate(self, request)
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
                state.of(request).api_token = APIToken(pk=bound)
        return result

    def admit_arguments(self, request: Request, user: Any, auth: Any, view: Any) -> dict[str, Any]:
        arguments = super().admit_arguments(request, user, auth, view)
        claim = auth.payload.get(IS_GUEST_CLAIM)
        if claim is False:
            # Issued to a regular user, who never becomes a guest: no query to ask.
            arguments["guest"] = False
        elif claim is True:
            bound = auth.payload.get(BOUND_TOKEN_CLAIM)
            arguments["issued_to_guest"] = True
            arguments["still_issued"] = lambda: _row_exists(bound, user)
        # No claim (a token simplejwt made without guest_auth's classes): the gate asks.
        return arguments

    def refused(self, request: Request) -> tuple[Any, Any] | None:
        """The gate refused the token's user (inactive, or promoted past this token)."""
        if self._ignore_failures:
            return None
        if self._plain_errors:
            raise AuthenticationFailed(_("Invalid or expired token."))
        raise InvalidToken(str(_("Invalid or expired token.")))


def _row_exists(pk: Any, user: Any) -> bool:
    if pk is None:
        return False
    try:
        # Deleted moments ago, maybe: only the write database knows.
        return (
            APIToken._default_manager.db_manager(router.db_for_write(APIToken))
            .filter(pk=pk, user_id=user.pk)
            .exists()
        )
    except (TypeError, ValueError):
        return False
