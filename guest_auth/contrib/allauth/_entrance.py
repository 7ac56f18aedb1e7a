"""Let guests through allauth's entrance views.

allauth sends logged-in visitors away from its login and signup pages
(``RedirectAuthenticatedUserMixin``), from the pages of a login in progress
(``login_stage_required``: enter a login code, verify a phone, MFA), and
logs them out before a social login. A guest is logged in, but has not
signed in yet: on these views GuestMiddleware calls :func:`hide_guest`, which
shows the view an anonymous visitor and keeps the guest for the adapters.
Regular users are left alone, so allauth still redirects them.

Only views that sign someone in are listed; the views of a signed-in account
(logout, email and password management, connections) see guests as they are.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import import_string

from guest_auth import services

from . import _guests

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

__all__: list[str] = []

# Views that are neither RedirectAuthenticatedUserMixin subclasses nor in a
# provider's module: function views by name, class-based views by class.
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


def hide_guest(request: HttpRequest, view_func: Callable[..., Any]) -> None:
    """GuestMiddleware.process_view hook: hide a guest from allauth's entrance views."""
    if not _is_entrance(view_func) or not integration_enabled():
        return
    # Reading request.user here costs nothing extra: these views read it anyway.
    if services.is_guest(request.user):
        _guests.hide(request, _guests.current_guest(request))


def integration_enabled() -> bool:
    """Whether ACCOUNT_ADAPTER includes GuestAccountAdapterMixin."""
    from allauth.account import app_settings

    from .adapters import GuestAccountAdapterMixin
    from .checks import _includes

    return _includes(app_settings.ADAPTER, GuestAccountAdapterMixin)


def _is_entrance(view_func: Callable[..., Any]) -> bool:
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, _entrance_classes()) or view_class.__module__.startswith(
            _PROVIDERS_PACKAGE
        )
    module = getattr(view_func, "__module__", None) or ""
    name = f"{module}.{getattr(view_func, '__qualname__', '')}"
    return name in _ENTRANCE_FUNCTIONS or module.startswith(_PROVIDERS_PACKAGE)


@cache
def _entrance_classes() -> tuple[type, ...]:
    paths = list(_ENTRANCE_CLASSES)
    if apps.is_installed("allauth.mfa"):
        paths += _MFA_ENTRANCE_CLASSES
    classes = []
    for path in paths:
        with contextlib.suppress(ImportError):  # not in every allauth version
            classes.append(import_string(path))
    return tuple(classes)
