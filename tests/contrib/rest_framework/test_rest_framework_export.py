"""GET api/guest/me/export/: the guest's data (services.export_guest), for token
and session clients; tests/core/test_export.py has the document's own tests."""

import json

import pytest
from django.contrib.auth import get_user_model

from guest_auth.contrib.rest_framework import views
from guest_auth.models import Guest
from guest_auth.testing import log_in_guest
from tests.helpers.factories import UserFactory
from tests.helpers.rest_framework import API, EXPORT, create, make_client
from tests.testapp.models import Note

User = get_user_model


def _document(response):
    assert response.status_code == 200, response.content
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.django_db
def test_token_guest_downloads_its_data():
    body = create(make_client())
    Note.objects.create(user_id=body["id"], text="a note")
    client = make_client(body["token"])

    response = client.get(EXPORT)

    assert response["Content-Disposition"].startswith('attachment; filename="guest-data-')
    document = _document(response)
    assert document["user"]["pk"] == body["id"]
    assert [row["fields"]["text"] for row in document["models"]["testapp.Note"]] == ["a note"]
    # The token and credential the guest holds are secrets: never exported.
    text = json.dumps(document)
    assert body["token"] not in text and body["credential"] not in text
    assert not any(label.startswith("guest_auth.API") for label in document["models"])


@pytest.mark.django_db
def test_session_guest_downloads_the_same_document():
    client = make_client()
    guest_id = client.post(API, {}, format="json").json()["id"]
    client.credentials()  # the session only
    document = _document(client.get(EXPORT))
    assert document["user"]["pk"] == guest_id
    assert [label for label in document["models"]] == [User()._meta.label, "guest_auth.Guest"]


@pytest.mark.django_db
def test_regular_user_gets_403():
    client = make_client()
    client.force_authenticate(UserFactory())
    response = client.get(EXPORT)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only guests can do this."}


@pytest.mark.django_db
def test_anonymous_gets_401():
    assert make_client().get(EXPORT).status_code == 401


@pytest.mark.django_db
def test_guest_purged_before_the_request_gets_401_as_anonymous_clients_do():
    body = create(make_client())
    User().objects.filter(pk=body["id"]).delete()
    response = make_client(body["token"]).get(EXPORT)
    assert response.status_code == 401


@pytest.mark.django_db
def test_guest_purged_while_the_request_runs_gets_401(monkeypatch):
    body = create(make_client())
    real = views.check_export_rate

    def purge_meanwhile(user):
        User().objects.filter(pk=body["id"]).delete()
        real(user)

    monkeypatch.setattr(views, "check_export_rate", purge_meanwhile)
    response = make_client(body["token"]).get(EXPORT)
    assert response.status_code == 401
    assert response["WWW-Authenticate"]


@pytest.mark.django_db
def test_guest_promoted_while_the_request_runs_gets_403(monkeypatch):
    body = create(make_client())
    real = views.check_export_rate

    def promote_meanwhile(user):
        Guest.objects.filter(user_id=body["id"]).delete()
        real(user)

    monkeypatch.setattr(views, "check_export_rate", promote_meanwhile)
    assert make_client(body["token"]).get(EXPORT).status_code == 403


@pytest.mark.django_db
def test_rate_limited(settings):
    settings.GUEST_AUTH_EXPORT_RATE_LIMIT = "1/h"
    client = make_client(create(make_client())["token"])
    assert client.get(EXPORT).status_code == 200
    response = client.get(EXPORT)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert response.json() == {
        "detail": f"Too many data exports; retry in {retry_after} seconds.",
        "retry_after": retry_after,
    }


@pytest.mark.django_db
def test_the_web_page_and_the_api_count_against_one_budget(client, settings):
    settings.GUEST_AUTH_EXPORT_RATE_LIMIT = "1/h"
    body = create(make_client())
    log_in_guest(client, User().objects.get(pk=body["id"]))
    assert client.get("/guest/export/").status_code == 200
    assert make_client(body["token"]).get(EXPORT).status_code == 429
