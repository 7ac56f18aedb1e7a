#!/usr/bin/env python
"""Benchmark of ``purge_guests`` on PostgreSQL (a script, not a test).

It measures, on data generated with SQL (``generate_series``), each guest
owning two rows of a table with a CASCADE foreign key to the user:

(a) the time ``purge_guests()`` takes to delete ``--guests`` inactive guests,
    against the equivalent hand-written SQL ``DELETE`` statements, on
    identical fresh data in the same run: ``--repeat`` rounds, each timing
    both back to back, and the median of the rounds' ratios (target: at
    most 2.0);
(b) the peak RSS of a process that purges ``--rss-guests`` inactive guests
    (target: under 150 MB), read from ``wait4()`` of that child process, next
    to a child that only starts Django, for scale.

Besides the guests to purge, 1 user in 50 is a regular user and 1 in 50 an
active guest; both methods must leave exactly those (checked).

Run it from the repository root, against a database of its own (every table
in it is emptied between rounds), as a superuser (it runs CHECKPOINT):

    createdb -h 127.0.0.1 -U postgres guest_auth_bench
    GUEST_AUTH_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guest_auth_bench \\
        python benchmarks/purge.py --guests 100000 --rss-guests 1000000

It takes four to seven minutes on 2 shared cores, most of it in the second part.
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
REGULAR, ACTIVE = 0, 25  # id % 50: a regular user, an active guest; others are idle guests
TABLES = "benchapp_row, guest_auth_guest, auth_user_groups, auth_user_user_permissions, auth_user"

GENERATE = """
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                       email, is_staff, is_active, date_joined)
SELECT i, '!', false,
       CASE WHEN i %% 50 = %(regular)s THEN 'user_' || i
            ELSE 'guest_' || lpad(to_hex(i), 20, '0') END,
       '', '', '', false, true, now() - interval '90 days'
FROM generate_series(1, %(users)s) AS i;

INSERT INTO guest_auth_guest (user_id, created_at, last_seen_at)
SELECT i, now() - interval '90 days',
       CASE WHEN i %% 50 = %(active)s THEN now() ELSE now() - interval '60 days' END
FROM generate_series(1, %(users)s) AS i
WHERE i %% 50 <> %(regular)s;

INSERT INTO benchapp_row (owner_id, payload)
SELECT i, 'row ' || j || ' of user ' || i
FROM generate_series(1, %(users)s) AS i, generate_series(1, 2) AS j;

SELECT setval(pg_get_serial_sequence('auth_user', 'id'), %(users)s);
"""

# What an engineer would write by hand: one transaction, one statement per
# table, the guests picked by the same inactivity condition.
HAND_WRITTEN_DELETE = """
DELETE FROM benchapp_row AS r USING guest_auth_guest AS g
    WHERE r.owner_id = g.user_id AND g.last_seen_at < %(cutoff)s;
DELETE FROM auth_user_groups AS x USING guest_auth_guest AS g
    WHERE x.user_id = g.user_id AND g.last_seen_at < %(cutoff)s;
DELETE FROM auth_user_user_permissions AS x USING guest_auth_guest AS g
    WHERE x.user_id = g.user_id AND g.last_seen_at < %(cutoff)s;
DELETE FROM auth_user AS u USING guest_auth_guest AS g
    WHERE u.id = g.user_id AND g.last_seen_at < %(cutoff)s;
DELETE FROM guest_auth_guest WHERE last_seen_at < %(cutoff)s;
"""


def users_for(guests: int) -> int:
    """The number of users whose ids 1..n hold exactly ``guests`` idle guests."""
    n = guests
    while n - n // 50 - (n + 50 - ACTIVE) // 50 < guests:
        n += 1
    return n


def setup_django(migrate: bool) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", skip_checks=True, verbosity=0)


def generate(guests: int) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        cursor.execute(GENERATE, {"users": users_for(guests), "regular": REGULAR, "active": ACTIVE})
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {TABLES}")
        # Start each timing from the same state: without this, the checkpoint
        # the previous round's writes provoke runs during the next timing.
        cursor.execute("CHECKPOINT")
    return time.perf_counter() - started


def survivors() -> tuple[int, int, int]:
    """(users, guests, rows) left: must be the regular users and active guests."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM auth_user), (SELECT count(*) FROM guest_auth_guest),"
            " (SELECT count(*) FROM benchapp_row)"
        )
        return cursor.fetchone()


def cutoff():
    from django.utils import timezone

    from guest_auth._durations import to_timedelta

    return timezone.now() - to_timedelta(WINDOW)


def time_sql(guests: int) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_DELETE, {"cutoff": cutoff()})
    return time.perf_counter() - started


def time_purge(guests: int, batch_size: int | None) -> float:
    from guest_auth.services import purge_guests

    started = time.perf_counter()
    count = purge_guests(older_than=WINDOW, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    if count != guests:
        raise SystemExit(f"purge_guests() deleted {count} guests, expected {guests}")
    return elapsed


def compare(guests: int, repeat: int, batch_size: int | None) -> float:
    """Time both methods ``repeat`` times each on fresh identical data.

    The machine is shared, so its load drifts: each round times the two
    methods back to back (alternating which goes first) and the figure that
    counts is the median of the rounds' ratios.
    """
    expected = None
    times: dict[str, list[float]] = {"sql": [], "purge": []}
    ratios = []
    for round_ in range(1, repeat + 1):
        order = ("sql", "purge") if round_ % 2 else ("purge", "sql")
        for name in order:
            generate(guests)
            before = survivors()
            elapsed = time_sql(guests) if name == "sql" else time_purge(guests, batch_size)
            after = survivors()
            expected = expected or (before[0] - guests, before[1] - guests, before[2] - 2 * guests)
            if after != expected:
                raise SystemExit(f"{name} left (users, guests, rows) {after}, expected {expected}")
            times[name].append(elapsed)
        ratios.append(times["purge"][-1] / times["sql"][-1])
        print(
            f"  round {round_}: hand-written SQL {times['sql'][-1]:7.3f} s, "
            f"purge_guests() {times['purge'][-1]:7.3f} s, ratio {ratios[-1]:.2f}",
            flush=True,
        )
    ratio = statistics.median(ratios)
    print(f"(a) {guests:,} guests, 2 rows each, {repeat} rounds:")
    print(
        f"    hand-written SQL DELETE  median {statistics.median(times['sql']):7.3f} s"
        f"  (best {min(times['sql']):.3f} s)"
    )
    print(
        f"    purge_guests()           median {statistics.median(times['purge']):7.3f} s"
        f"  (best {min(times['purge']):.3f} s)"
    )
    print(
        f"    ratio                    median {ratio:.2f} of the rounds' ratios  (target <= 2.0)",
        flush=True,
    )
    return ratio


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


def measure_rss(guests: int, batch_size: int | None) -> None:
    print(f"generating {guests:,} guests with SQL...", flush=True)
    took = generate(guests)
    print(f"  generated in {took:.1f} s", flush=True)
    _, idle_rss = run_child("--child", "idle")  # Django, the driver, guest_auth, connected
    result, rss = run_child(
        "--child",
        "purge",
        "--guests",
        str(guests),
        *(["--batch-size", str(batch_size)] if batch_size else []),
    )
    print(f"(b) purge of {result['count']:,} guests in a child process: {result['seconds']:.1f} s")
    print(
        f"    peak RSS {rss:.1f} MB (VmHWM {result['vmhwm_mb']:.1f} MB; target < 150 MB);"
        f" a child that only starts Django and connects: {idle_rss:.1f} MB",
        flush=True,
    )


def child(kind: str, guests: int, batch_size: int | None) -> None:
    setup_django(migrate=False)
    from django.db import connection

    from guest_auth.services import purge_guests

    connection.ensure_connection()
    result: dict = {}
    if kind == "purge":
        started = time.perf_counter()
        result["count"] = purge_guests(older_than=WINDOW, batch_size=batch_size)
        result["seconds"] = time.perf_counter() - started
    # The kernel's own account, to cross-check wait4()'s ru_maxrss.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                result["vmhwm_mb"] = int(line.split()[1]) / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--guests",
        type=int,
        default=100_000,
        help="idle guests for the time comparison (default 100000)",
    )
    parser.add_argument(
        "--rss-guests",
        type=int,
        default=1_000_000,
        help="idle guests for the memory measurement (default 1000000; 0 skips)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of each method; the best counts (default 3)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="purge batch size (default GUEST_AUTH_PURGE_BATCH_SIZE)",
    )
    parser.add_argument("--child", choices=["idle", "purge"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.guests, args.batch_size)
        return

    setup_django(migrate=True)
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"PostgreSQL {server}, Python {platform.python_version()}, Django {django.__version__}, "
        f"{os.cpu_count()} CPUs, database {connection.settings_dict['NAME']!r}",
        flush=True,
    )
    if args.guests:
        compare(args.guests, args.repeat, args.batch_size)
    if args.rss_guests:
        measure_rss(args.rss_guests, args.batch_size)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")


if __name__ == "__main__":
    main()
