"""Counting rows without reading a whole large table.

``count(*)`` reads every row (PostgreSQL) or a whole index (InnoDB): at tens
of millions of guests that is seconds per admin page. Past ``EXACT_UP_TO``
rows an unfiltered count is read off the database's own statistics instead
(PostgreSQL's ``pg_class.reltuples``, kept by autovacuum and ANALYZE;
InnoDB's ``information_schema.tables.table_rows``), and marked approximate.
SQLite has no such statistic and always counts.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

__all__ = ["EXACT_UP_TO", "estimated_count", "estimated_rows", "row_count"]

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


def estimated_count(queryset: QuerySet[Any]) -> int | None:
    """The planner's estimate of the rows ``queryset`` matches, or None.

    For counts over a range of an index of a large table (the insights'
    active and purgeable guests): the planner reads the index's statistics
    (PostgreSQL also probes the index's ends), not the range itself.
    """
    vendor = connections[queryset.db].vendor
    if vendor not in ("postgresql", "mysql"):
        return None
    try:
        plan = json.loads(queryset.values("pk").explain(format="json"))
        if isinstance(plan, str):  # MySQL's backend returns the JSON quoted
            plan = json.loads(plan)
    except (ValueError, TypeError):
        return None
    if vendor == "postgresql":
        return int(plan[0]["Plan"]["Plan Rows"])
    return _mysql_rows(plan)


def _mysql_rows(node: Any) -> int | None:
    # MariaDB: {"query_block": {"table": {"rows": N, "filtered": P}}};
    # MySQL 8: "rows_examined_per_scan" and "filtered".
    if isinstance(node, dict):
        for key in ("rows", "rows_examined_per_scan"):
            if isinstance(node.get(key), int):
                filtered = float(node.get("filtered", 100))
                return round(node[key] * filtered / 100)
        for value in node.values():
            found = _mysql_rows(value)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _mysql_rows(value)
            if found is not None:
                return found
    return None
