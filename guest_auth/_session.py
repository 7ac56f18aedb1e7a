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
from django.db.models import DEFERRED
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from . import _state as state
from .conf import guest_settings
from .models import Guest

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "GUEST_SESSION_KEY",
    "SEEN_SESSION_KEY",
    "aclaim",
    "ais_guest",
    "arecord_activity",
    "claim",
    "demote",
    "forget_guest",
    "is_guest",
    "known_guest",
    "log_in",
    "login_backend",
    "record_activity",
    "refuse_staff_guest",
    "remember_guest",
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


def is_guest(user: Any) -> bool:
    """Whether ``user`` is a logged-in guest.

    Answered from the session by GuestMiddleware (no query); otherwise one
    query. The answer is kept as the user's cached ``user.guest`` relation
    (None for "not a guest"), which Django's ``refresh_from_db()`` clears:
    it cannot go stale across a refresh.
    """
    if user is None or not user.is_authenticated:
        return False
    known = known_guest(user)
    if known is None:
        known = remember_guest(user, _guests().filter(pk=user.pk).first())
    return known


def _guests() -> Any:
    # A guest created or promoted moments ago: only the write database knows.
    return Guest.objects.db_manager(router.db_for_write(Guest))


async def ais_guest(user: Any) -> bool:
    """is_guest() for async code: the same cache, an async query when needed."""
    if user is None or not user.is_authenticated:
        return False
    known = known_guest(user)
    if known is None:
        known = remember_guest(user, await _guests().filter(pk=user.pk).afirst())
    return known


def _relation() -> Any:
    # The reverse one-to-one user.guest: its cached value is the answer.
    return Guest._meta.get_field("user").remote_field


def known_guest(user: Any) -> bool | None:
    """is_guest() as far as ``user`` knows it without a query: True, False or None (unknown)."""
    if not hasattr(user, "_state"):
        return None
    relation = _relation()
    if not relation.is_cached(user):
        return None
    return relation.get_cached_value(user) is not None


def remember_guest(user: Any, guest: Any) -> bool:
    """Keep the answer of is_guest() on ``user``: its Guest row (or True, when
    only the session marker says so) or None/False for "not a guest".

    For True, ``user.guest`` is a Guest instance whose fields load on first
    access (one query then, as an unloaded relation costs).
    """
    if guest is True:
        if known_guest(user):
            return True  # keep the Guest row already there, loaded maybe
        guest = _unloaded_guest(user)
    elif guest is False:
        guest = None
    if hasattr(user, "_state"):
        _relation().set_cached_value(user, guest)
    return guest is not None


def forget_guest(user: Any) -> None:
    """Drop the cached answer of is_guest() (the next one asks the database)."""
    if hasattr(user, "_state") and _relation().is_cached(user):
        _relation().delete_cached_value(user)


def _unloaded_guest(user: Any) -> Guest:
    db = user._state.db or router.db_for_read(Guest)
    if pre_init.has_listeners(Guest) or post_init.has_listeners(Guest):
        names = [field.attname for field in Guest._meta.concrete_fields]
        values = [user.pk if name == "user_id" else DEFERRED for name in names]
        guest = Guest.from_db(db, names, values)
    else:
        # What from_db() makes of it (every field but the key deferred),
        # without Model.__init__: every returning guest's request makes one.
        guest = Guest.__new__(Guest)
        guest.__dict__["user_id"] = user.pk
        guest._state = ModelState()
        guest._state.adding = False
        guest._state.db = db
    Guest.user.field.set_cached_value(guest, user)
    return guest


def log_in(request: HttpRequest, user: Any) -> None:
    """Log the guest ``user`` into ``request``: Django's login(), then guest_auth's marks."""
    remember_guest(user, True)
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
    if known_guest(user):
        state.of(request).guest = user


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
    request_state = state.peek(request)
    user = request_state.guest if request_state is not None else None
    if user is None or not known_guest(user):
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
    if not known_guest(user) or not _activity_due(request):
        return user
    if Guest.objects.filter(pk=user.pk).update(last_seen_at=timezone.now()):
        request.session[SEEN_SESSION_KEY] = time.time()
        return user
    return _unclaimed(request, user, _users(user).filter(pk=user.pk).exists())


async def aclaim(request: HttpRequest, user: Any) -> Any:
    """claim() for async code."""
    if not known_guest(user) or not _activity_due(request):
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
        remember_guest(user, False)  # promoted by another session: a regular user now
        return user
    # Purged or merged: as Django treats a session whose user was deleted,
    # and with nothing left in the session that names it.
    for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY):
        session.pop(key, None)
    anonymous = AnonymousUser()
    state.of(request).guest = None
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
