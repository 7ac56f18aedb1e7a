"""DELETE api/guest/me/: a guest deletes itself (services.delete_guest)."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

from guest_auth.models import APIToken, DeviceCredential, Guest
from tests.helpers.factories import UserFactory
from tests.helpers.rest_framework import API, LOGIN, ME, create, make_client
from tests.purgeapp.models import Invoice
from tests.testapp.models import Note

User = get_user_model


@pytest.mark.django_db
def test_token_guest_deletes_itself_and_its_secrets_stop_working():
    body = create(make_client())
    Note.objects.create(user_id=body["id"], text="a note")
    client = make_client(body["token"])

    response = client.delete(ME)

    assert response.status_code == 204
    assert response.content == b""
    assert not User().objects.filter(pk=body["id"]).exists()
    assert not Note.objects.exists()
    assert not APIToken.objects.exists()
    assert not DeviceCredential.objects.exists()
    assert client.get(ME).status_code == 401
    assert make_client().post(LOGIN, {"credential": body["credential"]}).status_code == 401


@pytest.mark.django_db
def test_session_guest_deletes_itself_and_is_logged_out():
    client = make_client(csrf=True)
    response = client.post(API, {}, format="json")
    assert response.status_code == 201
    guest_id = response.json()["id"]
    # Without the CSRF token a session-authenticated DELETE is refused.
    assert client.delete(ME).status_code == 403
    assert Guest.objects.filter(pk=guest_id).exists()
    # DRF's views set no CSRF cookie: send a token pair as a page would have.
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.delete(ME, HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert response.status_code == 204
    assert not Guest.objects.exists()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_regular_user_gets_403_and_loses_nothing():
    user = UserFactory()
    Note.objects.create(user=user, text="mine")
    client = make_client()
    client.force_authenticate(user)
    response = client.delete(ME)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only guests can do this."}
    assert Note.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_anonymous_gets_401():
    assert make_client().delete(ME).status_code == 401


@pytest.mark.django_db
def test_protected_guest_gets_409_with_the_models_and_keeps_everything():
    body = create(make_client())
    Invoice.objects.create(owner_id=body["id"])
    client = make_client(body["token"])

    response = client.delete(ME)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This guest cannot be deleted: it owns rows of purgeapp.Invoice that must stay.",
        "protected_by": ["purgeapp.Invoice"],
    }
    assert Guest.objects.filter(pk=body["id"]).exists()
    assert client.get(ME).status_code == 200
