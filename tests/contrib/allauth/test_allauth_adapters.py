"""guest_auth.contrib.allauth.adapters, through allauth's real views.

allauth is mounted at /allauth/ (tests/allauthapp/urls.py); the settings use
the fixed adapter names unless a test overrides them.
"""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import override_settings

from guest_auth.models import Guest
from guest_auth.signals import guest_promoted
from tests.allauthapp.adapters import SiteAccountAdapter, SiteSocialAccountAdapter
from tests.allauthapp.models import PhoneNumber
from tests.helpers import factories
from tests.helpers.allauth import (
    assert_kept,
    assert_merged,
    assert_promoted,
    assert_still_guest,
    emailed_code,
    whoami,
)
from tests.testapp.models import Note

SIGNUP = "/allauth/signup/"
LOGIN = "/allauth/login/"
REQUEST_CODE = "/allauth/login/code/"
CONFIRM_CODE = "/allauth/login/code/confirm/"
VERIFICATION_SENT = "/allauth/confirm-email/"
SOCIAL_SIGNUP = "/allauth/3rdparty/signup/"
VERIFY_PHONE = "/allauth/phone/verify/"
DUMMY_LOGIN = "/allauth/dummy/login/"
PASSWORD = "Cart-Keeper-2931"

pytestmark = pytest.mark.django_db

MANDATORY = {"ACCOUNT_EMAIL_VERIFICATION": "mandatory"}
BY_CODE = {**MANDATORY, "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED": True}
PHONE = {
    "ACCOUNT_ADAPTER": "tests.allauthapp.adapters.SiteGuestAccountAdapter",
    "ACCOUNT_SIGNUP_FIELDS": ["phone*"],
    "ACCOUNT_LOGIN_METHODS": {"phone"},
    "ACCOUNT_EMAIL_VERIFICATION": "none",
}


@pytest.fixture
def guest(guest_client):
    """The guest of guest_client, holding one note (its data)."""
    user = Guest.objects.get().user
    Note.objects.create(user=user, text="cart item")
    return user


def signup(client, email="new@example.com", **extra):
    return client.post(
        SIGNUP, {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    )


def emailed_link(mail):
    return re.search(r"https?://testserver(/\S+)", mail.body).group(1)


def dummy_login(client, *, process="login", **data):
    """Sign in with allauth's dummy OAuth provider; ``data`` is what the provider returns."""
    response = client.post(DUMMY_LOGIN, {"process": process})
    assert response.status_code == 302
    assert response["Location"].startswith("/allauth/dummy/authenticate/?state=")
    return client.post(response["Location"], data)


# Signup by email or username and password ------------------------------------


@pytest.mark.parametrize("verification", ["none", "optional"])
def test_password_signup_promotes_the_guest_in_place(
    guest_client, guest, promotions, mailoutbox, verification
):
    with override_settings(ACCOUNT_EMAIL_VERIFICATION=verification):
        response = signup(guest_client, email="New@Example.com")
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    user = assert_promoted(guest_client, guest)
    assert user.check_password(PASSWORD)
    assert user.email == "new@example.com"
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "primary", "verified")
    ) == [("new@example.com", True, False)]
    assert len(mailoutbox) == (1 if verification == "optional" else 0)
    assert promotions == [(guest.pk, "password")]


def test_username_and_password_signup(guest_client, guest, promotions):
    model = get_user_model()
    if model.USERNAME_FIELD == "email":
        fields, settings = {}, {}  # no username: the email is the username
    else:
        fields = {"username": "newbie"}
        settings = {
            "ACCOUNT_SIGNUP_FIELDS": ["username*", "email", "password1*", "password2*"],
            "ACCOUNT_LOGIN_METHODS": {"username"},
        }
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none", **settings):
        response = signup(guest_client, **fields)
    assert response["Location"] == "/home/"
    user = assert_promoted(guest_client, guest)
    assert user.get_username() == fields.get("username", "new@example.com")
    assert promotions == [(guest.pk, "password")]


def test_signup_keeps_the_session_data(guest_client, guest):
    guest_client.get("/session-cart/?item=socks")
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        signup(guest_client)
    assert_promoted(guest_client, guest)
    assert guest_client.session["cart"] == ["socks"]


@override_settings(**MANDATORY, ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION=True)
def test_mandatory_verification_keeps_the_account_unverified_until_confirmed(
    guest_client, guest, promotions, mailoutbox
):
    response = signup(guest_client)
    assert response["Location"] == VERIFICATION_SENT
    # Promoted, but not logged in until the email is confirmed, as allauth does
    # with any new account.
    user = assert_promoted(guest_client, guest, logged_in=False)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified) == ("new@example.com", False)
    assert (
        guest_client.post(LOGIN, {"login": "new@example.com", "password": PASSWORD})["Location"]
        == VERIFICATION_SENT
    )
    assert whoami(guest_client)["authenticated"] is False

    link = emailed_link(mailoutbox[0])
    assert guest_client.get(link).status_code == 200
    response = guest_client.post(link)
    assert response["Location"] == "/home/"
    address.refresh_from_db()
    assert address.verified
    assert_promoted(guest_client, guest)
    assert promotions == [(guest.pk, "password")]


@override_settings(**BY_CODE)
def test_mandatory_verification_by_code(guest_client, guest, promotions, mailoutbox):
    assert signup(guest_client)["Location"] == VERIFICATION_SENT
    assert_promoted(guest_client, guest, logged_in=False)
    assert guest_client.get(VERIFICATION_SENT).status_code == 200  # the code form
    assert guest_client.post(VERIFICATION_SENT, {"code": "WRONG1"}).status_code == 200
    response = guest_client.post(VERIFICATION_SENT, {"code": emailed_code(mailoutbox[0])})
    assert response["Location"] == "/home/"
    assert EmailAddress.objects.get(user_id=guest.pk).verified
    assert_promoted(guest_client, guest)
    assert promotions == [(guest.pk, "password")]


@override_settings(ACCOUNT_PREVENT_ENUMERATION=False)
def test_email_already_taken_is_allauths_form_error(
    guest_client, guest, existing, promotions, mailoutbox
):
    response = signup(guest_client, email="KNOWN@example.com")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["A user is already registered with this email address."]
    }
    assert_still_guest(guest_client, guest)
    assert promotions == []
    assert mailoutbox == []


@override_settings(**MANDATORY)
def test_email_already_taken_with_enumeration_prevention(
    guest_client, guest, existing, promotions, mailoutbox
):
    # allauth hides that the account exists: "verification sent" on screen,
    # an "account already exists" mail to the address.
    response = signup(guest_client, email="known@example.com")
    assert response["Location"] == VERIFICATION_SENT
    assert [m.to for m in mailoutbox] == [["known@example.com"]]
    assert "already" in mailoutbox[0].subject.lower()
    assert_still_guest(guest_client, guest)
    assert promotions == []


def test_weak_password_is_allauths_form_error(guest_client, guest, promotions):
    response = guest_client.post(
        SIGNUP, {"email": "new@example.com", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert_still_guest(guest_client, guest)
    assert promotions == []


@override_settings(
    ACCOUNT_ADAPTER="tests.allauthapp.adapters.SiteGuestAccountAdapter",
    ACCOUNT_EMAIL_VERIFICATION="none",
)
def test_the_mixin_keeps_the_sites_own_adapter(guest_client, guest, promotions):
    SiteAccountAdapter.saved.clear()
    signup(guest_client)
    assert_promoted(guest_client, guest)
    assert SiteAccountAdapter.saved == [guest.pk]
    assert promotions == [(guest.pk, "password")]


@pytest.mark.parametrize("flow", ["password", "social", "phone"])
def test_a_failing_promotion_leaves_the_guest_as_it_was(guest_client, guest, flow):
    # A guest_promoted receiver that raises undoes the whole signup: the row,
    # and what allauth wrote with it (SocialAccount, EmailAddress, phone).
    def refuse(sender, **kwargs):
        raise RuntimeError("no")

    guest_promoted.connect(refuse, dispatch_uid="test_refuse")
    try:
        with (
            override_settings(
                **(PHONE if flow == "phone" else {"ACCOUNT_EMAIL_VERIFICATION": "none"})
            ),
            pytest.raises(RuntimeError, match="no"),
        ):
            if flow == "password":
                signup(guest_client)
            elif flow == "social":
                dummy_login(guest_client, id=77, email="social@example.com", email_verified="on")
            else:
                guest_client.post(SIGNUP, {"phone": "+15550001111"})
    finally:
        guest_promoted.disconnect(dispatch_uid="test_refuse")
    assert_still_guest(guest_client, guest)
    assert not SocialAccount.objects.exists()
    assert not PhoneNumber.objects.exists()


@override_settings(
    ACCOUNT_ADAPTER="tests.allauthapp.adapters.AlreadyPromotedAccountAdapter",
    ACCOUNT_EMAIL_VERIFICATION="none",
)
def test_guest_promoted_meanwhile_starts_over(guest_client, guest, promotions):
    # The adapter deletes the Guest row between new_user() and save_user(), as
    # a double-submitted signup form whose first request won would.
    response = signup(guest_client)
    assert response["Location"] == LOGIN
    user = get_user_model().objects.get(pk=guest.pk)
    assert user.get_username() == guest.get_username()  # nothing half-written
    assert not user.has_usable_password()
    assert not EmailAddress.objects.exists()
    assert get_user_model().objects.count() == 1
    assert promotions == []


def test_signup_without_a_guest_is_allauths(client, promotions):
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        assert signup(client)["Location"] == "/home/"
    user = get_user_model().objects.get()
    assert whoami(client) == {"authenticated": True, "pk": str(user.pk), "is_guest": False}
    assert promotions == []


# Password login into an account that exists ----------------------------------


def test_password_login_into_an_existing_account_merges_the_guest(
    guest_client, guest, existing, promotions, merges
):
    response = guest_client.post(
        LOGIN, {"login": "known@example.com", "password": factories.PASSWORD}
    )
    assert response["Location"] == "/home/"
    assert_merged(guest_client, guest, existing, merges)
    assert promotions == []


def test_wrong_password_leaves_the_guest(guest_client, guest, existing, promotions, merges):
    response = guest_client.post(LOGIN, {"login": "known@example.com", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email address and/or password you specified are not correct."
    ]
    assert_still_guest(guest_client, guest)
    assert promotions == merges == []


@override_settings(MFA_TOTP_TOLERANCE=1)  # no failure when the 30 s period turns over
def test_login_into_an_account_with_two_factor_authentication(
    guest_client, guest, existing, promotions, merges
):
    # allauth asks for the TOTP code on a page of the login in progress, which
    # it keeps logged-in visitors away from: the guest must get it.
    secret = totp_auth.generate_totp_secret()
    totp_auth.TOTP.activate(existing, secret)
    response = guest_client.post(
        LOGIN, {"login": "known@example.com", "password": factories.PASSWORD}
    )
    assert response["Location"] == "/allauth/2fa/authenticate/"
    assert guest_client.get("/allauth/2fa/authenticate/").status_code == 200
    assert_still_guest(guest_client, guest)
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    code = totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))
    response = guest_client.post("/allauth/2fa/authenticate/", {"code": code})
    assert response["Location"] == "/home/"
    assert_merged(guest_client, guest, existing, merges)
    assert promotions == []


# Social signup and login (allauth's dummy OAuth provider) --------------------


def test_social_signup_attaches_the_account_to_the_guest(guest_client, guest, promotions):
    response = dummy_login(
        guest_client, id=77, email="social@example.com", email_verified="on", username="socialite"
    )
    assert response["Location"] == "/home/"
    user = assert_promoted(guest_client, guest)
    assert list(SocialAccount.objects.values_list("user_id", "provider", "uid")) == [
        (user.pk, "dummy", "77")
    ]
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("social@example.com", True)
    ]
    assert user.email == "social@example.com"
    assert not user.has_usable_password()
    if get_user_model().USERNAME_FIELD == "username":
        assert user.username == "socialite"
    assert promotions == [(guest.pk, "dummy")]

    # Later logins with the provider reach the same account.
    guest_client.post("/allauth/logout/")
    assert dummy_login(guest_client, id=77)["Location"] == "/home/"
    assert whoami(guest_client)["pk"] == str(guest.pk)


@override_settings(SOCIALACCOUNT_ADAPTER="tests.allauthapp.adapters.SiteGuestSocialAccountAdapter")
def test_social_mixin_keeps_the_sites_own_adapter(guest_client, guest, promotions):
    SiteSocialAccountAdapter.signups.clear()
    dummy_login(guest_client, id=77, email="social@example.com", email_verified="on")
    assert_promoted(guest_client, guest)
    assert SiteSocialAccountAdapter.signups == ["dummy"]
    assert promotions == [(guest.pk, "dummy")]


def test_guest_connecting_a_provider_signs_up_with_it(guest_client, guest, promotions):
    response = dummy_login(
        guest_client, process="connect", id=77, email="social@example.com", email_verified="on"
    )
    assert response["Location"] == "/home/"
    assert_promoted(guest_client, guest)
    assert SocialAccount.objects.get().user_id == guest.pk
    assert promotions == [(guest.pk, "dummy")]


@override_settings(**MANDATORY)
def test_social_signup_with_an_unverified_email(guest_client, guest, promotions, mailoutbox):
    response = dummy_login(guest_client, id=77, email="social@example.com")
    assert response["Location"] == VERIFICATION_SENT
    user = assert_promoted(guest_client, guest, logged_in=False)
    assert SocialAccount.objects.get().user_id == user.pk
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert promotions == [(guest.pk, "dummy")]


def test_social_signup_form_when_the_email_is_taken(guest_client, guest, existing, promotions):
    # The provider's email belongs to another account: no auto signup,
    # allauth asks for another email on its social signup form.
    response = dummy_login(guest_client, id=77, email="known@example.com", email_verified="on")
    assert response["Location"] == SOCIAL_SIGNUP
    assert guest_client.get(SOCIAL_SIGNUP).status_code == 200
    assert_still_guest(guest_client, guest)

    response = guest_client.post(SOCIAL_SIGNUP, {"email": "known@example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": [
            "An account already exists with this email address. Please sign in to that account "
            "first, then connect your Dummy account."
        ]
    }
    assert_still_guest(guest_client, guest)
    assert not SocialAccount.objects.exists()

    with override_settings(ACCOUNT_EMAIL_VERIFICATION="none"):
        response = guest_client.post(SOCIAL_SIGNUP, {"email": "other@example.com"})
    assert response["Location"] == "/home/"
    assert SocialAccount.objects.get().user_id == guest.pk
    user = get_user_model().objects.get(pk=guest.pk)
    assert user.email == "other@example.com"
    assert not Guest.objects.exists()
    assert promotions == [(guest.pk, "dummy")]  # once, not again by the account adapter


def test_social_login_into_a_connected_account_merges_the_guest(
    guest_client, guest, existing, promotions, merges
):
    # The provider account is already connected to another user: that user
    # logs in and gets the guest's data; no second account, no error.
    SocialAccount.objects.create(user=existing, provider="dummy", uid="77")
    response = dummy_login(guest_client, id=77, email="social@example.com", email_verified="on")
    assert response["Location"] == "/home/"
    assert_merged(guest_client, guest, existing, merges)
    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.get().user_id == existing.pk
    assert promotions == []


@override_settings(
    SOCIALACCOUNT_EMAIL_AUTHENTICATION=True, SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT=True
)
def test_social_login_by_a_known_email_merges_the_guest(
    guest_client, guest, existing, promotions, merges
):
    response = dummy_login(guest_client, id=77, email="known@example.com", email_verified="on")
    assert response["Location"] == "/home/"
    assert_merged(guest_client, guest, existing, merges)
    assert SocialAccount.objects.get().user_id == existing.pk
    assert promotions == []


def test_cancelled_oauth_leaves_the_guest(guest_client, guest, promotions, merges):
    response = guest_client.post(DUMMY_LOGIN, {"process": "login"})
    response = guest_client.post(response["Location"], {"action": "cancel"})
    assert response["Location"] == "/allauth/3rdparty/login/cancelled/"
    assert guest_client.get(response["Location"]).status_code == 200
    assert_still_guest(guest_client, guest)
    assert promotions == merges == []


@override_settings(
    SOCIALACCOUNT_ADAPTER="tests.allauthapp.adapters.AlreadyPromotedSocialAccountAdapter"
)
def test_social_guest_promoted_meanwhile_starts_over(guest_client, guest, promotions):
    response = dummy_login(guest_client, id=77, email="social@example.com", email_verified="on")
    assert response["Location"] == LOGIN
    assert not SocialAccount.objects.exists()
    assert not EmailAddress.objects.exists()
    user = get_user_model().objects.get()
    assert user.get_username() == guest.get_username()
    assert promotions == []


# Login by emailed code --------------------------------------------------------


@override_settings(**BY_CODE, ACCOUNT_SIGNUP_FIELDS=["email*"])
def test_passwordless_signup_by_code(guest_client, guest, promotions, mailoutbox):
    response = guest_client.post(SIGNUP, {"email": "new@example.com"})
    assert response["Location"] == VERIFICATION_SENT
    assert_promoted(guest_client, guest, logged_in=False)
    response = guest_client.post(VERIFICATION_SENT, {"code": emailed_code(mailoutbox[0])})
    assert response["Location"] == "/home/"
    user = assert_promoted(guest_client, guest)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert promotions == [(guest.pk, "code")]


def test_login_by_code_into_an_existing_account_keeps_the_guest(
    guest_client, guest, existing, promotions, merges, mailoutbox
):
    # Issue 13: a login code can be one someone else requested and passed on.
    response = guest_client.post(REQUEST_CODE, {"email": "known@example.com"})
    assert response["Location"] == CONFIRM_CODE
    assert guest_client.get(CONFIRM_CODE).status_code == 200
    response = guest_client.post(CONFIRM_CODE, {"code": emailed_code(mailoutbox[0])})
    assert response["Location"] == "/home/"
    assert_kept(guest_client, guest, existing, merges)
    assert promotions == []


@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.ConfirmMergeAdapter")
def test_login_by_code_can_offer_the_merge(
    guest_client, guest, existing, promotions, merges, mailoutbox
):
    guest_client.post(REQUEST_CODE, {"email": "known@example.com"})
    guest_client.post(CONFIRM_CODE, {"code": emailed_code(mailoutbox[0])})
    assert guest_client.get("/guest/merge/").status_code == 200
    guest_client.post("/guest/merge/")
    assert_merged(guest_client, guest, existing, merges)


@pytest.mark.parametrize("email", ["known@example.com", "nobody@example.com"])
def test_login_code_never_entered_leaves_the_guest(
    guest_client, guest, existing, promotions, merges, mailoutbox, email
):
    response = guest_client.post(REQUEST_CODE, {"email": email})
    assert response["Location"] == CONFIRM_CODE
    assert guest_client.post(CONFIRM_CODE, {"code": "WRONG1"}).status_code == 200
    assert len(mailoutbox) == 1
    assert_still_guest(guest_client, guest)
    assert promotions == merges == []


# Phone --------------------------------------------------------------------------


@pytest.fixture
def sms():
    SiteAccountAdapter.sent_sms.clear()
    return SiteAccountAdapter.sent_sms


@override_settings(**PHONE)
def test_phone_signup(guest_client, guest, promotions, sms):
    response = guest_client.post(SIGNUP, {"phone": "+15550001111"})
    assert response["Location"] == VERIFY_PHONE
    user = assert_promoted(guest_client, guest, logged_in=False)
    assert [(m["user"].pk, m["phone"]) for m in sms] == [(user.pk, "+15550001111")]
    assert guest_client.get(VERIFY_PHONE).status_code == 200
    response = guest_client.post(VERIFY_PHONE, {"code": sms[0]["code"]})
    assert response["Location"] == "/home/"
    assert_promoted(guest_client, guest)
    assert list(PhoneNumber.objects.values_list("user_id", "phone", "verified")) == [
        (guest.pk, "+15550001111", True)
    ]
    assert promotions == [(guest.pk, "phone")]


@override_settings(**PHONE)
def test_phone_login_into_an_existing_account_keeps_the_guest(
    guest_client, guest, existing, promotions, merges, sms
):
    PhoneNumber.objects.create(user=existing, phone="+15550002222", verified=True)
    response = guest_client.post(REQUEST_CODE, {"phone": "+15550002222"})
    assert response["Location"] == CONFIRM_CODE
    response = guest_client.post(CONFIRM_CODE, {"code": sms[0]["code"]})
    assert response["Location"] == "/home/"
    assert_kept(guest_client, guest, existing, merges)
    assert promotions == []


@override_settings(**PHONE)
def test_phone_code_never_entered_leaves_the_guest(
    guest_client, guest, existing, promotions, merges, sms
):
    PhoneNumber.objects.create(user=existing, phone="+15550002222", verified=True)
    assert guest_client.post(REQUEST_CODE, {"phone": "+15550002222"})["Location"] == CONFIRM_CODE
    assert len(sms) == 1
    assert_still_guest(guest_client, guest)
    assert promotions == merges == []
