"""What allauth's views see of a guest (GuestMiddleware.process_view calls this).

allauth sends logged-in visitors away from its login and signup pages
(``RedirectAuthenticatedUserMixin``), from the steps of a login in progress
(``login_stage_required``: enter a login code, verify a phone, MFA), and
logs them out before a social login. A guest is logged in but has not signed
in yet: on these entrance views it is hidden (the view sees an anonymous
visitor) and kept for the adapters. Regular users are left alone, so allauth
still redirects them.

The pages that manage a signed-in account's credentials (password, email
addresses, phone, MFA) would attach them to a guest without promoting it:
guests are sent to allauth's signup page instead, as the core sends them
from Django's password pages to promotion. Other views (logout,
connections) see the guest as it is. Nothing happens unless ACCOUNT_ADAPTER
includes GuestAccountAdapterMixin.

allauth's headless API (``allauth.headless``) gets the same treatment, for
both of its clients. A ``browser`` client's guest is in the session, as for
the web views. An ``app`` client has no cookie session: its guest is the one
whose guest_auth API token (``Authorization: Token ...``) the request sends
to an entrance endpoint; a login there replaces that guest (merged by the
user_logged_in receiver, as every login is), and a signup promotes it,
keeping the token it sent. Headless endpoints that manage credentials answer
a guest 403 in allauth's error format.
"""

from __future__ import annotations

import contextlib
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils.module_loading import import_string

from guest_auth._gate import HEADLESS_APP, HEADLESS_BROWSER, admit
from guest_auth._login import replacing
from guest_auth._session import is_guest
from guest_auth._tokens import authenticate_api_token

from . import _guests

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponseBase

__all__ = ["before_view", "concerns", "integration_enabled", "kind"]

# Entrance views that are neither RedirectAuthenticatedUserMixin subclasses
# nor in a provider's package: function views by name, the others by class.
_ENTRANCE_FUNCTIONS = (
    "allauth.account.views.email_verification_sent",
    "allauth.account.views.verify_phone",
)
_ENTRANCE_CLASSES = (
    "allauth.account.mixins.RedirectAuthenticatedUserMixin",
    "allauth.account.views.ConfirmLoginCodeView",
    "allauth.account.views.ConfirmEmailView",
    "allauth.account.views.PasswordResetFromKeyView",
    "allauth.account.views.ConfirmPasswordResetCodeView",
    "allauth.account.views.CompletePasswordResetView",
    "allauth.account.views.AccountInactiveView",
    "allauth.socialaccount.views.LoginCancelledView",
    "allauth.socialaccount.views.LoginErrorView",
)
_MFA_ENTRANCE_CLASSES = (
    "allauth.mfa.base.views.AuthenticateView",
    "allauth.mfa.base.views.TrustView",
    "allauth.mfa.webauthn.views.SignupWebAuthnView",
)
# Every provider's login and callback views live under this package.
_PROVIDERS_PACKAGE = "allauth.socialaccount.providers."

# allauth.headless's entrance endpoints (both clients) and those that manage a
# signed-in account's credentials.
_HEADLESS_ENTRANCE_CLASSES = (
    "allauth.headless.account.views.LoginView",
    "allauth.headless.account.views.SignupView",
    "allauth.headless.account.views.RequestLoginCodeView",
    "allauth.headless.account.views.ResendLoginCodeView",
    "allauth.headless.account.views.ConfirmLoginCodeView",
    "allauth.headless.account.views.VerifyEmailView",
    "allauth.headless.account.views.VerifyPhoneView",
    "allauth.headless.account.views.ResendPhoneVerificationCodeView",
    "allauth.headless.account.views.ResendEmailVerificationCodeView",
    "allauth.headless.socialaccount.views.RedirectToProviderView",
    "allauth.headless.socialaccount.views.ProviderTokenView",
    "allauth.headless.socialaccount.views.ProviderSignupView",
)
_HEADLESS_MFA_ENTRANCE_CLASSES = (
    "allauth.headless.mfa.views.AuthenticateView",
    "allauth.headless.mfa.views.AuthenticateWebAuthnView",
    "allauth.headless.mfa.views.LoginWebAuthnView",
    "allauth.headless.mfa.views.SignupWebAuthnView",
    "allauth.headless.mfa.views.TrustView",
)
_HEADLESS_KEPT_OUT_CLASSES = (
    "allauth.headless.account.views.ChangePasswordView",
    "allauth.headless.account.views.ManageEmailView",
    "allauth.headless.account.views.ManagePhoneView",
    "allauth.headless.socialaccount.views.ManageProvidersView",
)
_HEADLESS_MFA_KEPT_OUT_CLASSES = (
    "allauth.headless.mfa.views.AuthenticatorsView",
    "allauth.headless.mfa.views.ManageTOTPView",
    "allauth.headless.mfa.views.ManageRecoveryCodesView",
    "allauth.headless.mfa.views.ManageWebAuthnView",
)
# The URL namespace allauth.headless gives its app client's endpoints.
_APP_NAMESPACE = "app"

# Credential management: guests go to the signup page. Every allauth.mfa view
# that is not an entrance is one too.
_KEPT_OUT_CLASSES = (
    "allauth.account.views.PasswordChangeView",
    "allauth.account.views.PasswordSetView",
    "allauth.account.views.EmailView",
    "allauth.account.views.ChangePhoneView",
)
_MFA_PACKAGE = "allauth.mfa."
_HEADLESS_PACKAGE = "allauth.headless."


def concerns(view_func: Callable[..., Any]) -> bool:
    """Whether before_view() may act on this view; cheap, and no I/O."""
    return _kind(view_func) is not None and integration_enabled()


def before_view(request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponseBase | None:
    """Hide a guest from an entrance view, or send it from a credentials page to signup."""
    kind = _kind(view_func)
    if kind in (_HEADLESS_ENTRANCE, _HEADLESS_KEPT_OUT):
        return _before_headless_view(request, kind)
    # Reading request.user costs nothing extra: these views read it anyway.
    if not is_guest(request.user):
        return None
    if kind == _KEPT_OUT:
        return redirect_to_login(request.get_full_path(), reverse("account_signup"))
    _guests.hide(request, _guests.current_guest(request))
    return None


def kind(view_func: Callable[..., Any]) -> str | None:
    """ "entrance", "kept out" or None, as before_view() treats the view
    (None too when the integration is off); for ``manage.py guest_access``."""
    return _kind(view_func) if integration_enabled() else None


def _before_headless_view(request: HttpRequest, kind: str) -> HttpResponseBase | None:
    match = getattr(request, "resolver_match", None)
    app = match is not None and _APP_NAMESPACE in match.namespaces
    guest = _token_guest(request) if app else None
    if guest is None and not app and is_guest(request.user):
        # The session's guest, through the gate as the browser client's way in.
        guest = admit(_guests.current_guest(request), path=HEADLESS_BROWSER)
    if guest is None:
        return None
    if kind == _HEADLESS_KEPT_OUT:
        # allauth.headless's error format.
        return JsonResponse(
            {
                "status": 403,
                "errors": [
                    {
                        "message": "Guests create their account (sign up) first.",
                        "code": "guest",
                    }
                ],
            },
            status=403,
        )
    _guests.hide(request, guest)
    if app:
        # No session of its own to flush: say which guest a login replaces.
        replacing(request, guest)
    return None


def _token_guest(request: HttpRequest) -> Any:
    """The guest of the guest_auth API token the request sends, or None."""
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    result = authenticate_api_token(request, parts[1], path=HEADLESS_APP)
    if result is None or not is_guest(result[0]):
        return None
    return result[0]


def integration_enabled() -> bool:
    """Whether ACCOUNT_ADAPTER includes GuestAccountAdapterMixin."""
    from allauth.account import app_settings

    from ._config import includes
    from .adapters import GuestAccountAdapterMixin

    return includes(app_settings.ADAPTER, GuestAccountAdapterMixin)


_ENTRANCE = "entrance"
_KEPT_OUT = "kept out"
_HEADLESS_ENTRANCE = "headless entrance"
_HEADLESS_KEPT_OUT = "headless kept out"


@lru_cache(maxsize=1024)
def _kind(view_func: Callable[..., Any]) -> str | None:
    """_ENTRANCE, _KEPT_OUT, their headless kinds or None; remembered per view
    (URLconfs hold a fixed set)."""
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and view_class.__module__.startswith(_HEADLESS_PACKAGE):
        if issubclass(
            view_class, _classes(_HEADLESS_ENTRANCE_CLASSES, _HEADLESS_MFA_ENTRANCE_CLASSES)
        ):
            return _HEADLESS_ENTRANCE
        if issubclass(
            view_class, _classes(_HEADLESS_KEPT_OUT_CLASSES, _HEADLESS_MFA_KEPT_OUT_CLASSES)
        ):
            return _HEADLESS_KEPT_OUT
        return None
    if _is_entrance(view_func):
        return _ENTRANCE
    if _is_kept_out(view_func):
        return _KEPT_OUT
    return None


def _is_entrance(view_func: Callable[..., Any]) -> bool:
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, _classes(_ENTRANCE_CLASSES, _MFA_ENTRANCE_CLASSES)) or (
            view_class.__module__.startswith(_PROVIDERS_PACKAGE)
        )
    module = getattr(view_func, "__module__", None) or ""
    name = f"{module}.{getattr(view_func, '__qualname__', '')}"
    return name in _ENTRANCE_FUNCTIONS or module.startswith(_PROVIDERS_PACKAGE)


def _is_kept_out(view_func: Callable[..., Any]) -> bool:
    view_class = getattr(view_func, "view_class", None)
    if view_class is None:
        return False
    if view_class.__module__.startswith(_MFA_PACKAGE):
        return not _is_entrance(view_func)
    return issubclass(view_class, _classes(_KEPT_OUT_CLASSES, ()))


# allauth's optional apps: importing their views (or models) without the app in
# INSTALLED_APPS raises ImproperlyConfigured, so their classes are not looked at.
_OPTIONAL_APPS = ("allauth.socialaccount", "allauth.mfa", "allauth.headless")


@cache
def _classes(paths: tuple[str, ...], mfa_paths: tuple[str, ...]) -> tuple[type, ...]:
    classes = []
    for path in paths + mfa_paths:
        if not _installed_part(path):
            continue
        with contextlib.suppress(ImportError):  # not in every allauth version
            classes.append(import_string(path))
    return tuple(classes)


def _installed_part(path: str) -> bool:
    """Whether the dotted ``path`` is in allauth's core or in an installed optional app
    (headless's views of socialaccount and mfa need those apps too)."""
    needed = [app for app in _OPTIONAL_APPS if path.startswith(f"{app}.")]
    for app in ("allauth.socialaccount", "allauth.mfa"):
        if path.startswith(f"allauth.headless.{app.split('.')[1]}."):
            needed.append(app)
    return all(apps.is_installed(app) for app in needed)
