import pytest


@pytest.mark.django_db
def test_is_guest_filter(client, user):
    assert client.get("/template/").content == b"not-guest"
    client.get("/guest-view/")
    assert client.get("/template/").content == b"guest"
    client.force_login(user)
    assert client.get("/template/").content == b"not-guest"
