"""Real Django code in other processes, against the test database."""

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url():
    """GUEST_AUTH_TEST_DATABASE_URL for the database the tests run on."""
    db = connection.settings_dict
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[connection.vendor]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"{scheme}://{auth}@{db['HOST']}:{db['PORT'] or ''}/{db['NAME']}"


def manage(*args, url=None):
    """Run ``python -m django ARGS`` with the test settings against the test
    database (or ``url``); return the CompletedProcess."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env["GUEST_AUTH_TEST_DATABASE_URL"] = url or database_url()
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class Worker:
    """``python -m tests.purgeapp.worker`` against the test database."""

    def __init__(self, *args):
        env = {**os.environ, "GUEST_AUTH_TEST_DATABASE_URL": database_url()}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.purgeapp.worker", *args],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def expect(self, expected, timeout=30):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"worker said nothing within {timeout} s (blocked?)")
        if line is None:
            pytest.fail(f"worker ended: {self.proc.wait()} {self.proc.stderr.read()}")
        if expected is not None:
            assert line == expected
        return line

    def send(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def result(self, timeout=30):
        result = json.loads(self.expect(None, timeout))
        assert self.proc.wait(timeout) == 0, self.proc.stderr.read()
        result["stderr"] = self.proc.stderr.read()
        return result
