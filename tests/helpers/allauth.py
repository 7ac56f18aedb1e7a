"""Helpers for the django-allauth tests: what a guest, its data and its session look
like after an allauth flow (web views and the headless API), and a headless client."""

import json
import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA, MOBILE_UA
from tests.testapp.models import Note

__all__ = [
    "Headless",
    "as_pk",
    "assert_kept",
    "assert_merged",
    "assert_promoted",
    "assert_still_guest",
    "emailed_code",
    "headless_assert_merged",
    "headless_assert_promoted",
    "whoami",
]


def whoami(client):
    return client.get("/plain/").json()


def assert_promoted(client, guest, *, logged_in=True):
    """Same primary key, no Guest row, the guest's data still attached."""
    user = get_user_model().objects.get(pk=guest.pk)
    assert not Guest.objects.filter(pk=guest.pk).exists()
    assert list(Note.objects.filter(user=user).values_list("text", flat=True)) == ["cart item"]
    assert get_user_model().objects.count() == 1
    expected = {"authenticated": True, "pk": str(guest.pk), "is_guest": False}
    assert whoami(client) == (
        expected if logged_in else {"authenticated": False, "pk": None, "is_guest": False}
    )
    return user


def assert_merged(client, guest, existing, merges):
    """Logged in as ``existing``, which now holds the guest's data; the guest is gone."""
    assert whoami(client) == {"authenticated": True, "pk": str(existing.pk), "is_guest": False}
    assert not get_user_model().objects.filter(pk=guest.pk).exists()
    assert list(Note.objects.filter(user=existing).values_list("text", flat=True)) == ["cart item"]
    assert merges == [(guest.pk, existing.pk)]


def assert_kept(client, guest, existing, merges):
    """Logged in as ``existing``; the guest and its data are apart, and come back on logout."""
    assert whoami(client) == {"authenticated": True, "pk": str(existing.pk), "is_guest": False}
    assert list(Note.objects.filter(user=guest).values_list("text", flat=True)) == ["cart item"]
    assert merges == []
    client.post("/accounts/logout/")
    assert whoami(client) == {"authenticated": True, "pk": str(guest.pk), "is_guest": True}


def assert_still_guest(client, guest):
    """The guest's row, Guest row, data and session are as they were."""
    user = get_user_model().objects.get(pk=guest.pk)
    assert Guest.objects.filter(pk=guest.pk).exists()
    assert user.get_username() == guest.get_username()
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert list(Note.objects.filter(user=user).values_list("text", flat=True)) == ["cart item"]
    assert whoami(client) == {"authenticated": True, "pk": str(guest.pk), "is_guest": True}


def emailed_code(mail):
    return re.search(r"^([A-Z0-9]+(?:-[A-Z0-9]+)*)$", mail.body, re.MULTILINE).group(1)


# The headless API -----------------------------------------------------------------


class Headless:
    """A client of allauth's headless API that starts as a guest.

    ``browser``: a guest_auth page made the guest, in the cookie session.
    ``app``: ``POST api/guest/`` made it; the client sends its guest_auth
    token, and allauth's session token once allauth has handed one out.
    """

    def __init__(self, kind):
        self.kind = kind
        self.client = Client(HTTP_USER_AGENT=BROWSER_UA if kind == "browser" else MOBILE_UA)
        self.token = None
        self.session_token = None
        if kind == "browser":
            self.client.get("/guest-view/")
        else:
            response = self.client.post("/api/guest/", content_type="application/json")
            assert response.status_code == 201, response.content
            self.token = response.json()["token"]
        self.guest = Guest.objects.latest("created_at").user
        Note.objects.create(user=self.guest, text="cart item")

    def headers(self):
        headers = {}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Token {self.token}"
        if self.session_token:
            headers["HTTP_X_SESSION_TOKEN"] = self.session_token
        return headers

    def url(self, path):
        return f"/_allauth/{self.kind}/v1/{path}"

    def post(self, path, body):
        response = self.client.post(
            self.url(path), json.dumps(body), content_type="application/json", **self.headers()
        )
        self._keep_session_token(response)
        return response

    def get(self, path):
        return self.client.get(self.url(path), **self.headers())

    def _keep_session_token(self, response):
        if response.get("Content-Type") == "application/json":
            token = response.json().get("meta", {}).get("session_token")
            if token:
                self.session_token = token

    def session_user(self):
        """The user allauth's session endpoint reports, or None."""
        if self.kind == "app":
            self.token = None  # allauth's own session token alone from now on
        response = self.get("auth/session")
        if response.status_code != 200:
            return None
        return as_pk(response.json()["data"]["user"]["id"])


def headless_assert_promoted(headless):
    user = get_user_model().objects.get(pk=headless.guest.pk)
    assert not Guest.objects.filter(pk=user.pk).exists()
    assert list(Note.objects.filter(user=user).values_list("text", flat=True)) == ["cart item"]
    assert get_user_model().objects.count() == 1
    return user


def headless_assert_merged(headless, existing, merges):
    assert not get_user_model().objects.filter(pk=headless.guest.pk).exists()
    assert list(Note.objects.filter(user=existing).values_list("text", flat=True)) == ["cart item"]
    assert merges == [(headless.guest.pk, existing.pk)]
    assert headless.session_user() == existing.pk


def as_pk(value):
    """A user id from a JSON body as the model's primary key (UUIDs come as strings)."""
    return get_user_model()._meta.pk.to_python(value)
