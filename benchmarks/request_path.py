#!/usr/bin/env python
"""What guest_auth adds to a request, measured beside plain Django in one run.

Every request goes through Django's full WSGI handler (all middleware, URL
resolution, the view, the response) in this process. Each pair of variants is
run interleaved, request by request, with the order swapped every round, so
drift (other processes, a growing database, CPU frequency) hits both alike.
For each variant it reports the SQL queries of one request and the median
time of many, with the spread; for each pair the ratio of the medians, also
computed per block of rounds to show how stable it is.

Pairs and targets (the script exits 1 when one is missed):
  a. guest-creating request (allow_guest view) vs plain Django creating a user
     with an unusable password and logging it in, both on an anonymous
     session: on PostgreSQL the same queries, at most 1.05x the time;
     elsewhere at most 1 query more, at most 1.10x.
  b. a returning guest vs a regular user under plain Django session auth, on
     the same view reading request.user: the same queries, at most 1.03x.
  c. a regular user and an anonymous visitor on plain views, with
     GuestMiddleware vs without it: no query added, at most 1.03x.

"Plain Django" requests run through a handler built without GuestMiddleware,
with guest_auth's user_logged_in receiver disconnected: no guest_auth code
runs for them.

    python benchmarks/request_path.py                    # SQLite
    python benchmarks/request_path.py --database-url postgres://postgres@127.0.0.1:5432/NAME

BENCH_DATABASE_URL may stand for --database-url. A PostgreSQL database is
created for the run and dropped after it (see benchmarks/_common.py).
"""

from __future__ import annotations

import argparse
import gc
import io
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    BROWSER_UA,
    ScratchDatabase,
    percentile,
    print_table,
    setup_django,
)
from benchmarks.site.proxy import visitor_address

GUEST_MW = "guest_auth.middleware.GuestMiddleware"
_TX_PREFIXES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Variant:
    name: str
    plain: bool  # served by plain Django (no GuestMiddleware, no guest_auth receiver)
    method: str
    path: str
    cookie: Callable[[], str | None]  # the session cookie for the next request
    expect: Callable[[dict], bool]  # checks the JSON reply (or b"ok")
    times: list[float] = field(default_factory=list)  # wall clock, seconds
    cpu: list[float] = field(default_factory=list)  # this thread's CPU time, seconds
    queries: list[tuple[int, int]] = field(default_factory=list)  # (data, transaction)
    sample_sql: list[str] = field(default_factory=list)


@dataclass
class Pair:
    title: str
    baseline: Variant
    variant: Variant
    max_extra_queries: int
    max_ratio: float | None


class Bench:
    def __init__(self) -> None:
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import override_settings

        self.visitors = itertools.count()
        self.guest_handler = WSGIHandler()
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != GUEST_MW]):
            self.plain_handler = WSGIHandler()

    @contextmanager
    def plain_django(self):
        """No guest_auth code at all: its login receiver is disconnected too."""
        from django.contrib.auth.signals import user_logged_in

        from guest_auth._login import on_login

        user_logged_in.disconnect(dispatch_uid="guest_auth.on_login")
        try:
            yield
        finally:
            user_logged_in.connect(on_login, dispatch_uid="guest_auth.on_login")

    def request(
        self,
        plain: bool,
        method: str,
        path: str,
        cookie: str | None,
    ) -> tuple[float, float, int, dict[str, str], bytes]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            # One address per visitor, as the site's proxy reports it (see
            # benchmarks/site/proxy.py): the default rate limits stay on.
            "HTTP_X_FORWARDED_FOR": visitor_address(next(self.visitors)),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_USER_AGENT": BROWSER_UA,
            "CONTENT_LENGTH": "0",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if cookie:
            environ["HTTP_COOKIE"] = f"sessionid={cookie}"
        started: list[Any] = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]

        handler = self.plain_handler if plain else self.guest_handler
        with self.plain_django() if plain else _nothing():
            c0, t0 = time.thread_time(), time.perf_counter()
            result = handler(environ, start_response)
            body = b"".join(result)
            result.close()
            elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
        status = int(started[0].split()[0])
        cookies = {}
        for name, value in started[1]:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return elapsed, cpu, status, cookies, body

    def run(self, variant: Variant, cookie: str | None) -> tuple[float, float]:
        elapsed, cpu, status, _, body = self.request(
            variant.plain, variant.method, variant.path, cookie
        )
        reply = json.loads(body) if body.startswith(b"{") else {"body": body.decode()}
        if status != 200 or not variant.expect(reply):
            raise SystemExit(f"{variant.name}: unexpected reply {status} {body[:200]!r}")
        return elapsed, cpu


@contextmanager
def _nothing():
    yield


class QueryCounter:
    """Counts the SQL statements Django sends, split into data and transaction control."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def counts(self) -> tuple[int, int]:
        tx = sum(1 for s in self.statements if s.lstrip().upper().startswith(_TX_PREFIXES))
        return len(self.statements) - tx, tx


def build_pairs(bench: Bench, pool_size: int) -> list[Pair]:
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def anonymous_session() -> str:
        session = store()
        session["cart"] = ["benchmark"]
        session.create()
        return session.session_key

    def pool(plain: bool, path: str) -> list[tuple[str, str]]:
        sessions = []
        for _ in range(pool_size):
            _, _, status, cookies, body = bench.request(plain, "POST", path, None)
            assert status == 200, body
            sessions.append((cookies["sessionid"], json.loads(body)["pk"]))
        return sessions

    def cycling(sessions: list[tuple[str, str]]):
        state = {"i": 0, "pk": None}

        def cookie() -> str:
            key, state["pk"] = sessions[state["i"] % len(sessions)]
            state["i"] += 1
            return key

        return cookie, (lambda reply: reply.get("pk") == state["pk"])

    guests = pool(False, "/guest/start/")
    regulars = pool(True, "/start/")
    logged_in = lambda reply: reply.get("pk") is not None  # noqa: E731
    anonymous = lambda reply: reply.get("pk") is None  # noqa: E731
    ok = lambda reply: reply.get("body") == "ok"  # noqa: E731
    no_cookie = lambda: None  # noqa: E731

    # Each variant walks its own pool of logged-in sessions, checking the reply
    # names the session's user.
    guest_cookie, guest_expect = cycling(guests)
    regular_cookie, regular_expect = cycling(regulars)
    regular_cookie2, regular_expect2 = cycling(regulars)
    regular_cookie3, regular_expect3 = cycling(regulars)
    regular_cookie4, _ = cycling(regulars)

    def v(name, plain, method, path, cookie, expect) -> Variant:
        return Variant(name, plain, method, path, cookie, expect)

    from django.db import connection

    # On PostgreSQL (outside a transaction) a guest's user and Guest rows are one
    # statement: the creating request makes plain Django's queries, in at most 1.05x.
    creating_queries, creating_ratio = (0, 1.05) if connection.vendor == "postgresql" else (1, 1.10)

    return [
        Pair(
            "a. guest-creating request, anonymous session",
            v(
                "plain Django: create user + login",
                True,
                "POST",
                "/start/",
                anonymous_session,
                logged_in,
            ),
            v(
                "guest_auth: allow_guest view",
                False,
                "POST",
                "/guest/start/",
                anonymous_session,
                logged_in,
            ),
            max_extra_queries=creating_queries,
            max_ratio=creating_ratio,
        ),
        Pair(
            "a. guest-creating request, no session yet",
            v("plain Django: create user + login", True, "POST", "/start/", no_cookie, logged_in),
            v("guest_auth: allow_guest view", False, "POST", "/guest/start/", no_cookie, logged_in),
            max_extra_queries=creating_queries,
            max_ratio=creating_ratio,
        ),
        Pair(
            "b. returning visitor, view reads request.user",
            v(
                "plain Django: regular user",
                True,
                "GET",
                "/whoami/",
                regular_cookie,
                regular_expect,
            ),
            v("guest_auth: returning guest", False, "GET", "/whoami/", guest_cookie, guest_expect),
            max_extra_queries=0,
            max_ratio=1.03,
        ),
        Pair(
            "c. regular user, view reads request.user",
            v("without GuestMiddleware", True, "GET", "/whoami/", regular_cookie2, regular_expect2),
            v("with GuestMiddleware", False, "GET", "/whoami/", regular_cookie3, regular_expect3),
            max_extra_queries=0,
            max_ratio=1.03,
        ),
        Pair(
            "c. anonymous visitor, view reads request.user",
            v("without GuestMiddleware", True, "GET", "/whoami/", no_cookie, anonymous),
            v("with GuestMiddleware", False, "GET", "/whoami/", no_cookie, anonymous),
            max_extra_queries=0,
            max_ratio=1.03,
        ),
        Pair(
            "c. regular user, view ignores request.user",
            v("without GuestMiddleware", True, "GET", "/untouched/", regular_cookie4, ok),
            v("with GuestMiddleware", False, "GET", "/untouched/", regular_cookie4, ok),
            max_extra_queries=0,
            max_ratio=1.03,
        ),
        Pair(
            "c. anonymous visitor, view ignores request.user",
            v("without GuestMiddleware", True, "GET", "/untouched/", no_cookie, ok),
            v("with GuestMiddleware", False, "GET", "/untouched/", no_cookie, ok),
            max_extra_queries=0,
            max_ratio=1.03,
        ),
    ]


def count_queries(bench: Bench, pairs: list[Pair], samples: int) -> None:
    from django.db import connection

    for pair in pairs:
        for variant in (pair.baseline, pair.variant):
            for _ in range(samples):
                counter = QueryCounter()
                cookie = variant.cookie()
                with connection.execute_wrapper(counter):
                    bench.run(variant, cookie)
                variant.queries.append(counter.counts())
                variant.sample_sql = counter.statements


def measure(bench: Bench, pairs: list[Pair], rounds: int, warmup: int) -> None:
    variants = [v for pair in pairs for v in (pair.baseline, pair.variant)]
    for _ in range(warmup):
        for variant in variants:
            bench.run(variant, variant.cookie())
    gc.collect()
    for round_no in range(rounds):
        for pair in pairs:
            first, second = (pair.baseline, pair.variant)
            if round_no % 2:
                first, second = second, first
            for variant in (first, second):
                elapsed, cpu = bench.run(variant, variant.cookie())
                variant.times.append(elapsed)
                variant.cpu.append(cpu)


def _ratio(base: list[float], var: list[float]) -> float:
    return median(var) / median(base)


def _block_ratios(base: list[float], var: list[float], blocks: int) -> list[float]:
    size = max(1, len(base) // blocks)
    return [_ratio(base[i : i + size], var[i : i + size]) for i in range(0, size * blocks, size)]


def report(pairs: list[Pair], blocks: int) -> list[str]:
    failures = []
    rows = []
    for pair in pairs:
        base, var = pair.baseline, pair.variant
        ratio = _ratio(base.times, var.times)
        block_ratios = _block_ratios(base.times, var.times, blocks)
        cpu_ratio = _ratio(base.cpu, var.cpu)
        base_q, var_q = _query_figure(base), _query_figure(var)
        extra = var_q[0] - base_q[0]
        verdicts = []
        if extra > pair.max_extra_queries or len(set(var.queries)) > 1:
            verdicts.append("queries")
        if pair.max_ratio is not None and ratio > pair.max_ratio:
            verdicts.append("time")
        target = f"+{pair.max_extra_queries} q"
        if pair.max_ratio is not None:
            target += f", {pair.max_ratio:.2f}x"
        for variant, figure in ((base, base_q), (var, var_q)):
            is_var = variant is var
            times = sorted(variant.times)
            rows.append(
                [
                    pair.title if not is_var else "",
                    variant.name,
                    f"{figure[0]}" + (f" +{figure[1]} tx" if figure[1] else ""),
                    f"{median(times) * 1000:.3f}",
                    f"{percentile(times, 0.1) * 1000:.3f}-{percentile(times, 0.9) * 1000:.3f}",
                    f"{median(variant.cpu) * 1000:.3f}",
                    f"{ratio:.3f}x ({min(block_ratios):.2f}-{max(block_ratios):.2f})"
                    if is_var
                    else "",
                    f"{cpu_ratio:.3f}x" if is_var else "",
                    f"{extra:+d}" if is_var else "",
                    target if is_var else "",
                    ("MISSED: " + ", ".join(verdicts) if verdicts else "ok") if is_var else "",
                ]
            )
        if verdicts:
            failures.append(
                f"{pair.title}: {', '.join(verdicts)} target missed "
                f"({extra:+d} queries, {ratio:.3f}x)"
            )
    print_table(
        [
            "pair",
            "variant",
            "queries",
            "wall ms",
            "p10-p90",
            "CPU ms",
            "wall ratio (blocks)",
            "CPU ratio",
            "+q",
            "target <=",
            "result",
        ],
        rows,
    )
    return failures


def _query_figure(variant: Variant) -> tuple[int, int]:
    # Counts must not vary between requests of one variant; the highest is shown.
    return max(variant.queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="sqlite:// (default, a temporary file) or postgres://.../NAME",
    )
    parser.add_argument(
        "--rounds", type=int, default=2000, help="timed requests per variant (default 2000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=100, help="untimed requests per variant first (default 100)"
    )
    parser.add_argument(
        "--blocks",
        type=int,
        default=5,
        help="blocks of rounds for the per-block ratios (default 5)",
    )
    parser.add_argument(
        "--show-sql", action="store_true", help="print the SQL of one request of each variant"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)

    database = ScratchDatabase(args.database_url, keep=args.keep_db)
    try:
        setup_django(database.url)
        import django
        from django.db import connections

        bench = Bench()
        pairs = build_pairs(bench, pool_size=64)
        count_queries(bench, pairs, samples=10)
        started = time.perf_counter()
        measure(bench, pairs, rounds=args.rounds, warmup=args.warmup)
        duration = time.perf_counter() - started

        print(
            f"guest_auth request path: {database.describe()}, Django {django.get_version()}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
        )
        print(
            f"{args.rounds} timed requests per variant after {args.warmup} untimed, "
            f"interleaved; {duration:.0f} s."
        )
        print(
            "Medians in ms through the WSGI handler: wall clock (p10-p90 beside it) and this "
            "thread's CPU time (what other processes on the machine cannot inflate)."
        )
        print(
            f"Ratio = median / baseline median; in brackets the same over {args.blocks} "
            "blocks of rounds. Queries per request; tx = BEGIN/SAVEPOINT/RELEASE."
        )
        print()
        failures = report(pairs, args.blocks)
        if args.show_sql:
            for pair in pairs:
                for variant in (pair.baseline, pair.variant):
                    print(f"\n{pair.title} / {variant.name}:")
                    for sql in variant.sample_sql:
                        print("   ", sql[:160])
        connections.close_all()
    finally:
        database.drop()
    print()
    if failures:
        for failure in failures:
            print("FAIL:", failure)
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
