"""Which of guest_auth's allauth adapters the settings lack (guest_auth.W010, W011)."""

from __future__ import annotations

from django.apps import apps
from django.utils.module_loading import import_string

from .adapters import GuestAccountAdapterMixin, GuestSocialAccountAdapterMixin

__all__ = ["missing_adapters"]


def missing_adapters() -> list[str]:
    """Check ids for ACCOUNT_ADAPTER and SOCIALACCOUNT_ADAPTER lacking guest_auth's mixins."""
    from allauth.account import app_settings as account_settings

    missing = []
    if not _includes(account_settings.ADAPTER, GuestAccountAdapterMixin):
        missing.append("guest_auth.W010")
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount import app_settings as social_settings

        if not _includes(social_settings.ADAPTER, GuestSocialAccountAdapterMixin):
            missing.append("guest_auth.W011")
    return missing


def _includes(path: str, mixin: type) -> bool:
    """Whether the adapter class at dotted ``path`` includes ``mixin``."""
    try:
        adapter = import_string(path)
    except ImportError:
        # allauth fails loudly on an adapter it cannot import; say only what is ours.
        return False
    return isinstance(adapter, type) and issubclass(adapter, mixin)
