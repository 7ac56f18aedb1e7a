"""The session marker: who is a guest, answered without a query, and their activity.

A guest's session holds its user id under GUEST_SESSION_KEY, so is_guest() is
answered from the session on every request. Guests never act as staff. The
middleware records a guest's activity at most once per
GUEST_AUTH_ACTIVITY_INTERVAL, before the view acts as the guest (``claim``).
``log_in`` is the one way guest_auth logs a
guest into a request (creation, a device credential).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, login
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import router
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from .conf import guest_settings
from .models import Guest

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "FLAG",
    "GUEST_SESSION_KEY",
    "REQUEST_GUEST",
    "SEEN_SESSION_KEY",
    "aclaim",
    "ais_guest",
    "annotate",
    "arecord_activity",
    "claim",
    "demote",
    "is_guest",
    "log_in",
    "login_backend",
    "record_activity",
    "refuse_staff_guest",
    "request_guest",
    "session_user_id",
    "set_request_user",
    "unwrap",
]

# Session keys. GUEST_SESSION_KEY holds the session user's id while that user
# is a guest, so is_guest() is answered without a query on every request.
GUEST_SESSION_KEY = "_guest_auth_guest"
# Unix time of the last write of Guest.last_seen_at from this session.
SEEN_SESSION_KEY = "_guest_auth_seen"

# Cached answer of is_guest() on a user instance.
FLAG = "_guest_auth_is_guest"
# The guest a request resolved to, for the middleware's activity tracking.
REQUEST_GUEST = "_guest_auth_request_guest"


def is_guest(user: Any) -> bool:
    """Whether ``user`` is a logged-in guest.

    Answered from the session by GuestMiddleware (no query); otherwise one
    query, whose result is cached on the user instance.
    """
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, FLAG, None)
    if cached is None:
        cached = _guests().filter(pk=user.pk).exists()
        setattr(user, FLAG, cached)
    return cached


def _guests() -> Any:
    # A guest created or promoted moments ago: only the write database knows.
    return Guest.objects.db_manager(router.db_for_write(Guest))


async def ais_guest(user: Any) -> bool:
    """is_guest() for async code: the same cache, an async query when needed."""
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, FLAG, None)
    if cached is None:
        cached = await _guests().filter(pk=user.pk).aexists()
        setattr(user, FLAG, cached)
    return cached


def log_in(request: HttpRequest, user: Any) -> None:
    """Log the guest ``user`` into ``request``: Django's login(), then guest_auth's marks."""
    setattr(user, FLAG, True)
    demote(user)
    login(request, user, backend=login_backend())
    request.session[SEEN_SESSION_KEY] = time.time()
    set_request_user(request, user)


def login_backend() -> str:
    backends = settings.AUTHENTICATION_BACKENDS
    model_backend = "django.contrib.auth.backends.ModelBackend"
    return model_backend if model_backend in backends else backends[0]


def set_request_user(request: HttpRequest, user: Any) -> None:
    """Make request.user and request.auser() both return ``user`` from now on."""
    request.user = user
    if hasattr(request, "auser"):

        async def auser() -> Any:
            return user

        request.auser = auser
    if getattr(user, FLAG, False):
        setattr(request, REQUEST_GUEST, user)


def session_user_id(user: Any) -> str:
    # The same string django.contrib.auth.login() stores under SESSION_KEY.
    return user._meta.pk.value_to_string(user)


def unwrap(user: Any) -> Any:
    """The real user behind a lazy ``request.user`` (loaded if it was not yet)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def annotate(user: Any, stored_id: Any, marker: Any) -> Any:
    """Cache is_guest() on a user loaded from the session, from the session marker.

    ``stored_id`` is the session's SESSION_KEY value, ``marker`` its
    GUEST_SESSION_KEY value.
    """
    if (
        user.is_authenticated
        and getattr(user, FLAG, None) is None
        and stored_id is not None
        and stored_id == session_user_id(user)
    ):
        setattr(user, FLAG, marker == stored_id)
        if marker == stored_id:
            demote(user)
    return user


def demote(user: Any) -> None:
    """Guests never act as staff or superusers, whatever their row says."""
    for name in ("is_staff", "is_superuser"):
        if getattr(user, name, False):
            setattr(user, name, False)


def refuse_staff_guest(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user model: a guest may not be saved as staff or superuser."""
    if instance.pk is None or not (
        getattr(instance, "is_staff", False) or getattr(instance, "is_superuser", False)
    ):
        return
    if _guests().filter(pk=instance.pk).exists():
        raise PermissionDenied(
            "Guests cannot be staff or superusers: promote the guest to a regular user first."
        )


def request_guest(request: HttpRequest) -> Any:
    """The guest this request resolved to and still is logged in as, or None."""
    user = getattr(request, REQUEST_GUEST, None)
    if user is None or not getattr(user, FLAG, False):
        return None
    return user


def claim(request: HttpRequest, user: Any) -> Any:
    """The user a request whose session resolved to ``user`` goes on as.

    Called as the user is resolved, before the view can act as it. When
    ``user`` is a guest whose activity this session last wrote more than
    GUEST_AUTH_ACTIVITY_INTERVAL ago (or never), it is written now, before
    the view runs: the guest is claimed. The UPDATE either lands before a
    purge batch locks the guest (the batch, re-checking inactivity under its
    lock, leaves it out) or waits for that batch to commit and finds no row.
    Then the guest is gone: promoted elsewhere (the user is kept, as a
    regular user), or purged or merged (the session's login is dropped and
    the request goes on as a visitor without a user: AnonymousUser).
    Otherwise no query: ``user`` is returned as it is.
    """
    if not getattr(user, FLAG, False) or not _activity_due(request):
        return user
    if Guest.objects.filter(pk=user.pk).update(last_seen_at=timezone.now()):
        request.session[SEEN_SESSION_KEY] = time.time()
        return user
    return _unclaimed(request, user, _users(user).filter(pk=user.pk).exists())


async def aclaim(request: HttpRequest, user: Any) -> Any:
    """claim() for async code."""
    if not getattr(user, FLAG, False) or not _activity_due(request):
        return user
    if await Guest.objects.filter(pk=user.pk).aupdate(last_seen_at=timezone.now()):
        request.session[SEEN_SESSION_KEY] = time.time()
        return user
    return _unclaimed(request, user, await _users(user).filter(pk=user.pk).aexists())


def _users(user: Any) -> Any:
    model = type(user)
    return model._base_manager.db_manager(router.db_for_write(model))


def _unclaimed(request: HttpRequest, user: Any, exists: bool) -> Any:
    session = request.session
    session.pop(GUEST_SESSION_KEY, None)
    session.pop(SEEN_SESSION_KEY, None)
    if exists:
        setattr(user, FLAG, False)  # promoted by another session: a regular user now
        return user
    # Purged or merged: as Django treats a session whose user was deleted,
    # and with nothing left in the session that names it.
    for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY):
        session.pop(key, None)
    anonymous = AnonymousUser()
    set_request_user(request, anonymous)
    return anonymous


def _activity_due(request: HttpRequest) -> bool:
    seen = request.session.get(SEEN_SESSION_KEY)
    interval = guest_settings.ACTIVITY_INTERVAL.total_seconds()
    return not isinstance(seen, (int, float)) or time.time() - seen >= interval


def record_activity(request: HttpRequest, user: Any) -> None:
    """Write last_seen_at, at most once per session per GUEST_AUTH_ACTIVITY_INTERVAL.

    After the view, for a guest the request logged in without claiming it
    (claim() has written it for the others).
    """
    if _activity_due(request):
        Guest.objects.filter(pk=user.pk).update(last_seen_at=timezone.now())
        request.session[SEEN_SESSION_KEY] = time.time()


async def arecord_activity(request: HttpRequest, user: Any) -> None:
    if _activity_due(request):
        await Guest.objects.filter(pk=user.pk).aupdate(last_seen_at=timezone.now())
        request.session[SEEN_SESSION_KEY] = time.time()
