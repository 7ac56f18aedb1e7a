"""Django's error report (the technical 500 page and the text mailed to ADMINS)
of a database error on every path that holds a password, a token or a device
credential: no secret in it.

The error is a real DatabaseError, raised by the database wrapper for one
statement of the path (connection.execute_wrapper), after the secret exists.
"""

import re
import sys
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone
from django.views.debug import ExceptionReporter

from guest_auth.models import APIToken, DeviceCredential
from tests.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db

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


def api_client(token=None):
    client = Client(HTTP_USER_AGENT="okhttp/4.12.0", raise_request_exception=False)
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def new_api_guest():
    response = api_client().post("/api/guest/", "{}", content_type="application/json")
    assert response.status_code == 201
    return response.json()


def promotion(password_field_names):
    model = get_user_model()
    body = {name: PASSWORD for name in password_field_names}
    body["email"] = "kept@example.com"
    if model.USERNAME_FIELD != "email":
        body[model.USERNAME_FIELD] = "keeper"
    return body


def test_web_promotion():
    # The raw password is a local of promote_guest.
    client = Client(HTTP_USER_AGENT=BROWSER_UA, raise_request_exception=False)
    client.get("/guest-view/")
    with error_reports() as reports, failing("UPDATE", user_table()):
        response = client.post("/guest/promote/", promotion(["password1", "password2"]))
    assert response.status_code == 500
    assert_no_secret(reports, PASSWORD)


def test_api_promotion():
    guest = new_api_guest()
    with error_reports() as reports, failing("UPDATE", user_table()):
        response = api_client(guest["token"]).post(
            "/api/guest/promote/", promotion(["password"]), content_type="application/json"
        )
    assert response.status_code == 500
    assert_no_secret(reports, PASSWORD, guest["token"])


def test_device_credential_login():
    # The fresh token is a local of the login, which fails logging the guest in
    # (Django's update_last_login).
    guest = new_api_guest()
    with error_reports() as reports, failing("UPDATE", user_table()):
        response = api_client().post(
            "/api/guest/login/",
            {"credential": guest["credential"]},
            content_type="application/json",
        )
    assert response.status_code == 500
    assert_no_secret(reports, guest["credential"])


def test_api_creation():
    # The token exists when issuing the device credential fails.
    with error_reports() as reports, failing("INSERT", DeviceCredential._meta.db_table):
        response = api_client().post("/api/guest/", "{}", content_type="application/json")
    assert response.status_code == 500
    assert_no_secret(reports)


def test_token_authentication():
    # Recording the token's use fails (it is due once per activity interval).
    guest = new_api_guest()
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=1))
    with error_reports() as reports, failing("UPDATE", APIToken._meta.db_table):
        response = api_client(guest["token"]).get("/api/guest/me/")
    assert response.status_code == 500
    assert_no_secret(reports, guest["token"])
