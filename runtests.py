#!/usr/bin/env python
"""The test command: the suite on SQLite with both test user models, then the example project.

    python runtests.py [pytest arguments]

Extra arguments go to every pytest run (``-x``, ``-k merge``, ``-q``). The
database comes from GUEST_AUTH_TEST_DATABASE_URL as for plain ``pytest``.
Coverage of ``guest_auth`` is combined over the three runs and must reach
COVERAGE_FLOOR; pass ``--no-cov`` to skip it. Exits non-zero on any failure.
The README, tox and .ci/run all call this.
"""

from __future__ import annotations

import os
import subprocess
import sys

# Measured 2026-11-30 over the three runs below on SQLite, after issues 13-18
# landed: 94% (4,255 statements, 242 missed; before them 98%). What SQLite
# cannot reach accounts for most of the gap: the PostgreSQL and MariaDB
# branches of the insights' estimates (_counts) and of the migrations, the
# concurrency paths, and the pytest plugin, imported before coverage starts.
# A little under the figure, so that a change that drops coverage fails and
# noise does not.
COVERAGE_FLOOR = 93

RUNS = [
    ("tests, auth.User", {"GUEST_AUTH_TEST_USER_MODEL": "auth.User"}, []),
    ("tests, testapp.EmailUser", {"GUEST_AUTH_TEST_USER_MODEL": "testapp.EmailUser"}, []),
    ("example project", {}, ["example_project", "--ds=example_project.settings"]),
]


def main(argv: list[str]) -> int:
    args = list(argv)
    coverage = "--no-cov" not in args
    if not coverage:
        args.remove("--no-cov")
    failed = []
    for number, (name, env, run_args) in enumerate(RUNS):
        print(f"\n=== runtests: {name}", flush=True)
        command = [sys.executable, "-m", "pytest", *run_args, *args]
        if coverage:
            command += ["--cov=guest_auth", "--cov-report="]
            if number:
                command.append("--cov-append")
        if subprocess.call(command, env={**os.environ, **env}) != 0:
            failed.append(name)
    if failed:
        print(f"\nruntests: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if coverage:
        print("\n=== runtests: coverage of guest_auth over the three runs", flush=True)
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "coverage",
                "report",
                "--skip-covered",
                f"--fail-under={COVERAGE_FLOOR}",
            ]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
