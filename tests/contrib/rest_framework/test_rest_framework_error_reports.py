"""Django's error report of a database error on each path of the REST API that
holds a password, a token or a device credential: no secret in it (the helpers
and the web path: test_error_reports.py)."""

from datetime import timedelta

import pytest
from django.test import Client
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
