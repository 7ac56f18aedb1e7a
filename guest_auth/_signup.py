"""Where guests sign up: guest_auth's promote page, or an integration's signup.

An integration may register itself as the site's signup provider
(guest_auth._integrations; django-allauth does, when ACCOUNT_ADAPTER includes
GuestAccountAdapterMixin). Its rules for email addresses then apply to every
promotion: guest_auth's own promote page and API endpoint know none of them,
so guests are sent to its signup instead, and ``is_verified`` is its verdict.
``allauth_is_signup()`` is the one answer every caller asks.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from ._integrations import signup_provider

__all__ = ["allauth_is_signup", "has_verified_email", "signup_url"]


def allauth_is_signup() -> bool:
    """Whether an integration (django-allauth, with guest_auth's adapter mixin)
    is the site's signup."""
    return signup_provider() is not None


def signup_url() -> str:
    """The page a guest signs up on; NoReverseMatch when the site has none.

    The provider's signup page when it is the signup; else guest_auth's
    promote page, or else the provider's signup page if the site mounts one
    (a site may promote only through allauth or the API and leave
    guest_auth.urls out: check W006).
    """
    provider = signup_provider(active=False)
    names = ["guest_auth:promote"]
    if provider is not None:
        names = [provider.url_name] if provider.is_signup() else [*names, provider.url_name]
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"None of {names} can be reversed.")


def has_verified_email(user: Any) -> bool:
    """The signup provider's verdict on ``user``'s email address; True without one."""
    provider = signup_provider()
    return True if provider is None else provider.has_verified_email(user)
