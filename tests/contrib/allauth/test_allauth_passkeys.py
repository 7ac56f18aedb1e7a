"""Passkeys (allauth.mfa's WebAuthn) and guests, through allauth's real views.

A guest who signs up with a passkey only (MFA_PASSKEY_SIGNUP_ENABLED) is
promoted in place; a guest who logs in with an account's passkey has had a
credential checked in this session, so the login merges it. The passkey is
tests/helpers/webauthn.SoftPasskey: allauth verifies its answers with
fido2's server, as it verifies a browser's.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from guest_auth.models import Guest
from tests.helpers.allauth import (
    Headless,
    as_pk,
    assert_kept,
    assert_merged,
    assert_promoted,
    assert_still_guest,
    emailed_code,
    headless_assert_merged,
    headless_assert_promoted,
    whoami,
)
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import UserFactory
from tests.helpers.webauthn import SoftPasskey
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db

SIGNUP_BY_PASSKEY = "/allauth/signup/passkey/"
VERIFICATION_SENT = "/allauth/confirm-email/"
PASSKEY_SIGNUP = "/allauth/2fa/webauthn/signup/"
PASSKEY_LOGIN = "/allauth/2fa/webauthn/login/"
PASSWORD_CHANGE = "/allauth/password/change/"
PASSWORD_SET = "/allauth/password/set/"

# What allauth requires of a site that offers passkey signup (its system
# checks), plus passkey login; plain HTTP for the test client's origin.
PASSKEYS = {
    "MFA_SUPPORTED_TYPES": ["totp", "recovery_codes", "webauthn"],
    "MFA_PASSKEY_SIGNUP_ENABLED": True,
    "MFA_PASSKEY_LOGIN_ENABLED": True,
    "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN": True,
    "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
    "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED": True,
}


@pytest.fixture
def guest(guest_client):
    """The guest of guest_client, holding one note (its data)."""
    user = Guest.objects.get().user
    Note.objects.create(user=user, text="cart item")
    return user


@pytest.fixture(params=["browser", "app"])
def headless(request, db):
    return Headless(request.param)


def sign_up_with_a_passkey(client, mailoutbox, email="new@example.com"):
    """allauth's passkey signup, step by step: email, emailed code, new passkey."""
    response = client.post(SIGNUP_BY_PASSKEY, {"email": email})
    assert response.status_code == 302, response.content
    assert response["Location"] == VERIFICATION_SENT
    response = client.post(VERIFICATION_SENT, {"code": emailed_code(mailoutbox[-1])})
    assert response["Location"] == PASSKEY_SIGNUP
    page = client.get(PASSKEY_SIGNUP)
    assert page.status_code == 200
    passkey = SoftPasskey()
    credential = passkey.create(page.context["js_data"]["creation_options"])
    response = client.post(PASSKEY_SIGNUP, {"name": "Laptop", "credential": json.dumps(credential)})
    assert response.status_code == 302, response.content
    return passkey, response


def log_in_with(client, passkey):
    options = client.get(PASSKEY_LOGIN, HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    assertion = passkey.get(options["request_options"])
    return client.post(PASSKEY_LOGIN, {"credential": json.dumps(assertion)})


@override_settings(**PASSKEYS)
def test_passkey_signup_promotes_the_guest_in_place(guest_client, guest, promotions, mailoutbox):
    _, response = sign_up_with_a_passkey(guest_client, mailoutbox)

    assert response["Location"] == "/home/"
    user = assert_promoted(guest_client, guest)
    assert EmailAddress.objects.get(user=user).verified
    [authenticator] = Authenticator.objects.filter(user=user)
    assert authenticator.type == Authenticator.Type.WEBAUTHN
    assert promotions == [(guest.pk, "passkey")]
    # No password: allauth's password pages offer to set one.
    assert not user.has_usable_password()
    assert guest_client.get(PASSWORD_CHANGE)["Location"] == PASSWORD_SET
    assert "password1" in guest_client.get(PASSWORD_SET).context["form"].fields


@override_settings(**PASSKEYS)
def test_the_new_passkey_logs_the_account_in_again(guest_client, guest, mailoutbox, make_client):
    passkey, _ = sign_up_with_a_passkey(guest_client, mailoutbox)
    browser = make_client()
    response = log_in_with(browser, passkey)
    assert response.status_code == 302
    assert whoami(browser) == {"authenticated": True, "pk": str(guest.pk), "is_guest": False}


@override_settings(**PASSKEYS)
def test_a_passkey_login_merges_the_guest(guest_client, guest, merges, mailoutbox, make_client):
    # An account with a passkey, made by passkey signup in another browser.
    other = make_client()
    passkey, _ = sign_up_with_a_passkey(other, mailoutbox, email="known@example.com")
    account = get_user_model().objects.get(emailaddress__email="known@example.com")

    response = log_in_with(guest_client, passkey)

    assert response.status_code == 302
    assert_merged(guest_client, guest, account, merges)


@override_settings(**PASSKEYS)
def test_a_wrong_passkey_leaves_the_guest(guest_client, guest, merges, mailoutbox, make_client):
    passkey, _ = sign_up_with_a_passkey(make_client(), mailoutbox, email="known@example.com")
    impostor = SoftPasskey()
    impostor.rp_id, impostor.user_handle = passkey.rp_id, passkey.user_handle
    impostor.credential_id = passkey.credential_id  # the right id, the wrong key

    response = log_in_with(guest_client, impostor)

    assert response["Location"] == "/allauth/login/"
    assert_still_guest(guest_client, guest)
    assert merges == []


@override_settings(**PASSKEYS)
def test_a_guest_promoted_meanwhile_gets_no_second_account(
    guest_client, guest, promotions, mailoutbox
):
    Guest.objects.filter(pk=guest.pk).delete()  # promoted by another request
    response = guest_client.post(SIGNUP_BY_PASSKEY, {"email": "new@example.com"})
    assert response.status_code == 302
    assert promotions == []
    assert get_user_model().objects.count() == 1
    assert Note.objects.filter(user_id=guest.pk).count() == 1


@override_settings(**PASSKEYS, ACCOUNT_LOGIN_BY_CODE_ENABLED=True)
def test_a_login_by_code_still_keeps_the_guest(guest_client, guest, merges, mailoutbox):
    # The passkey rule is not a blanket "mfa" rule: a login code stays a code.
    account = UserFactory(email="known@example.com")
    EmailAddress.objects.create(
        user=account, email="known@example.com", primary=True, verified=True
    )
    guest_client.post("/allauth/login/code/", {"email": "known@example.com"})
    guest_client.post("/allauth/login/code/confirm/", {"code": emailed_code(mailoutbox[-1])})
    assert_kept(guest_client, guest, account, merges)


# allauth.headless, browser and app clients -------------------------------------------


def headless_put(headless, path, body):
    response = headless.client.put(
        headless.url(path), json.dumps(body), content_type="application/json", **headless.headers()
    )
    headless._keep_session_token(response)
    return response


def headless_sign_up_with_a_passkey(headless, mailoutbox, email="new@example.com"):
    response = headless.post("auth/webauthn/signup", {"email": email})
    assert response.status_code == 401, response.content
    response = headless.post("auth/email/verify", {"key": emailed_code(mailoutbox[-1])})
    assert response.status_code == 401, response.content
    pending = [f["id"] for f in response.json()["data"]["flows"] if f.get("is_pending")]
    assert pending == ["mfa_signup_webauthn"]
    options = headless_get(headless, "auth/webauthn/signup").json()["data"]["creation_options"]
    passkey = SoftPasskey()
    response = headless_put(
        headless, "auth/webauthn/signup", {"name": "Phone", "credential": passkey.create(options)}
    )
    assert response.status_code == 200, response.content
    return passkey, response


def headless_get(headless, path):
    # An app client's WebAuthn state lives in its allauth session: keep the
    # session token the options come with.
    response = headless.get(path)
    headless._keep_session_token(response)
    return response


def headless_log_in_with(headless, passkey):
    options = headless_get(headless, "auth/webauthn/login").json()["data"]["request_options"]
    return headless.post("auth/webauthn/login", {"credential": passkey.get(options)})


@override_settings(**PASSKEYS)
def test_headless_passkey_signup_promotes_the_guest_in_place(headless, promotions, mailoutbox):
    _, response = headless_sign_up_with_a_passkey(headless, mailoutbox)

    assert as_pk(response.json()["data"]["user"]["id"]) == headless.guest.pk
    user = headless_assert_promoted(headless)
    assert not user.has_usable_password()
    assert Authenticator.objects.get(user=user).type == Authenticator.Type.WEBAUTHN
    assert promotions == [(headless.guest.pk, "passkey")]
    assert headless.session_user() == headless.guest.pk


@override_settings(**PASSKEYS)
def test_headless_passkey_login_merges_the_guest(headless, merges, mailoutbox):
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    passkey, _ = sign_up_with_a_passkey(owner, mailoutbox, email="known@example.com")
    account = get_user_model().objects.get(emailaddress__email="known@example.com")

    response = headless_log_in_with(headless, passkey)

    assert response.status_code == 200, response.content
    headless_assert_merged(headless, account, merges)
