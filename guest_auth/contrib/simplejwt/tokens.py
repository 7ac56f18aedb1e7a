"""simplejwt tokens with the ``is_guest`` claim, bound to an API token row for guests."""

from __future__ import annotations

from typing import Any, cast

from django.views.decorators.debug import sensitive_variables
from rest_framework_simplejwt.tokens import RefreshToken

from guest_auth._session import is_guest
from guest_auth._tokens import issue_bound_token

__all__ = ["BOUND_TOKEN_CLAIM", "IS_GUEST_CLAIM", "GuestRefreshToken", "pair"]

#: Whether the token's user was a guest when the token was made (or last refreshed).
IS_GUEST_CLAIM = "is_guest"
#: The primary key of the guest_auth APIToken row a guest's refresh token is bound to.
BOUND_TOKEN_CLAIM = "guest_auth_token"


class GuestRefreshToken(RefreshToken):
    """A refresh token (and, through ``access_token``, its access token) with ``is_guest``.

    For a guest, the token is bound to an APIToken row (``guest_auth_token``):
    it is refused once that row is gone, as the guest's opaque tokens are.
    """

    @classmethod
    @sensitive_variables("opaque", "token")
    def for_user(cls, user: Any, *, opaque: str | None = None) -> GuestRefreshToken:
        """A token for ``user``; ``opaque`` is the guest API token to bind it to, if any."""
        # simplejwt's own (user id, revoke claim, the blacklist's outstanding
        # token when that app is installed), then the claims here.
        token = cast("GuestRefreshToken", super().for_user(user))
        guest = is_guest(user)
        token[IS_GUEST_CLAIM] = guest
        if guest:
            token[BOUND_TOKEN_CLAIM] = issue_bound_token(user, opaque).pk
        return token


@sensitive_variables("opaque", "refresh")
def pair(user: Any, opaque: str | None = None) -> dict[str, str]:
    """{"access": ..., "refresh": ...} for ``user`` (see GuestRefreshToken.for_user)."""
    refresh = GuestRefreshToken.for_user(user, opaque=opaque)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
