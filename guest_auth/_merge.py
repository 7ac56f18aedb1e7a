"""Merging a guest into a user: what points at the guest, what moves, the summary.

The merge family, and which one to change:

- ``merge_guest()`` (public as ``guest_auth.services.merge_guest``): the
  operation. Checks that a merge is allowed, moves the rows and deletes the
  guest (``_move_rows``, below: change it for *what* moves), and sends
  ``guest_merged``, all in one transaction.
- ``guest_auth._login.merge_at_login()``: the login-time merge, for a login
  that replaced the guest's session or a merge the visitor confirmed (the
  ``guest_auth:merge`` page, ``api/guest/merge/``). It calls the adapter's
  ``merge()`` in one transaction, makes sure ``guest_merged`` was sent once,
  and never fails the login. Change it for *when* a request merges.
- ``GuestAdapter.merge(request, guest, user)``: the site's override point for
  *how* a login merges; the default calls ``merge_guest()``.

``guest_merged`` is sent exactly once per merge that happened, on every path:
by ``merge_guest()`` (with the request when a login-time merge is under way,
else ``request=None``), or by ``merge_at_login()`` after an adapter whose
``merge()`` does not call ``merge_guest()``. Never for a dry run, nor when no
merge is allowed.

Nothing is listed by hand: every foreign key, one-to-one and generic foreign
key to the user model, in every installed model, is a *relation*; an
auto-created many-to-many through table is a model with a foreign key like any
other, so moving its rows adds the guest's links to the user's. Per relation:

- default: the guest's rows move to the user in one UPDATE, except rows that
  would break a unique constraint once moved (the user's own row wins); one-to-one
  rows stay. What stays goes with the guest when it is deleted at the end.
- ``"move"``: the same, but one-to-one rows move too when the user has none.
- ``"keep-user"``: when the user already has rows of the relation, the guest's
  stay; otherwise they move.
- ``"drop"``: the guest's rows are deleted.
- a callable ``(guest, user, queryset)``: does what it likes with ``queryset``
  (the guest's rows); its counts are measured afterwards on those rows.

Left alone: guest_auth's own models (they live and die with the guest) and the
user model's own many-to-many fields (groups and permissions are privileges: a
merge never grants any).

A dry run performs the same steps in a transaction it rolls back, so its
summary is the real run's by construction. Drops are only counted, not
performed, in a dry run, and the guest is not deleted: the deletion is
collected instead, which raises the same ProtectedError a real run would, so
a dry run sends no delete signal of its own (a policy callable may). Drops run after every move and
callable, their counts taken before the first delete, so cascades between them
do not make the two runs differ.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.apps import apps
from django.db import models, router, transaction
from django.db.models import Count, Exists, OuterRef, Q, UniqueConstraint
from django.db.models.deletion import Collector

from ._insights.tally import record_removed
from ._session import is_guest
from .conf import guest_settings
from .exceptions import NotAGuest
from .models import Guest
from .signals import guest_merged

__all__ = [
    "MergeCounts",
    "MergeSummary",
    "Relation",
    "may_merge",
    "merge_guest",
    "merging_for",
    "relations",
]

_MOVE = "move"
_KEEP_USER = "keep-user"
_DROP = "drop"


@dataclass(frozen=True)
class MergeCounts:
    """What a merge did with one model's rows (or many-to-many links) of the guest.

    ``moved``: now belong to the user. ``kept``: stayed with the guest because
    the user's own rows win (a unique constraint, a one-to-one, ``keep-user``);
    they go wherever deleting the guest takes them (CASCADE deletes them).
    ``dropped``: deleted by the merge (``drop``, or by a policy callable).
    """

    moved: int = 0
    kept: int = 0
    dropped: int = 0

    def __add__(self, other: MergeCounts) -> MergeCounts:
        return MergeCounts(
            self.moved + other.moved, self.kept + other.kept, self.dropped + other.dropped
        )

    def __bool__(self) -> bool:
        return bool(self.moved or self.kept or self.dropped)


class MergeSummary(Mapping[str, MergeCounts]):
    """Per model label (``"shop.CartItem"``), the :class:`MergeCounts` of a merge.

    Only models with guest rows appear; many-to-many links are counted under
    their through model (``"shop.Product_liked_by"`` for an auto-created one).
    A read-only mapping: compares equal to any mapping with the same items (a
    dry run's summary equals the real run's), and is falsy when there was
    nothing to merge. ``moved``, ``kept`` and ``dropped`` are the totals.
    """

    __slots__ = ("_counts",)

    def __init__(self, counts: Mapping[str, MergeCounts] | None = None) -> None:
        items = (counts or {}).items()
        self._counts = {label: c for label, c in sorted(items) if c}

    def __getitem__(self, label: str) -> MergeCounts:
        return self._counts[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        return f"MergeSummary({self._counts!r})"

    @property
    def moved(self) -> int:
        return sum(c.moved for c in self._counts.values())

    @property
    def kept(self) -> int:
        return sum(c.kept for c in self._counts.values())

    @property
    def dropped(self) -> int:
        return sum(c.dropped for c in self._counts.values())


@dataclass(frozen=True)
class Relation:
    """One way rows of ``model`` point at a user: a foreign key or a generic one."""

    model: type[models.Model]
    # The field whose value is the user: the foreign key, or the generic object id.
    field: str
    # Filter common to guest and user rows (the generic key's content type).
    fixed: tuple[tuple[str, Any], ...]
    generic: bool
    # Per unique constraint containing ``field``: the constraint's other fields
    # and its condition (None when unconditional).
    unique_sets: tuple[tuple[tuple[str, ...], Q | None], ...]
    one_to_one: bool
    # A primary key is never rewritten: rows referencing it would break.
    movable: bool

    @property
    def label(self) -> str:
        return self.model._meta.label

    def target(self, user: Any) -> Any:
        return user.pk if self.generic else user

    def rows(self, db: str, user: Any) -> models.QuerySet[Any]:
        return self.model._base_manager.using(db).filter(
            **{self.field: self.target(user)}, **dict(self.fixed)
        )


class _DryRun(Exception):
    """Raised to roll the dry run's transaction back, carrying its summary."""

    def __init__(self, summary: MergeSummary) -> None:
        self.summary = summary


def merge_guest(guest: Any, user: Any, dry_run: bool = False) -> MergeSummary:
    """Move the guest's data to ``user``, delete the guest, and say what happened.

    Rows pointing at the guest move to ``user`` unless a unique constraint or a
    one-to-one keeps the user's own (GUEST_AUTH_MERGE_POLICIES changes that per
    model); see the docs. One transaction, ``guest_merged``'s receivers
    included: on any error nothing has changed. With ``dry_run`` nothing
    changes, no signal is sent, and the summary is the one a real run would
    return. Returns an empty summary, changing nothing, when no merge is
    allowed: ``user`` is the guest itself, inactive, or a guest. Raises
    NotAGuest when ``guest`` is not (or no longer) a guest, and
    ProtectedError/RestrictedError when rows that stay with the guest protect it
    from deletion.
    """
    if not may_merge(guest, user):
        return MergeSummary()
    # Where the guest is written, whichever database it was read from (a replica
    # cannot lock or change it).
    db = router.db_for_write(type(guest), instance=guest)
    try:
        with transaction.atomic(using=db):
            summary = _move_rows(guest, user, db, dry_run)
            if dry_run:
                raise _DryRun(summary)
            _announce(guest, user)
    except _DryRun as rolled_back:
        return rolled_back.summary
    return summary


def may_merge(guest: Any, user: Any) -> bool:
    """Whether merging ``guest`` into ``user`` is allowed at all (nothing is lost if not)."""
    return (
        user.pk != guest.pk
        and getattr(user, "is_active", True)
        # Another guest: a guest logging in as a guest (a device credential).
        and not is_guest(user)
    )


class _LoginMerge:
    """A login-time merge under way: its request, and whether guest_merged went out."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self.announced = False


_login_merge: ContextVar[_LoginMerge | None] = ContextVar("guest_auth_login_merge", default=None)


@contextmanager
def merging_for(request: Any) -> Iterator[Callable[[], bool]]:
    """Around the adapter's merge() in a login-time merge: merge_guest() sends
    guest_merged with this request. Yields a function that tells whether it did."""
    state = _LoginMerge(request)
    token = _login_merge.set(state)
    try:
        yield lambda: state.announced
    finally:
        _login_merge.reset(token)


def _announce(guest: Any, user: Any) -> None:
    state = _login_merge.get()
    request = state.request if state is not None else None
    guest_merged.send(sender=Guest, request=request, guest=guest, user=user)
    if state is not None:
        state.announced = True


def _move_rows(guest: Any, user: Any, db: str, dry_run: bool) -> MergeSummary:
    """The merge's data: lock the guest, move (or keep, or drop) each relation's
    rows, delete the guest. Inside merge_guest()'s transaction."""
    guests = Guest.objects.using(db).filter(pk=guest.pk)
    if not dry_run:
        # Serialises two logins of the same session: the second finds no guest.
        guests = guests.select_for_update()
    created = guests.values_list("created_at", flat=True).first()
    if created is None:
        raise NotAGuest(f"User {guest.pk} is not a guest.")
    if not dry_run:
        # A row of the guest's written meanwhile by a request still running
        # elsewhere would land after the moves and go with the deletion. Its
        # foreign key check needs the user's row: locked, it waits for the
        # merge and then fails (nothing acknowledged is lost), or it landed
        # before and is moved.
        list(
            type(guest)._base_manager.using(db).select_for_update().filter(pk=guest.pk).values("pk")
        )

    policies = guest_settings.MERGE_POLICIES
    counts: dict[str, MergeCounts] = {}
    drops: list[Relation] = []
    for relation in relations(type(guest), db):
        policy = policies.get(relation.label)
        if policy == _DROP:
            drops.append(relation)
            continue
        counts[relation.label] = counts.get(relation.label, MergeCounts()) + _apply(
            relation, policy, guest, user, db
        )

    doomed = [(relation, relation.rows(db, guest)) for relation in drops]
    for relation, rows in doomed:
        counts[relation.label] = counts.get(relation.label, MergeCounts()) + MergeCounts(
            dropped=rows.count()
        )
    if not dry_run:
        for _, rows in doomed:
            rows.delete()

    if dry_run:
        # Raises ProtectedError/RestrictedError exactly as the deletion would.
        Collector(using=db, origin=guest).collect([guest])
    else:
        # A queryset delete leaves guest.pk set, for the guest_merged receivers.
        type(guest)._base_manager.using(db).filter(pk=guest.pk).delete()
        record_removed("merged", [created], db)
    return MergeSummary(counts)


def _apply(relation: Relation, policy: Any, guest: Any, user: Any, db: str) -> MergeCounts:
    if callable(policy):
        return _call_policy(policy, relation, guest, user, db)
    rows = relation.rows(db, guest)
    if policy == _KEEP_USER and relation.rows(db, user).exists():
        return MergeCounts(kept=rows.count())
    if not relation.movable or (relation.one_to_one and policy is None):
        return MergeCounts(kept=rows.count())
    staying = _conflicting(relation, rows, db, user)
    moved = rows.exclude(pk__in=staying).update(**{relation.field: relation.target(user)})
    return MergeCounts(moved=moved, kept=len(staying))


def _conflicting(relation: Relation, rows: models.QuerySet[Any], db: str, user: Any) -> list[Any]:
    """Primary keys of the guest's rows that a unique constraint forbids moving.

    Read first, then excluded from the UPDATE by key: MySQL refuses an UPDATE
    whose WHERE reads the table being updated.
    """
    clashes = []
    for others, condition in relation.unique_sets:
        rival = relation.model._base_manager.using(db).filter(
            **{relation.field: relation.target(user)}, **{name: OuterRef(name) for name in others}
        )
        clash = Q(Exists(rival))
        if condition is not None:
            # Partial constraints only bind rows that match the condition, both sides.
            clash = Q(condition) & Q(Exists(rival.filter(condition)))
        clashes.append(clash)
    if not clashes:
        return []
    return list(rows.filter(reduce(operator.or_, clashes)).values_list("pk", flat=True))


def _call_policy(
    policy: Callable[..., Any], relation: Relation, guest: Any, user: Any, db: str
) -> MergeCounts:
    rows = relation.rows(db, guest)
    pks = list(rows.values_list("pk", flat=True))
    if not pks:
        return MergeCounts()
    policy(guest, user, rows.all())
    fixed = dict(relation.fixed)
    after = (
        relation.model._base_manager.using(db)
        .filter(pk__in=pks)
        .aggregate(
            moved=Count("pk", filter=Q(**{relation.field: relation.target(user)}, **fixed)),
            kept=Count("pk", filter=Q(**{relation.field: relation.target(guest)}, **fixed)),
        )
    )
    return MergeCounts(after["moved"], after["kept"], len(pks) - after["moved"] - after["kept"])


# Discovery ---------------------------------------------------------------------------


def relations(user_model: type[models.Model], db: str) -> list[Relation]:
    """Every relation of an installed model to ``user_model``, in registry order."""
    concrete_user = user_model._meta.concrete_model
    user_ct = None
    found = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or opts.app_label == Guest._meta.app_label:
            continue
        owner = opts.auto_created
        if isinstance(owner, type) and owner._meta.concrete_model is concrete_user:
            continue  # the user's own many-to-many fields: groups, permissions
        # Concrete only: a ForeignObject has no column of its own to update.
        for field in opts.local_concrete_fields:
            if (
                field.is_relation
                and (field.many_to_one or field.one_to_one)
                and field.related_model is not None
                and field.related_model._meta.concrete_model is concrete_user
                and not getattr(field.remote_field, "parent_link", False)
            ):
                found.append(
                    Relation(
                        model=model,
                        field=field.name,
                        fixed=(),
                        generic=False,
                        unique_sets=_unique_sets(model, field.name),
                        one_to_one=bool(field.one_to_one),
                        movable=not field.primary_key,
                    )
                )
        for generic in _generic_keys(model, user_model):
            if user_ct is None:
                from django.contrib.contenttypes.models import ContentType

                user_ct = ContentType.objects.db_manager(db).get_for_model(user_model)
            id_field = _concrete(opts.get_field(generic.fk_field))
            found.append(
                Relation(
                    model=model,
                    field=id_field.name,
                    fixed=((opts.get_field(generic.ct_field).name, user_ct),),
                    generic=True,
                    unique_sets=_unique_sets(model, id_field.name),
                    one_to_one=False,
                    movable=not id_field.primary_key,
                )
            )
    return found


def _generic_keys(model: type[models.Model], user_model: type[models.Model]) -> list[Any]:
    """The model's generic foreign keys whose object id can hold a user's primary key."""
    if not apps.is_installed("django.contrib.contenttypes"):
        return []
    from django.contrib.contenttypes.fields import GenericForeignKey

    user_kind = _key_kind(user_model._meta.pk)
    found = []
    for field in model._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            kind = _key_kind(_concrete(model._meta.get_field(field.fk_field)))
            # A text object id holds any key; otherwise the kinds must agree
            # (an integer column cannot point at a UUID-keyed user).
            if kind == "text" or kind == user_kind:
                found.append(field)
    return found


def _concrete(field: Any) -> models.Field:
    """A field that get_field() returns, known to be a concrete one (not a reverse relation)."""
    assert isinstance(field, models.Field)
    return field


def _key_kind(field: models.Field) -> str:
    internal = field.get_internal_type()
    if internal.endswith(("IntegerField", "AutoField")):
        return "integer"
    if internal in ("CharField", "TextField"):
        return "text"
    return internal


def _unique_sets(
    model: type[models.Model], name: str
) -> tuple[tuple[tuple[str, ...], Q | None], ...]:
    """The database uniqueness rules involving field ``name``, as (other fields, condition).

    Covers unique=True, unique_together and UniqueConstraint on fields, with or
    without a condition. Expression constraints cannot be read here: a clash on
    one fails the merge, which then changes nothing.
    """
    opts = model._meta

    def canonical(names: Any) -> tuple[str, ...]:
        # Constraints may name a foreign key by its column attribute ("user_id").
        return tuple(opts.get_field(n).name for n in names)

    sets: list[tuple[tuple[str, ...], Q | None]] = []
    if _concrete(opts.get_field(name)).unique:
        sets.append(((), None))
    for together in opts.unique_together:
        fields = canonical(together)
        if name in fields:
            sets.append((tuple(n for n in fields if n != name), None))
    for constraint in opts.constraints:
        if isinstance(constraint, UniqueConstraint) and not constraint.expressions:
            fields = canonical(constraint.fields)
            if name in fields:
                sets.append((tuple(n for n in fields if n != name), constraint.condition))
    return tuple(sets)
