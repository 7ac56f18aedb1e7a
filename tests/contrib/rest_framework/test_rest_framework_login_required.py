"""The guest API under LoginRequiredMiddleware: its clients are anonymous to Django."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _login_required(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]


def test_create_login_me_and_promote_are_reachable_with_a_token():
    created = Client().post("/api/guest/", {}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    token = {"Authorization": f"Token {body['token']}"}
    me = Client().get("/api/guest/me/", headers=token)
    assert me.status_code == 200
    assert me.json()["is_guest"] is True
    login = Client().post(
        "/api/guest/login/", {"credential": body["credential"]}, content_type="application/json"
    )
    assert login.status_code == 200
    field = get_user_model().USERNAME_FIELD
    promoted = Client().post(
        "/api/guest/promote/",
        {field: "promoted@example.com", "password": "a-long-enough-pass-7"},
        content_type="application/json",
        headers={"Authorization": f"Token {login.json()['token']}"},
    )
    assert promoted.status_code == 200, promoted.content


def test_anonymous_me_is_the_apis_401_not_a_redirect():
    response = Client().get("/api/guest/me/")
    assert response.status_code == 401
