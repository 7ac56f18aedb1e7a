"""GuestMiddleware: knows guests from the session and tracks their activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from . import _state as state
from ._access import ahide_guest, hide_guest, to_promotion
from ._gate import SESSION, admit, hides_guest
from ._login import finish_request, has_leftovers, watch_session
from ._session import (
    GUEST_SESSION_KEY,
    aclaim,
    ais_guest,
    arecord_activity,
    claim,
    is_guest,
    known_guest,
    record_activity,
    request_guest,
    session_user_id,
    unwrap,
)

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
    resolved their user, as they resolve it: before the view can act as the
    guest, so that a purge cannot take the guest from under it
    (guest_auth._session.claim). It also lets a login that replaces a guest's session
    merge the guest (services._watch_session), keeps guests out of Django's
    password change and reset pages (they go to promotion) and never lets a
    guest act as staff. With django-allauth it shows guests allauth's login
    and signup pages (guest_auth.contrib.allauth). With
    GUEST_AUTH_GUEST_ACCESS = "opt-in" it hides guests from the views that do
    not opt in (guest_auth._access): put it before LoginRequiredMiddleware.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
            # Django would run a sync process_view in a thread on every request.
            self.process_view = self._aprocess_view  # type: ignore[method-assign,assignment]
        self._allauth = _allauth_views()

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        _wrap_user(request)
        watch_session(request)
        response = self.get_response(request)
        if has_leftovers(request):
            finish_request(request)
        guest = request_guest(request)
        if guest is not None:
            record_activity(request, guest)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        _wrap_user(request)
        watch_session(request)
        response = await self.get_response(request)
        if has_leftovers(request):
            await sync_to_async(finish_request)(request)
        guest = request_guest(request)
        if guest is not None:
            await arecord_activity(request, guest)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        """Send guests from Django's password change and reset pages to promotion.

        With django-allauth, its views first: see guest_auth.contrib.allauth._views.
        """
        if self._allauth is not None and self._allauth.concerns(view_func):
            return self._allauth.before_view(request, view_func)
        if _guests_kept_out(view_func):
            return to_promotion(request) if is_guest(request.user) else None
        if hides_guest(view_func):
            hide_guest(request)
        return None

    async def _aprocess_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if self._allauth is not None and self._allauth.concerns(view_func):
            # allauth's views are sync: a thread only for them, not every request.
            return await sync_to_async(self._allauth.before_view)(request, view_func)
        if _guests_kept_out(view_func):
            return to_promotion(request) if await ais_guest(await request.auser()) else None
        if hides_guest(view_func):
            await ahide_guest(request)
        return None


def _allauth_views() -> Any:
    """guest_auth.contrib.allauth's view hooks when django-allauth is installed, else None.

    The import is here so that nothing outside guest_auth.contrib imports allauth.
    """
    if apps.is_installed("allauth.account"):
        from .contrib.allauth import _views

        return _views
    return None


# A guest has no password to change or reset: these pages lead to promotion.
# The reset-confirm pages, reached from an emailed link that proves ownership
# of another account, stay open.
_PASSWORD_VIEWS = (
    auth_views.PasswordChangeView,
    auth_views.PasswordChangeDoneView,
    auth_views.PasswordResetView,
    auth_views.PasswordResetDoneView,
)


def _guests_kept_out(view_func: Any) -> bool:
    view_class = getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, _PASSWORD_VIEWS)


def _wrap_user(request: HttpRequest) -> None:
    # This runs on every request, and most never look at the user: no
    # closures, and no second lazy object when it can be avoided.
    try:
        user = request.user
    except AttributeError:
        raise ImproperlyConfigured(_MISSING_AUTH) from None
    lazy: dict[str, Any] = user.__dict__ if type(user) is SimpleLazyObject else {}
    if lazy.get("_wrapped") is empty:
        # AuthenticationMiddleware's lazy user, not loaded yet: pass the user
        # through the gate as it loads instead of wrapping it in another lazy
        # object, which every attribute access of the view would then go through.
        lazy["_setupfunc"] = partial(_load_then_admit, request, lazy["_setupfunc"])
    else:
        request.user = SimpleLazyObject(partial(_admit_session_user, request, user))  # type: ignore[assignment]
    inner_auser: Callable[[], Awaitable[Any]] | None = getattr(request, "auser", None)
    if inner_auser is not None:
        request.auser = partial(_aadmit_session_user, request, inner_auser)


def _load_then_admit(request: HttpRequest, load: Callable[[], Any]) -> Any:
    return _admit_session_user(request, load())


def _admit_session_user(request: HttpRequest, user: Any) -> Any:
    """The session's user through the gate, the session marker saying whether it is a guest."""
    user = unwrap(user)
    if not user.is_authenticated:
        return user
    session = request.session
    return claim(
        request, _admitted(request, user, session.get(SESSION_KEY), session.get(GUEST_SESSION_KEY))
    )


async def _aadmit_session_user(
    request: HttpRequest, inner_auser: Callable[[], Awaitable[Any]]
) -> Any:
    user = await inner_auser()
    if not user.is_authenticated:
        return user
    session = request.session
    stored_id, marker = await session.aget(SESSION_KEY), await session.aget(GUEST_SESSION_KEY)
    if _marked(user, stored_id, marker) is None:
        await ais_guest(user)  # the gate must not query from async code: asked here
    return await aclaim(request, _admitted(request, user, stored_id, marker))


def _admitted(request: HttpRequest, user: Any, stored_id: Any, marker: Any) -> Any:
    """Sync and async share this; no I/O when the session marker answers.

    ``stored_id`` is the session's SESSION_KEY value, ``marker`` its
    GUEST_SESSION_KEY value. The view is not known yet: process_view applies
    the opt-in rule (hides_guest) to the session without loading the user.
    """
    admitted = admit(user, path=SESSION, guest=_marked(user, stored_id, marker))
    if admitted is None:
        return AnonymousUser()
    if known_guest(admitted):
        state.of(request).guest = admitted
    return admitted


def _marked(user: Any, stored_id: Any, marker: Any) -> bool | None:
    """Whether the session marks ``user`` as a guest; None when the user
    already knows, or the session cannot say (the user is not the session's)."""
    if known_guest(user) is not None or stored_id is None or stored_id != session_user_id(user):
        return None
    return bool(marker == stored_id)
