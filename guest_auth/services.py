"""The operations on guests. Middleware, decorators, views, the command and the
admin are thin layers over these functions, so each rule lives here once.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    SESSION_KEY,
    login,
    update_session_auth_hash,
)
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ._durations import to_timedelta
from ._purge import Purge, PurgeProgress
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import AlreadyAuthenticated, GuestCreationDenied, NotAGuest
from .models import Guest
from .signals import guest_created, guest_promoted, guests_purged

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["create_guest", "is_guest", "promote_guest", "purge_guests"]

# Session keys. GUEST_SESSION_KEY holds the session user's id while that user
# is a guest, so is_guest() is answered without a query on every request.
GUEST_SESSION_KEY = "_guest_auth_guest"
# Unix time of the last write of Guest.last_seen_at from this session.
SEEN_SESSION_KEY = "_guest_auth_seen"

# Cached answer of is_guest() on a user instance.
_FLAG = "_guest_auth_is_guest"
# The guest a request resolved to, for the middleware's activity tracking.
_REQUEST_GUEST = "_guest_auth_request_guest"

# A request that lost the creation race may join the winner's guest only this
# soon after it was created: the losing request loaded the same session before
# the winner's login rotated (and deleted) it, so it arrives within moments.
_RACE_WINDOW = timedelta(seconds=30)


def is_guest(user: Any) -> bool:
    """Whether ``user`` is a logged-in guest.

    Answered from the session by GuestMiddleware (no query); otherwise one
    query, whose result is cached on the user instance.
    """
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, _FLAG, None)
    if cached is None:
        cached = Guest.objects.filter(pk=user.pk).exists()
        setattr(user, _FLAG, cached)
    return cached


async def _ais_guest(user: Any) -> bool:
    """is_guest() for async code: the same cache, an async query when needed."""
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, _FLAG, None)
    if cached is None:
        cached = await Guest.objects.filter(pk=user.pk).aexists()
        setattr(user, _FLAG, cached)
    return cached


def create_guest(request: HttpRequest) -> Any:
    """Create a guest user for this anonymous request and log it in.

    Raises AlreadyAuthenticated when the request has a logged-in user, and
    GuestCreationDenied when the adapter refuses (bots, GUEST_AUTH_ENABLED off).
    Session data of the anonymous visitor is kept. When two requests of one
    session race, both end up logged in as the same guest.
    """
    current = getattr(request, "user", None)
    if current is not None and current.is_authenticated:
        raise AlreadyAuthenticated("create_guest() needs a request without a logged-in user.")
    adapter = get_adapter()
    if not adapter.allow_guest_creation(request):
        raise GuestCreationDenied("No guest may be created for this request.")

    session_hash = _session_hash(request)
    now = timezone.now()
    try:
        user = _insert_guest(adapter, request, now, session_hash)
        created = True
    except IntegrityError:
        user = _racing_guest(session_hash, now)
        created = user is None
        if created:
            # Nothing to join (no race after all, or too late to trust it): a
            # guest of its own; a second failure is a real error.
            user = _insert_guest(adapter, request, now, None)

    setattr(user, _FLAG, True)
    login(request, user, backend=_login_backend())
    request.session[SEEN_SESSION_KEY] = time.time()
    _set_request_user(request, user)
    if created:
        guest_created.send(sender=Guest, request=request, user=user)
    return user


def promote_guest(request: HttpRequest | None, user: Any, *, method: str | None = None,
                  **fields: Any) -> Any:
    """Turn the guest ``user`` into a regular user in place and return it.

    ``fields`` are model field values to set (``username``, ``email``...);
    ``password`` is the raw password, hashed here. Callers validate first (the
    promote form does). Everything happens in one transaction: the Guest row
    goes, the user keeps its primary key and every related row. When
    ``request`` is the guest's own, it stays logged in under a rotated session
    key; the guest's other sessions are signed out. Raises NotAGuest when the
    user is no longer a guest (promoted or purged meanwhile).
    """
    password = fields.pop("password", None)
    model_fields = {f.name: f for f in user._meta.concrete_fields}
    unknown = sorted(set(fields) - set(model_fields))
    if unknown:
        raise TypeError(f"promote_guest() got fields the user model does not have: {unknown}")
    if method is None and password is not None:
        method = "password"

    with transaction.atomic():
        deleted, _ = Guest.objects.filter(pk=user.pk).delete()
        if not deleted:
            raise NotAGuest(f"User {user.pk} is not a guest.")
        for name, value in fields.items():
            setattr(user, name, value)
        if password is None:
            # A fresh unusable password still changes the session auth hash,
            # which signs the guest out everywhere but here.
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=[*fields, "password"])
        setattr(user, _FLAG, False)
        guest_promoted.send(sender=Guest, request=request, user=user, method=method)

    if request is not None and hasattr(request, "session"):
        request.session.pop(GUEST_SESSION_KEY, None)
        request.session.pop(SEEN_SESSION_KEY, None)
        if request.session.get(SESSION_KEY) == _session_user_id(user):
            _set_request_user(request, user)
            update_session_auth_hash(request, user)
    return user


def purge_guests(older_than: Any = None, batch_size: int | None = None, dry_run: bool = False,
                 *, guests: QuerySet[Guest] | None = None, limit: int | None = None,
                 time_limit: Any = None,
                 progress: Callable[[PurgeProgress], object] | None = None) -> int:
    """Delete guests inactive for longer than ``older_than`` and return how many.

    ``older_than`` is a timedelta, seconds or text such as ``"30d"`` (default
    GUEST_AUTH_MAX_INACTIVITY). Guests are deleted ``batch_size`` at a time,
    one transaction per batch, with their users and everything that cascades
    from them under Django's on_delete rules; a guest owning a row that
    PROTECTs or RESTRICTs its deletion is skipped. ``guests`` narrows the
    candidates (the admin action passes the selection). With ``dry_run``
    nothing is deleted and the count is of the guests that would be.

    ``limit`` caps how many guests this run deletes and ``time_limit`` (a
    duration, like ``older_than``) stops it from starting a batch once that
    much time has passed, so a large backlog can be drained in slices.
    ``progress`` is called with a PurgeProgress after every batch and once at
    the end. Raises ValueError for a non-positive duration, size or limit.
    """
    window = guest_settings.MAX_INACTIVITY if older_than is None else to_timedelta(older_than)
    if batch_size is None:
        batch_size = guest_settings.PURGE_BATCH_SIZE
    _check_positive_int("batch_size", batch_size)
    if limit is not None:
        _check_positive_int("limit", limit)
    seconds = None
    if time_limit is not None:
        try:
            seconds = to_timedelta(time_limit).total_seconds()
        except ValueError as exc:
            raise ValueError(f"time_limit: {exc}") from None

    purge = Purge(
        cutoff=timezone.now() - window, batch_size=batch_size, dry_run=dry_run,
        guests=guests, limit=limit, time_limit=seconds, progress=progress,
    )
    try:
        purge.run()
    finally:
        # Once per run, also when an error stops it: the batches committed
        # before the error are gone for good.
        if purge.deleted and not dry_run:
            guests_purged.send(sender=Guest, count=purge.deleted)
    return purge.deleted


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}.")


# Helpers for the thin layers (middleware, decorators, mixins, views).

def _ensure_guest(request: HttpRequest) -> None:
    """Log a guest in unless the request has a user or may not get a guest."""
    if request.user.is_authenticated:
        return
    with contextlib.suppress(GuestCreationDenied):
        create_guest(request)


async def _aensure_guest(request: HttpRequest) -> None:
    auser = getattr(request, "auser", None)
    user = await auser() if auser is not None else request.user
    if not user.is_authenticated:
        await sync_to_async(_ensure_guest)(request)


def _remember_login(request: HttpRequest | None, user: Any) -> None:
    """Record in the session whether the user who just logged in is a guest.

    Connected to user_logged_in, so every login path (create_guest, a device
    credential, the test client's force_login) keeps the session marker right.
    """
    if request is None or not hasattr(request, "session"):
        return
    if is_guest(user):
        request.session[GUEST_SESSION_KEY] = _session_user_id(user)
        setattr(request, _REQUEST_GUEST, user)
    else:
        request.session.pop(GUEST_SESSION_KEY, None)
        request.session.pop(SEEN_SESSION_KEY, None)


def _annotate(user: Any, session_user_id: Any, marker: Any) -> Any:
    """Cache is_guest() on a user loaded from the session, from the session marker."""
    if (
        user.is_authenticated
        and getattr(user, _FLAG, None) is None
        and session_user_id is not None
        and session_user_id == _session_user_id(user)
    ):
        setattr(user, _FLAG, marker == session_user_id)
    return user


def _request_guest(request: HttpRequest) -> Any:
    """The guest this request resolved to and still is logged in as, or None."""
    user = getattr(request, _REQUEST_GUEST, None)
    if user is None or not getattr(user, _FLAG, False):
        return None
    return user


def _activity_due(request: HttpRequest) -> bool:
    seen = request.session.get(SEEN_SESSION_KEY)
    interval = guest_settings.ACTIVITY_INTERVAL.total_seconds()
    return not isinstance(seen, (int, float)) or time.time() - seen >= interval


def _record_activity(request: HttpRequest, user: Any) -> None:
    """Write last_seen_at, at most once per session per GUEST_AUTH_ACTIVITY_INTERVAL."""
    if _activity_due(request):
        Guest.objects.filter(pk=user.pk).update(last_seen_at=timezone.now())
        request.session[SEEN_SESSION_KEY] = time.time()


async def _arecord_activity(request: HttpRequest, user: Any) -> None:
    if _activity_due(request):
        await Guest.objects.filter(pk=user.pk).aupdate(last_seen_at=timezone.now())
        request.session[SEEN_SESSION_KEY] = time.time()


def _session_user_id(user: Any) -> str:
    # The same string django.contrib.auth.login() stores under SESSION_KEY.
    return user._meta.pk.value_to_string(user)


def _session_hash(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    # Loading the session first means session_key is only set when the client
    # presented a session the store knows, never an arbitrary cookie value.
    session.get(BACKEND_SESSION_KEY)
    key = session.session_key
    return hashlib.sha256(key.encode()).hexdigest() if key else None


def _insert_guest(adapter: Any, request: HttpRequest, now: Any, session_hash: str | None) -> Any:
    with transaction.atomic():
        user = adapter.new_guest_user(request)
        user.save()
        Guest.objects.create(user=user, created_at=now, last_seen_at=now, session_hash=session_hash)
    return user


def _racing_guest(session_hash: str | None, now: Any) -> Any:
    if session_hash is None:
        return None
    guest = (
        Guest.objects.select_related("user")
        .filter(session_hash=session_hash, created_at__gte=now - _RACE_WINDOW)
        .first()
    )
    return guest.user if guest is not None else None


def _login_backend() -> str:
    backends = settings.AUTHENTICATION_BACKENDS
    model_backend = "django.contrib.auth.backends.ModelBackend"
    return model_backend if model_backend in backends else backends[0]


def _set_request_user(request: HttpRequest, user: Any) -> None:
    """Make request.user and request.auser() both return ``user`` from now on."""
    request.user = user
    if hasattr(request, "auser"):
        async def auser() -> Any:
            return user

        request.auser = auser
    if getattr(user, _FLAG, False):
        setattr(request, _REQUEST_GUEST, user)
