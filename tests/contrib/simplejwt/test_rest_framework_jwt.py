"""JWTs with an is_guest claim (guest_auth.contrib.simplejwt), through simplejwt's
real views (/api/token/, /api/token/refresh/) and the guest API in JWT mode."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from guest_auth.checks import check_api_tokens
from guest_auth.models import APIToken, Guest
from tests.helpers.factories import PASSWORD, UserFactory
from tests.helpers.rest_framework import (
    API,
    LOGIN,
    ME,
    MOBILE_UA,
    PROMOTE,
    make_client,
    promote_body,
)

pytestmark = pytest.mark.django_db

REFRESH = "/api/token/refresh/"
OBTAIN = "/api/token/"
JWT_MODE = override_settings(GUEST_AUTH_API_TOKENS="jwt")


def claims(token):
    return jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def bearer(access):
    client = make_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def plain():
    """For simplejwt's own views, which the guest API's schema does not describe."""
    return APIClient(HTTP_USER_AGENT=MOBILE_UA)


def refresh(token):
    return plain().post(REFRESH, {"refresh": token}, format="json")


@pytest.fixture
def jwt_mode():
    with JWT_MODE:
        yield


def test_create_hands_out_a_pair_with_is_guest(jwt_mode):
    response = make_client().post(API, {}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "is_guest", "credential", "access", "refresh"}
    access, refresh_claims = claims(body["access"]), claims(body["refresh"])
    assert access["is_guest"] is True and refresh_claims["is_guest"] is True
    assert access["user_id"] == str(body["id"])
    assert APIToken.objects.filter(pk=refresh_claims["guest_auth_token"]).exists()
    me = bearer(body["access"]).get(ME)
    assert me.json() == {"id": body["id"], "is_guest": True, "is_verified": False}


def test_opaque_tokens_stay_the_default():
    body = make_client().post(API, {}, format="json").json()
    assert set(body) == {"id", "is_guest", "token", "credential"}


def test_credential_login_hands_out_a_pair(jwt_mode):
    created = make_client().post(API, {}, format="json").json()
    response = make_client().post(LOGIN, {"credential": created["credential"]})
    assert response.status_code == 200
    assert claims(response.json()["access"])["is_guest"] is True


def test_refreshing_after_promotion_says_is_guest_false(jwt_mode):
    body = make_client().post(API, {}, format="json").json()
    promoted = bearer(body["access"]).post(PROMOTE, promote_body())
    assert promoted.status_code == 200, promoted.content
    assert promoted.json()["is_guest"] is False

    response = refresh(body["refresh"])

    assert response.status_code == 200, response.content
    assert claims(response.json()["access"])["is_guest"] is False
    assert bearer(response.json()["access"]).get(ME).json()["is_guest"] is False


def test_another_clients_refresh_token_is_refused_after_promotion(jwt_mode):
    first = make_client().post(API, {}, format="json").json()
    second = make_client().post(LOGIN, {"credential": first["credential"]}).json()
    assert bearer(first["access"]).post(PROMOTE, promote_body()).status_code == 200

    response = refresh(second["refresh"])

    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked or has expired."}
    assert refresh(first["refresh"]).status_code == 200


def test_deleted_guests_refresh_token_is_refused(jwt_mode):
    body = make_client().post(API, {}, format="json").json()
    assert bearer(body["access"]).delete(ME).status_code == 204
    response = refresh(body["refresh"])
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}


def test_expired_guests_refresh_token_is_refused(jwt_mode):
    body = make_client().post(API, {}, format="json").json()
    old = timezone.now() - timedelta(days=31)
    APIToken.objects.update(last_used_at=old)
    assert refresh(body["refresh"]).status_code == 401
    assert not APIToken.objects.exists()
    assert Guest.objects.filter(pk=body["id"]).exists()


def test_refresh_marks_activity(jwt_mode):
    body = make_client().post(API, {}, format="json").json()
    old = timezone.now() - timedelta(days=2)
    APIToken.objects.update(last_used_at=old)
    Guest.objects.update(last_seen_at=old)
    assert refresh(body["refresh"]).status_code == 200
    assert Guest.objects.get().last_seen_at > old
    assert APIToken.objects.get().last_used_at > old


@pytest.mark.parametrize(
    "body,status,key",
    [
        ({}, 400, "refresh"),
        ({"refresh": ""}, 400, "refresh"),
        ({"refresh": "not-a-jwt"}, 401, "code"),
        ({"refresh": ["a", "list"]}, 400, "refresh"),
    ],
)
def test_bad_refresh_requests_are_json_errors(body, status, key):
    response = plain().post(REFRESH, body, format="json")
    assert response.status_code == status
    assert key in response.json()


def test_a_forged_bound_claim_is_refused(jwt_mode):
    from guest_auth.contrib.simplejwt import GuestRefreshToken

    user = UserFactory()
    token = GuestRefreshToken.for_user(user)
    token["guest_auth_token"] = "not-a-key"
    assert refresh(str(token)).status_code == 401


def test_regular_users_get_is_guest_false_from_simplejwts_login():
    user = UserFactory()
    response = plain().post(
        OBTAIN,
        {get_user_model().USERNAME_FIELD: user.get_username(), "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    access = claims(response.json()["access"])
    assert access["is_guest"] is False
    assert "guest_auth_token" not in access
    refreshed = refresh(response.json()["refresh"])
    assert refreshed.status_code == 200
    assert claims(refreshed.json()["access"])["is_guest"] is False


def test_check_e017_only_without_simplejwt():
    from importlib.util import find_spec

    with override_settings(GUEST_AUTH_API_TOKENS="jwt"):
        ids = [message.id for message in check_api_tokens()]
    assert ids == ([] if find_spec("rest_framework_simplejwt") else ["guest_auth.E017"])
    assert check_api_tokens() == []


def test_a_stale_bearer_token_does_not_stop_a_credential_login(jwt_mode):
    created = make_client().post(API, {}, format="json").json()
    response = bearer("not-a-jwt").post(LOGIN, {"credential": created["credential"]})
    assert response.status_code == 200, response.content
    assert bearer("not-a-jwt").post(API, {}, format="json").status_code == 201


def test_a_stale_bearer_token_is_401_elsewhere(jwt_mode):
    assert bearer("not-a-jwt").get(ME).status_code == 401
