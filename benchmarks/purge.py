#!/usr/bin/env python
"""Benchmark of ``purge_guests`` against the SQL floor (a script, not a test).

On data generated with SQL, ``--guests`` idle guests each owning two rows of a
table with a CASCADE foreign key to the user, among regular users (1 user in
11, 10,000 beside 100,000 guests) and active guests (1 in 50) that must all
survive, it times:

- the SQL floor: one transaction, ``CREATE TEMPORARY TABLE doomed AS SELECT
  user_id FROM guest_auth_guest WHERE <idle>``, then one ``DELETE ... USING
  doomed`` per table that references the user (children first), then the
  users. The tables are read off Django's models, so it deletes exactly what
  ``purge_guests()`` must;
- ``purge_guests()`` with the default settings (or ``--batch-size``).

Each is run in a child process of its own on freshly generated identical
data, ``--repeat`` rounds interleaved (the order swapped every round), and
the figure that counts is the median of the rounds' ratios. The child's peak
RSS is read from ``wait4()``. Both must leave exactly the regular users and
the active guests (checked after every run).

Targets (exit status 1 when one is missed): ratio at most 1.5, peak RSS of
the purging process under 100 MB.

Run it from the repository root, against a database of its own (every table
in it is emptied between rounds), as a superuser (PostgreSQL: CHECKPOINT):

    createdb -h 127.0.0.1 -U postgres guest_auth_bench
    GUEST_AUTH_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guest_auth_bench \\
        python benchmarks/purge.py --guests 100000
    mariadb -h 127.0.0.1 -uroot -e 'CREATE DATABASE guest_auth_bench'
    GUEST_AUTH_BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/guest_auth_bench \\
        python benchmarks/purge.py --guests 100000

``--guests`` takes several sizes (``--guests 100000 1000000``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

WINDOW = "30d"
REGULAR_EVERY = 11  # id % 11 == 0: a regular user
ACTIVE_EVERY, ACTIVE_AT = 50, 25  # id % 50 == 25 (and not regular): an active guest
TARGET_RATIO = 1.5
TARGET_RSS_MB = 100


def counts_for(users: int) -> tuple[int, int, int]:
    """(regular users, active guests, idle guests) among ids 1..users."""
    regular = users // REGULAR_EVERY
    # id % 50 == 25 and id % 11 == 0  <=>  id % 550 == 275
    active = (users + ACTIVE_EVERY - ACTIVE_AT) // ACTIVE_EVERY - (users + 275) // 550
    return regular, active, users - regular - active


def users_for(guests: int) -> int:
    """The number of users whose ids 1..n hold exactly ``guests`` idle guests."""
    if guests < 1:
        return 0
    n = guests
    while counts_for(n)[2] < guests:
        n += max(1, (guests - counts_for(n)[2]) // 2)
    while counts_for(n - 1)[2] >= guests:
        n -= 1
    return n


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def tables() -> tuple[list[tuple[str, str]], str]:
    """([(table, column referencing the user)], user table), children first."""
    from django.contrib.auth import get_user_model
    from django.db.models.deletion import get_candidate_relations_to_delete

    from guest_auth.models import Guest

    user = get_user_model()
    # The many-to-many tables' foreign keys are among these.
    refs = [
        (rel.related_model._meta.db_table, rel.field.column)
        for rel in get_candidate_relations_to_delete(user._meta)
    ]
    guest = (Guest._meta.db_table, "user_id")
    refs.remove(guest)
    return [*sorted(refs), guest], user._meta.db_table


def setup_django(migrate: bool) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", skip_checks=True, verbosity=0)


def _sequence(n: int, var: str) -> str:
    """1..n as a table whose column is ``var``."""
    if vendor() == "postgresql":
        return f"generate_series(1, {n}) AS s_{var}({var})"
    return f"(SELECT seq AS {var} FROM seq_1_to_{n}) AS s_{var}"


def generate(guests: int) -> float:
    from django.db import connection, transaction

    users = users_for(guests)
    refs, user_table = tables()
    postgres = vendor() == "postgresql"
    started = time.perf_counter()
    seq = _sequence(users, "i")
    guest_name = (
        "'guest_' || lpad(to_hex(i), 20, '0')"
        if postgres
        else "CONCAT('guest_', LPAD(HEX(i), 20, '0'))"
    )
    user_name = "'user_' || i" if postgres else "CONCAT('user_', i)"
    payload = "'row ' || j || ' of user ' || i" if postgres else "CONCAT('row ', j, ' of user ', i)"
    now = "now()" if postgres else "UTC_TIMESTAMP(6)"
    ago = (
        (lambda days: f"now() - interval '{days} days'")
        if postgres
        else (lambda days: f"UTC_TIMESTAMP(6) - INTERVAL {days} DAY")
    )
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                "TRUNCATE "
                + ", ".join(t for t, _ in refs)
                + f", {user_table}, guest_auth_guestday RESTART IDENTITY CASCADE"
            )
        else:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table, _ in [*refs, (user_table, None), ("guest_auth_guestday", None)]:
                cursor.execute(f"TRUNCATE {table}")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    if not users:
        return time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {user_table} (id, password, is_superuser, username, first_name,"
            " last_name, email, is_staff, is_active, date_joined)"
            f" SELECT i, '!', false, CASE WHEN i % {REGULAR_EVERY} = 0 THEN {user_name}"
            f" ELSE {guest_name} END, '', '', '', false, true, {ago(90)} FROM {seq}"
        )
        cursor.execute(
            "INSERT INTO guest_auth_guest (user_id, created_at, last_seen_at)"
            f" SELECT i, {ago(90)}, CASE WHEN i % {ACTIVE_EVERY} = {ACTIVE_AT} THEN {now}"
            f" ELSE {ago(60)} END FROM {seq} WHERE i % {REGULAR_EVERY} <> 0"
        )
        cursor.execute(
            f"INSERT INTO benchapp_row (owner_id, payload) SELECT i, {payload}"
            f" FROM {seq}, {_sequence(2, 'j')}"
        )
    with connection.cursor() as cursor:
        all_tables = [t for t, _ in refs] + [user_table]
        if postgres:
            if users:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{user_table}', 'id'), {users})"
                )
            cursor.execute("VACUUM ANALYZE " + ", ".join(all_tables))
            # Start each timing from the same state: without this, the checkpoint
            # the previous round's writes provoke runs during the next timing.
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE TABLE " + ", ".join(all_tables))
            cursor.fetchall()
    return time.perf_counter() - started


def survivors() -> tuple[int, int, int]:
    """(users, guests, rows) left: must be the regular users and active guests."""
    from django.db import connection

    _, user_table = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {user_table}), (SELECT count(*) FROM guest_auth_guest),"
            " (SELECT count(*) FROM benchapp_row)"
        )
        return cursor.fetchone()


def cutoff():
    from django.utils import timezone

    from guest_auth._durations import to_timedelta

    return timezone.now() - to_timedelta(WINDOW)


def sql_floor() -> list[str]:
    """The hand-written purge: the statements of one transaction."""
    refs, user_table = tables()
    if vendor() == "postgresql":
        create = (
            "CREATE TEMPORARY TABLE doomed ON COMMIT DROP AS"
            " SELECT user_id FROM guest_auth_guest WHERE last_seen_at < %(cutoff)s"
        )
        deletes = [
            f"DELETE FROM {table} AS x USING doomed AS d WHERE x.{column} = d.user_id"
            for table, column in refs
        ]
        deletes.append(f"DELETE FROM {user_table} AS u USING doomed AS d WHERE u.id = d.user_id")
        return [create, *deletes]
    create = (
        "CREATE TEMPORARY TABLE doomed (PRIMARY KEY (user_id)) AS"
        " SELECT user_id FROM guest_auth_guest WHERE last_seen_at < %(cutoff)s"
    )
    deletes = [
        f"DELETE x FROM {table} AS x JOIN doomed AS d ON x.{column} = d.user_id"
        for table, column in refs
    ]
    deletes.append(f"DELETE u FROM {user_table} AS u JOIN doomed AS d ON u.id = d.user_id")
    return [create, *deletes]


def run_sql_floor() -> int:
    from django.db import connection, transaction

    statements = sql_floor()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {"cutoff": cutoff()} if "%(cutoff)s" in statement else None)
        cursor.execute("SELECT count(*) FROM doomed")
        count = cursor.fetchone()[0]
    if vendor() != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TEMPORARY TABLE doomed")
    return count


def run_child(*args: str) -> tuple[dict, float]:
    """Run this script as a child; return its JSON output and its peak RSS in MB."""
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, env=os.environ.copy()
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child {args} failed with status {proc.returncode}")
    return json.loads(output), usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def child(kind: str, batch_size: int | None) -> None:
    setup_django(migrate=False)
    from django.db import connection

    from guest_auth.services import purge_guests

    connection.ensure_connection()
    result: dict = {}
    started = time.perf_counter()
    if kind == "purge":
        result["count"] = purge_guests(older_than=WINDOW, batch_size=batch_size)
    elif kind == "sql":
        result["count"] = run_sql_floor()
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def compare(guests: int, repeat: int, batch_size: int | None) -> tuple[float, float]:
    """Time both methods ``repeat`` times each on fresh identical data; return
    the median ratio and the largest peak RSS of a purging child."""
    users = users_for(guests)
    regular, active, idle = counts_for(users)
    expected = (regular + active, active, 2 * (regular + active))
    times: dict[str, list[float]] = {"sql": [], "purge": []}
    rss: dict[str, list[float]] = {"sql": [], "purge": []}
    ratios = []
    batch = f"--batch-size {batch_size}" if batch_size else "default settings"
    print(
        f"{guests:,} idle guests (2 rows each) among {regular:,} regular users and"
        f" {active:,} active guests; purge_guests() with {batch}",
        flush=True,
    )
    for round_ in range(1, repeat + 1):
        order = ("sql", "purge") if round_ % 2 else ("purge", "sql")
        for name in order:
            took = generate(guests)
            result, peak = run_child(
                "--child", name, *(["--batch-size", str(batch_size)] if batch_size else [])
            )
            if result["count"] != idle:
                raise SystemExit(f"{name} deleted {result['count']} guests, expected {idle}")
            after = survivors()
            if after != expected:
                raise SystemExit(f"{name} left (users, guests, rows) {after}, expected {expected}")
            times[name].append(result["seconds"])
            rss[name].append(peak)
        ratios.append(times["purge"][-1] / times["sql"][-1])
        print(
            f"  round {round_}: SQL floor {times['sql'][-1]:7.2f} s, purge_guests()"
            f" {times['purge'][-1]:7.2f} s, ratio {ratios[-1]:.2f}"
            f"  (peak RSS {rss['purge'][-1]:.0f} MB; data generated in {took:.0f} s)",
            flush=True,
        )
    ratio = statistics.median(ratios)
    sql, purge = statistics.median(times["sql"]), statistics.median(times["purge"])
    print(f"  SQL floor        median {sql:7.2f} s  ({guests / sql:,.0f} guests/s)")
    print(f"  purge_guests()   median {purge:7.2f} s  ({guests / purge:,.0f} guests/s)")
    print(
        f"  ratio            median {ratio:.2f} of the rounds' ratios  (target <= {TARGET_RATIO})"
    )
    print(
        f"  peak RSS         purge {max(rss['purge']):.0f} MB (target < {TARGET_RSS_MB} MB),"
        f" SQL floor child {max(rss['sql']):.0f} MB",
        flush=True,
    )
    return ratio, max(rss["purge"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--guests",
        type=int,
        nargs="+",
        default=[100_000],
        help="idle guests, one comparison per size (default 100000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each method (default 3)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="purge batch size (default: GUEST_AUTH_PURGE_BATCH_SIZE's default)",
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate the data for the first size and stop (for profiling)",
    )
    parser.add_argument("--child", choices=["sql", "purge"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.batch_size)
        return

    setup_django(migrate=True)
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"{connection.vendor} {server}, Python {platform.python_version()},"
        f" Django {django.__version__}, {os.cpu_count()} CPUs (shared with other work: noisy),"
        f" database {connection.settings_dict['NAME']!r}",
        flush=True,
    )
    if args.generate_only:
        print(f"generated in {generate(args.guests[0]):.1f} s")
        return
    missed = []
    for guests in args.guests:
        ratio, rss = compare(guests, args.repeat, args.batch_size)
        if ratio > TARGET_RATIO:
            missed.append(f"{guests:,} guests: ratio {ratio:.2f} > {TARGET_RATIO}")
        if rss >= TARGET_RSS_MB:
            missed.append(f"{guests:,} guests: peak RSS {rss:.0f} MB >= {TARGET_RSS_MB} MB")
    generate(0)
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
