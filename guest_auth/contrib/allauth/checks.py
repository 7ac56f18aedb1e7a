"""guest_auth's system checks of the allauth settings (guest_auth.W010, W011).

Registered by guest_auth.contrib.allauth.register() (from guest_auth's
AppConfig.ready()) when allauth.account is installed. Ids are stable;
messages and hints are kept here together.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Warning

from ._config import includes
from .adapters import GuestAccountAdapterMixin, GuestSocialAccountAdapterMixin

__all__ = ["MESSAGES", "check_adapters", "missing_adapters"]

# id: (level, message, hint)
MESSAGES: dict[str, tuple[type[Warning], str, str]] = {
    "guest_auth.W010": (
        Warning,
        "django-allauth is installed but ACCOUNT_ADAPTER does not include guest_auth's "
        "adapter: allauth's login and signup pages turn guests away, and signing up "
        "creates a new user instead of keeping the guest's data.",
        'Set ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter", or put '
        "guest_auth.contrib.allauth.GuestAccountAdapterMixin first in your adapter's bases.",
    ),
    "guest_auth.W011": (
        Warning,
        "allauth.socialaccount is installed but SOCIALACCOUNT_ADAPTER does not include "
        "guest_auth's adapter: signing up with a provider creates a new user instead of "
        "keeping the guest's data.",
        'Set SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter", '
        "or put guest_auth.contrib.allauth.GuestSocialAccountAdapterMixin first in your "
        "adapter's bases.",
    ),
}


def check_adapters(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for check_id in missing_adapters():
        level, msg, hint = MESSAGES[check_id]
        messages.append(level(msg, hint=hint, id=check_id))
    return messages


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
