"""guest_auth.contrib.allauth._views: what allauth's views see of a guest."""

import pytest
from allauth.account.models import EmailAddress
from asgiref.sync import async_to_sync
from django.test import override_settings

from guest_auth.models import Guest

pytestmark = pytest.mark.django_db

ENTRANCE_PAGES = [
    "/allauth/login/",
    "/allauth/signup/",
    "/allauth/login/code/",
    "/allauth/dummy/login/",
]


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_guests_get_the_entrance_pages(guest_client, path):
    guest = Guest.objects.get().user
    response = guest_client.get(path)
    assert response.status_code == 200
    # The page sees an anonymous visitor...
    assert not response.context["user"].is_authenticated
    # ...and the guest stays logged in, its activity still recorded.
    assert guest_client.get("/plain/").json() == {
        "authenticated": True,
        "pk": str(guest.pk),
        "is_guest": True,
    }


@pytest.mark.parametrize("path", ENTRANCE_PAGES[:3])
def test_regular_users_are_still_sent_away(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/home/"


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_anonymous_visitors_get_the_entrance_pages(client, path):
    assert client.get(path).status_code == 200


@override_settings(ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter")
def test_without_guest_auths_adapter_allauth_is_unchanged(guest_client):
    # The site has not opted in (guest_auth.W010 says so): allauth treats the
    # guest as the logged-in user it is.
    response = guest_client.get("/allauth/login/")
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_guests_can_log_out(guest_client):
    # Views of a signed-in account see the guest as it is.
    assert guest_client.get("/allauth/logout/").status_code == 200
    response = guest_client.post("/allauth/logout/")
    assert response.status_code == 302
    assert guest_client.get("/plain/").json()["authenticated"] is False


def test_other_views_see_the_guest(guest_client):
    response = guest_client.get("/allauth/3rdparty/")  # the connections page
    assert response.status_code == 200
    assert response.context["user"].is_authenticated


@pytest.mark.parametrize(
    "path",
    [
        "/allauth/email/",
        "/allauth/password/change/",
        "/allauth/password/set/",
        "/allauth/2fa/",
        "/allauth/2fa/totp/activate/",
    ],
)
def test_guests_are_sent_from_credential_pages_to_signup(guest_client, user, path):
    # Setting a password or adding an email to a guest would not promote it.
    response = guest_client.post(
        path,
        {
            "email": "new@example.com",
            "action_add": "",
            "password1": "Cart-Keeper-2931",
            "password2": "Cart-Keeper-2931",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/allauth/signup/?next={path}"
    guest = Guest.objects.get().user
    assert not guest.has_usable_password()
    assert not EmailAddress.objects.exists()
    # Regular users manage their credentials as usual.
    guest_client.force_login(user)
    assert guest_client.get(path).status_code in (200, 302)
    assert not guest_client.get(path).get("Location", "").startswith("/allauth/signup/")


def test_guests_get_the_entrance_pages_under_asgi(async_client):
    async def visit():
        await async_client.get("/async-guest-view/")
        return await async_client.get("/allauth/login/")

    response = async_to_sync(visit)()
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
