"""Creating a guest, and the race of two requests of one anonymous session.

A visitor's browser often sends several requests at once (a page and its
fetches) before the first answer sets the guest's session cookie. Each would
create a guest of its own. Instead the Guest row carries a race key derived
from the session key the requests share (122 bits of its SHA-256 as a
UUID: one index of 16-byte keys), unique, so the losers of the race find
the winner's guest and join it, briefly and only from that same session.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connections, router, transaction
from django.db.models import Field
from django.db.models.constants import OnConflict
from django.utils import timezone

from ._ratelimit import check_creation_rate
from ._session import log_in
from .adapter import get_adapter
from .exceptions import AlreadyAuthenticated, GuestCreationDenied
from .models import Guest
from .signals import guest_created

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["RACE_WINDOW", "create_guest"]

# A request that lost the creation race may join the winner's guest only this
# soon after it was created: the losing request loaded the same session before
# the winner's login rotated (and deleted) it, so it arrives within moments.
RACE_WINDOW = timedelta(seconds=30)


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

    race_key = _race_key(request)
    now = timezone.now()
    user = _insert_guest(adapter, request, now, race_key)
    created = user is not None
    if user is None:
        # Another request of this session made its guest first: join it.
        user = _racing_guest(race_key, now)
        if user is None:
            # Too late to trust (a stale copy of the session): a guest of its own.
            user = _insert_guest(adapter, request, now, None)
            created = True

    log_in(request, user)
    if created:
        guest_created.send(sender=Guest, request=request, user=user)
    return user


def _race_key(request: HttpRequest) -> UUID | None:
    """The key the racing requests of this request's session share, or None
    when there must be no join.

    Only a session key that is a random identifier the server issued and
    stores names one client. A signed-cookie session's "key" is its signed
    data: two strangers whose sessions hold the same data, saved in the same
    second, send identical cookies, and one would join the other's guest.
    """
    session = getattr(request, "session", None)
    if session is None or not _keys_name_one_client(session):
        return None
    # Loading the session first means session_key is only set when the client
    # presented a session the store knows, never an arbitrary cookie value.
    session.get(BACKEND_SESSION_KEY)
    key = session.session_key
    # 122 bits of SHA-256 (a version 4 UUID: MariaDB's uuid type takes only
    # well-formed ones): collisions are out of reach at any number of guests.
    return UUID(bytes=hashlib.sha256(key.encode()).digest()[:16], version=4) if key else None


def _keys_name_one_client(session: Any) -> bool:
    """Whether the store's keys are random, server-side identifiers.

    Django's database, cache, cached_db and file stores (and subclasses) are;
    the signed-cookie store, and any store guest_auth does not know, are not
    trusted: those requests never join a racing guest (each gets its own).
    """
    return isinstance(session, _server_side_stores())


@lru_cache(maxsize=1)
def _server_side_stores() -> tuple[type, ...]:
    from django.contrib.sessions.backends import cache, cached_db, db, file

    return (db.SessionStore, cache.SessionStore, cached_db.SessionStore, file.SessionStore)


def _insert_guest(
    adapter: Any, request: HttpRequest, now: Any, race_key: UUID | None
) -> Any | None:
    """Insert the guest's user and Guest rows in one transaction and return the user,
    or None when a racing request of the same session already inserted its guest.

    No savepoint (two more queries inside a caller's transaction, such as
    ATOMIC_REQUESTS): the one expected conflict, on race_key, is absorbed
    by the INSERT itself, so there is no error to roll back to.
    """
    using = router.db_for_write(Guest)
    outermost = not connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using, savepoint=False):
            user = adapter.new_guest_user(request)
            user.save()
            if _insert_guest_row(using, user, now, race_key):
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


def _insert_guest_row(using: str, user: Any, now: Any, race_key: UUID | None) -> bool:
    """INSERT the Guest row of ``user``; False if ``race_key`` was already taken.

    One statement built from Django's backend operations rather than
    Guest.objects.create(): it runs in every guest-creating request, and on
    SQLite the ORM's save machinery costs several times the INSERT itself.
    With a race key a conflicting row is skipped instead of raising
    (ON CONFLICT DO NOTHING; INSERT OR IGNORE on SQLite; INSERT IGNORE on
    MySQL, where nothing else can be ignored: the user row was just inserted
    and every value is set), so a lost race needs no savepoint. Without one
    nothing can conflict and a plain INSERT lets real errors raise.
    """
    connection = connections[using]
    sql, fields = _guest_insert_sql(using, race_key is not None)
    values = (user.pk, now, now, race_key)
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
        _concrete_field(name) for name in ("user", "created_at", "last_seen_at", "race_key")
    )
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    columns = ", ".join(ops.quote_name(cast(str, field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(Guest._meta.db_table)} "
        f"({columns}) VALUES ({placeholders}) "
        f"{ops.on_conflict_suffix_sql(fields, on_conflict, None, None)}"
    ).rstrip()
    return sql, fields


def _concrete_field(name: str) -> Field:
    field = Guest._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _racing_guest(race_key: UUID | None, now: Any) -> Any:
    if race_key is None:
        return None
    # The winner committed moments ago: only the write database has it for sure.
    guest = (
        Guest.objects.db_manager(router.db_for_write(Guest))
        .select_related("user")
        .filter(race_key=race_key, created_at__gte=now - RACE_WINDOW)
        .first()
    )
    return guest.user if guest is not None else None
