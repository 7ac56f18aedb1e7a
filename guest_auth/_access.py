"""Who may see a view: the helpers behind allow_guest, regular_user_required,
their mixins and the middleware's redirects, sync and async sharing one core.

With ``GUEST_AUTH_GUEST_ACCESS = "opt-in"`` guests are guests only on the
views that opt in: those carry OPT_IN (allow_guest and regular_user_required
set it on the view function, AllowGuestMixin, RegularUserRequiredMixin, the
promote view and the guest API on the class; django-allauth's entrance pages
are known to guest_auth.contrib.allauth). GuestMiddleware.process_view hides
the guest on every other view: it sees an anonymous visitor, so
login_required, LoginRequiredMiddleware and DRF's IsAuthenticated turn it
away like one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from ._create import create_guest
from ._session import GUEST_SESSION_KEY, set_request_user
from ._signup import signup_url
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import GuestCreationDenied, RateLimited, RateLimitUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

__all__ = [
    "OPT_IN",
    "aensure_guest",
    "ahide_guest",
    "ensure_guest",
    "hide_guest",
    "opt_in_only",
    "opts_in",
    "refuse_non_regular",
    "to_promotion",
    "unavailable_response",
]

#: Set to True on a view function or class: guests reach it as guests even
#: with GUEST_AUTH_GUEST_ACCESS = "opt-in". functools.wraps carries it through
#: other decorators.
OPT_IN = "guest_auth_opt_in"


def ensure_guest(request: HttpRequest) -> HttpResponseBase | None:
    """Log a guest in unless the request has a user or may not get a guest.

    Returns the response to send instead of running the view (429 when rate
    limited, 503 when the rate-limit cache failed and
    GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR is "refuse"), or None to run the
    view, as a guest or still anonymous.
    """
    if request.user.is_authenticated:
        return None
    try:
        create_guest(request)
    except RateLimited as exc:
        return get_adapter().rate_limited_response(request, exc)
    except RateLimitUnavailable as exc:
        return unavailable_response(exc)
    except GuestCreationDenied:
        pass
    return None


def unavailable_response(exc: RateLimitUnavailable) -> HttpResponse:
    """503 with Retry-After: guests cannot be counted, so none is created."""
    response = HttpResponse(
        _("Please try again in a moment."), status=503, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


async def aensure_guest(request: HttpRequest) -> HttpResponseBase | None:
    auser = getattr(request, "auser", None)
    user = await auser() if auser is not None else request.user
    if user.is_authenticated:
        return None
    return await sync_to_async(ensure_guest)(request)


def refuse_non_regular(request: HttpRequest, user: Any, guest: bool) -> HttpResponseBase | None:
    """The redirect for a user who is not regular, or None to let it in.

    Anonymous visitors go to LOGIN_URL, guests to the promote page, both with
    ``next`` pointing back here.
    """
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if guest:
        return to_promotion(request)
    return None


def to_promotion(request: HttpRequest) -> HttpResponseBase:
    """Send a guest to the signup page (guest_auth's or allauth's), to come back here.

    A site with neither (guest_auth.W006 without allauth) refuses them: 403.
    """
    try:
        url = signup_url()
    except NoReverseMatch:
        raise PermissionDenied("Only regular users may open this page.") from None
    return redirect_to_login(request.get_full_path(), url)


def opt_in_only() -> bool:
    """Whether GUEST_AUTH_GUEST_ACCESS is "opt-in"."""
    return bool(guest_settings.GUEST_ACCESS == "opt-in")


def opts_in(view_func: Any) -> bool:
    """Whether the view (a function, or a class-based view's function) opts in to guests."""
    if getattr(view_func, OPT_IN, False):
        return True
    view_class = getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and bool(getattr(view_class, OPT_IN, False))


def hide_guest(request: HttpRequest) -> None:
    """If the session's user is a guest, make the request anonymous from here on.

    Read from the session marker: no query, and the user is not loaded. The
    session stays the guest's, so a login from here still merges the guest.
    """
    session = getattr(request, "session", None)
    if session is not None and _marked(session.get(GUEST_SESSION_KEY), session.get(SESSION_KEY)):
        set_request_user(request, AnonymousUser())


async def ahide_guest(request: HttpRequest) -> None:
    session = getattr(request, "session", None)
    if session is not None and _marked(
        await session.aget(GUEST_SESSION_KEY), await session.aget(SESSION_KEY)
    ):
        set_request_user(request, AnonymousUser())


def _marked(marker: Any, user_id: Any) -> bool:
    return marker is not None and marker == user_id
