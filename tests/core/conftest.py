"""Tests of one database's own code path are collected only on that database: in
CI's database runs a skipped test fails the run (GUEST_AUTH_FAIL_ON_SKIP), and a test
that cannot apply is not a test that was skipped."""

import time

import pytest
from django.db import connection

collect_ignore = []
# The one-statement creation is a PostgreSQL path (a data-modifying CTE); elsewhere
# creation takes the save() path, which the rest of the suite covers.
if connection.vendor != "postgresql":
    collect_ignore.append("test_create_one_statement.py")


@pytest.fixture(autouse=True)
def _rate_windows_stand_still(request, monkeypatch):
    """The rate-limit tests count several requests into one window, and windows are
    clock periods (an hour for "1/h"): a test running across the top of an hour saw its
    counter start again. Their clock, guest_auth._ratelimit's time.time() only, stands
    in the middle of an hour; test_window_expiry moves it itself."""
    if not request.module.__name__.startswith("tests.core.test_ratelimit"):
        return
    from types import SimpleNamespace

    from guest_auth import _ratelimit

    clock = SimpleNamespace(time=lambda: 1_800_001_800.0, monotonic=time.monotonic)
    monkeypatch.setattr(_ratelimit, "time", clock)
