"""The API answers only JSON, in JSON, and never 5xx: content types, nesting,
body size, JSON types, and the constraints its OpenAPI document states."""

import json

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework.test import APIClient

from guest_auth.models import Guest
from tests.helpers.rest_framework import API, LOGIN, MOBILE_UA, PROMOTE, SHIPPED_SCHEMA

pytestmark = pytest.mark.django_db

User = get_user_model


def client(token=None, address="192.0.2.1"):
    api = APIClient(HTTP_USER_AGENT=MOBILE_UA, REMOTE_ADDR=address)
    if token:
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def create(api=None):
    response = (api or client()).post(API, "{}", content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def assert_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


NOT_JSON = [
    ("text/plain", b'{"a": 1}'),
    ("application/x-www-form-urlencoded", b"a=1"),
    ("multipart/form-data; boundary=x", b"--x--\r\n"),
    ("text/plain", b""),
    ("", b""),
]


@pytest.mark.parametrize("content_type,body", NOT_JSON)
def test_create_is_json_only(content_type, body):
    # A cross-site form or a no-cors fetch cannot send application/json: before,
    # they created and logged in a guest in the visitor's browser (login CSRF).
    response = client().generic("POST", API, body, content_type=content_type)
    assert_json_error(response, 415)
    assert Guest.objects.count() == 0


@override_settings(GUEST_AUTH_RATE_LIMIT="2/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_cross_site_posts_do_not_spend_the_budget():
    for _ in range(31):
        response = client().generic("POST", API, b"x=1", content_type="text/plain")
        assert response.status_code == 415
    create()
    create()


@pytest.mark.parametrize("body", [b"{}", b'{"anything": [1, 2]}'])
def test_create_accepts_a_json_object(body):
    response = client().generic("POST", API, body, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("body", [b"", b"[]", b'"x"', b"3", b"null", b"{"])
def test_create_refuses_other_json(body):
    response = client().generic("POST", API, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert Guest.objects.count() == 0


@pytest.mark.parametrize("path", [API, LOGIN, PROMOTE])
@pytest.mark.parametrize("depth", [33, 10_000, 30_000])
def test_deep_nesting_is_400(path, depth):
    token = create(client(address="198.51.100.1"))["token"]
    body = b"[" * depth + b"]" * depth
    response = client(token).generic("POST", path, body, content_type="application/json")
    assert_json_error(response, 400)


@pytest.mark.parametrize("path", [LOGIN, PROMOTE])
def test_moderate_nesting_in_a_field_is_a_field_error(path):
    token = create(client(address="198.51.100.1"))["token"]
    nested = json.loads("[" * 30 + "]" * 30)
    response = client(token).post(path, {"credential": nested, "password": nested}, format="json")
    assert response.status_code == 400
    assert response.json()["credential" if path == LOGIN else "password"] == ["Not a valid string."]


@pytest.mark.parametrize("path", [API, LOGIN, PROMOTE])
@pytest.mark.parametrize("size", [64 * 1024 + 1, 3 * 1024 * 1024])
def test_oversized_body_is_413_json(path, size):
    # Before: Django's HTML 400 page for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE.
    token = create(client(address="198.51.100.1"))["token"]
    body = b'{"credential": "' + b"a" * size + b'"}'
    response = client(token).generic("POST", path, body, content_type="application/json")
    assert_json_error(response, 413)
    assert Guest.objects.count() == 1


def test_integer_username_is_refused():
    guest = create()
    field = User().USERNAME_FIELD
    body = {field: 12345, "email": "a@example.com", "password": "Cart-Keeper-2931"}
    if field == "email":
        body = {"email": 12345, "password": "Cart-Keeper-2931"}
    response = client(guest["token"]).post(PROMOTE, body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["Not a valid string."]}
    assert Guest.objects.filter(user_id=guest["id"]).exists()


@pytest.mark.parametrize("value", [12345, 1.5, True])
def test_non_string_credential_is_refused(value):
    response = client().post(LOGIN, {"credential": value}, format="json")
    assert response.status_code == 400
    assert response.json() == {"credential": ["Not a valid string."]}


def shipped():
    return yaml.safe_load(SHIPPED_SCHEMA.read_text())


def test_schema_states_the_constraints():
    schemas = shipped()["components"]["schemas"]
    promote = schemas["GuestPromoteRequest"]["properties"]
    credential = schemas["GuestLoginRequest"]["properties"]["credential"]
    assert credential["minLength"] == 1
    assert credential["pattern"] == "^[^\\u0000]*$"
    assert promote["password"]["pattern"] == "^[^\\u0000]*$"
    assert promote["username"]["minLength"] == 1
    assert promote["username"]["maxLength"] == 150
    assert promote["username"]["pattern"] == r"^[\w.@+-]+$"
    # Optional on User: a valid email or blank.
    email, blank = promote["email"]["oneOf"]
    no_nul = "^[^\\u0000]*$"  # DRF refuses NUL characters in every string
    assert email == {"type": "string", "format": "email", "maxLength": 254, "pattern": no_nul}
    assert blank == {"type": "string", "maxLength": 0}
    paths = shipped()["paths"]
    create_body = paths["/api/guest/"]["post"]["requestBody"]
    assert create_body["required"] is True
    assert list(create_body["content"]) == ["application/json"]
    for path, method in (("/api/guest/", "post"), ("/api/guest/login/", "post")):
        assert {"400", "413", "415"} <= set(paths[path][method]["responses"])
    assert {"400", "413", "415"} <= set(paths["/api/guest/promote/"]["post"]["responses"])
    assert "503" in paths["/api/guest/"]["post"]["responses"]


@pytest.mark.parametrize("length", [None, "0"])
def test_create_without_a_body_is_400_naming_the_json_object(length):
    # Content-Length: 0 is an empty body as much as no Content-Length at all:
    # before, it was read as {} and created a guest although the contract
    # (openapi.yaml) requires a JSON object.
    extra = {} if length is None else {"CONTENT_LENGTH": length}
    response = client().generic("POST", API, b"", content_type="application/json", **extra)
    assert response.status_code == 400, response.content
    assert response.json() == {"non_field_errors": ["A JSON object is required, such as {}."]}
    assert Guest.objects.count() == 0
