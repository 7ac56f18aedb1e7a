"""GuestMiddleware: knows guests from the session and tracks their activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import LazyObject, SimpleLazyObject, empty

from . import services

__all__ = ["GuestMiddleware"]

_MISSING_AUTH = (
    "The guest_auth middleware requires Django's authentication middleware to be "
    "installed. Edit your MIDDLEWARE setting to insert "
    "'guest_auth.middleware.GuestMiddleware' after "
    "'django.contrib.auth.middleware.AuthenticationMiddleware'."
)


class GuestMiddleware:
    """Put it after AuthenticationMiddleware.

    It never creates guests (allow_guest does) and adds no query: whether the
    user is a guest is read from the session, and last_seen_at is written at
    most once per GUEST_AUTH_ACTIVITY_INTERVAL, only for requests that
    resolved their user.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        _wrap_user(request)
        response = self.get_response(request)
        guest = services._request_guest(request)
        if guest is not None:
            services._record_activity(request, guest)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        _wrap_user(request)
        response = await self.get_response(request)
        guest = services._request_guest(request)
        if guest is not None:
            await services._arecord_activity(request, guest)
        return response


def _wrap_user(request: HttpRequest) -> None:
    # This runs on every request, and most never look at the user: no
    # closures, and no second lazy object when it can be avoided.
    try:
        user = request.user
    except AttributeError:
        raise ImproperlyConfigured(_MISSING_AUTH) from None
    state = user.__dict__ if type(user) is SimpleLazyObject else {}
    if state.get("_wrapped", None) is empty:
        # AuthenticationMiddleware's lazy user, not loaded yet: annotate the
        # user as it loads instead of wrapping it in another lazy object,
        # which every attribute access of the view would then go through.
        state["_setupfunc"] = partial(_load, request, state["_setupfunc"])
    else:
        request.user = SimpleLazyObject(partial(_resolve, request, user))
    inner_auser: Callable[[], Awaitable[Any]] | None = getattr(request, "auser", None)
    if inner_auser is not None:
        request.auser = partial(_auser, request, inner_auser)


def _load(request: HttpRequest, setup: Callable[[], Any]) -> Any:
    return _resolve(request, setup())


async def _auser(request: HttpRequest, inner_auser: Callable[[], Awaitable[Any]]) -> Any:
    user = await inner_auser()
    if not user.is_authenticated:
        return user
    session = request.session
    return _resolved(
        request,
        services._annotate(
            user,
            await session.aget(SESSION_KEY),
            await session.aget(services.GUEST_SESSION_KEY),
        ),
    )


def _resolve(request: HttpRequest, user: Any) -> Any:
    user = _unwrap(user)
    if not user.is_authenticated:
        return user
    session = request.session
    user = services._annotate(
        user, session.get(SESSION_KEY), session.get(services.GUEST_SESSION_KEY)
    )
    return _resolved(request, user)


def _resolved(request: HttpRequest, user: Any) -> Any:
    if getattr(user, services._FLAG, False):
        setattr(request, services._REQUEST_GUEST, user)
    return user


def _unwrap(user: Any) -> Any:
    # A lazy user (set by some other middleware) is loaded, and the real user
    # object annotated, so the flag survives wherever the instance goes.
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user
