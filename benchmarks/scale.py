#!/usr/bin/env python
"""guest_auth's tables at scale: sizes, the admin's insights and changelist.

For each ``--guests`` size, generates the purge benchmark's data with SQL
(see benchmarks/purge.py: guests with two rows each, 1 user in 11 regular,
1 guest in 50 active, creation times spread over the last 90 days), then
reports the generation rate, the guest_auth tables' and indexes' sizes, and
the time and queries of ``insights()`` and of the Guest changelist's
queries, each the median of ``--repeat`` runs, after two purge runs (which
count the past days' creations once, as a daily purge does). Target (exit status 1): the
insights take at most 3x at the largest size what they take at the smallest.

    GUEST_AUTH_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guest_auth_bench \\
        python benchmarks/scale.py --guests 1000 100000 1000000

Uses the database named like benchmarks/purge.py does (its tables emptied).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
os.environ["GUEST_AUTH_BENCH_ADMIN"] = "1"

import purge as data

TARGET_GROWTH = 3.0


def spread_creation_times() -> None:
    """Creation and last-seen times over 90 days, as a live site has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE guest_auth_guest SET created_at = now() - (user_id % 90) * interval '1 day'"
                " - (user_id % 1440) * interval '1 minute',"
                " last_seen_at = CASE WHEN user_id % 50 = 25 THEN now()"
                " ELSE now() - (user_id % 60) * interval '1 day' END,"
                # Every guest made under a session cookie has one.
                " race_key = md5(user_id::text)::uuid"
            )
            cursor.execute("VACUUM ANALYZE guest_auth_guest")
        else:
            cursor.execute(
                "UPDATE guest_auth_guest SET created_at = UTC_TIMESTAMP(6)"
                " - INTERVAL (user_id % 90) DAY - INTERVAL (user_id % 1440) MINUTE,"
                " last_seen_at = CASE WHEN user_id % 50 = 25 THEN UTC_TIMESTAMP(6)"
                " ELSE UTC_TIMESTAMP(6) - INTERVAL (user_id % 60) DAY END,"
                " race_key = CONCAT(SUBSTR(MD5(user_id), 1, 8), '-', SUBSTR(MD5(user_id), 9, 4),"
                " '-4', SUBSTR(MD5(user_id), 14, 3), '-a', SUBSTR(MD5(user_id), 18, 3), '-',"
                " SUBSTR(MD5(user_id), 21, 12))"
            )
            cursor.execute("ANALYZE TABLE guest_auth_guest")
            cursor.fetchall()


def sizes() -> list[tuple[str, int]]:
    """(relation, bytes) of guest_auth_guest, its indexes, and the user table."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
                " WHERE c.relname = 'guest_auth_guest' OR c.relname = 'auth_user'"
                " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid ="
                " 'guest_auth_guest'::regclass) ORDER BY c.relkind DESC, c.relname"
            )
        else:
            cursor.execute(
                "SELECT CONCAT(table_name, ' (data)'), data_length FROM information_schema.tables"
                " WHERE table_schema = DATABASE() AND table_name IN ('guest_auth_guest',"
                " 'auth_user') UNION ALL SELECT CONCAT(table_name, '.', index_name),"
                " stat_value * @@innodb_page_size FROM mysql.innodb_index_stats"
                " WHERE database_name = DATABASE() AND table_name = 'guest_auth_guest'"
                " AND stat_name = 'size'"
            )
        return list(cursor.fetchall())


def timed(function, repeat: int) -> tuple[float, int]:
    """(median seconds, queries) of ``function()``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def changelist_queries() -> None:
    """What the Guest changelist asks the database, unfiltered, first page."""
    from django.contrib.admin import site

    from guest_auth.admin import GuestAdmin
    from guest_auth.models import Guest

    model_admin = GuestAdmin(Guest, site)
    queryset = Guest.objects.select_related("user").order_by("-last_seen_at")
    paginator = model_admin.get_paginator(None, queryset, model_admin.list_per_page)
    _ = paginator.count
    list(paginator.page(1).object_list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data.setup_django(migrate=True)
    import django
    from django.db import connection

    from guest_auth.stats import insights

    print(
        f"{connection.vendor}, Django {django.__version__}, {os.cpu_count()} CPUs"
        " (shared with other work: noisy)",
        flush=True,
    )
    first = None
    insights_time = 0.0
    for guests in args.guests:
        took = data.generate(guests)
        users = data.users_for(guests)
        spread_creation_times()
        print(
            f"\n{guests:,} idle guests ({users:,} users, {2 * users:,} rows): generated with SQL"
            f" in {took:.1f} s ({users / took:,.0f} users/s with their guest rows and rows)",
            flush=True,
        )
        # The daily purge: one guest, and the past days' creations counted
        # (the first run counts 60 days; later ones, one).
        from guest_auth.services import purge_guests

        started = time.perf_counter()
        purge_guests(limit=1)
        first_run = time.perf_counter() - started
        started = time.perf_counter()
        purge_guests(limit=1)
        print(
            f"  purge_guests(limit=1): {first_run:.2f} s the first run (counts 60 past days),"
            f" {time.perf_counter() - started:.2f} s the next"
        )
        for name, size in sizes():
            print(f"  {name:<45} {size / 2**20:9.1f} MB  ({size / max(users, 1):.0f} B/user)")
        insights_time, queries = timed(insights, args.repeat)
        figures = insights()
        print(
            f"  insights(): {insights_time * 1000:.1f} ms, {queries} queries"
            f" (active {figures.active:,}, idle {'~' if figures.approximate else ''}"
            f"{figures.idle:,}, purgeable {figures.purgeable:,})"
        )
        changelist, queries = timed(changelist_queries, args.repeat)
        print(f"  Guest changelist's queries: {changelist * 1000:.1f} ms, {queries} queries")
        if first is None:
            first = insights_time
    data.generate(0)
    growth = insights_time / first if first else 1.0
    print(
        f"\ninsights() at {args.guests[-1]:,} guests: {growth:.1f}x its time at"
        f" {args.guests[0]:,} (target <= {TARGET_GROWTH})"
    )
    if growth > TARGET_GROWTH:
        print("MISSED")
        sys.exit(1)


if __name__ == "__main__":
    main()
