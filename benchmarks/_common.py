"""Helpers shared by the benchmark scripts: a scratch database, statistics, tables."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "BROWSER_UA",
    "ROOT",
    "ScratchDatabase",
    "percentile",
    "print_table",
    "setup_django",
]

ROOT = Path(__file__).resolve().parent.parent

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0 Safari/537.36"
)

# Databases the scripts refuse to touch whatever the URL says.
_RESERVED = {"postgres", "template0", "template1", "test"}
# Written on the databases the scripts create, so that a later run only ever
# drops a database that a benchmark made.
_MARKER = "guest_auth benchmark scratch database"


class ScratchDatabase:
    """A database made for one run and dropped after it.

    SQLite: a file in a new temporary folder. PostgreSQL: the database named in
    the URL, created (or recreated, if an earlier benchmark run made it) and
    dropped at the end. A database of that name that no benchmark made is
    never touched: the run stops instead.
    """

    def __init__(self, url: str | None, keep: bool = False) -> None:
        self.keep = keep
        self._tmpdir: str | None = None
        if not url or url == "sqlite://":
            self._tmpdir = tempfile.mkdtemp(prefix="guest_auth_bench_")
            url = f"sqlite:///{self._tmpdir}/bench.sqlite3"
        parts = urlsplit(url)
        self.vendor = {
            "sqlite": "sqlite",
            "postgres": "postgresql",
            "postgresql": "postgresql",
        }.get(parts.scheme)
        if self.vendor is None:
            sys.exit(f"unsupported database URL scheme {parts.scheme!r} (sqlite or postgres)")
        self.url = url
        self.name = unquote(parts.path.lstrip("/")) if self.vendor == "postgresql" else parts.path
        if self.vendor == "postgresql":
            if self.name in _RESERVED or not self.name:
                sys.exit(f"refusing to use the database {self.name!r}: name a scratch database")
            self._recreate()
        elif self._tmpdir is None and Path(self.name).exists():
            sys.exit(f"{self.name} exists: name a new file, the run would write into it")

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return "SQLite (file, WAL)"
        return f"PostgreSQL database {self.name!r}"

    def _admin_connection(self):
        import psycopg

        parts = urlsplit(self.url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        return psycopg.connect(admin_url, autocommit=True)

    def _recreate(self) -> None:
        from psycopg import sql

        with self._admin_connection() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.name],
            ).fetchone()
            if row is not None:
                if row[0] != _MARKER:
                    sys.exit(
                        f"the database {self.name!r} exists and was not made by a benchmark "
                        "run: name another one"
                    )
                conn.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(self.name))
                )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(self.name), sql.Literal(_MARKER)
                )
            )

    def drop(self) -> None:
        if self.keep:
            print(f"kept the database: {self.url}")
            return
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        elif self.vendor == "postgresql":
            from psycopg import sql

            with self._admin_connection() as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )


def setup_django(
    database_url: str,
    auth: str = "guest",
    redis_url: str | None = None,
    cache_prefix: str | None = None,
) -> None:
    """Configure the benchmark site in this process and migrate its database."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.site.settings"
    os.environ["BENCH_DATABASE_URL"] = database_url
    os.environ["BENCH_AUTH"] = auth
    os.environ.pop("BENCH_REDIS_URL", None)
    if redis_url:
        os.environ["BENCH_REDIS_URL"] = redis_url
    if cache_prefix:
        os.environ["BENCH_CACHE_PREFIX"] = cache_prefix

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of sorted data, linearly interpolated."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
