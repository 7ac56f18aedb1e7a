"""Counting rows without reading a whole large table.

``count(*)`` reads every row (PostgreSQL) or a whole index (InnoDB): at tens
of millions of guests that is seconds per admin page. Past ``EXACT_UP_TO``
rows an unfiltered count is read off the database's own statistics instead
(PostgreSQL's ``pg_class.reltuples``, kept by autovacuum and ANALYZE;
InnoDB's ``information_schema.tables.table_rows``), and marked approximate.
SQLite has no such statistic and always counts.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Model

__all__ = ["EXACT_UP_TO", "estimated_rows", "row_count"]

# Tables estimated to hold at most this many rows are counted exactly.
EXACT_UP_TO = 100_000


def estimated_rows(model: type[Model], using: str) -> int | None:
    """The database's estimate of the rows in ``model``'s table, or None."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(table)],
            )
        elif connection.vendor == "mysql":
            cursor.execute(
                "SELECT table_rows FROM information_schema.tables"
                " WHERE table_schema = DATABASE() AND table_name = %s",
                [table],
            )
        else:
            return None
        row = cursor.fetchone()
    # PostgreSQL: -1 for a table never vacuumed nor analyzed.
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


def row_count(model: type[Model], using: str) -> tuple[int, bool]:
    """(rows in ``model``'s table, whether that is an estimate)."""
    estimate = estimated_rows(model, using)
    if estimate is not None and estimate > EXACT_UP_TO:
        return estimate, True
    manager: Any = model._base_manager
    return manager.using(using).count(), False
