"""Who may see a view: the helpers behind allow_guest, regular_user_required,
their mixins and the middleware's redirects, sync and async sharing one core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ._create import create_guest
from .adapter import get_adapter
from .exceptions import GuestCreationDenied, RateLimited, RateLimitUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

__all__ = [
    "aensure_guest",
    "ensure_guest",
    "refuse_non_regular",
    "to_promotion",
    "unavailable_response",
]


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
    """Send a guest to the promote page, to come back here once promoted.

    A site without guest_auth's page (guest_auth.W006) sends guests to
    allauth's signup page, or refuses them (403) when it has none either.
    """
    for name in ("guest_auth:promote", "account_signup"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        return redirect_to_login(request.get_full_path(), url)
    raise PermissionDenied("Only regular users may open this page.")
