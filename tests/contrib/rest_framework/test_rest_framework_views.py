"""The guest REST API through APIClient: every documented status code.

Every response here also goes through CheckedClient, which fails the test if
the status is not documented in the schema or the body does not match it.
"""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from guest_auth.adapter import GuestAdapter
from guest_auth.forms import promote_form_class
from guest_auth.models import APIToken, DeviceCredential, Guest
from tests.helpers.clients import LOCALE_MIDDLEWARE
from tests.helpers.factories import UserFactory, username_for
from tests.helpers.i18n import french_rate_limited, retry_words
from tests.helpers.rest_framework import (
    API,
    BOT_UA,
    GOOD_PASSWORD,
    LOGIN,
    ME,
    MOBILE_UA,
    PROMOTE,
    CheckedClient,
    counts,
    create,
    make_client,
    promote_body,
)
from tests.testapp.models import Note

User = get_user_model
UNKNOWN_CREDENTIAL = "0123456789abcdef01234567." + "A" * 43


@pytest.fixture
def api(db):
    return make_client()


def test_url_names():
    assert [reverse(f"guest_auth_api:{name}") for name in ("create", "login", "me", "promote")] == [
        API,
        LOGIN,
        ME,
        PROMOTE,
    ]


# POST api/guest/ --------------------------------------------------------------------------


def test_create_201_logs_a_new_guest_in(api):
    body = create(api)
    assert set(body) == {"id", "is_guest", "token", "credential"}
    guest = Guest.objects.get()
    assert body["is_guest"] is True
    assert body["id"] == (guest.pk if isinstance(guest.pk, int) else str(guest.pk))
    # Logged in by session on this client...
    assert api.get(ME).json() == {"id": body["id"], "is_guest": True, "is_verified": False}
    # ...and by token from any client.
    assert make_client(body["token"]).get(ME).json()["id"] == body["id"]
    assert counts() == (1, 1, 1, 1)


def test_create_needs_no_csrf_token_from_an_anonymous_client(db):
    assert make_client(csrf=True).post(API, {}, format="json").status_code == 201


def test_create_refuses_a_body_that_is_not_json(api):
    # A cross-site form can post text/plain: that would log a guest in (login CSRF).
    response = api.post(API, "not json", content_type="text/plain")
    assert response.status_code == 415
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("setup", ["bot", "adapter", "disabled"])
def test_create_403_when_no_guest_may_be_created(db, setup, settings):
    client, path = make_client(), API
    if setup == "bot":
        client = make_client(user_agent=BOT_UA)
    elif setup == "adapter":
        settings.GUEST_AUTH_ADAPTER = "tests.testapp.adapters.NoGuestsOnSundayAdapter"
        path = API + "?day=sunday"
    else:
        settings.GUEST_AUTH_ENABLED = False
    response = client.post(path, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "No guest can be created for this client."}
    assert counts() == (0, 0, 0, 0)


@override_settings(GUEST_AUTH_RATE_LIMIT="2/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_create_429_over_the_rate_limit(db):
    create(make_client())
    create(make_client())
    response = make_client().post(API, {}, format="json")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    assert response.json() == {
        "detail": retry_words(retry_after),
        "retry_after": retry_after,
    }
    assert counts() == (2, 2, 2, 2)
    # Another client address is not limited by this one's count.
    other = CheckedClient(HTTP_USER_AGENT=MOBILE_UA, REMOTE_ADDR="192.0.2.7")
    assert other.post(API, {}, format="json").status_code == 201


def test_create_409_for_a_session_guest(api):
    create(api)
    response = api.post(API, {}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "You are already logged in."}
    assert counts() == (1, 1, 1, 1)


def test_create_409_for_a_token_guest(api):
    token = create(api)["token"]
    response = make_client(token, csrf=True).post(API, {}, format="json")
    assert response.status_code == 409
    assert counts() == (1, 1, 1, 1)


def test_create_409_for_a_regular_user(api, user):
    api.force_login(user)
    assert api.post(API, {}, format="json").status_code == 409
    assert counts() == (1, 0, 0, 0)


def test_create_403_for_a_session_without_csrf_token(db, user):
    client = make_client(csrf=True)
    client.force_login(user)
    response = client.post(API, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}


def test_create_with_a_stale_token_makes_a_new_guest(api, settings):
    old = create(api)
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=31))
    response = make_client(old["token"]).post(API, {}, format="json")
    assert response.status_code == 201
    assert response.json()["id"] != old["id"]


# POST api/guest/login/ --------------------------------------------------------------------


def test_login_200_same_guest_fresh_token(api):
    created = create(api)
    Note.objects.create(user_id=Guest.objects.get().pk, text="cart item")
    device = make_client()
    response = device.post(LOGIN, {"credential": created["credential"]})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == created["id"] and body["is_guest"] is True
    assert body["credential"] == created["credential"]
    assert body["token"] != created["token"]
    # Both tokens and the new session work; the credential stays valid.
    for client in (device, make_client(body["token"]), make_client(created["token"])):
        assert client.get(ME).json()["id"] == created["id"]
    assert make_client().post(LOGIN, {"credential": created["credential"]}).status_code == 200
    assert Note.objects.get().user_id == Guest.objects.get().pk


def test_login_needs_no_csrf_token_from_an_anonymous_client(api):
    credential = create(api)["credential"]
    assert make_client(csrf=True).post(LOGIN, {"credential": credential}).status_code == 200


def test_a_credential_from_one_guest_never_logs_in_another(db):
    guests = [create(make_client()) for _ in range(3)]
    for guest in guests:
        response = make_client().post(LOGIN, {"credential": guest["credential"]})
        assert response.json()["id"] == guest["id"]
    for a in guests:
        for b in guests:
            if a is not b:
                mixed = a["credential"].split(".")[0] + "." + b["credential"].split(".")[1]
                assert make_client().post(LOGIN, {"credential": mixed}).status_code == 401


def _expire(created):
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=31))


def _promote(created):
    response = make_client(created["token"]).post(PROMOTE, promote_body())
    assert response.status_code == 200


def _revoke(created):
    DeviceCredential.objects.all().delete()


@pytest.mark.parametrize(
    "spoil,which",
    [
        # Every combination but (None, "real"), the one that logs in.
        (spoil, which)
        for spoil in (None, _expire, _promote, _revoke)
        for which in ("real", "unknown", "malformed", "token")
        if (spoil, which) != (None, "real")
    ],
)
def test_login_401_tells_nothing_about_why(api, spoil, which):
    created = create(api)
    if spoil is not None:
        spoil(created)
    credential = {
        "real": created["credential"],
        "unknown": UNKNOWN_CREDENTIAL,
        "malformed": created["credential"][:-1],
        "token": created["token"],
    }[which]
    before = counts()
    response = make_client().post(LOGIN, {"credential": credential})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid credential."}
    assert response["WWW-Authenticate"] == "Token"
    assert counts() == before
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize(
    "body,errors",
    [
        ({}, {"credential": ["This field is required."]}),
        ({"credential": True}, {"credential": ["Not a valid string."]}),
        ({"credential": {"a": 1}}, {"credential": ["Not a valid string."]}),
        ({"credential": None}, {"credential": ["This field may not be null."]}),
        ({"credential": ""}, {"credential": ["This field may not be blank."]}),
        ({"credential": ["a"]}, {"credential": ["Not a valid string."]}),
        ([1], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_login_400_for_a_malformed_body(api, body, errors):
    response = api.post(LOGIN, body)
    assert response.status_code == 400
    assert response.json() == errors


def test_login_400_for_invalid_json(api):
    response = api.post(LOGIN, '{"credential": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


def test_login_415_for_a_form_body(api):
    credential = create(make_client())["credential"]
    response = api.post(
        LOGIN, f"credential={credential}", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }
    assert "sessionid" not in response.cookies


def test_login_with_a_stale_token_header_still_logs_in(api):
    created = create(api)
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=31))
    response = make_client(created["token"]).post(LOGIN, {"credential": created["credential"]})
    assert response.status_code == 200
    assert make_client(response.json()["token"]).get(ME).status_code == 200


def test_login_403_for_a_session_without_csrf_token(db, user):
    credential = create(make_client())["credential"]
    client = make_client(csrf=True)
    client.force_login(user)
    response = client.post(LOGIN, {"credential": credential})
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    assert APIToken.objects.count() == 1


# GET api/guest/me/ ------------------------------------------------------------------------


def test_me_200_for_guests_and_regular_users(api, user):
    created = create(api)
    expected = {"id": created["id"], "is_guest": True, "is_verified": False}
    assert api.get(ME).json() == expected
    assert make_client(created["token"]).get(ME).json() == expected
    regular = make_client()
    regular.force_login(user)
    response = regular.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk if isinstance(user.pk, int) else str(user.pk),
        "is_guest": False,
        "is_verified": True,
    }


def test_me_401_when_not_logged_in(api):
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_me_401_for_a_bad_token(api):
    token = create(make_client())["token"]
    lookup = token.split(".")[0]
    for bad in (UNKNOWN_CREDENTIAL, lookup + "." + "B" * 43):
        response = make_client(bad).get(ME)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token."}


def test_me_401_for_an_expired_token(api, settings):
    settings.GUEST_AUTH_MAX_INACTIVITY = "7d"
    token = create(api)["token"]
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=7, seconds=1))
    assert make_client(token).get(ME).status_code == 401


def test_me_with_a_token_costs_one_query(api, django_assert_num_queries):
    token = create(api)["token"]
    client = make_client(token)
    with django_assert_num_queries(1):
        assert client.get(ME).json()["is_guest"] is True


def test_adapter_decides_is_verified(api, settings):
    settings.GUEST_AUTH_ADAPTER = f"{__name__}.EveryoneVerifiedAdapter"
    create(api)
    assert api.get(ME).json()["is_verified"] is True


class EveryoneVerifiedAdapter(GuestAdapter):
    def is_verified(self, request, user):
        return True


# POST api/guest/promote/ ------------------------------------------------------------------


def test_promote_200_in_place_with_a_token(api):
    created = create(api)
    Note.objects.create(user_id=Guest.objects.get().pk, text="cart item")
    other_device = make_client().post(LOGIN, {"credential": created["credential"]}).json()
    client = make_client(created["token"], csrf=True)  # a token needs no CSRF token
    response = client.post(PROMOTE, promote_body())
    assert response.status_code == 200
    assert response.json() == {"id": created["id"], "is_guest": False, "is_verified": True}
    user = User().objects.get()
    assert user.check_password(GOOD_PASSWORD)
    assert user.email == "new1@example.com"
    assert not Guest.objects.exists()
    assert Note.objects.get().user_id == user.pk
    # This client stays logged in; the guest's other ways in are closed.
    assert client.get(ME).json()["is_guest"] is False
    assert make_client(other_device["token"]).get(ME).status_code == 401
    assert api.get(ME).status_code == 401  # the creating session
    response = make_client().post(LOGIN, {"credential": created["credential"]})
    assert response.status_code == 401
    assert not DeviceCredential.objects.exists()


def test_promote_200_with_a_session_and_csrf_token(db):
    client = make_client(csrf=True)
    created = create(client)
    csrf_token = client.cookies["csrftoken"].value
    response = client.post(PROMOTE, promote_body(), HTTP_X_CSRFTOKEN=csrf_token)
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert client.get(ME).json()["is_guest"] is False  # still logged in
    assert make_client(created["token"]).get(ME).status_code == 401


def test_promote_403_for_a_session_without_csrf_token(db):
    client = make_client(csrf=True)
    create(client)
    response = client.post(PROMOTE, promote_body())
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert Guest.objects.exists()


def assert_still_guest(token):
    assert Guest.objects.count() == 1
    assert not User().objects.get(pk=Guest.objects.get().pk).has_usable_password()
    assert make_client(token).get(ME).json()["is_guest"] is True


def test_promote_400_maps_password_errors_to_password(api):
    token = create(api)["token"]
    response = make_client(token).post(PROMOTE, promote_body(password="12345678"))
    assert response.status_code == 400
    assert response.json() == {
        "password": ["This password is too common.", "This password is entirely numeric."]
    }
    assert_still_guest(token)


def test_promote_400_for_a_taken_name_ignoring_case(api):
    model = User()
    UserFactory(**{model.USERNAME_FIELD: username_for(0)})
    token = create(api)["token"]
    body = promote_body()
    body[model.USERNAME_FIELD] = username_for(0).upper()
    response = make_client(token).post(PROMOTE, body)
    assert response.status_code == 400
    message = (
        "Email user with this Email already exists."
        if model.USERNAME_FIELD == "email"
        else "A user with that username already exists."
    )
    assert response.json() == {model.USERNAME_FIELD: [message]}
    assert_still_guest(token)


def test_promote_400_for_missing_and_mistyped_fields(api):
    token = create(api)["token"]
    client = make_client(token)
    model = User()
    response = client.post(PROMOTE, {})
    assert response.status_code == 400
    assert response.json() == {
        model.USERNAME_FIELD: ["This field is required."],
        "password": ["This field is required."],
    }
    response = client.post(PROMOTE, {**promote_body(), "password": ["Cart-Keeper-2931"]})
    assert response.status_code == 400
    assert response.json() == {"password": ["Not a valid string."]}
    response = client.post(PROMOTE, {**promote_body(), "password": ""})
    assert response.json() == {"password": ["This field is required."]}
    response = client.post(PROMOTE, "[]", content_type="application/json")
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    response = client.post(PROMOTE, "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert_still_guest(token)


def test_promote_400_when_the_name_is_taken_between_validation_and_save(api):
    model = User()
    token = create(api)["token"]
    guest_pk = Guest.objects.get().pk
    body = promote_body()

    def sneak_in(sender, instance, **kwargs):
        if instance.pk == guest_pk:
            pre_save.disconnect(sneak_in, sender=model)
            UserFactory(**{model.USERNAME_FIELD: body[model.USERNAME_FIELD]})

    pre_save.connect(sneak_in, sender=model)
    try:
        response = make_client(token).post(PROMOTE, body)
    finally:
        pre_save.disconnect(sneak_in, sender=model)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["That account was just taken. Please choose another."]
    }
    assert_still_guest(token)
    assert DeviceCredential.objects.count() == 1


def test_promote_401_when_not_logged_in(api):
    response = api.post(PROMOTE, promote_body())
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_promote_403_for_a_regular_user(api, user):
    before = (user.get_username(), user.email, user.password)
    api.force_login(user)
    response = api.post(PROMOTE, promote_body())
    assert response.status_code == 403
    assert response.json() == {"detail": "Only guests can do this."}
    user.refresh_from_db()
    assert (user.get_username(), user.email, user.password) == before


def test_promote_twice_403(api):
    token = create(api)["token"]
    client = make_client(token)
    assert client.post(PROMOTE, promote_body(1)).status_code == 200
    response = client.post(PROMOTE, promote_body(2))
    assert response.status_code == 403
    assert User().objects.get().email == "new1@example.com"


def test_promote_415_for_a_form_body(api):
    token = create(api)["token"]
    response = make_client(token).post(
        PROMOTE, "password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert_still_guest(token)


class TermsForm(promote_form_class()):
    accept_terms = forms.BooleanField()


class TermsAdapter(GuestAdapter):
    def get_promote_form_class(self, request):
        return TermsForm


@override_settings(GUEST_AUTH_ADAPTER=f"{__name__}.TermsAdapter")
def test_promote_uses_the_adapters_form(api):
    token = create(api)["token"]
    client = make_client(token)
    response = client.post(PROMOTE, promote_body())
    assert response.status_code == 400
    assert response.json() == {"accept_terms": ["This field is required."]}
    response = client.post(PROMOTE, {**promote_body(), "accept_terms": True})
    assert response.status_code == 200


@override_settings(
    GUEST_AUTH_RATE_LIMIT="1/h",
    GUEST_AUTH_NETWORK_RATE_LIMIT=None,
    MIDDLEWARE=LOCALE_MIDDLEWARE,
)
def test_api_messages_in_the_requests_language(db):
    from django.utils import translation

    try:
        create(make_client())
        client = make_client()
        client.credentials(HTTP_ACCEPT_LANGUAGE="fr")
        response = client.post(API, {})
        assert response.json()["detail"] == french_rate_limited(response.json()["retry_after"])
        bot = make_client(user_agent=BOT_UA)
        bot.credentials(HTTP_ACCEPT_LANGUAGE="de")
        assert bot.post(API, {}).json() == {
            "detail": "Für diesen Client kann kein Gast erstellt werden."
        }
    finally:
        translation.activate("en-us")
