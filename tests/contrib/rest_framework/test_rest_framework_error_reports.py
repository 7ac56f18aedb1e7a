"""Django's error report of a database error on each path of the REST API that
holds a password, a token or a device credential: no secret in it (the helpers
and the web path: test_error_reports.py)."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test import Client, override_settings
from django.utils import timezone

from guest_auth.models import APIToken, DeviceCredential
from tests.helpers.error_reports import (
    PASSWORD,
    assert_no_secret,
    error_reports,
    failing,
    promotion,
    user_table,
)

pytestmark = pytest.mark.django_db


def api_client(token=None):
    client = Client(HTTP_USER_AGENT="okhttp/4.12.0", raise_request_exception=False)
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def new_api_guest():
    response = api_client().post("/api/guest/", "{}", content_type="application/json")
    assert response.status_code == 201
    return response.json()


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


@contextmanager
def failing_pair():
    """A DatabaseError while the JWT pair is built: binding the refresh token
    reads the opaque token's row by its lookup (as simplejwt's blacklist INSERT
    would fail in the same place)."""
    table = APIToken._meta.db_table

    def wrapper(execute, sql, params, many, context):
        head = sql.lstrip().upper()
        if head.startswith("SELECT") and table in sql and "lookup" in sql:
            raise DatabaseError(f"injected failure of the pair's SELECT on {table}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@override_settings(GUEST_AUTH_API_TOKENS="jwt")
def test_jwt_creation():
    # The opaque token the pair is bound to, and the device credential, are
    # locals of the pair builder, the refresh token's for_user, the bound-token
    # issuer and the login body.
    with error_reports() as reports, failing_pair():
        response = api_client().post("/api/guest/", "{}", content_type="application/json")
    assert response.status_code == 500
    assert_no_secret(reports)


@override_settings(GUEST_AUTH_API_TOKENS="jwt")
def test_jwt_device_credential_login():
    guest = new_api_guest()
    with error_reports() as reports, failing_pair():
        response = api_client().post(
            "/api/guest/login/",
            {"credential": guest["credential"]},
            content_type="application/json",
        )
    assert response.status_code == 500
    assert_no_secret(reports, guest["credential"])


@override_settings(GUEST_AUTH_API_TOKENS="jwt")
def test_jwt_refresh():
    # Refreshing records the bound row's use (once per activity interval),
    # which fails: the refresh token the client sent is a local of the
    # serializer.
    guest = new_api_guest()
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=1))
    with error_reports() as reports, failing("UPDATE", APIToken._meta.db_table):
        response = api_client().post(
            "/api/token/refresh/", {"refresh": guest["refresh"]}, content_type="application/json"
        )
    assert response.status_code == 500
    assert_no_secret(reports, guest["refresh"], guest["credential"])
