"""The shipped OpenAPI schema (guest_auth/contrib/rest_framework/openapi.yaml).

It is drf-spectacular's output for the views with Django's default user model.
After changing the views, regenerate it with
    GUEST_AUTH_UPDATE_SCHEMA=1 pytest tests/contrib/rest_framework/test_rest_framework_schema.py
"""

import copy
import os

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from guest_auth import _ratelimit
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import UserFactory
from tests.helpers.rest_framework import (
    API,
    BOT_UA,
    ENDPOINTS,
    EXPORT,
    LOGIN,
    LOGOUT,
    ME,
    MERGE,
    PROMOTE,
    SHIPPED_SCHEMA,
    TOKEN,
    TOKENS,
    assert_documented,
    create,
    current_schema,
    make_client,
    promote_body,
    render_schema,
)

STATUSES = {
    (API, "post"): {201, 400, 403, 409, 413, 415, 429, 503},
    (LOGIN, "post"): {200, 400, 401, 403, 413, 415},
    (ME, "get"): {200, 401},
    (ME, "delete"): {204, 401, 403, 409},
    (EXPORT, "get"): {200, 401, 403, 429},
    (PROMOTE, "post"): {200, 400, 401, 403, 413, 415},
    (LOGOUT, "post"): {204, 401, 403},
    (MERGE, "get"): {200, 401, 404},
    (MERGE, "post"): {200, 400, 401, 403, 404, 413, 415},
    (TOKENS, "get"): {200, 401},
    (TOKEN, "delete"): {204, 401, 403, 404},
}
# Parts of the schema that follow the user model.
MODEL_DEPENDENT = ("GuestLogin", "GuestUserInfo", "GuestPromoteRequest", "GuestMerge")


def shipped():
    return yaml.safe_load(SHIPPED_SCHEMA.read_text())


def test_shipped_schema_is_what_the_views_produce():
    rendered = render_schema()
    if settings.AUTH_USER_MODEL == "auth.User":
        if os.environ.get("GUEST_AUTH_UPDATE_SCHEMA"):
            SHIPPED_SCHEMA.write_text(rendered)
        assert rendered == SHIPPED_SCHEMA.read_text(), (
            "openapi.yaml is stale: GUEST_AUTH_UPDATE_SCHEMA=1 pytest "
            "tests/contrib/rest_framework/test_rest_framework_schema.py"
        )
    else:
        # The same but for the user model's id type and promotion fields.
        generated, expected = yaml.safe_load(rendered), shipped()
        for name in MODEL_DEPENDENT:
            expected["components"]["schemas"][name] = generated["components"]["schemas"][name]
        assert generated == expected


def test_shipped_schema_is_valid_openapi_3():
    document = shipped()
    assert document["openapi"].startswith("3.")
    validate_schema(document)


def test_model_dependent_parts():
    schemas = current_schema()["components"]["schemas"]
    model = get_user_model()
    promote = schemas["GuestPromoteRequest"]
    if model.USERNAME_FIELD == "email":
        assert schemas["GuestUserInfo"]["properties"]["id"]["format"] == "uuid"
        assert list(promote["properties"]) == ["email", "password"]
        assert promote["required"] == ["email", "password"]
    else:
        assert schemas["GuestUserInfo"]["properties"]["id"]["type"] == "integer"
        assert list(promote["properties"]) == ["username", "email", "password"]
        assert promote["required"] == ["password", "username"]  # email is optional on User
    assert schemas["GuestLogin"]["properties"]["id"] == schemas["GuestUserInfo"]["properties"]["id"]


def test_schema_covers_every_endpoint_and_only_them():
    names = ("create", "login", "me", "export", "promote", "logout", "merge", "tokens")
    urls = [reverse(f"guest_auth_api:{name}") for name in names]
    urls.append(
        reverse("guest_auth_api:token", args=["{id}"]).replace("%7B", "{").replace("%7D", "}")
    )
    paths = shipped()["paths"]
    assert set(paths) == set(urls) == set(ENDPOINTS)
    for url, methods in ENDPOINTS.items():
        assert list(paths[url]) == list(methods)


def test_schema_documents_every_status_code():
    documented = {
        (path, method): {int(status) for status in operation["responses"]}
        for path, item in shipped()["paths"].items()
        for method, operation in item.items()
    }
    assert documented == STATUSES


def test_schema_security_and_media_types():
    document = shipped()
    assert document["components"]["securitySchemes"]["guestToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    for item in document["paths"].values():
        for operation in item.values():
            assert {"guestToken": []} in operation["security"]
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"]
            for status, response in operation["responses"].items():
                if status == "204":
                    assert "content" not in response
                else:
                    assert list(response["content"]) == ["application/json"]


# Every documented (endpoint, status) is produced, with a body the schema allows.
# The view tests check the converse: every response they get is documented.


def _created():
    return create(make_client())


def _over_the_rate_limit():
    with override_settings(GUEST_AUTH_RATE_LIMIT="1/h"):
        _created()
        return make_client().post(API, {}, format="json")


def _cache_unavailable():
    # A cache alias whose server is not there: port 9 (discard) refuses at once.
    caches = {
        **settings.CACHES,
        "gone": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    with override_settings(
        CACHES=caches,
        GUEST_AUTH_RATE_LIMIT_CACHE="gone",
        GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR="refuse",
    ):
        _ratelimit.cache_down_until.clear()
        try:
            return make_client().post(API, {}, format="json")
        finally:
            _ratelimit.cache_down_until.clear()


def _too_large(path, token=None):
    body = '{"credential": "' + "a" * 70_000 + '"}'
    return make_client(token).post(path, body, content_type="application/json")


def _session_without_csrf():
    client = make_client(csrf=True)
    client.force_login(UserFactory())
    return client


def _regular_client():
    client = make_client()
    client.force_authenticate(UserFactory())
    return client


def _protected_guest_client():
    from tests.purgeapp.models import Invoice

    body = _created()
    Invoice.objects.create(owner_id=body["id"])
    return make_client(body["token"])


SCENARIOS = {
    (API, "post", 201): lambda: make_client().post(API, {}, format="json"),
    (API, "post", 403): lambda: make_client(user_agent=BOT_UA).post(API, {}, format="json"),
    (API, "post", 409): lambda: make_client(_created()["token"]).post(API, {}, format="json"),
    (API, "post", 400): lambda: make_client().post(API, [], format="json"),
    (API, "post", 413): lambda: _too_large(API),
    (API, "post", 415): lambda: make_client().post(API, "", content_type="text/plain"),
    (API, "post", 429): lambda: _over_the_rate_limit(),
    (API, "post", 503): lambda: _cache_unavailable(),
    (LOGIN, "post", 200): lambda: make_client().post(
        LOGIN, {"credential": _created()["credential"]}
    ),
    (LOGIN, "post", 400): lambda: make_client().post(LOGIN, {}),
    (LOGIN, "post", 401): lambda: make_client().post(LOGIN, {"credential": _created()["token"]}),
    (LOGIN, "post", 403): lambda: _session_without_csrf().post(
        LOGIN, {"credential": _created()["credential"]}
    ),
    (LOGIN, "post", 413): lambda: _too_large(LOGIN),
    (LOGIN, "post", 415): lambda: make_client().post(
        LOGIN, "credential=x", content_type="text/plain"
    ),
    (ME, "get", 200): lambda: make_client(_created()["token"]).get(ME),
    (ME, "get", 401): lambda: make_client().get(ME),
    (PROMOTE, "post", 200): lambda: make_client(_created()["token"]).post(PROMOTE, promote_body()),
    (PROMOTE, "post", 400): lambda: make_client(_created()["token"]).post(PROMOTE, {}),
    (PROMOTE, "post", 401): lambda: make_client().post(PROMOTE, promote_body()),
    (PROMOTE, "post", 403): lambda: _session_without_csrf().post(PROMOTE, promote_body()),
    (PROMOTE, "post", 413): lambda: _too_large(PROMOTE, _created()["token"]),
    (PROMOTE, "post", 415): lambda: make_client(_created()["token"]).post(
        PROMOTE, "password=x", content_type="application/x-www-form-urlencoded"
    ),
    (LOGOUT, "post", 204): lambda: make_client(_created()["token"]).post(LOGOUT),
    (LOGOUT, "post", 401): lambda: make_client().post(LOGOUT),
    (LOGOUT, "post", 403): lambda: _session_without_csrf().post(LOGOUT),
    (TOKENS, "get", 200): lambda: make_client(_created()["token"]).get(TOKENS),
    (TOKENS, "get", 401): lambda: make_client().get(TOKENS),
    (TOKEN, "delete", 204): lambda: _revoke_own_credential(),
    (TOKEN, "delete", 401): lambda: make_client().delete(_token_url("0" * 24)),
    (TOKEN, "delete", 403): lambda: _session_without_csrf().delete(_token_url("0" * 24)),
    (TOKEN, "delete", 404): lambda: make_client(_created()["token"]).delete(_token_url("0" * 24)),
    (ME, "delete", 204): lambda: make_client(_created()["token"]).delete(ME),
    (ME, "delete", 401): lambda: make_client().delete(ME),
    (ME, "delete", 403): lambda: _regular_client().delete(ME),
    (ME, "delete", 409): lambda: _protected_guest_client().delete(ME),
    (EXPORT, "get", 200): lambda: make_client(_created()["token"]).get(EXPORT),
    (EXPORT, "get", 401): lambda: make_client().get(EXPORT),
    (EXPORT, "get", 403): lambda: _regular_client().get(EXPORT),
    (EXPORT, "get", 429): lambda: _exported_too_often(),
}


def _exported_too_often():
    client = make_client(_created()["token"])
    with override_settings(GUEST_AUTH_EXPORT_RATE_LIMIT="1/h"):
        client.get(EXPORT)
        return client.get(EXPORT)


def _token_url(lookup):
    return reverse("guest_auth_api:token", args=[lookup])


def _revoke_own_credential():
    created = _created()
    return make_client(created["token"]).delete(_token_url(created["credential"].split(".")[0]))


def _pending_merge_client():
    """A browser whose password-reset login offered a merge (ConfirmMergeAdapter)."""
    from django.test import Client

    from tests.helpers.accounts import follow_reset_link, guest_with_note, reset_link_for

    browser = Client(HTTP_USER_AGENT=BROWSER_UA)  # HTML pages: not the schema's business
    guest_with_note(browser)
    follow_reset_link(browser, reset_link_for(UserFactory()))
    client = make_client()
    client.cookies = browser.cookies
    return client


# Endpoints with two methods: (path, method, status).
TWO_METHOD_SCENARIOS = {
    (MERGE, "get", 200): lambda: _pending_merge_client().get(MERGE),
    (MERGE, "get", 401): lambda: make_client().get(MERGE),
    (MERGE, "get", 404): lambda: make_client(_created()["token"]).get(MERGE),
    (MERGE, "post", 200): lambda: _pending_merge_client().post(MERGE, {}),
    (MERGE, "post", 400): lambda: _pending_merge_client().post(MERGE, {"decline": "x"}),
    (MERGE, "post", 401): lambda: make_client().post(MERGE, {}),
    (MERGE, "post", 403): lambda: _session_without_csrf().post(MERGE, {}),
    (MERGE, "post", 404): lambda: make_client(_created()["token"]).post(MERGE, {}),
    (MERGE, "post", 413): lambda: _too_large(MERGE, _created()["token"]),
    (MERGE, "post", 415): lambda: make_client(_created()["token"]).post(
        MERGE, "decline=1", content_type="application/x-www-form-urlencoded"
    ),
}


def _all_scenarios():
    return {**SCENARIOS, **TWO_METHOD_SCENARIOS}


def test_a_scenario_for_every_documented_status():
    assert {
        (path, method, status)
        for (path, method), statuses in STATUSES.items()
        for status in statuses
    } == set(_all_scenarios())


@pytest.mark.parametrize("path,method,status", sorted(_all_scenarios()))
@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_documented_status_is_produced_as_documented(path, method, status):
    response = _all_scenarios()[path, method, status]()
    assert response.status_code == status
    assert_documented(
        response,
        schema=copy.deepcopy(shipped()) if settings.AUTH_USER_MODEL == "auth.User" else None,
    )
