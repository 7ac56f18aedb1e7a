"""Django's LoginRequiredMiddleware: guest entry points stay reachable."""

import pytest
from django.conf import settings

from guest_auth.models import Guest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _login_required(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]


@pytest.mark.parametrize(
    "path", ["/guest-view/", "/async-guest-view/", "/cbv/guest/", "/cbv/async-guest/"]
)
def test_anonymous_visitors_become_guests(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["is_guest"] is True
    assert Guest.objects.count() == 1


@pytest.mark.parametrize("path", ["/plain/", "/regular/"])
def test_plain_views_still_send_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{settings.LOGIN_URL}?next={path}"
    assert Guest.objects.count() == 0


def test_guests_reach_the_promote_page(guest_client):
    assert guest_client.get("/guest/promote/").status_code == 200


def test_anonymous_visitors_are_sent_from_the_promote_page_to_login(client):
    response = client.get("/guest/promote/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
