"""View decorators: allow_guest and regular_user_required (sync and async views)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest

from ._access import OPT_IN, aensure_guest, ensure_guest, refuse_non_regular
from ._session import ais_guest, is_guest

__all__ = ["allow_guest", "guests_allowed", "regular_user_required"]

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def allow_guest(view_func: ViewFunc) -> ViewFunc:
    """Give an anonymous visitor a guest user, logged in, before the view runs.

    Bots (GUEST_AUTH_BLOCKED_USER_AGENTS) and requests the adapter refuses get
    no guest; the view then runs for an anonymous user. A client over a rate
    limit gets the adapter's 429 response instead of the view. The view is
    marked ``login_not_required``: Django's LoginRequiredMiddleware lets
    anonymous visitors reach it, to become guests. It opts in to guests
    (GUEST_AUTH_GUEST_ACCESS = "opt-in").
    """
    if iscoroutinefunction(view_func):

        @wraps(view_func)
        async def _async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            refusal = await aensure_guest(request)
            if refusal is not None:
                return refusal
            return await view_func(request, *args, **kwargs)

        setattr(_async_view, OPT_IN, True)
        return login_not_required(_async_view)  # type: ignore[return-value]

    @wraps(view_func)
    def _view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refusal = ensure_guest(request)
        if refusal is not None:
            return refusal
        return view_func(request, *args, **kwargs)

    setattr(_view, OPT_IN, True)
    return login_not_required(_view)  # type: ignore[return-value]


def guests_allowed(view_func: ViewFunc) -> ViewFunc:
    """Let guests reach this view as guests with GUEST_AUTH_GUEST_ACCESS = "opt-in",
    without creating one (allow_guest does both). Nothing else changes: the
    view is returned as it is, marked. For a class-based view, set the class
    attribute ``guest_auth_opt_in = True`` instead."""
    setattr(view_func, OPT_IN, True)
    return view_func


def regular_user_required(view_func: ViewFunc) -> ViewFunc:
    """Let only regular users in: guests go to the promote page, anonymous
    visitors to LOGIN_URL, both with ``next`` pointing back here."""
    if iscoroutinefunction(view_func):

        @wraps(view_func)
        async def _async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = await request.auser()
            refusal = refuse_non_regular(request, user, await ais_guest(user))
            if refusal is not None:
                return refusal
            return await view_func(request, *args, **kwargs)

        setattr(_async_view, OPT_IN, True)  # it sends guests to promotion itself
        return _async_view  # type: ignore[return-value]

    @wraps(view_func)
    def _view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        refusal = refuse_non_regular(request, user, is_guest(user))
        if refusal is not None:
            return refusal
        return view_func(request, *args, **kwargs)

    setattr(_view, OPT_IN, True)  # it sends guests to promotion itself
    return _view  # type: ignore[return-value]
