"""allauth adapters that sign the current guest up in place.

Signing up while a guest turns the guest's own user row into the account:
same primary key, everything the guest wrote stays attached. allauth's
``new_user()`` hands the guest to the signup form instead of a fresh user,
and ``save_user()`` promotes it through
:func:`guest_auth.services.promote_guest`. Logging into an account that
already exists goes through Django's ``login()``: a password or social
login merges the guest into it (``services.merge_guest``); a login by code,
password-reset link or email confirmation keeps the guest apart unless the
site's GuestAdapter.login_merge_action() says otherwise.

After the promotion the session is left signed out, exactly as allauth
expects of a new account: allauth then logs it in once its checks pass
(right away, or after the email or phone is verified).
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from guest_auth import _state as state
from guest_auth._login import watch_session
from guest_auth._promote import PASSWORD_ALREADY_SET, promote_guest
from guest_auth.exceptions import NotAGuest

from . import _guests

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin
    from django.forms import BaseForm
    from django.http import HttpRequest

__all__ = [
    "GuestAccountAdapter",
    "GuestAccountAdapterMixin",
    "GuestSocialAccountAdapter",  # noqa: F822  (module __getattr__: built on first use)
    "GuestSocialAccountAdapterMixin",
]


class GuestAccountAdapterMixin:
    """Put it first in your ``ACCOUNT_ADAPTER``'s bases.

    A guest who signs up (email or username and password, passwordless with
    an emailed code, or phone) becomes the account in place.
    """

    def new_user(self, request: HttpRequest) -> Any:
        """The current guest, when there is one; otherwise allauth's fresh user."""
        guest = _guests.current_guest(request)
        if guest is None:
            return super().new_user(request)  # type: ignore[misc]
        # The guest's field values now, so that save_user() knows what the signup changed.
        state.of(request).signup_snapshot = (guest, _field_values(guest))
        return guest

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> Any:
        """allauth's save_user(), then promote_guest() when ``user`` is the guest.

        Both in one transaction: a failure leaves the guest as it was. For a
        guest the changes are always written, whatever ``commit`` says.
        """
        request_state = state.of(request)
        signup = request_state.signup_snapshot
        if signup is None or signup[0] is not user:
            return super().save_user(request, user, form, commit)  # type: ignore[misc]
        request_state.signup_snapshot = None
        snapshot = signup[1]
        try:
            with transaction.atomic(using=router.db_for_write(type(user))):
                saved = super().save_user(request, user, form, commit=False)  # type: ignore[misc]
                user = saved if saved is not None else user
                promote_guest(
                    request,
                    user,
                    method=_signup_method(form),
                    password=PASSWORD_ALREADY_SET,
                    **_changed_fields(user, snapshot),
                )
        except NotAGuest:
            # Promoted meanwhile by another request of this session (a double
            # submit): its signup won; start this one over.
            raise ImmediateHttpResponse(HttpResponseRedirect(reverse("account_login"))) from None
        _guests.hand_over(request, user)
        return user

    def login(self, request: HttpRequest, user: Any) -> None:
        """allauth's login(), with the session watched for a guest to merge.

        Every allauth login goes through here. allauth may have swapped
        ``request.session`` for a new object since GuestMiddleware saw it
        (its social login state handling does), and the new one must still
        report a guest's session being replaced by the login.
        """
        watch_session(request)
        # Read before login() replaces the session that holds allauth's record.
        state.of(request).credential_checked = _checked_credential(request, user)
        super().login(request, user)  # type: ignore[misc]


class GuestSocialAccountAdapterMixin:
    """Put it first in your ``SOCIALACCOUNT_ADAPTER``'s bases.

    A guest who signs up with a provider becomes the account in place, with
    the social account attached to it. Needs GuestAccountAdapterMixin in
    ``ACCOUNT_ADAPTER``.
    """

    def new_user(self, request: HttpRequest, sociallogin: SocialLogin) -> Any:
        """An unsaved copy of the current guest, for the provider to fill in.

        Not the guest itself: allauth takes a user with a primary key for an
        account that already exists. save_user() gives the key back.
        """
        guest = _guests.current_guest(request)
        if guest is None:
            return super().new_user(request, sociallogin)  # type: ignore[misc]
        copy = type(guest)(**_field_values(guest))
        copy.pk = None
        return copy

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A guest "connecting" a provider is signing in with it: treat it as a login."""
        from allauth.socialaccount.providers.base.constants import AuthProcess

        super().pre_social_login(request, sociallogin)  # type: ignore[misc]
        if (
            sociallogin.state.get("process") == AuthProcess.CONNECT
            and _guests.current_guest(request) is not None
        ):
            sociallogin.state["process"] = AuthProcess.LOGIN

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: BaseForm | None = None
    ) -> Any:
        """Save the new social user onto the guest's row, then promote it.

        The SocialAccount, EmailAddress rows and the promotion are one
        transaction; guest_promoted receivers see them all. The method is the
        provider id.
        """
        guest = _guests.current_guest(request)
        user = sociallogin.user
        if guest is None or user is None or user.pk is not None:
            return super().save_user(request, sociallogin, form)  # type: ignore[misc]
        user.pk = guest.pk
        user._state.adding = False
        user._state.db = guest._state.db
        try:
            with transaction.atomic(using=router.db_for_write(type(user))):
                user = super().save_user(request, sociallogin, form)  # type: ignore[misc]
                promote_guest(
                    request,
                    user,
                    method=sociallogin.account.provider,
                    password=PASSWORD_ALREADY_SET,
                )
        except NotAGuest:
            raise ImmediateHttpResponse(HttpResponseRedirect(reverse("account_login"))) from None
        _guests.hand_over(request, user)
        return user


class GuestAccountAdapter(GuestAccountAdapterMixin, DefaultAccountAdapter):
    """``ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"``."""


def __getattr__(name: str) -> Any:
    # allauth.socialaccount is optional: nothing of it is imported unless this
    # class is asked for (by SOCIALACCOUNT_ADAPTER, on a site that installs it).
    if name == "GuestSocialAccountAdapter":
        return _social_account_adapter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _social_account_adapter() -> type:
    from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

    class GuestSocialAccountAdapter(GuestSocialAccountAdapterMixin, DefaultSocialAccountAdapter):
        """``SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"``."""

    GuestSocialAccountAdapter.__module__ = __name__
    return GuestSocialAccountAdapter


# allauth's authentication methods (its record of this session) that check a
# credential the visitor holds: a password, a provider's login. Not "code"
# (login by code), "password_reset", email or phone verification: those codes
# and links can be sent by someone else.
_CREDENTIAL_METHODS = frozenset({"password", "socialaccount"})
# allauth.mfa's records ("mfa") that are credentials too: a passkey (WebAuthn)
# signs this session's challenge with a key only the account's authenticator
# holds, whether it logged in alone or as a second factor. A TOTP or recovery
# code is a code, which someone else can read out to the visitor.
_CREDENTIAL_AUTHENTICATORS = frozenset({"webauthn"})


def _checked_credential(request: HttpRequest, user: Any) -> bool:
    """Whether allauth authenticated ``user`` in this session with a credential."""
    from allauth.account.authentication import get_authentication_records

    if _records_take_user(get_authentication_records):
        records = get_authentication_records(request, user)
    else:
        # Older allauth (65.19, the last for Python 3.10, takes no user): the
        # session's records, read before login() flushes it, so this login's.
        records = get_authentication_records(request)
    return any(_is_credential(record) for record in records or ())


def _is_credential(record: dict[str, Any]) -> bool:
    method = record.get("method")
    if method == "mfa":
        return record.get("type") in _CREDENTIAL_AUTHENTICATORS and not record.get(
            "reauthenticated"
        )
    return method in _CREDENTIAL_METHODS


@cache
def _records_take_user(function: Any) -> bool:
    return "user" in inspect.signature(function).parameters


def _field_values(user: Any) -> dict[str, Any]:
    return {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields}


def _changed_fields(user: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
    """promote_guest() keyword arguments for the fields the signup changed."""
    changed = {}
    for field in user._meta.concrete_fields:
        if field.primary_key or field.attname == "password":
            continue
        if getattr(user, field.attname) != snapshot.get(field.attname):
            changed[field.name] = getattr(user, field.name)
    return changed


def _signup_method(form: BaseForm) -> str | None:
    """How the new account signs in: the guest_promoted ``method``."""
    if _by_passkey(form):
        return "passkey"
    data = getattr(form, "cleaned_data", None) or {}
    if data.get("password1") or data.get("password"):
        return "password"
    if data.get("email"):
        return "code"  # passwordless: allauth sends login codes to the email
    if data.get("phone"):
        return "phone"
    return None


def _by_passkey(form: BaseForm) -> bool:
    """Whether the form is allauth's passkey signup (MFA_PASSKEY_SIGNUP_ENABLED):
    the web SignupForm with ``by_passkey``, or headless's SignupWebAuthnInput."""
    if getattr(form, "by_passkey", False):
        return True
    return any(cls.__name__ == "SignupWebAuthnInput" for cls in type(form).__mro__)
