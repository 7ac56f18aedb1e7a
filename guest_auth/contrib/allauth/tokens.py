"""allauth headless's JWT token strategy, with the ``is_guest`` claim."""

from __future__ import annotations

from typing import Any

from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy

from guest_auth._session import forget_guest, is_guest

__all__ = ["GuestJWTTokenStrategy"]


class GuestJWTTokenStrategy(JWTTokenStrategy):
    """``HEADLESS_TOKEN_STRATEGY = "guest_auth.contrib.allauth.tokens.GuestJWTTokenStrategy"``.

    allauth's JWT strategy, whose access tokens also say ``is_guest``. allauth
    asks for the claims at every access token it makes, refreshes included,
    so a guest promoted meanwhile gets ``is_guest: false`` from its next
    refresh. Subclass it and extend ``get_claims()`` to add your own.
    """

    def get_claims(self, user: Any) -> dict[str, Any]:
        claims = super().get_claims(user)
        # Asked anew: the user may have been promoted since it was cached.
        forget_guest(user)
        claims["is_guest"] = is_guest(user)
        return claims
