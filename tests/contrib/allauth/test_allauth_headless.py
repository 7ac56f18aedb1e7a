"""allauth's headless API with guests, through allauth's real headless views.

Both of allauth.headless's clients: ``browser`` (the guest is in the cookie
session, created by a guest_auth page) and ``app`` (the guest is the one of a
guest_auth API token, created by ``POST api/guest/``; allauth then hands out
its own session token). Mounted at /_allauth/ (tests/urls.py).
"""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from guest_auth.models import APIToken, Guest
from tests.allauthapp.adapters import SiteAccountAdapter
from tests.allauthapp.models import PhoneNumber
from tests.helpers.allauth import Headless, as_pk, emailed_code
from tests.helpers.allauth import headless_assert_merged as assert_merged
from tests.helpers.allauth import headless_assert_promoted as assert_promoted
from tests.helpers.factories import PASSWORD as EXISTING_PASSWORD
from tests.helpers.factories import GuestFactory, UserFactory
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db

PASSWORD = "Cart-Keeper-2931"
MOBILE_UA = "okhttp/4.12.0"
PHONE = {
    "ACCOUNT_ADAPTER": "tests.allauthapp.adapters.SiteGuestAccountAdapter",
    "ACCOUNT_SIGNUP_FIELDS": ["phone*"],
    "ACCOUNT_LOGIN_METHODS": {"phone"},
    "ACCOUNT_EMAIL_VERIFICATION": "none",
}


@pytest.fixture(params=["browser", "app"])
def headless(request, db):
    return Headless(request.param)


# Signup: the guest becomes the account in place ------------------------------------


@override_settings(ACCOUNT_EMAIL_VERIFICATION="none")
def test_password_signup_promotes_the_guest_in_place(headless, promotions):
    response = headless.post("auth/signup", {"email": "new@example.com", "password": PASSWORD})

    assert response.status_code == 200, response.content
    body = response.json()
    assert as_pk(body["data"]["user"]["id"]) == headless.guest.pk
    user = assert_promoted(headless)
    assert user.check_password(PASSWORD)
    assert promotions == [(headless.guest.pk, "password")]
    assert headless.session_user() == headless.guest.pk
    if headless.kind == "app":
        assert body["meta"]["is_authenticated"] is True
        assert body["meta"]["session_token"]


def test_app_keeps_its_guest_auth_token_through_signup():
    headless = Headless("app")
    token = headless.token
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        response = headless.post("auth/signup", {"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 200
    me = Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/guest/me/")
    body = me.json()
    assert as_pk(body.pop("id")) == headless.guest.pk
    # With allauth as the signup, is_verified means a verified email address
    # (issue 13), and nobody has verified new@example.com.
    assert body == {"is_guest": False, "is_verified": False}
    assert APIToken.objects.filter(user=headless.guest).count() == 1


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_verification_keeps_allauths_flow(headless, promotions, mailoutbox):
    response = headless.post("auth/signup", {"email": "new@example.com", "password": PASSWORD})
    # allauth's answer: not logged in until the email is verified.
    assert response.status_code == 401
    flows = [flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")]
    assert flows == ["verify_email"]
    user = assert_promoted(headless)
    assert not EmailAddress.objects.get(user=user).verified
    assert promotions == [(headless.guest.pk, "password")]


@override_settings(
    ACCOUNT_EMAIL_VERIFICATION="mandatory",
    ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED=True,
    ACCOUNT_SIGNUP_FIELDS=["email*"],
)
def test_passwordless_signup_by_code(headless, promotions, mailoutbox):
    response = headless.post("auth/signup", {"email": "new@example.com"})
    assert response.status_code == 401
    assert_promoted(headless)
    response = headless.post("auth/email/verify", {"key": emailed_code(mailoutbox[0])})
    assert response.status_code == 200, response.content
    user = assert_promoted(headless)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert promotions == [(headless.guest.pk, "code")]
    assert headless.session_user() == headless.guest.pk


@override_settings(**PHONE)
def test_phone_signup(headless, promotions):
    SiteAccountAdapter.sent_sms.clear()
    response = headless.post("auth/signup", {"phone": "+15550001111"})
    assert response.status_code == 401
    assert_promoted(headless)
    code = SiteAccountAdapter.sent_sms[0]["code"]
    response = headless.post("auth/phone/verify", {"code": code})
    assert response.status_code == 200, response.content
    assert list(PhoneNumber.objects.values_list("user_id", "phone", "verified")) == [
        (headless.guest.pk, "+15550001111", True)
    ]
    assert promotions == [(headless.guest.pk, "phone")]
    assert headless.session_user() == headless.guest.pk


def test_bad_signup_is_a_json_field_error_and_leaves_the_guest(headless, promotions):
    response = headless.post("auth/signup", {"email": "not an email", "password": "x"})
    assert response.status_code == 400
    params = {error.get("param") for error in response.json()["errors"]}
    assert "email" in params
    assert Guest.objects.filter(pk=headless.guest.pk).exists()
    assert promotions == []


# Providers (allauth's dummy provider) ------------------------------------------------


def test_app_provider_token_signup_promotes_the_guest(promotions):
    headless = Headless("app")
    id_token = json.dumps({"id": 4242, "email": "social@example.com", "email_verified": True})
    response = headless.post(
        "auth/provider/token",
        {"provider": "dummy", "process": "login", "token": {"id_token": id_token}},
    )
    assert response.status_code == 200, response.content
    user = assert_promoted(headless)
    assert SocialAccount.objects.get().user_id == user.pk
    assert promotions == [(headless.guest.pk, "dummy")]
    assert headless.session_user() == headless.guest.pk


def test_browser_provider_redirect_signup_promotes_the_guest(promotions):
    headless = Headless("browser")
    response = headless.client.post(
        headless.url("auth/provider/redirect"),
        {"provider": "dummy", "callback_url": "/home/", "process": "login"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/allauth/dummy/authenticate/?state=")
    response = headless.client.post(
        response["Location"], {"id": 4243, "email": "social@example.com", "email_verified": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    user = assert_promoted(headless)
    assert SocialAccount.objects.get().user_id == user.pk
    assert promotions == [(headless.guest.pk, "dummy")]
    assert headless.session_user() == headless.guest.pk


def test_provider_login_into_a_connected_account_merges_the_guest(existing, merges):
    SocialAccount.objects.create(user=existing, provider="dummy", uid="77")
    headless = Headless("app")
    id_token = json.dumps({"id": 77, "email": "known@example.com", "email_verified": True})
    response = headless.post(
        "auth/provider/token",
        {"provider": "dummy", "process": "login", "token": {"id_token": id_token}},
    )
    assert response.status_code == 200, response.content
    assert_merged(headless, existing, merges)


# Logging into an existing account -----------------------------------------------------


def test_password_login_merges_the_guest(headless, existing, promotions, merges):
    response = headless.post(
        "auth/login", {"email": "known@example.com", "password": EXISTING_PASSWORD}
    )
    assert response.status_code == 200, response.content
    assert as_pk(response.json()["data"]["user"]["id"]) == existing.pk
    assert_merged(headless, existing, merges)
    assert promotions == []


def test_wrong_password_leaves_the_guest(headless, existing, merges):
    response = headless.post("auth/login", {"email": "known@example.com", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "email_password_mismatch"
    assert Guest.objects.filter(pk=headless.guest.pk).exists()
    assert Note.objects.filter(user=headless.guest).count() == 1
    assert merges == []


def test_login_by_code_loses_no_data(headless, existing, mailoutbox):
    response = headless.post("auth/code/request", {"email": "known@example.com"})
    assert response.status_code == 401
    response = headless.post("auth/code/confirm", {"code": emailed_code(mailoutbox[0])})
    assert response.status_code == 200, response.content
    assert headless.session_user() == existing.pk
    # Merged into the account or kept by the guest: the note is somewhere.
    owners = set(Note.objects.values_list("user_id", flat=True))
    assert owners in ({existing.pk}, {headless.guest.pk})
    if owners == {headless.guest.pk}:
        assert Guest.objects.filter(pk=headless.guest.pk).exists()


# What stays as it was ------------------------------------------------------------------


def test_browser_guest_cannot_set_a_password_without_signing_up(db):
    headless = Headless("browser")
    response = headless.post("account/password/change", {"new_password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "guest"
    user = get_user_model().objects.get(pk=headless.guest.pk)
    assert not user.has_usable_password()
    assert Guest.objects.filter(pk=user.pk).exists()


def test_regular_users_get_allauths_conflict(client, existing):
    client.force_login(existing)
    response = client.post(
        "/_allauth/browser/v1/auth/login",
        json.dumps({"email": "known@example.com", "password": EXISTING_PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 409


def test_an_unknown_or_regular_token_hides_nobody(existing):
    client = Client(HTTP_USER_AGENT=MOBILE_UA, HTTP_AUTHORIZATION="Token 0123.nope")
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        response = client.post(
            "/_allauth/app/v1/auth/signup",
            json.dumps({"email": "fresh@example.com", "password": PASSWORD}),
            content_type="application/json",
        )
    assert response.status_code == 200
    assert get_user_model().objects.filter(email="fresh@example.com").exists()


def test_anonymous_signup_is_allauths(client, promotions):
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        response = client.post(
            "/_allauth/browser/v1/auth/signup",
            json.dumps({"email": "fresh@example.com", "password": PASSWORD}),
            content_type="application/json",
        )
    assert response.status_code == 200
    assert promotions == []
    assert not Guest.objects.exists()


# allauth headless's JWT strategy ---------------------------------------------------------


@pytest.fixture
def jwt_strategy(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.HEADLESS_TOKEN_STRATEGY = "guest_auth.contrib.allauth.tokens.GuestJWTTokenStrategy"
    settings.HEADLESS_JWT_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key.public_key()


def jwt_claims(token, public_key):
    import jwt

    return jwt.decode(token, public_key, algorithms=["RS256"], options={"verify_aud": False})


def test_jwt_strategy_says_is_guest(jwt_strategy):
    from guest_auth.contrib.allauth.tokens import GuestJWTTokenStrategy

    guest = GuestFactory().user
    assert GuestJWTTokenStrategy().get_claims(guest) == {"is_guest": True}
    assert GuestJWTTokenStrategy().get_claims(UserFactory()) == {"is_guest": False}


@override_settings(ACCOUNT_EMAIL_VERIFICATION="none")
def test_jwt_strategy_after_a_guest_signs_up_and_refreshes(jwt_strategy):
    headless = Headless("app")
    response = headless.post("auth/signup", {"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    access = jwt_claims(meta["access_token"], jwt_strategy)
    assert access["is_guest"] is False
    assert access["sub"] == str(headless.guest.pk)
    response = headless.client.post(
        headless.url("tokens/refresh"),
        json.dumps({"refresh_token": meta["refresh_token"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert jwt_claims(response.json()["data"]["access_token"], jwt_strategy)["is_guest"] is False
