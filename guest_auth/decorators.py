"""View decorators: allow_guest and regular_user_required (sync and async views)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest

from ._access import aensure_guest, ensure_guest, refuse_non_regular
from ._session import ais_guest, is_guest

__all__ = ["allow_guest", "regular_user_required"]

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def allow_guest(view_func: ViewFunc) -> ViewFunc:
    """Give an anonymous visitor a guest user, logged in, before the view runs.

    Bots (GUEST_AUTH_BLOCKED_USER_AGENTS) and requests the adapter refuses get
    no guest; the view then runs for an anonymous user. A client over a rate
    limit gets the adapter's 429 response instead of the view. The view is
    marked ``login_not_required``: Django's LoginRequiredMiddleware lets
    anonymous visitors reach it, to become guests.
    """
    if iscoroutinefunction(view_func):

        @wraps(view_func)
        async def _async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            refusal = await aensure_guest(request)
            if refusal is not None:
                return refusal
            return await view_func(request, *args, **kwargs)

        return login_not_required(_async_view)  # type: ignore[return-value]

    @wraps(view_func)
    def _view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refusal = ensure_guest(request)
        if refusal is not None:
            return refusal
        return view_func(request, *args, **kwargs)

    return login_not_required(_view)  # type: ignore[return-value]


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

        return _async_view  # type: ignore[return-value]

    @wraps(view_func)
    def _view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        refusal = refuse_non_regular(request, user, is_guest(user))
        if refusal is not None:
            return refusal
        return view_func(request, *args, **kwargs)

    return _view  # type: ignore[return-value]
