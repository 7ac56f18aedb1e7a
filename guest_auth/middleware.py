"""GuestMiddleware: knows guests from the session and tracks their activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.apps import apps
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
    resolved their user. It also lets a login that replaces a guest's session
    merge the guest (services._watch_session).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        self._before_view = _integration_view_hook()

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        _wrap_user(request)
        services._watch_session(request)
        response = self.get_response(request)
        guest = services._request_guest(request)
        if guest is not None:
            services._record_activity(request, guest)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        _wrap_user(request)
        services._watch_session(request)
        response = await self.get_response(request)
        guest = services._request_guest(request)
        if guest is not None:
            await services._arecord_activity(request, guest)
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any],
                     view_args: Any, view_kwargs: Any) -> None:
        if self._before_view is not None:
            self._before_view(request, view_func)


def _integration_view_hook() -> Callable[[HttpRequest, Callable[..., Any]], None] | None:
    """guest_auth.contrib.allauth's hook when django-allauth is installed, else None.

    It lets guests through allauth's login and signup views; the import is
    here so that nothing outside guest_auth.contrib imports allauth.
    """
    if apps.is_installed("allauth.account"):
        from .contrib.allauth._entrance import hide_guest

        return hide_guest
    return None


def _wrap_user(request: HttpRequest) -> None:
    if not hasattr(request, "user"):
        raise ImproperlyConfigured(_MISSING_AUTH)
    inner_user = request.user
    request.user = SimpleLazyObject(lambda: _resolve(request, _unwrap(inner_user)))
    inner_auser: Callable[[], Awaitable[Any]] | None = getattr(request, "auser", None)
    if inner_auser is not None:

        async def auser() -> Any:
            user = await inner_auser()
            session = request.session
            return _resolved(
                request,
                services._annotate(
                    user,
                    await session.aget(SESSION_KEY),
                    await session.aget(services.GUEST_SESSION_KEY),
                ),
            )

        request.auser = auser


def _resolve(request: HttpRequest, user: Any) -> Any:
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
    # AuthenticationMiddleware's request.user is itself lazy; annotate the real
    # user object so the flag survives wherever the instance goes.
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user
