"""Hypothesis-generated requests to every endpoint: never a 5xx, never a partial write."""

import json
import string

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from guest_auth.models import DeviceCredential, Guest
from tests.helpers.rest_framework import API, LOGIN, ME, MOBILE_UA, PROMOTE, counts

pytestmark = pytest.mark.django_db

# Only test_create meets the rate limits (from a few addresses); the other tests
# create a guest per example as their setup.
no_rate_limits = override_settings(GUEST_AUTH_RATE_LIMIT=None, GUEST_AUTH_NETWORK_RATE_LIMIT=None)

User = get_user_model
GOOD_PASSWORD = "Cart-Keeper-2931"

fuzz = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written to .hypothesis/
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
# Strings shaped like secrets, so bodies get past the format check to the database.
secret_like = st.builds(
    lambda lookup, secret: f"{lookup}.{secret}",
    st.text("0123456789abcdef", min_size=24, max_size=24),
    st.text(string.ascii_letters + string.digits + "-_", min_size=43, max_size=43),
)
names = st.from_regex(r"[a-zA-Z0-9@.+_-]{1,20}", fullmatch=True) | st.text(max_size=200)
emails = st.emails() | st.text(max_size=40)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/json; charset=bogus",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "",
    ]
)
# What WSGI can put in a header: latin-1 text.
header_text = st.text(st.characters(max_codepoint=255), max_size=80)


def bodies(fields):
    """Well-formed bodies, JSON objects over ``fields`` (plus stray keys) with any
    values, any JSON, or any bytes."""
    well_formed = st.fixed_dictionaries(fields)
    objects = st.fixed_dictionaries(
        {}, optional={name: strategy | json_values for name, strategy in fields.items()}
    ).flatmap(
        lambda d: st.dictionaries(st.text(max_size=8), json_values, max_size=2).map(
            lambda extra: {**extra, **d}
        )
    )
    as_json = (well_formed | objects | json_values).map(
        lambda value: (json.dumps(value).encode(), "application/json")
    )
    raw = st.tuples(st.binary(max_size=200), content_types)
    return as_json | raw


def authorizations(token):
    """Mostly the guest's own token (so bodies get past authentication), else anything."""
    junk = st.builds(
        lambda prefix, value: f"{prefix} {value}",
        st.sampled_from(["Token", "token", "Bearer", ""]),
        secret_like | header_text,
    )
    kinds = {"real": st.just(f"Token {token}"), "none": st.none(), "junk": junk}
    return st.sampled_from(["real", "real", "real", "none", "junk"]).flatmap(kinds.__getitem__)


def client(authorization=None, address="127.0.0.1"):
    api = APIClient(HTTP_USER_AGENT=MOBILE_UA, REMOTE_ADDR=address)
    if authorization is not None:
        api.credentials(HTTP_AUTHORIZATION=authorization)
    return api


def new_guest():
    response = client().post(API, {}, format="json")
    assert response.status_code == 201
    return response.json()


def post(api, path, body):
    data, content_type = body
    return api.generic("POST", path, data, content_type=content_type)


@override_settings(GUEST_AUTH_RATE_LIMIT="5/h", GUEST_AUTH_NETWORK_RATE_LIMIT="8/h")
@fuzz  # directly over @given, or hypothesis ignores it
@given(
    body=bodies({}),
    authorization=authorizations("x"),
    query=st.text(max_size=10),
    address=st.sampled_from(["192.0.2.1", "192.0.2.2", "198.51.100.3", "2001:db8::1"]),
)
def test_create(db, body, authorization, query, address):
    before = counts()
    response = post(client(authorization, address), API + "?" + query, body)
    assert response.status_code < 500, response.content
    event(f"status {response.status_code}")  # --hypothesis-show-statistics
    added = tuple(after - then for after, then in zip(counts(), before, strict=True))
    assert added == ((1, 1, 1, 1) if response.status_code == 201 else (0, 0, 0, 0))


@no_rate_limits
@fuzz
@given(data=st.data())
def test_login(db, data):
    guest = new_guest()
    credential = guest["credential"]
    body = data.draw(bodies({"credential": st.sampled_from([credential]) | secret_like}))
    authorization = data.draw(authorizations(guest["token"]))
    before = counts()
    response = post(client(authorization), LOGIN, body)
    assert response.status_code < 500, response.content
    event(f"status {response.status_code}")  # --hypothesis-show-statistics
    added = tuple(after - then for after, then in zip(counts(), before, strict=True))
    if response.status_code == 200:
        assert json.loads(body[0])["credential"] == credential
        assert response.json()["id"] == guest["id"]
        assert added == (0, 0, 1, 0)
    else:
        assert added == (0, 0, 0, 0)


@no_rate_limits
@fuzz
@given(data=st.data())
def test_me(db, data):
    guest = new_guest()
    before = counts()
    response = client(data.draw(authorizations(guest["token"]))).get(ME)
    assert response.status_code in (200, 401), response.content
    event(f"status {response.status_code}")
    assert counts() == before


def _user_row(pk):
    return User().objects.filter(pk=pk).values().get()


@no_rate_limits
@fuzz
@given(data=st.data())
def test_promote(db, data):
    guest = new_guest()
    pk = Guest.objects.get(user__in=User().objects.filter(pk=guest["id"])).pk
    fields = {"email": emails, "password": st.sampled_from([GOOD_PASSWORD]) | st.text()}
    if User().USERNAME_FIELD != "email":
        fields[User().USERNAME_FIELD] = names
    body = data.draw(bodies(fields))
    authorization = data.draw(authorizations(guest["token"]))
    before, row = counts(), _user_row(pk)
    response = post(client(authorization), PROMOTE, body)
    assert response.status_code < 500, response.content
    event(f"status {response.status_code}")  # --hypothesis-show-statistics
    if response.status_code == 200:
        assert not Guest.objects.filter(pk=pk).exists()
        assert User().objects.get(pk=pk).has_usable_password()
        assert not DeviceCredential.objects.filter(user_id=pk).exists()
    else:
        assert Guest.objects.filter(pk=pk).exists()
        assert _user_row(pk) == row
        assert counts() == before
