"""Helpers for the REST API tests (only imported where djangorestframework is installed)."""

import copy
import json
import re
from functools import cache
from pathlib import Path

import jsonschema
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import include, path
from rest_framework.test import APIClient

import guest_auth.contrib.rest_framework
from guest_auth.models import APIToken, DeviceCredential, Guest
from tests.helpers.clients import BOT_UA as BOT_UA
from tests.helpers.clients import MOBILE_UA as MOBILE_UA

API = "/api/guest/"
LOGIN = API + "login/"
ME = API + "me/"
EXPORT = API + "me/export/"
PROMOTE = API + "promote/"
LOGOUT = API + "logout/"
MERGE = API + "merge/"
TOKENS = API + "tokens/"
TOKEN = API + "tokens/{id}/"
ENDPOINTS = {
    API: ("post",),
    LOGIN: ("post",),
    ME: ("get", "delete"),
    EXPORT: ("get",),
    PROMOTE: ("post",),
    LOGOUT: ("post",),
    MERGE: ("get", "post"),
    TOKENS: ("get",),
    TOKEN: ("delete",),
}

GOOD_PASSWORD = "Cart-Keeper-2931"

SHIPPED_SCHEMA = Path(guest_auth.contrib.rest_framework.__file__).with_name("openapi.yaml")
SCHEMA_SETTINGS = {
    "TITLE": "django-guest-auth REST API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Guests for mobile and single-page clients: create a guest, log it in again from "
        "the same device with its credential, read its claims, promote it to a regular "
        "user in place. Paths as mounted by "
        '`path("api/guest/", include("guest_auth.contrib.rest_framework.urls"))`; '
        "`id` and the promotion fields shown are those of Django's default user model."
    ),
}


def render_schema() -> str:
    """The OpenAPI document drf-spectacular makes of the views, as YAML."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer
    from drf_spectacular.settings import patched_settings

    GENERATOR_STATS.reset()
    with patched_settings(SCHEMA_SETTINGS):
        generator = SchemaGenerator(
            patterns=[path("api/guest/", include("guest_auth.contrib.rest_framework.urls"))]
        )
        document = generator.get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert problems == [], problems
    return OpenApiYamlRenderer().render(document).decode()


@cache
def _schema_for(user_model: str) -> dict:
    return yaml.safe_load(render_schema())


def current_schema() -> dict:
    """The schema of the views for the active user model (cached per model)."""
    return _schema_for(settings.AUTH_USER_MODEL)


def _closed(schema):
    """``schema`` with additionalProperties: false on every object listing its
    properties, so a response with an undocumented key fails validation, and
    OpenAPI's ``nullable`` spelt in JSON Schema."""
    if isinstance(schema, dict):
        schema = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        if schema.pop("nullable", False) and "type" in schema:
            # OpenAPI 3.0's nullable, which JSON Schema draft 4 does not know.
            schema["type"] = [schema["type"], "null"]
    elif isinstance(schema, list):
        schema = [_closed(item) for item in schema]
    return schema


def assert_documented(response, schema=None):
    """The response's status is documented for its operation and its body valid."""
    schema = current_schema() if schema is None else schema
    request = response.wsgi_request
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + request.resolver_match.route)
    operation = schema["paths"][route][request.method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{request.method} {request.path} answered {status}, not documented: {response.content!r}"
    )
    for header in operation["responses"][status].get("headers", {}):
        assert int(response[header]) >= 0  # documented headers: present (all are integers)
    if response.streaming:
        # Read once; put back for the test to read again.
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
        response.json = lambda: json.loads(body)
    if "content" not in operation["responses"][status]:
        assert response.content == b"", response.content  # documented as empty (204)
        return
    body_schema = operation["responses"][status]["content"]["application/json"]["schema"]
    root = {"components": _closed(copy.deepcopy(schema["components"])), **_closed(body_schema)}
    jsonschema.Draft4Validator(root).validate(response.json())


class CheckedClient(APIClient):
    """An APIClient whose every response must be one the schema documents."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        assert_documented(response)
        return response


def make_client(token=None, *, csrf=False, user_agent=MOBILE_UA):
    client = CheckedClient(HTTP_USER_AGENT=user_agent, enforce_csrf_checks=csrf)
    client.default_format = "json"
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def create(client):
    response = client.post(API, {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def promote_body(n=1, password=GOOD_PASSWORD):
    body = {"password": password}
    if get_user_model().USERNAME_FIELD == "email":
        body["email"] = f"new{n}@example.com"
    else:
        body[get_user_model().USERNAME_FIELD] = f"newbie{n}"
        body["email"] = f"new{n}@example.com"
    return body


def counts():
    """(users, guests, API tokens, device credentials): what a refused request must not change."""
    return (
        get_user_model().objects.count(),
        Guest.objects.count(),
        APIToken.objects.count(),
        DeviceCredential.objects.count(),
    )
