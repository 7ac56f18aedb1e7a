"""allow_guest / regular_user_required, and their mixins, on sync and async views."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from guest_auth.models import Guest

GUEST_VIEWS = ["/guest-view/", "/async-guest-view/", "/cbv/guest/", "/cbv/async-guest/"]
REGULAR_VIEWS = ["/regular/", "/async-regular/", "/cbv/regular/", "/cbv/async-regular/"]
BOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"


def get(client, path, **extra):
    if isinstance(client, AsyncClient):
        return async_to_sync(client.get)(path, **extra)
    return client.get(path, **extra)


@pytest.fixture(params=["sync", "async"])
def any_client(request, client, async_client):
    return client if request.param == "sync" else async_client


@pytest.mark.parametrize("path", GUEST_VIEWS)
@pytest.mark.django_db
def test_allow_guest_creates_one_guest_per_session(any_client, path):
    first = get(any_client, path).json()
    assert first["authenticated"] and first["is_guest"]
    second = get(any_client, path).json()
    assert second["pk"] == first["pk"]
    assert Guest.objects.count() == 1


@pytest.mark.parametrize("path", GUEST_VIEWS)
@pytest.mark.django_db
def test_allow_guest_skips_bots(client, path):
    body = get(client, path, HTTP_USER_AGENT=BOT).json()
    assert body["authenticated"] is False
    assert get_user_model().objects.count() == 0


@pytest.mark.parametrize("path", GUEST_VIEWS)
@pytest.mark.django_db
def test_allow_guest_leaves_regular_users_alone(client, user, path):
    client.force_login(user)
    body = get(client, path).json()
    assert body["pk"] == str(user.pk) and body["is_guest"] is False
    assert not Guest.objects.exists()


@pytest.mark.django_db
def test_allow_guest_keeps_session_data(client):
    client.get("/session-cart/?item=apple")
    client.get("/session-cart/?item=pear")
    assert client.get("/guest-view/").json()["is_guest"]
    assert client.session["cart"] == ["apple", "pear"]


@pytest.mark.django_db
def test_guest_writes_rows_through_allow_guest(client):
    client.post("/notes/add/", {"text": "hello"})
    guest = Guest.objects.get().user
    assert list(guest.notes.values_list("text", flat=True)) == ["hello"]


@pytest.mark.parametrize("path", REGULAR_VIEWS)
@pytest.mark.django_db
def test_regular_user_required_sends_guests_to_promotion(client, path):
    client.get("/guest-view/")
    response = get(client, f"{path}?a=1")
    assert response.status_code == 302
    assert response["Location"] == f"/guest/promote/?next={path}%3Fa%3D1"


@pytest.mark.parametrize("path", REGULAR_VIEWS)
@pytest.mark.django_db
def test_regular_user_required_sends_anonymous_to_login(client, path):
    response = get(client, path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert get_user_model().objects.count() == 0


@pytest.mark.parametrize("path", REGULAR_VIEWS)
@pytest.mark.django_db
def test_regular_user_required_lets_regular_users_in(client, user, path):
    client.force_login(user)
    response = get(client, path)
    assert response.status_code == 200 and response.content == b"regular"
