"""Purging guests idle for too long: :func:`purge_guests` and its machinery.

Guests are taken in primary-key order, one batch per transaction. Each batch
is selected, and its Guest rows locked, by one ``SELECT ... FOR UPDATE SKIP
LOCKED`` that also re-checks inactivity: live traffic holding a guest's row
(a promotion, an activity update) is neither blocked nor overridden, and
concurrent purges take disjoint batches. The users are then deleted by
Django's own deletion :class:`~django.db.models.deletion.Collector`, so the
on_delete rules, the signal receivers and the fast paths Django takes when
no receiver is connected all stay Django's. A guest whose deletion a PROTECT
or RESTRICT row forbids (as the collector decides) is skipped and the rest
of the batch goes on.

A row can still arrive for a locked guest while its batch runs (a request
that did not claim the guest first, a background job): the foreign key
check then fails at the batch's COMMIT (PostgreSQL defers it) or at its
DELETE (MariaDB, MySQL). The batch is rolled back and taken again, its
guests' inactivity re-checked under the new locks, as after a deadlock or a
serialization failure: the run never aborts on such a race, and its counts,
``GuestDay`` rows and ``guests_purged`` signal count only what committed.

Memory is bounded by the batch size: nothing is kept from one batch to the
next but counters and the last primary key.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import PROTECT, RESTRICT, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.deletion import (
    ProtectedError,
    RestrictedError,
    get_candidate_relations_to_delete,
)
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_init, pre_delete, pre_init
from django.utils import timezone

from .._durations import to_timedelta
from .._insights.tally import count_days, freeze_days, record_days, record_removed, roll_up
from .._session import session_user_id
from ..conf import guest_settings
from ..exceptions import GuestProtected, NotAGuest
from ..models import Guest
from ..signals import guests_purged
from .sql import KeyCollector, delete_keys, fast_deletes, is_write_race, keys_in

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["Purge", "PurgeProgress", "delete_guest", "purge_guests"]

logger = logging.getLogger("guest_auth.purge")

# Primary keys per query when looking up protecting rows; below every
# backend's limit on query parameters.
_CHUNK = 500
# Tries of a batch (or a self-deletion) whose transaction a concurrent write
# rolled back: a deadlock, a serialization failure, a foreign key violation.
_ATTEMPTS = 5


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


def delete_guest(request: HttpRequest | None, user: Any) -> None:
    """Delete the guest ``user`` now, as the purge would, and log it out of ``request``.

    Self-deletion ("delete my data"): the same deletion as :func:`purge_guests`
    (Django's collector, the on_delete rules, the signal receivers, the
    insights counting it as purged) for one guest, whatever its activity, and
    ``guests_purged`` is sent with ``count=1``. The Guest row is locked first,
    so a promotion or purge of the same guest at the same moment either
    finishes before (then this raises NotAGuest) or waits and finds it gone:
    never both. Raises GuestProtected, deleting nothing, when rows the guest
    owns PROTECT or RESTRICT its deletion. When ``request`` is the guest's
    own, it is logged out (its session flushed).
    """
    purge = Purge(cutoff=timezone.now(), batch_size=1)
    purge.delete_one(user)
    guests_purged.send(sender=Guest, count=1)
    if request is None:
        return
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == session_user_id(user):
        logout(request)
    elif getattr(request, "user", None) is not None and request.user.pk == user.pk:
        # Token-authenticated: nothing to flush; the tokens went with the user.
        request.user = AnonymousUser()


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}.")


@dataclass(frozen=True)
class PurgeProgress:
    """Where a purge run stands; passed to the ``progress`` callback of
    ``purge_guests`` after every batch and once more at the end (``done``)."""

    #: Guests deleted so far (in a dry run: that would be deleted).
    deleted: int
    #: Guests kept because rows they own PROTECT or RESTRICT their deletion.
    skipped: int
    #: Labels ("app.Model") of the models whose rows protected skipped guests.
    protected_by: tuple[str, ...]
    #: Batches finished (each one committed, unless dry_run).
    batches: int
    #: Seconds since the run started.
    elapsed: float
    #: True only in the last report of the run.
    done: bool
    #: ``"limit"`` or ``"time_limit"`` when the run stopped there (inactive
    #: guests may remain), else None.
    stopped_by: str | None
    dry_run: bool


class Purge:
    """One run of the purge. ``run()`` once, then read ``deleted`` and ``skipped``.

    ``deleted`` is kept up to date batch by batch, so after an error it still
    counts the guests of the batches that were committed.
    """

    def __init__(
        self,
        *,
        cutoff: datetime,
        batch_size: int,
        dry_run: bool = False,
        guests: QuerySet[Any] | None = None,
        limit: int | None = None,
        time_limit: float | None = None,
        progress: Callable[[PurgeProgress], object] | None = None,
    ) -> None:
        self.cutoff = cutoff
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.guests = guests
        self.limit = limit
        self.time_limit = time_limit
        self.progress = progress
        self.deleted = 0
        # Creation times of the current batch's guests, and of those deleted,
        # for guest_auth.stats.
        self._created: dict[Any, datetime] = {}
        self._removed: list[datetime] = []
        self.skipped = 0
        self.batches = 0
        self.stopped_by: str | None = None
        self._protected_by: set[str] = set()
        self._started = time.monotonic()

        self.model = get_user_model()
        self.using = router.db_for_write(self.model)
        opts = self.model._meta
        self._label = opts.label
        # Models whose rows can keep a guest through a PROTECT or RESTRICT
        # foreign key to the user: {model: [those fields]}. When Django's
        # collector refuses a group, these name the guests at fault at once.
        self._guards: dict[type[Model], list[Any]] = {}
        for rel in get_candidate_relations_to_delete(opts):
            field: Any = rel.field  # type: ignore[attr-defined]
            if field.remote_field.on_delete in (PROTECT, RESTRICT) and [
                f.attname for f in field.foreign_related_fields
            ] == [opts.pk.attname]:
                self._guards.setdefault(field.model, []).append(field)
        # Like Django's Collector for related rows: when no receiver can see
        # the user instances, only the fields foreign keys point at are loaded
        # (usually just the primary key, read by the locking query itself).
        self._lean = not (
            pre_delete.has_listeners(self.model)
            or post_delete.has_listeners(self.model)
            or opts.concrete_model._meta.parents  # type: ignore[union-attr]
        )
        # Nothing watches instances being made either: they can be made
        # without Model.__init__, which a thousand times a batch costs more
        # than the batch's deletes.
        self._bare = self._lean and not (
            pre_init.has_listeners(self.model) or post_init.has_listeners(self.model)
        )
        # When every row that goes with a user is one Django would delete by
        # a plain DELETE (a "fast delete": CASCADE, no receiver, nothing
        # cascading further), a batch needs no collector: see delete_keys.
        self._fast = fast_deletes(self.model, self.using) if self._bare else None
        self._fields = [
            opts.pk.attname,
            *sorted(
                {
                    target.attname
                    for rel in get_candidate_relations_to_delete(opts)
                    for target in rel.field.foreign_related_fields  # type: ignore[attr-defined]
                }
                - {opts.pk.attname}
            ),
        ]

    def run(self) -> int:
        after = None
        while True:
            if self.limit is not None and self.deleted >= self.limit:
                self.stopped_by = "limit"
                break
            if self.time_limit is not None and self._elapsed() >= self.time_limit:
                self.stopped_by = "time_limit"
                break
            size = self.batch_size
            if self.limit is not None:
                size = min(size, self.limit - self.deleted)
            found, after = self._batch(after, size)
            if not found:
                break
            self.batches += 1
            self._report(done=False)
            if found < size:
                break  # the scan ran out of candidates
        if not self.dry_run and (self.batches or self.guests is None):
            # For the insights: past days' creations counted once, and one
            # row per day kept of the one per batch written.
            freeze_days(self.using)
            roll_up(self.using)
        self._report(done=True)
        return self.deleted

    def delete_one(self, user: Any) -> None:
        """Delete the guest ``user`` in a transaction of its own (see delete_guest).

        Unlike a batch, the Guest row is waited for rather than skipped when
        another transaction holds it, and inactivity is not required. A
        transaction rolled back by a concurrent write (a row of the guest's
        arriving before the COMMIT) is taken again, like a batch.
        """
        retry = not connections[self.using].in_atomic_block
        for attempt in range(1, _ATTEMPTS + 1):
            counters = (self.deleted, self.skipped, set(self._protected_by))
            try:
                self._delete_one(user)
                return
            except (OperationalError, IntegrityError) as exc:
                self.deleted, self.skipped, self._protected_by = counters
                if not (retry and attempt < _ATTEMPTS and is_write_race(exc)):
                    raise
                logger.warning("Guest deletion rolled back by a concurrent write; again: %s", exc)
                time.sleep(0.02 * attempt)

    def _delete_one(self, user: Any) -> None:
        with transaction.atomic(using=self.using):
            created = (
                Guest._base_manager.db_manager(self.using)
                .select_for_update()
                .filter(pk=user.pk)
                .values_list("created_at", flat=True)
                .first()
            )
            if created is None:
                raise NotAGuest(f"User {user.pk} is not a guest.")
            self._created = {user.pk: created}
            self._removed = []
            found = self.model._base_manager.db_manager(self.using).filter(pk=user.pk).first()
            if found is None:  # pragma: no cover - the Guest row's lock keeps it
                raise NotAGuest(f"User {user.pk} is not a guest.")
            self._settle([found])
            if self.skipped:
                raise GuestProtected(tuple(sorted(self._protected_by)))
            record_removed("purged", self._removed, self.using)

    # One batch ----------------------------------------------------------------------

    def _batch(self, after: Any, size: int) -> tuple[int, Any]:
        """Settle the next batch in a transaction of its own; return how many
        guests it held and the last primary key.

        A transaction a concurrent write rolled back is taken again (at most
        _ATTEMPTS times), unless an outer transaction was lost with it: a
        deadlock victim (MariaDB can deadlock two purges that delete
        neighbouring rows), a serialization failure, or a foreign key check
        failed by a row of one of the batch's guests that arrived after the
        batch collected their rows. The batch is selected, locked and checked
        for inactivity again: a guest whose request claimed it meanwhile is
        left out, the others are deleted with the new rows.
        """
        retry = not self.dry_run and not connections[self.using].in_atomic_block
        for attempt in range(1, _ATTEMPTS + 1):
            counters = (self.deleted, self.skipped, set(self._protected_by))
            try:
                with nullcontext() if self.dry_run else transaction.atomic(using=self.using):
                    if self._fast is not None and not self.dry_run:
                        done = self._delete_by_keys(after, size)
                        if done is not None:
                            return done
                    users = self._candidates(after, size)
                    if not users:
                        return 0, after
                    # Read before the delete: Django clears deleted instances' pks.
                    last = users[-1].pk
                    self._removed = []
                    self._settle(users)
                    # Once per batch, in its transaction (guest_auth.stats).
                    record_removed("purged", self._removed, self.using)
                return len(users), last
            except (OperationalError, IntegrityError) as exc:
                self.deleted, self.skipped, self._protected_by = counters
                if not (retry and attempt < _ATTEMPTS and is_write_race(exc)):
                    raise
                logger.warning(
                    "Purge batch rolled back by a concurrent write; taking it again: %s", exc
                )
                time.sleep(0.02 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delete_by_keys(self, after: Any, size: int) -> tuple[int, Any] | None:
        """The batch when every row that goes with a user is a fast delete
        (``self._fast``): the guests' keys and creation days are read, and
        delete_keys() deletes by key. No user instance is made, no creation
        time parsed (PostgreSQL gives the local day). None when delete_keys()
        cannot render the keys: the batch is then taken the general way, its
        rows already locked by this transaction."""
        qs = self._candidate_rows(after)
        if connections[self.using].vendor == "postgresql":
            rows = list(qs.values_list("pk", TruncDate("created_at"))[:size])
            days = Counter(day for _, day in rows)
        else:
            rows = list(qs.values_list("pk", "created_at")[:size])
            days = count_days(created for _, created in rows)
        if not rows:
            return 0, after
        keys = [key for key, _ in rows]
        count = delete_keys(self.model, self._fast or [], keys, self.using)
        if count is None:
            return None
        self.deleted += count
        record_days("purged", days, self.using)
        return len(rows), keys[-1]

    def _candidates(self, after: Any, size: int) -> list[Model]:
        """The users of the next ``size`` inactive guests after primary key ``after``."""
        qs = self._candidate_rows(after)
        if self._lean:
            extra = [f"user__{name}" for name in self._fields[1:]]
            rows = list(qs.values_list("created_at", "pk", *extra)[:size])
            self._created = {row[1]: row[0] for row in rows}
            if self._bare:
                return [self._bare_instance(row[1:]) for row in rows]
            return [self.model.from_db(self.using, self._fields, row[1:]) for row in rows]
        self._created = dict(qs.values_list("pk", "created_at")[:size])
        pks = list(self._created)
        users = self.model._base_manager.db_manager(self.using).in_bulk(pks)
        return [users[pk] for pk in pks]

    def _candidate_rows(self, after: Any) -> QuerySet[Any]:
        """The Guest rows of the inactive guests after primary key ``after``, in key order.

        Outside a dry run they are locked as they are read (the caller's
        transaction holds the locks) and inactivity is evaluated on the rows
        as locked: a guest seen or promoted since the run started is not
        returned. Whatever changes whether a user is a guest writes that row,
        so it is the one lock needed; rows another transaction holds are
        skipped where the database can.
        """
        qs = Guest._base_manager.db_manager(self.using).filter(last_seen_at__lt=self.cutoff)
        if self.guests is not None:
            qs = qs.filter(pk__in=self.guests.values("pk"))
        if after is not None:
            qs = qs.filter(pk__gt=after)
        qs = qs.order_by("pk")
        if not self.dry_run:
            features = connections[self.using].features
            qs = qs.select_for_update(
                skip_locked=features.has_select_for_update_skip_locked,
                of=("self",) if features.has_select_for_update_of else (),
            )
        return qs

    def _bare_instance(self, values: tuple[Any, ...]) -> Model:
        # What Model.from_db() makes of the values of self._fields (the other
        # fields deferred), minus __init__ and its pre/post_init signals.
        obj = self.model.__new__(self.model)
        obj.__dict__.update(zip(self._fields, values, strict=True))
        obj._state = ModelState()
        obj._state.adding = False
        obj._state.db = self.using
        return obj

    def _settle(self, users: list[Model]) -> None:
        """Delete ``users`` (count them, in a dry run) with what cascades from
        them. When a protected row forbids it, skip the guests that own such
        rows directly and try the rest again; when the protection is further
        away (a row protecting a row that cascades from a guest), halve the
        group until the guests at fault are alone."""
        if self._fast is not None and not self.dry_run:
            # A guest deleting itself (delete_one); batches go by
            # _delete_by_keys, which does not make the instances.
            keys = [user.pk for user in users]
            count = delete_keys(self.model, self._fast, keys, self.using)
            if count is not None:
                self._removed.extend(self._created[key] for key in keys)
                self.deleted += count
                return
        while users:
            collector = KeyCollector(
                self.using,
                origin=self._origin(users),
                lean_model=self.model if self._lean else None,
            )
            blockers: Iterable[Model]
            try:
                collector.collect(users)
            except ProtectedError as exc:
                blockers = exc.protected_objects
            except RestrictedError as exc:
                blockers = exc.restricted_objects
            else:
                if self.dry_run:
                    self.deleted += len(users)
                else:
                    # Read before the delete: Django clears deleted instances' pks.
                    self._removed.extend(self._created[user.pk] for user in users)
                    _, per_model = collector.delete()
                    self.deleted += per_model.get(self._label, 0)
                return
            owners = self._owners(blockers, {user.pk for user in users})
            if owners:
                for labels in owners.values():
                    self._skip(labels)
                users = [user for user in users if user.pk not in owners]
            elif len(users) == 1:
                self._skip({type(obj)._meta.label for obj in blockers})
                return
            else:
                half = len(users) // 2
                self._settle(users[:half])
                self._settle(users[half:])
                return

    def _owners(self, blockers: Iterable[Model], group: set[Any]) -> dict[Any, set[str]]:
        """{pk of a user in ``group``: labels} for the users that rows among
        ``blockers`` reference through a PROTECT or RESTRICT foreign key.

        Such a user can go in no subset of the group either: the row is not
        deleted by the group's cascades, so it is not by a subset's.
        """
        by_model: dict[type[Model], list[Any]] = {}
        for obj in blockers:
            if type(obj) in self._guards:
                by_model.setdefault(type(obj), []).append(obj.pk)
        owners: dict[Any, set[str]] = {}
        for model, pks in by_model.items():
            # The blockers may have been loaded with only their primary key.
            attnames = [field.attname for field in self._guards[model]]
            manager = model._base_manager.db_manager(self.using)
            for start in range(0, len(pks), _CHUNK):
                rows = manager.filter(pk__in=pks[start : start + _CHUNK]).values_list(*attnames)
                for row in rows:
                    for pk in row:
                        if pk in group:
                            owners.setdefault(pk, set()).add(model._meta.label)
        return owners

    def _origin(self, users: list[Model]) -> QuerySet[Any]:
        # What QuerySet.delete() would pass as the signals' ``origin``.
        return self.model._base_manager.db_manager(self.using).filter(
            keys_in("pk", [user.pk for user in users], self.using)
        )

    def _skip(self, labels: Iterable[str]) -> None:
        self.skipped += 1
        self._protected_by.update(labels)

    # Reporting ----------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self._started

    def _report(self, *, done: bool) -> None:
        if self.progress is None:
            return
        self.progress(
            PurgeProgress(
                deleted=self.deleted,
                skipped=self.skipped,
                protected_by=tuple(sorted(self._protected_by)),
                batches=self.batches,
                elapsed=self._elapsed(),
                done=done,
                stopped_by=self.stopped_by,
                dry_run=self.dry_run,
            )
        )
