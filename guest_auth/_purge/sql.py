"""The purge's SQL layer: key lookups, the deletion collector it uses, deletes by key.

Everything here is about how statements are written for each backend; what
is deleted, and when, is guest_auth._purge.purge's.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.db import DatabaseError, connections, transaction
from django.db.models import DO_NOTHING, F, Field, Lookup, Model, Q, QuerySet
from django.db.models.deletion import Collector, get_candidate_relations_to_delete

__all__ = [
    "KeyCollector",
    "array_literal",
    "delete_keys",
    "fast_deletes",
    "is_write_race",
    "keys_in",
]


def is_write_race(exc: DatabaseError) -> bool:
    """Whether ``exc`` rolled a transaction back because of a concurrent
    write, so that taking the transaction again can succeed: a deadlock, a
    serialization failure, a foreign key violation (a row arriving for, or
    a row gone from, what the transaction deletes)."""
    cause = exc.__cause__
    # psycopg: deadlock detected, serialization failure, foreign key violation.
    if getattr(cause, "sqlstate", None) in ("40P01", "40001", "23503"):
        return True
    # MySQL/MariaDB: ER_LOCK_DEADLOCK, ER_ROW_IS_REFERENCED(_2),
    # ER_NO_REFERENCED_ROW(_2).
    args: tuple[Any, ...] = getattr(cause, "args", ())
    return bool(args) and args[0] in (1213, 1451, 1452, 1216, 1217)


def fast_deletes(model: type[Model], using: str) -> list[Field] | None:
    """The foreign keys to ``model`` whose rows Django's collector deletes with
    one plain DELETE each when users go (its "fast deletes"), or None when
    deleting users takes more: loading rows, cascading further, a signal
    receiver, SET_NULL and the like, PROTECT or RESTRICT, a generic relation,
    a foreign key to another field than the primary key. PostgreSQL and
    MySQL/MariaDB only (SQLite keeps Django's chunks of parameters).

    The same decision Collector.collect() takes per relation, taken once per run.
    """
    if connections[using].vendor not in ("postgresql", "mysql"):
        return None
    opts = model._meta
    if any(hasattr(field, "bulk_related_objects") for field in opts.private_fields):
        return None
    collector = Collector(using)
    pk_attname = opts.pk.attname
    fields: list[Field] = []
    for rel in get_candidate_relations_to_delete(opts):
        field: Any = rel.field  # type: ignore[attr-defined]
        if field.remote_field.on_delete is DO_NOTHING:
            continue
        related: Any = rel.related_model
        if not collector.can_fast_delete(related, from_field=field) or [
            target.attname for target in field.foreign_related_fields
        ] != [pk_attname]:
            return None
        fields.append(field)
    return fields


def delete_keys(model: type[Model], fast: list[Field], keys: list[Any], using: str) -> int | None:
    """Delete the users of ``model`` whose keys are ``keys`` and the rows of
    the ``fast`` foreign keys (see fast_deletes) that reference them; return
    how many users went, or None (nothing done) for keys PostgreSQL's array
    literal does not render.

    On PostgreSQL one statement: ``WITH d0 AS (DELETE FROM <rows> WHERE
    <fk> = ANY(<keys>)), ... DELETE FROM <users> WHERE <pk> = ANY(<keys>)``,
    a round trip per batch instead of one per table. The foreign keys are
    checked when the transaction commits (Django makes them deferred) or, for
    an immediate one, at the end of the statement, when its rows are gone.
    On MySQL/MariaDB, whose foreign keys are checked row by row, one DELETE
    per table, children first, as the collector orders them.
    """
    connection = connections[using]
    pk: Any = model._meta.pk
    if connection.vendor == "postgresql":
        literal = array_literal(keys)
        if literal is None:
            return None
        qn = connection.ops.quote_name
        keys_sql = f"= ANY(%s::{pk.db_type(connection)}[])"
        # Table and column names quoted by the backend; the keys are a parameter.
        ctes = [
            f"d{i} AS (DELETE FROM {qn(field.model._meta.db_table)} "  # noqa: S608
            f"WHERE {qn(cast(str, field.column))} {keys_sql})"
            for i, field in enumerate(fast)
        ]
        delete = f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(pk.column)} {keys_sql}"  # noqa: S608
        sql = f"WITH {', '.join(ctes)} {delete}" if ctes else delete
        with connection.cursor() as cursor:
            cursor.execute(sql, [literal] * (len(fast) + 1))
            return int(cursor.rowcount)
    for field in fast:
        field.model._base_manager.db_manager(using).filter(
            keys_in(field.attname, keys, using)
        )._raw_delete(using)
    return int(
        model._base_manager.db_manager(using).filter(keys_in("pk", keys, using))._raw_delete(using)
    )


def keys_in(name: str, values: list[Any], using: str) -> Any:
    """A filter for ``name`` among ``values``: ``= ANY(array)`` on PostgreSQL,
    ``IN (...)`` elsewhere, integer keys written as literals."""
    if connections[using].vendor == "postgresql":
        return _AnyOf(F(name), values)
    if values and all(type(value) is int for value in values):
        return _IntegersIn(F(name), values)
    return Q(**{f"{name}__in": values})


class _IntegersIn(Lookup):
    """``lhs IN (1, 2, ...)``, integer keys written into the statement.

    Django prepares each parameter of ``IN (%s, %s, ...)`` in turn, and the
    MySQL driver quotes each again: for a batch of a thousand guests on
    MariaDB that cost more than the deletes themselves. The text of a Python
    int is an SQL literal; nothing else is written this way.
    """

    lookup_name = "guest_auth_integers_in"  # used directly, never registered
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:  # (sql, params)
        lhs_sql, params = self.process_lhs(compiler, connection)
        keys = ", ".join(str(int(value)) for value in self.rhs)
        return f"{lhs_sql} IN ({keys})", list(params)


class _AnyOf(Lookup):
    """``lhs = ANY(%s)``, the keys as one array parameter (PostgreSQL).

    Django's ``IN (%s, %s, ...)`` takes one parameter per key, each prepared
    by Django and then by the driver: for batches of a thousand guests that
    costs more than the deletes themselves. Integer, UUID and text keys go as
    one array literal, cast to the column's type: the driver then quotes one
    string rather than each key in turn.
    """

    lookup_name = "guest_auth_any"  # used directly, never registered
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:  # (sql, params)
        lhs_sql, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        literal = array_literal(values)
        if literal is None:
            return f"{lhs_sql} = ANY(%s)", [*params, values]
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs_sql} = ANY(%s::{db_type}[])", [*params, literal]


def array_literal(values: list[Any]) -> str | None:
    """``values`` as a PostgreSQL array literal, or None for key types it
    does not render (the driver then adapts the list)."""
    kinds = {type(value) for value in values}
    if kinds <= {int}:
        return "{" + ",".join(map(str, values)) + "}"
    if kinds <= {UUID}:
        return "{" + ",".join(map(str, values)) + "}"
    if kinds <= {str}:
        return "{" + ",".join(_quoted(value) for value in values) + "}"
    return None


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class KeyCollector(Collector):
    """Django's deletion collector, cheaper per key.

    Related rows are looked up by key values rather than instances Django
    would take apart one by one; on PostgreSQL the keys go as one array
    parameter. On PostgreSQL and MySQL/MariaDB, when nothing can observe the
    user instances (``lean_model``: no pre/post_delete receiver, no parent
    model), the users are deleted last with one statement rather than in
    Django's chunks of a hundred. What is deleted, in which order and with which signals stays
    what Django decides.
    """

    def __init__(self, using: str, origin: Any = None, *, lean_model: Any = None) -> None:
        super().__init__(using, origin=origin)
        # Not on SQLite, whose limit on query parameters Django's chunks respect.
        one_statement = connections[using].vendor in ("postgresql", "mysql")
        self._lean_model = lean_model if one_statement else None

    def related_objects(self, related_model: Any, related_fields: Any, objs: Any) -> QuerySet[Any]:
        if any(len(field.foreign_related_fields) != 1 for field in related_fields):
            return super().related_objects(related_model, related_fields, objs)
        predicate = Q.create(
            [
                keys_in(
                    field.attname,
                    [getattr(obj, field.foreign_related_fields[0].attname) for obj in objs],
                    self.using,
                )
                for field in related_fields
            ],
            connector=Q.OR,
        )
        return related_model._base_manager.using(self.using).filter(predicate)

    def delete(self) -> tuple[int, dict[str, int]]:
        users = self.data.pop(self._lean_model, None) if self._lean_model else None
        if not users:
            return super().delete()
        model: Any = self._lean_model
        with transaction.atomic(using=self.using, savepoint=False):
            # Everything that cascades from the users first, then the users:
            # they are what every other collected row depends on.
            _, per_model = super().delete()
            count = (
                model._base_manager.db_manager(self.using)
                .filter(keys_in("pk", [user.pk for user in users], self.using))
                ._raw_delete(self.using)
            )
        if count:
            per_model[model._meta.label] = count
        return sum(per_model.values()), per_model
