"""Where guests sign up: guest_auth's promote page, or django-allauth's signup.

When django-allauth is the site's signup (ACCOUNT_ADAPTER includes
GuestAccountAdapterMixin), allauth's rules for email addresses apply to every
promotion: EmailAddress rows, the verification flow, ACCOUNT_EMAIL_VERIFICATION.
guest_auth's own promote page and API endpoint know none of them, so guests
are sent to allauth's signup instead, and ``is_verified`` means a verified
email address.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

__all__ = ["allauth_is_signup", "has_verified_email", "signup_url"]

_MIXIN = "guest_auth.contrib.allauth.adapters.GuestAccountAdapterMixin"


def allauth_is_signup() -> bool:
    """Whether django-allauth, with guest_auth's adapter mixin, is the site's signup."""
    if not apps.is_installed("allauth.account"):
        return False
    # Imported here: nothing outside guest_auth.contrib imports allauth.
    from allauth.account import app_settings

    try:
        adapter = import_string(app_settings.ADAPTER)
    except ImportError:
        return False
    # By name: importing guest_auth.contrib.allauth.adapters from here would
    # make an import cycle (it promotes and merges through guest_auth's core).
    return isinstance(adapter, type) and any(
        f"{cls.__module__}.{cls.__qualname__}" == _MIXIN for cls in adapter.__mro__
    )


def signup_url() -> str:
    """The page a guest signs up on; NoReverseMatch when the site has none.

    Without allauth as the signup, guest_auth's promote page, or else allauth's
    signup page if the site mounts one (a site may promote only through
    allauth or the API and leave guest_auth.urls out: check W006).
    """
    names = ["account_signup"] if allauth_is_signup() else ["guest_auth:promote", "account_signup"]
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"None of {names} can be reversed.")


def has_verified_email(user: Any) -> bool:
    """allauth's verdict: the user has a verified EmailAddress (allauth installed only)."""
    from .contrib.allauth._email import has_verified_email as verified

    return verified(user)
