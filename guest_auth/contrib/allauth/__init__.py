"""django-allauth integration: every allauth flow promotes or merges the current guest.

Install with ``pip install "django-guest-auth[allauth]"`` and set::

    ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"
    SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"

or put :class:`GuestAccountAdapterMixin` and :class:`GuestSocialAccountAdapterMixin`
first in the bases of the adapters your site already has. allauth's headless
API (``allauth.headless``, both clients) works with guests through the same
adapters; with its JWT token strategy, use
``guest_auth.contrib.allauth.tokens.GuestJWTTokenStrategy`` for the
``is_guest`` claim.

This package is the only part of guest_auth that imports allauth, and only
when one of these names is used: importing the package itself imports nothing
of allauth (tools that walk guest_auth's modules stay safe without it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adapters import (
        GuestAccountAdapter,
        GuestAccountAdapterMixin,
        GuestSocialAccountAdapter,
        GuestSocialAccountAdapterMixin,
    )

__all__ = [
    "GuestAccountAdapter",
    "GuestAccountAdapterMixin",
    "GuestSocialAccountAdapter",
    "GuestSocialAccountAdapterMixin",
    "register",
]


def register() -> None:
    """Plug into guest_auth's core (guest_auth._integrations); called by
    guest_auth's AppConfig.ready() when allauth.account is installed.

    Adds the view hook (allauth's entrance and credentials pages, web and
    headless), what ``manage.py guest_access`` reads of those pages, allauth
    as the signup provider, and checks W010 and W011. allauth's optional apps
    (socialaccount, mfa, headless) are looked at only when installed.
    """
    from django.core.checks import Tags

    from guest_auth import _integrations

    from . import _views
    from ._signup import AllauthSignup
    from .checks import MESSAGES, check_adapters

    _integrations.add(
        _integrations.Integration(
            name=__name__,
            view_hook=_views,
            view_kind=_views.kind,
            signup=AllauthSignup(),
            checks=(check_adapters,),
            check_tags=(Tags.compatibility,),
            messages=MESSAGES,
        )
    )


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "register":
        from . import adapters

        return getattr(adapters, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
