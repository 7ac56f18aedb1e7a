"""A real DatabaseError for one statement of a path, and Django's error reports of it.

The error is raised by the database wrapper (``connection.execute_wrapper``), after the
secret exists: the reports must not show it.
"""

import re
import sys
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection
from django.views.debug import ExceptionReporter

__all__ = [
    "PASSWORD",
    "SECRET_SHAPE",
    "assert_no_secret",
    "error_reports",
    "failing",
    "promotion",
    "user_table",
]

PASSWORD = "Sekrit-Cart-Keeper-8841"
# Every token and device credential: <24 hex digits>.<43 URL-safe characters>.
SECRET_SHAPE = re.compile(r"[0-9a-f]{24}\.[A-Za-z0-9_-]{43}")


@contextmanager
def failing(statement, table):
    """A DatabaseError for the first ``statement`` ("UPDATE", "INSERT") on ``table``."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement) and table in sql:
            raise DatabaseError(f"injected failure of {statement} on {table}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@contextmanager
def error_reports():
    """The HTML and text reports of the exceptions requests raise meanwhile."""
    reports = []

    def receiver(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_html() + reporter.get_traceback_text())

    got_request_exception.connect(receiver)
    try:
        yield reports
    finally:
        got_request_exception.disconnect(receiver)


def assert_no_secret(reports, *secrets):
    assert reports, "the path did not fail"
    for report in reports:
        assert "injected failure" in report  # the report is of our error
        for secret in secrets:
            assert secret not in report
        assert not SECRET_SHAPE.search(report), SECRET_SHAPE.search(report).group()


def user_table():
    return get_user_model()._meta.db_table


def promotion(password_field_names):
    model = get_user_model()
    body = {name: PASSWORD for name in password_field_names}
    body["email"] = "kept@example.com"
    if model.USERNAME_FIELD != "email":
        body[model.USERNAME_FIELD] = "keeper"
    return body
