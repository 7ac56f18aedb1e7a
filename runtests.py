#!/usr/bin/env python
"""The quick test command: the suite on SQLite on every core, then the example project.

    python runtests.py [--all-user-models] [--cov-report] [--no-cov] [pytest arguments]

What it runs, in order, saying which step of how many it is on:

1. the suite (``tests/``) with Django's ``User``, spread over the machine's cores
   (pytest-xdist), leaving out the tests marked ``serial``;
2. the ``serial`` tests, in one process (they share a Redis database, spawn servers or
   time themselves: see the marker in pyproject.toml);
3. the example project's tests.

``--all-user-models`` runs steps 1 and 2 again with the custom user model
(``testapp.EmailUser``: UUID primary key, email as username), as tox does; CI's
``.ci/run`` runs that user model, PostgreSQL and MariaDB in steps of its own.

Extra arguments go to every pytest run (``-x``, ``-k merge``). The database comes from
GUEST_AUTH_TEST_DATABASE_URL as for plain ``pytest``. Coverage of ``guest_auth`` is
combined over the runs and must reach COVERAGE_FLOOR: the total is printed, the
per-file table only with ``--cov-report``; ``--no-cov`` skips coverage. It ends with a
summary of each step and exits non-zero on any failure. README, tox and .ci/run call it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

# Measured 2026-12-07 over the quick runs (auth.User and the example project) on
# SQLite, after issues 21-26 merged: 92.57% (5,005 statements, 372 missed). What SQLite
# cannot reach accounts for most of the gap: the PostgreSQL-only one-statement creation
# (_create) and deletes by key (_purge.sql), the PostgreSQL and MariaDB branches of the
# insights' estimates and of the migrations, the concurrency paths, and the pytest
# plugin, imported before coverage starts (CI's database runs cover the first ones). A
# little under the figure, so that a change that drops coverage fails and noise does not.
COVERAGE_FLOOR = 92

SUITE = ["tests"]
EXAMPLE = ["example_project", "--ds=example_project.settings"]


def _workers() -> int:
    # GUEST_AUTH_TEST_REDIS_URL makes the default cache one Redis database that every
    # test clears: two processes would wipe each other's rate-limit counters.
    if os.environ.get("GUEST_AUTH_TEST_REDIS_URL"):
        return 1
    try:
        import xdist  # noqa: F401
    except ImportError:
        return 1
    return min(os.cpu_count() or 1, 8)


def _runs(all_user_models: bool) -> list[tuple[str, dict[str, str], list[str]]]:
    workers = _workers()
    models = ["auth.User", "testapp.EmailUser"] if all_user_models else ["auth.User"]
    runs = []
    for model in models:
        env = {"GUEST_AUTH_TEST_USER_MODEL": model}
        if workers > 1:
            runs.append(
                (
                    f"suite, {model}, {workers} processes",
                    env,
                    [*SUITE, "-n", str(workers), "-m", "not serial"],
                )
            )
            runs.append((f"suite, {model}, serial tests", env, [*SUITE, "-m", "serial"]))
        else:
            runs.append((f"suite, {model}, one process", env, SUITE))
    runs.append(("example project", {}, EXAMPLE))
    return runs


def _flag(args: list[str], name: str) -> bool:
    if name in args:
        args.remove(name)
        return True
    return False


def _selects(args: list[str]) -> bool:
    """Whether the arguments run part of the suite (-k, -m, --lf, paths, node ids)."""
    return any(
        arg in ("-k", "-m", "--lf", "--last-failed", "--sw", "--stepwise")
        or arg.startswith(("-k", "-m"))
        or not arg.startswith("-")
        for arg in args
    )


def _coverage(table: bool, *, partial: bool, summary: list[str]) -> bool:
    """Print the coverage total (and the table if asked); True if under the floor."""
    print(f"\n=== runtests: coverage of guest_auth (floor {COVERAGE_FLOOR}%)", flush=True)
    command = [sys.executable, "-m", "coverage", "report"]
    if table:
        subprocess.call([*command, "--skip-covered"])
    result = subprocess.run([*command, "--format=total"], stdout=subprocess.PIPE, text=True)
    total = int(result.stdout.split()[0]) if result.returncode == 0 else 0
    if partial:
        line = f"{total}% of a partial run (the floor applies to whole runs)"
    else:
        line = f"{total}%, floor {COVERAGE_FLOOR}%"
    under = not partial and total < COVERAGE_FLOOR
    print(line)
    summary.append(f"  coverage: {'UNDER THE FLOOR, ' if under else ''}{line}")
    return under


def main(argv: list[str]) -> int:
    args = list(argv)
    coverage = not _flag(args, "--no-cov")
    table = _flag(args, "--cov-report")
    runs = _runs(_flag(args, "--all-user-models"))
    if not any(arg in ("-v", "--verbose", "-q", "--quiet") for arg in args):
        args.append("-q")
    if not any(arg.startswith("-r") for arg in args):
        args.append("-rfE")  # the summary names failures and errors; skips stay a count
    summary = []
    started = time.monotonic()
    for number, (name, env, run_args) in enumerate(runs, 1):
        print(f"\n=== runtests {number}/{len(runs)}: {name}", flush=True)
        command = [sys.executable, "-m", "pytest", *run_args, *args]
        if coverage:
            command += ["--cov=guest_auth", "--cov-report="]
            if number > 1:
                command.append("--cov-append")
        run_started = time.monotonic()
        code = subprocess.call(command, env={**os.environ, **env})
        # pytest's 5: nothing collected (e.g. -k that matches no serial test).
        outcome = "ok" if code in (0, 5) else f"FAILED (exit {code})"
        summary.append(f"  {name}: {outcome}, {time.monotonic() - run_started:.0f} s")
    failed = any("FAILED" in line for line in summary)
    if coverage and not failed:
        failed = _coverage(table, partial=_selects(args), summary=summary)
    elapsed = time.monotonic() - started
    print(f"\n=== runtests: {'FAILED' if failed else 'passed'} in {elapsed:.0f} s")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
