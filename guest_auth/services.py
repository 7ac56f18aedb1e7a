"""The operations on guests. Middleware, decorators, views, the command and the
admin are thin layers over these functions, so each rule lives here once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    login,
    update_session_auth_hash,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import _merge, _secrets
from ._durations import to_timedelta
from ._merge import MergeCounts, MergeSummary
from ._purge import Purge, PurgeProgress
from ._ratelimit import check_creation_rate
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import AlreadyAuthenticated, GuestCreationDenied, NotAGuest, RateLimited
from .models import APIToken, DeviceCredential, Guest
from .signals import guest_created, guest_merged, guest_promoted, guests_purged
from .stats import _record_removed

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

__all__ = [
    "MergeCounts",
    "MergeSummary",
    "create_guest",
    "is_guest",
    "merge_guest",
    "promote_guest",
    "purge_guests",
]

logger = logging.getLogger("guest_auth")

# Session keys. GUEST_SESSION_KEY holds the session user's id while that user
# is a guest, so is_guest() is answered without a query on every request.
GUEST_SESSION_KEY = "_guest_auth_guest"
# Unix time of the last write of Guest.last_seen_at from this session.
SEEN_SESSION_KEY = "_guest_auth_seen"

# Cached answer of is_guest() on a user instance.
_FLAG = "_guest_auth_is_guest"
# The guest a request resolved to, for the middleware's activity tracking.
_REQUEST_GUEST = "_guest_auth_request_guest"
# The APIToken a request authenticated with: promotion keeps that one.
_REQUEST_TOKEN = "_guest_auth_api_token"

# promote_guest(password=_PASSWORD_ALREADY_SET): the caller put a hash (or an
# unusable marker) on the instance itself, as allauth's save_user() does, and
# it is written as is instead of hashing the raw password a second time.
_PASSWORD_ALREADY_SET: Any = object()

# A request that lost the creation race may join the winner's guest only this
# soon after it was created: the losing request loaded the same session before
# the winner's login rotated (and deleted) it, so it arrives within moments.
_RACE_WINDOW = timedelta(seconds=30)

# Set on the request when login() flushes a guest's session: (guest id, the
# GUEST_AUTH_MERGE_SESSION_KEYS values), for the user_logged_in receiver.
_PENDING_MERGE = "_guest_auth_pending_merge"
# Set by user_logged_out: the flush that follows is a logout, not a login.
_LOGGING_OUT = "_guest_auth_logging_out"


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

    Raises AlreadyAuthenticated when the request has a logged-in user,
    GuestCreationDenied when the adapter refuses (bots, GUEST_AUTH_ENABLED off)
    and RateLimited (a GuestCreationDenied) when over a GUEST_AUTH_*RATE_LIMIT.
    Session data of the anonymous visitor is kept. When two requests of one
    session race, both end up logged in as the same guest.
    """
    current = getattr(request, "user", None)
    if current is not None and current.is_authenticated:
        raise AlreadyAuthenticated("create_guest() needs a request without a logged-in user.")
    adapter = get_adapter()
    if not adapter.allow_guest_creation(request):
        raise GuestCreationDenied("No guest may be created for this request.")
    check_creation_rate(request)

    session_hash = _session_hash(request)
    now = timezone.now()
    user = _insert_guest(adapter, request, now, session_hash)
    created = user is not None
    if user is None:
        # Another request of this session made its guest first: join it.
        user = _racing_guest(session_hash, now)
        if user is None:
            # Too late to trust (a stale copy of the session): a guest of its own.
            user = _insert_guest(adapter, request, now, None)
            created = True

    setattr(user, _FLAG, True)
    login(request, user, backend=_login_backend())
    request.session[SEEN_SESSION_KEY] = time.time()
    _set_request_user(request, user)
    if created:
        guest_created.send(sender=Guest, request=request, user=user)
    return user


def promote_guest(
    request: HttpRequest | None, user: Any, *, method: str | None = None, **fields: Any
) -> Any:
    """Turn the guest ``user`` into a regular user in place and return it.

    ``fields`` are model field values to set (``username``, ``email``...);
    ``password`` is the raw password, hashed here. Callers validate first (the
    promote form does). Everything happens in one transaction: the Guest row
    goes, the user keeps its primary key and every related row. When
    ``request`` is the guest's own, it stays logged in under a rotated session
    key; the guest's other sessions are signed out. Its device credentials are
    revoked and its API tokens too, except the one ``request`` authenticated
    with. Raises NotAGuest when the user is no longer a guest (promoted or
    purged meanwhile).
    """
    password = fields.pop("password", None)
    model_fields = {f.name: f for f in user._meta.concrete_fields}
    unknown = sorted(set(fields) - set(model_fields))
    if unknown:
        raise TypeError(f"promote_guest() got fields the user model does not have: {unknown}")
    if method is None and isinstance(password, str):
        method = "password"

    with transaction.atomic():
        created = (
            Guest.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("created_at", flat=True)
            .first()
        )
        if created is None:
            raise NotAGuest(f"User {user.pk} is not a guest.")
        Guest.objects.filter(pk=user.pk).delete()
        _record_removed("promoted", [created])
        # Like its other sessions, the guest's other ways in are closed: device
        # credentials (only guests have them) and API tokens of other clients.
        DeviceCredential.objects.filter(user_id=user.pk).delete()
        tokens = APIToken.objects.filter(user_id=user.pk)
        current = getattr(request, _REQUEST_TOKEN, None)
        if current is not None:
            tokens = tokens.exclude(pk=current.pk)
        tokens.delete()
        for name, value in fields.items():
            setattr(user, name, value)
        if password is _PASSWORD_ALREADY_SET:
            pass
        elif password is None:
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


def merge_guest(guest: Any, user: Any, dry_run: bool = False) -> MergeSummary:
    """Move the guest's data to ``user``, delete the guest, and say what happened.

    Rows pointing at the guest move to ``user`` unless a unique constraint or a
    one-to-one keeps the user's own (GUEST_AUTH_MERGE_POLICIES changes that per
    model); see the README. One transaction: on any error nothing has changed.
    With ``dry_run`` nothing changes and the summary is the one a real run
    would return. Returns an empty summary, changing nothing, when no merge is
    allowed: ``user`` is the guest itself, inactive, or a guest. Raises
    NotAGuest when ``guest`` is not (or no longer) a guest, and
    ProtectedError/RestrictedError when rows that stay with the guest protect it
    from deletion.
    """
    if not _may_merge(guest, user):
        return MergeSummary()
    return _merge.merge(guest, user, dry_run=dry_run)


def purge_guests(
    older_than: Any = None,
    batch_size: int | None = None,
    dry_run: bool = False,
    *,
    guests: QuerySet[Guest] | None = None,
    limit: int | None = None,
    time_limit: Any = None,
    progress: Callable[[PurgeProgress], object] | None = None,
) -> int:
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
        cutoff=timezone.now() - window,
        batch_size=batch_size,
        dry_run=dry_run,
        guests=guests,
        limit=limit,
        time_limit=seconds,
        progress=progress,
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


# API tokens and device credentials. guest_auth.contrib.rest_framework is a thin
# layer over these; they import nothing of it.


def _create_api_guest(request: HttpRequest) -> tuple[Any, str, str]:
    """create_guest() plus an API token and a device credential, all or nothing.

    Returns (user, token, credential); the secrets are not stored anywhere in
    clear, so this is the only time they exist. Raises what create_guest raises.
    """
    with transaction.atomic():
        user = create_guest(request)
        return user, _issue_api_token(user), _issue_device_credential(user)


@sensitive_variables("raw", "parts", "secret")
def _login_with_device_credential(request: HttpRequest, raw: Any) -> tuple[Any, str] | None:
    """Log in the guest whose device credential ``raw`` is; return (user, new token).

    None, whatever the reason (malformed, unknown, revoked, the guest promoted,
    inactive or past GUEST_AUTH_MAX_INACTIVITY), so callers cannot tell which.
    """
    parts = _secrets.split(raw)
    if parts is None:
        return None
    lookup, secret = parts
    credential = (
        DeviceCredential.objects.select_related("user", "user__guest").filter(lookup=lookup).first()
    )
    if credential is None or not _secrets.matches(credential.digest, secret):
        return None
    user = credential.user
    try:
        guest = user.guest
    except Guest.DoesNotExist:
        return None  # promote_guest deletes credentials; never trust that alone
    now = timezone.now()
    if guest.last_seen_at < now - guest_settings.MAX_INACTIVITY or not _can_authenticate(user):
        return None
    with transaction.atomic():
        # Zero rows when a promotion or purge deleted the guest since the read
        # above; otherwise the row lock orders this before such a deletion.
        if not Guest.objects.filter(pk=user.pk).update(last_seen_at=now):
            return None
        token = _issue_api_token(user)
    setattr(user, _FLAG, True)
    login(request, user, backend=_login_backend())
    request.session[SEEN_SESSION_KEY] = time.time()
    _set_request_user(request, user)
    return user, token


@sensitive_variables("raw", "parts", "secret")
def _authenticate_api_token(request: HttpRequest | None, raw: Any) -> tuple[Any, APIToken] | None:
    """(user, token) for the API token ``raw`` of an active user, or None.

    One query (token, user and guest row together), so is_guest() costs none
    afterwards. Use refreshes the token's last_used_at and the guest's
    last_seen_at, at most once per GUEST_AUTH_ACTIVITY_INTERVAL per token. A
    token unused for GUEST_AUTH_MAX_INACTIVITY is deleted when presented.
    """
    parts = _secrets.split(raw)
    if parts is None:
        return None
    lookup, secret = parts
    token = APIToken.objects.select_related("user", "user__guest").filter(lookup=lookup).first()
    if token is None or not _secrets.matches(token.digest, secret):
        return None
    now = timezone.now()
    if token.last_used_at < now - guest_settings.MAX_INACTIVITY:
        token.delete()
        return None
    user = token.user
    if not _can_authenticate(user):
        return None
    try:
        guest = user.guest
    except Guest.DoesNotExist:
        guest = None
    setattr(user, _FLAG, guest is not None)
    if now - token.last_used_at >= guest_settings.ACTIVITY_INTERVAL:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        if guest is not None:
            Guest.objects.filter(pk=user.pk).update(last_seen_at=now)
    if request is not None:
        setattr(request, _REQUEST_TOKEN, token)
    return user, token


@sensitive_variables("secret")
def _issue_api_token(user: Any) -> str:
    secret = _secrets.new()
    APIToken.objects.create(user=user, lookup=secret.lookup, digest=secret.digest)
    return secret.raw


@sensitive_variables("secret")
def _issue_device_credential(user: Any) -> str:
    secret = _secrets.new()
    DeviceCredential.objects.create(user=user, lookup=secret.lookup, digest=secret.digest)
    return secret.raw


def _can_authenticate(user: Any) -> bool:
    # As ModelBackend.user_can_authenticate: inactive users are refused.
    return getattr(user, "is_active", True)


# Helpers for the thin layers (middleware, decorators, mixins, views).


def _ensure_guest(request: HttpRequest) -> HttpResponseBase | None:
    """Log a guest in unless the request has a user or may not get a guest.

    Returns the response to send instead of running the view (429 when rate
    limited), or None to run the view, as a guest or still anonymous.
    """
    if request.user.is_authenticated:
        return None
    try:
        create_guest(request)
    except RateLimited as exc:
        return get_adapter().rate_limited_response(request, exc)
    except GuestCreationDenied:
        pass
    return None


async def _aensure_guest(request: HttpRequest) -> HttpResponseBase | None:
    auser = getattr(request, "auser", None)
    user = await auser() if auser is not None else request.user
    if user.is_authenticated:
        return None
    return await sync_to_async(_ensure_guest)(request)


def _remember_login(request: HttpRequest | None, user: Any) -> None:
    """Record in the session whether the user who just logged in is a guest.

    Connected to user_logged_in, so every login path (create_guest, a device
    credential, the test client's force_login) keeps the session marker right.
    When the login replaced a guest's session, the guest is first merged into
    the user (see _watch_session).
    """
    if request is None or not hasattr(request, "session"):
        return
    pending = request.__dict__.pop(_PENDING_MERGE, None)
    if pending is not None and guest_settings.MERGE_ON_LOGIN:
        _merge_on_login(request, user, *pending)
    if is_guest(user):
        request.session[GUEST_SESSION_KEY] = _session_user_id(user)
        setattr(request, _REQUEST_GUEST, user)
    else:
        request.session.pop(GUEST_SESSION_KEY, None)
        request.session.pop(SEEN_SESSION_KEY, None)
        # The guest this request started as is not who it is now: no activity to record.
        request.__dict__.pop(_REQUEST_GUEST, None)


# Merging on login. django.contrib.auth.login() flushes the session when another
# user logs in, before it sends user_logged_in, and replaces request.user: by
# the time the receiver runs, nothing says a guest was logged in. So
# GuestMiddleware hands the session's flush to _note_flush, which reads the
# guest marker from the data login() has just loaded (no query, nothing added
# to requests that do not log in) and leaves it on the request for the
# receiver. A session class, a second middleware or a login wrapper would each
# miss some path (the admin, allauth, custom views calling login()); every path
# flushes the request's own session object. Only that session can name the
# guest, so only the session that owns the guest can cause a merge.


def _watch_session(request: HttpRequest) -> None:
    """Have the request's session report a guest's session being flushed (sync and async).

    Idempotent: code that replaces ``request.session`` mid-request (allauth's
    social login does) calls it again for the new session object.
    """
    session = getattr(request, "session", None)
    if session is None or getattr(session, "_guest_auth_watched", False):
        return
    session._guest_auth_watched = True
    flush = session.flush
    aflush = session.aflush

    def watched_flush() -> None:
        _note_flush(request, session)
        flush()

    async def watched_aflush() -> None:
        _note_flush(request, session)
        await aflush()

    session.flush = watched_flush
    session.aflush = watched_aflush


def _note_flush(request: HttpRequest, session: Any) -> None:
    if request.__dict__.pop(_LOGGING_OUT, False):
        return  # a guest logging out ends its session: nothing to merge
    # Only data already loaded: login() read it to compare users; loading it
    # here would add a query to flushes of sessions nobody read.
    data = getattr(session, "_session_cache", None) or {}
    guest_id = data.get(GUEST_SESSION_KEY)
    if guest_id is None or guest_id != data.get(SESSION_KEY):
        return
    carried = {key: data[key] for key in guest_settings.MERGE_SESSION_KEYS if key in data}
    setattr(request, _PENDING_MERGE, (guest_id, carried))


def _note_logout(request: HttpRequest | None) -> None:
    """Connected to user_logged_out, which Django sends just before the flush."""
    if request is not None:
        setattr(request, _LOGGING_OUT, True)


def _merge_on_login(
    request: HttpRequest, user: Any, guest_id: str, carried: dict[str, Any]
) -> None:
    """Carry the marked session keys over, then merge the guest through the adapter.

    The adapter's merge and the guest_merged receivers share one transaction;
    if anything fails it is rolled back, logged, and the login goes on.
    """
    request.session.update(carried)
    user_model = get_user_model()
    try:
        with transaction.atomic(using=router.db_for_write(user_model)):
            guest = user_model._default_manager.filter(
                pk=user_model._meta.pk.to_python(guest_id)
            ).first()
            if guest is None or not _may_merge(guest, user):
                return
            get_adapter().merge(request, guest, user)
            guest_merged.send(sender=Guest, request=request, guest=guest, user=user)
    except (NotAGuest, ValidationError):
        # Promoted, purged or merged by a concurrent request meanwhile, or a
        # marker that is no primary key of this user model: nothing to merge.
        pass
    except Exception:
        # The login must not fail because of the merge; the guest keeps its data.
        logger.exception(
            "Could not merge guest %s into user %s; the guest keeps its data.", guest_id, user.pk
        )


def _may_merge(guest: Any, user: Any) -> bool:
    """Whether merging ``guest`` into ``user`` is allowed at all (nothing is lost if not)."""
    return (
        user.pk != guest.pk
        and getattr(user, "is_active", True)
        # Another guest: a guest logging in as a guest (a device credential).
        and not is_guest(user)
    )


def _annotate(user: Any, session_user_id: Any, marker: Any) -> Any:
    """Cache is_guest() on a user loaded from the session, from the session marker."""
    if (
        user.is_authenticated
        and getattr(user, _FLAG, None) is None
        and session_user_id is not None
        and session_user_id == _session_user_id(user)
    ):
        setattr(user, _FLAG, marker == session_user_id)
        if marker == session_user_id:
            _demote(user)
    return user


def _demote(user: Any) -> None:
    """Guests never act as staff or superusers, whatever their row says."""
    for name in ("is_staff", "is_superuser"):
        if getattr(user, name, False):
            setattr(user, name, False)


def _refuse_staff_guest(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user model: a guest may not be saved as staff or superuser."""
    if instance.pk is None or not (
        getattr(instance, "is_staff", False) or getattr(instance, "is_superuser", False)
    ):
        return
    if Guest.objects.filter(pk=instance.pk).exists():
        raise PermissionDenied(
            "Guests cannot be staff or superusers: promote the guest to a regular user first."
        )


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


def _insert_guest(
    adapter: Any, request: HttpRequest, now: Any, session_hash: str | None
) -> Any | None:
    """Insert the guest's user and Guest rows in one transaction and return the user,
    or None when a racing request of the same session already inserted its guest.

    No savepoint (two more queries inside a caller's transaction, such as
    ATOMIC_REQUESTS): the one expected conflict, on session_hash, is absorbed
    by the INSERT itself, so there is no error to roll back to.
    """
    using = router.db_for_write(Guest)
    outermost = not connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using, savepoint=False):
            user = adapter.new_guest_user(request)
            user.save()
            if _insert_guest_row(using, user, now, session_hash):
                return user
            if outermost:
                raise _LostRace
            # Inside the caller's transaction there is nothing to roll back to:
            # take our user row back by hand.
            user.delete()
            return None
    except _LostRace:
        return None


class _LostRace(Exception):
    """Rolls back the transaction of a request that lost the creation race."""


def _insert_guest_row(using: str, user: Any, now: Any, session_hash: str | None) -> bool:
    """INSERT the Guest row of ``user``; False if ``session_hash`` was already taken.

    One statement built from Django's backend operations rather than
    Guest.objects.create(): it runs in every guest-creating request, and on
    SQLite the ORM's save machinery costs several times the INSERT itself.
    With a session hash a conflicting row is skipped instead of raising
    (ON CONFLICT DO NOTHING; INSERT OR IGNORE on SQLite; INSERT IGNORE on
    MySQL, where nothing else can be ignored: the user row was just inserted
    and every value is set), so a lost race needs no savepoint. Without one
    nothing can conflict and a plain INSERT lets real errors raise.
    """
    connection = connections[using]
    sql, fields = _guest_insert_sql(using, session_hash is not None)
    values = (user.pk, now, now, session_hash)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


@lru_cache(maxsize=8)
def _guest_insert_sql(using: str, ignore_conflicts: bool) -> tuple[str, tuple[Any, ...]]:
    ops = connections[using].ops
    fields = tuple(
        Guest._meta.get_field(name)
        for name in ("user", "created_at", "last_seen_at", "session_hash")
    )
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(Guest._meta.db_table)} "
        f"({columns}) VALUES ({placeholders}) "
        f"{ops.on_conflict_suffix_sql(fields, on_conflict, None, None)}"
    ).rstrip()
    return sql, fields


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
