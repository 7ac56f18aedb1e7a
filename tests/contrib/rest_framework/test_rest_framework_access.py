"""GUEST_AUTH_GUEST_ACCESS = "opt-in" with djangorestframework: IsAuthenticated
views see guests (by session or by token) as anonymous unless they opt in."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.helpers.rest_framework import API, ME, MOBILE_UA

pytestmark = pytest.mark.django_db


def new_guest():
    client = APIClient(HTTP_USER_AGENT=MOBILE_UA)
    body = client.post(API, {}, format="json").json()
    by_token = APIClient(HTTP_USER_AGENT=MOBILE_UA)
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return client, by_token, str(body["id"])


def test_by_default_guests_pass_is_authenticated():
    by_session, by_token, pk = new_guest()
    for client in (by_session, by_token):
        assert client.get("/access/api/authenticated/").json()["pk"] == pk


@override_settings(GUEST_AUTH_GUEST_ACCESS="opt-in")
def test_opt_in_guests_are_anonymous_to_is_authenticated():
    by_session, by_token, pk = new_guest()
    for client in (by_session, by_token):
        response = client.get("/access/api/authenticated/")
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert client.get("/access/api/open/").json()["authenticated"] is False
        # Views that opt in, the guest API's included, see the guest.
        assert client.get("/access/api/cart/").json() == {
            "authenticated": True,
            "pk": pk,
            "is_guest": True,
        }
        assert client.get(ME).json()["is_guest"] is True
