"""Tests of one database's own code path are collected only on that database: in
CI's database runs a skipped test fails the run (GUEST_AUTH_FAIL_ON_SKIP), and a test
that cannot apply is not a test that was skipped."""

from django.db import connection

collect_ignore = []
# The one-statement creation is a PostgreSQL path (a data-modifying CTE); elsewhere
# creation takes the save() path, which the rest of the suite covers.
if connection.vendor != "postgresql":
    collect_ignore.append("test_create_one_statement.py")
