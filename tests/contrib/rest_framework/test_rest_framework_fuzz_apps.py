"""Hypothesis-generated requests to the app endpoints (simplejwt's refresh with
guest_auth's serializer, DELETE api/guest/me/, allauth's headless signup and
login with a guest's token): always JSON, never a 5xx, and a refused request
leaves the guest as it was."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guest_auth.models import Guest
from tests.helpers.rest_framework import API, ME, MOBILE_UA

pytestmark = [
    pytest.mark.django_db,
    # Each example makes a guest from the same address.
    pytest.mark.usefixtures("_no_rate_limits"),
]


@pytest.fixture
def _no_rate_limits(settings):
    settings.GUEST_AUTH_RATE_LIMIT = None
    settings.GUEST_AUTH_NETWORK_RATE_LIMIT = None


fuzz = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=40)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
bodies = (
    st.dictionaries(
        st.sampled_from(["refresh", "email", "password", "username", "login", "phone"])
        | st.text(max_size=8),
        json_values,
        max_size=4,
    )
    | json_values
)
# Header values are latin-1 on the wire (WSGI).
authorizations = st.sampled_from(["", "Bearer ", "Token ", "Bearer x.y.z"]) | st.text(
    st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=60
)


def _guest():
    response = Client(HTTP_USER_AGENT=MOBILE_UA).post(API, "{}", content_type="application/json")
    return response.json()


def _send(method, path, body, authorization):
    client = Client(HTTP_USER_AGENT=MOBILE_UA)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return getattr(client, method)(path, data, content_type="application/json", **headers)


@fuzz
@given(body=bodies | st.binary(max_size=40), authorization=authorizations)
def test_refresh(body, authorization):
    response = _send("post", "/api/token/refresh/", body, authorization)
    assert response.status_code < 500
    assert response.status_code in (200, 400, 401, 415)
    json.loads(response.content)


@fuzz
@given(body=bodies, path=st.sampled_from(["signup", "login", "code/request", "provider/token"]))
def test_headless_app_entrances_with_a_guest_token(body, path):
    guest = _guest()
    response = _send("post", f"/_allauth/app/v1/auth/{path}", body, f"Token {guest['token']}")
    assert response.status_code < 500
    if response.status_code not in (200, 401):
        # Refused: the guest is as it was.
        assert Guest.objects.filter(pk=guest["id"]).exists()
    if isinstance(body, dict):
        # (allauth answers a body that is not a JSON object with an empty 400.)
        json.loads(response.content)


@fuzz
@given(authorization=authorizations)
def test_delete_me(authorization):
    guest = _guest()
    response = _send("delete", ME, {}, authorization)
    assert response.status_code in (401, 403)
    assert Guest.objects.filter(pk=guest["id"]).exists()
