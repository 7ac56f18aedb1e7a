"""django-allauth integration: every allauth flow promotes or merges the current guest.

Install with ``pip install "django-guest-auth[allauth]"`` and set::

    ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"
    SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"

or put :class:`GuestAccountAdapterMixin` and :class:`GuestSocialAccountAdapterMixin`
first in the bases of the adapters your site already has.

This package is the only part of guest_auth that imports allauth.
"""

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
]
