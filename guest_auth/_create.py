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
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field, Model
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
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
    """Insert the guest's user and Guest rows atomically and return the user,
    or None when a racing request of the same session already inserted its guest.

    On PostgreSQL, outside a transaction, for a user model saved the way
    Django's Model.save() saves it (see _saves_plainly), both rows are written
    by one statement: see _insert_at_once. Everywhere else, in a transaction
    of their own (or the caller's).
    """
    using = router.db_for_write(Guest)
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        model = get_user_model()
        if _saves_plainly(model):
            user = adapter.new_guest_user(request)
            if (
                type(user) is model
                and user._state.adding
                and _inserts_without_update(user)
                and router.db_for_write(model, instance=user) == using
            ):
                return _insert_at_once(user, using, now, race_key)
            return _insert_in_transaction(using, lambda: user, now, race_key)
    return _insert_in_transaction(using, lambda: adapter.new_guest_user(request), now, race_key)


def _insert_in_transaction(
    using: str, new_user: Callable[[], Any], now: Any, race_key: UUID | None
) -> Any | None:
    """The user saved by its own save(), then the Guest row, in one transaction.

    No savepoint (two more queries inside a caller's transaction, such as
    ATOMIC_REQUESTS): the one expected conflict, on race_key, is absorbed
    by the INSERT itself, so there is no error to roll back to.
    """
    outermost = not connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using, savepoint=False):
            user = new_user()
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


def _saves_plainly(model: type[Model]) -> bool:
    """Whether saving a new ``model`` instance is exactly Django's one INSERT,
    so that _insert_at_once may write it instead.

    Not when the model (or a base other than AbstractBaseUser, whose save()
    _insert_at_once repeats) overrides how it is saved, inherits another
    concrete model (several tables), orders itself with respect to another,
    or has a base manager of its own (save() inserts through it).
    """
    meta = model._meta
    return (
        model.save in (Model.save, AbstractBaseUser.save)
        and model.save_base is Model.save_base
        and model._save_table is Model._save_table  # type: ignore[attr-defined]
        and model._do_insert is Model._do_insert  # type: ignore[attr-defined]
        and not meta.parents
        and not meta.proxy
        and not meta.auto_created
        and meta.order_with_respect_to is None
        and meta.base_manager_name is None
    )


def _inserts_without_update(user: Any) -> bool:
    """Whether save() would INSERT ``user`` straight away (no UPDATE tried
    first): its key is not set yet, or every key field has a default."""
    meta = user._meta
    return not user._is_pk_set() or all(
        f.has_default() or f.has_db_default() for f in meta.pk_fields
    )


def _insert_at_once(user: Any, using: str, now: Any, race_key: UUID | None) -> Any | None:
    """Write ``user`` and its Guest row with one statement (PostgreSQL, autocommit).

    ``WITH u AS (INSERT INTO <users> ... RETURNING ...) INSERT INTO
    guest_auth_guest ... SELECT ... FROM u``: one round trip, and atomic as
    every statement is, with no BEGIN and COMMIT around it. The user's
    INSERT is the one Model.save() would run (Django's compiler builds it),
    and the signals are the ones save() sends, with the same arguments:
    pre_save before it, post_save (``created=True``) after it. When a
    post_save receiver is connected, the statement and the receivers share a
    transaction, as they share save()'s today: a receiver that raises still
    takes the guest back with it.

    A request that lost the creation race gets a unique violation on
    ``race_key``, which rolls the whole statement back (no user row either):
    None is returned. Any other error is raised.
    """
    model = type(user)
    user._prepare_related_fields_for_save(operation_name="save")
    # Once post_save is sent, a receiver's writes and ours commit together.
    atomic = post_save.has_listeners(model)
    try:
        with transaction.atomic(using=using) if atomic else nullcontext():
            pre_save.send(sender=model, instance=user, raw=False, using=using, update_fields=None)
            _write_at_once(user, using, now, race_key)
            user._state.db = using
            user._state.adding = False
            post_save.send(
                sender=model,
                instance=user,
                created=True,
                update_fields=None,
                raw=False,
                using=using,
            )
            # What AbstractBaseUser.save() does after Model.save().
            if getattr(user, "_password", None) is not None:
                password_validation.password_changed(user._password, user)
                user._password = None
    except IntegrityError:
        if race_key is None or not (
            Guest._base_manager.db_manager(using).filter(race_key=race_key).exists()
        ):
            raise
        return None
    return user


def _write_at_once(user: Any, using: str, now: Any, race_key: UUID | None) -> None:
    model = type(user)
    meta = model._meta
    connection = connections[using]
    pk = meta.pk
    assert pk is not None
    if not user._is_pk_set():
        setattr(user, pk.attname, pk.get_pk_value_on_save(user))
    pk_set = user._is_pk_set()
    # The fields and RETURNING of Model._save_table()'s INSERT, plus the key.
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and (pk_set or f is not meta.auto_field)
    ]
    returning = list(meta.db_returning_fields)
    if pk not in returning:
        returning.append(pk)
    query = InsertQuery(model)
    query.insert_values(fields, [user], raw=False)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning
    [(user_sql, user_params)] = compiler.as_sql()
    guest_sql, guest_fields = _guest_at_once_sql(using, pk.column)
    guest_params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(guest_fields, (now, now, race_key), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            # Both parts are Django's or _guest_at_once_sql's; values are parameters.
            f"WITH u AS ({user_sql}), g AS ({guest_sql}) SELECT * FROM u",  # noqa: S608
            [*user_params, *guest_params],
        )
        rows = [cursor.fetchone()]
    converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    for value, field in zip(rows[0], returning, strict=True):
        setattr(user, field.attname, value)


@lru_cache(maxsize=8)
def _guest_at_once_sql(using: str, user_pk_column: str) -> tuple[str, tuple[Any, ...]]:
    """The Guest half of _insert_at_once's statement, reading the key from ``u``,
    and the fields whose values follow the statement of the user's INSERT."""
    ops = connections[using].ops
    fields = tuple(_concrete_field(name) for name in ("created_at", "last_seen_at", "race_key"))
    columns = ", ".join(
        ops.quote_name(cast(str, field.column)) for field in (_concrete_field("user"), *fields)
    )
    sql = (
        f"INSERT INTO {ops.quote_name(Guest._meta.db_table)} ({columns}) "  # noqa: S608 (names)
        f"SELECT u.{ops.quote_name(user_pk_column)}, %s, %s, %s FROM u"
    )
    return sql, fields


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
