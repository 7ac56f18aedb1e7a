"""GuestMiddleware: knows guests from the session and tracks their activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache, partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from . import _state as state
from ._access import ahide_guest, hide_guest, to_promotion
from ._gate import SESSION, admit, hides_guest
from ._integrations import view_hooks
from ._login import finish_request, has_leftovers, watch_unwatched
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
    merge the guest (_login.watch_session), keeps guests out of Django's
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
        # The integrations' view hooks (guest_auth._integrations), registered
        # by AppConfig.ready() before any middleware is made.
        self._view_hooks = view_hooks()

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        _before_view(request)
        response = self.get_response(request)
        if state.peek(request) is None:
            return response  # no guest resolved, no login or logout: nothing to finish
        if has_leftovers(request):
            finish_request(request)
        guest = request_guest(request)
        if guest is not None:
            record_activity(request, guest)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        _before_view(request)
        response = await self.get_response(request)
        if state.peek(request) is None:
            return response
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

        The integrations' view hooks first (django-allauth's entrance pages).
        """
        # Every request of every view comes here: the common case (no hook,
        # not a password page, no opt-in access) costs three cheap tests.
        if self._view_hooks:
            for hook in self._view_hooks:
                if hook.concerns(view_func):
                    return hook.before_view(request, view_func)
        if _guests_kept_out(view_func):
            return to_promotion(request) if is_guest(request.user) else None
        if hides_guest(view_func):
            hide_guest(request)
        return None

    async def _aprocess_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        for hook in self._view_hooks:
            if hook.concerns(view_func):
                # The hooks are sync: a thread only for them, not every request.
                return await sync_to_async(hook.before_view)(request, view_func)
        if _guests_kept_out(view_func):
            return to_promotion(request) if await ais_guest(await request.auser()) else None
        if hides_guest(view_func):
            await ahide_guest(request)
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
    try:
        return _keeps_guests_out(view_func)
    except TypeError:  # a view that cannot be hashed
        return _keeps_guests_out.__wrapped__(view_func)


# Asked on every request of every view, answered once per view: a view
# function's class does not change (and getattr() of a missing attribute
# costs a caught exception).
@lru_cache(maxsize=1024)
def _keeps_guests_out(view_func: Any) -> bool:
    view_class = getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, _PASSWORD_VIEWS)


def _before_view(request: HttpRequest) -> None:
    """What every request goes through first: its user through the gate as it
    loads, its session watched for a login that replaces a guest's."""
    try:
        user = request.user
    except AttributeError:
        raise ImproperlyConfigured(_MISSING_AUTH) from None
    # Even on a request that sent no session cookie: code that swaps in another
    # session and loads Django's lazy user again (allauth's headless app views,
    # with a session token) must still meet the gate.
    _wrap_user(request, user)
    session = getattr(request, "session", None)
    # A session with no key (no session cookie) holds no guest's marker until
    # on_login writes one, and on_login watches it then.
    if session is not None and session.session_key is not None:
        watch_unwatched(request, session)


def _wrap_user(request: HttpRequest, user: Any) -> None:
    # This runs on most requests, and most never look at the user: no
    # closures, and no second lazy object when it can be avoided.
    # The lazy object's own __dict__: LazyObject's __getattribute__ is Python
    # code, which user.__dict__ would run.
    lazy: dict[str, Any] = (
        object.__getattribute__(user, "__dict__") if type(user) is SimpleLazyObject else {}
    )
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
