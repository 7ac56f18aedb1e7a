"""Which of guest_auth's allauth adapters the settings lack (guest_auth.W010, W011)."""

from __future__ import annotations

from django.apps import apps

from ._config import includes
from .adapters import GuestAccountAdapterMixin, GuestSocialAccountAdapterMixin

__all__ = ["missing_adapters"]


def missing_adapters() -> list[str]:
    """Check ids for ACCOUNT_ADAPTER and SOCIALACCOUNT_ADAPTER lacking guest_auth's mixins."""
    from allauth.account import app_settings as account_settings

    missing = []
    if not includes(account_settings.ADAPTER, GuestAccountAdapterMixin):
        missing.append("guest_auth.W010")
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount import app_settings as social_settings

        if not includes(social_settings.ADAPTER, GuestSocialAccountAdapterMixin):
            missing.append("guest_auth.W011")
    return missing
