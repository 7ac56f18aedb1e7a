"""guest_auth.contrib.allauth._entrance: guests get allauth's entrance pages."""

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from guest_auth.models import Guest

pytestmark = pytest.mark.django_db

ENTRANCE_PAGES = ["/allauth/login/", "/allauth/signup/", "/allauth/login/code/",
                  "/allauth/dummy/login/"]


@pytest.mark.parametrize("path", ENTRANCE_PAGES)
def test_guests_get_the_entrance_pages(guest_client, path):
    guest = Guest.objects.get().user
    response = guest_client.get(path)
    assert response.status_code == 200
    # The page sees an anonymous visitor...
    assert not response.context["user"].is_authenticated
    # ...and the guest stays logged in, its activity still recorded.
    assert guest_client.get("/plain/").json() == {"authenticated": True, "pk": str(guest.pk),
                                                  "is_guest": True}


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
    assert guest_client.get("/plain/").json()["is_guest"] is True
    response = guest_client.get("/allauth/email/")
    assert response.status_code == 200
    assert response.context["user"].is_authenticated


def test_guests_get_the_entrance_pages_under_asgi(async_client):
    async def visit():
        await async_client.get("/async-guest-view/")
        return await async_client.get("/allauth/login/")

    response = async_to_sync(visit)()
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
