"""A guest's data export: services.export_guest and the guest_auth:export view
(tests/contrib/rest_framework/test_rest_framework_export.py has the API's)."""

import json
import math

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import FloatField
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guest_auth import _export, _merge, views
from guest_auth._export import CHUNK_SIZE, FORMAT, GuestGone, export_guest
from guest_auth._tokens import issue_api_token, issue_device_credential
from guest_auth.exceptions import NotAGuest
from guest_auth.models import APIToken, DeviceCredential, Guest
from guest_auth.testing import log_in_guest
from tests.exportapp.models import Attachment, Colour, Message
from tests.mergeapp.models import Activity, CartItem, Product, Profile, Tag
from tests.testapp.models import Note

User = get_user_model
EXPORT = "/guest/export/"


def _document(user, request=None):
    return json.loads("".join(export_guest(request, user)))


def _rows(document, label):
    return [row["fields"] for row in document["models"].get(label, [])]


@pytest.fixture
def product(db):
    return Product.objects.create(name="teapot")


# The service ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_row_pointing_at_the_guest_and_only_those(guest_user, user, product):
    CartItem.objects.create(user=guest_user, product=product, quantity=2)
    CartItem.objects.create(user=user, product=product, quantity=9)
    Profile.objects.create(user=guest_user, nickname="kettle")
    tag = Tag.objects.create(name="tea")
    tag.users.add(guest_user, user)
    Activity.objects.create(
        content_type=ContentType.objects.get_for_model(User()),
        object_id=str(guest_user.pk),
        verb="saw",
    )
    Note.objects.create(user=guest_user, text="remember the milk")

    document = _document(guest_user)

    assert document["format"] == FORMAT == "guest_auth.export/1"
    assert document["user"] == {"model": User()._meta.label, "pk": _json(guest_user.pk)}
    models = document["models"]
    assert _rows(document, "mergeapp.CartItem") == [
        {
            "id": _only(models, "mergeapp.CartItem")["pk"],
            "user": _json(guest_user.pk),
            "product": product.pk,
            "quantity": 2,
        }
    ]
    assert _rows(document, "mergeapp.Profile")[0]["nickname"] == "kettle"
    assert _rows(document, "mergeapp.Tag_users") == [
        {
            "id": _only(models, "mergeapp.Tag_users")["pk"],
            "tag": tag.pk,
            User()._meta.model_name: _json(guest_user.pk),
        }
    ]
    assert _rows(document, "mergeapp.Activity")[0]["verb"] == "saw"
    assert _rows(document, "testapp.Note")[0]["text"] == "remember the milk"
    # The user's own row and the guest marker.
    [me] = _rows(document, User()._meta.label)
    assert me[User().USERNAME_FIELD] == getattr(guest_user, User().USERNAME_FIELD)
    [marker] = _rows(document, "guest_auth.Guest")
    assert set(marker) == {"user", "created_at", "last_seen_at"}
    # Models without rows are left out; the other user's rows are not there.
    assert "purgeapp.Invoice" not in models
    assert 'quantity": 9' not in json.dumps(document)
    assert document["extra"] == {}


def _only(models, label):
    [row] = models[label]
    return row


def _json(value):
    return json.loads(json.dumps(value, default=str))


@pytest.mark.django_db
def test_a_row_with_two_keys_to_the_guest_is_exported_once(guest_user, user):
    Message.objects.create(sender=guest_user, recipient=guest_user, text="note to self")
    Message.objects.create(sender=user, recipient=guest_user, text="hello")
    Message.objects.create(sender=guest_user, recipient=user, text="hi")
    Message.objects.create(sender=user, recipient=user, text="not yours")

    texts = [row["text"] for row in _rows(_document(guest_user), "exportapp.Message")]

    assert texts == ["note to self", "hello", "hi"]


@pytest.mark.django_db
def test_secrets_never_appear(client, guest_user):
    guest_user.set_password("a password nobody should see")
    guest_user.save()
    Attachment.objects.create(owner=guest_user, api_key="sk_live_very_secret")
    client.force_login(guest_user)  # a session row holding the guest's id
    token = issue_api_token(guest_user)
    credential = issue_device_credential(guest_user)

    text = "".join(export_guest(None, guest_user))
    document = json.loads(text)

    assert guest_user.password not in text
    assert "password" not in _rows(document, User()._meta.label)[0]
    assert "sk_live_very_secret" not in text
    assert "api_key" not in _rows(document, "exportapp.Attachment")[0]
    for row in [
        *APIToken.objects.filter(user=guest_user),
        *DeviceCredential.objects.filter(user=guest_user),
    ]:
        assert row.digest not in text and row.lookup not in text
    assert token not in text and credential not in text
    assert not any(
        label.startswith(("guest_auth.API", "guest_auth.Device", "sessions."))
        for label in document["models"]
    )
    assert client.session.session_key not in text


@pytest.mark.django_db
def test_values_json_cannot_hold_are_documented_placeholders(guest_user):
    Attachment.objects.create(
        owner=guest_user,
        blob=b"\x00\xff binary",
        file="exports/photo.jpg",
        ratio=1.5,
        meta={"size": [1, 2]},
        colour=Colour("teal"),
    )
    Attachment.objects.create(owner=guest_user, ratio=0.5)

    first, second = _rows(_document(guest_user), "exportapp.Attachment")

    assert first["blob"] == {"not_exported": "BinaryField"}
    assert first["colour"] == {"not_exported": "ColourField"}
    assert first["ratio"] == 1.5
    assert first["file"] == "exports/photo.jpg"
    assert first["meta"] == {"size": [1, 2]}
    assert (second["blob"], second["file"], second["ratio"], second["colour"]) == (
        None,
        None,
        0.5,
        None,
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_floats_json_cannot_hold_are_placeholders(value):
    # Not every database stores them (SQLite reads NaN back as NULL).
    assert _export._plain(FloatField(), value) == {"not_exported": "FloatField"}


@pytest.mark.django_db
def test_a_regular_user_is_not_a_guest(user):
    with pytest.raises(NotAGuest) as excinfo:
        export_guest(None, user)
    assert not isinstance(excinfo.value, GuestGone)


@pytest.mark.django_db
def test_a_purged_guest_is_gone_before_the_first_byte(guest_user):
    User().objects.filter(pk=guest_user.pk).delete()
    with pytest.raises(GuestGone):
        export_guest(None, guest_user)


@pytest.mark.django_db
def test_the_adapter_leaves_out_and_adds(settings, guest_user, user, product):
    settings.GUEST_AUTH_ADAPTER = "tests.exportapp.adapters.ExportAdapter"
    CartItem.objects.create(user=guest_user, product=product)
    Message.objects.create(sender=guest_user, recipient=user, text="hi")
    Message.objects.create(sender=guest_user, text="again")

    document = _document(guest_user)

    assert "mergeapp.CartItem" not in document["models"]
    assert [set(row) for row in _rows(document, "exportapp.Message")] == [
        {"id", "sender", "text"}
    ] * 2
    assert document["extra"] == {"messages_sent": 2}


@pytest.mark.django_db
def test_rows_are_read_as_the_document_is_consumed(guest_user):
    Note.objects.bulk_create(
        Note(user=guest_user, text=f"note {i}") for i in range(CHUNK_SIZE * 2 + 1)
    )
    chunks = export_guest(None, guest_user)
    with CaptureQueriesContext(connection) as before:
        head = next(chunks)  # nothing read yet
    assert len(before) == 0
    document = json.loads(head + "".join(chunks))
    texts = [row["text"] for row in _rows(document, "testapp.Note")]
    assert texts == [f"note {i}" for i in range(CHUNK_SIZE * 2 + 1)]


@pytest.mark.django_db
def test_one_query_per_model_with_a_key_to_the_user(guest_user, product):
    CartItem.objects.create(user=guest_user, product=product)
    Message.objects.create(sender=guest_user, recipient=guest_user, text="self")
    ContentType.objects.get_for_model(User())  # cached per process, as on a live site
    models = {relation.model for relation in _merge.relations(User(), "default")}

    with CaptureQueriesContext(connection) as queries:
        chunks = export_guest(None, guest_user)
        assert len(queries) == 1  # is it (still) a guest, with its user row
        "".join(chunks)

    # 1 + one per model: every model has its own query, whatever its rows; a
    # model with two keys to the user (Message) one query, not two.
    assert len(queries) == 1 + len(models)
    assert sum("exportapp_message" in q["sql"] for q in queries.captured_queries) == 1


# The web view -----------------------------------------------------------------------


def test_url_name():
    assert reverse("guest_auth:export") == EXPORT


@pytest.mark.django_db
def test_guest_downloads_its_data(client, product, django_assert_num_queries):
    guest = log_in_guest(client)
    CartItem.objects.create(user=guest, product=product, quantity=3)
    ContentType.objects.get_for_model(User())
    models = {relation.model for relation in _merge.relations(User(), "default")}

    # The session, the user, the guest check, one query per model.
    with django_assert_num_queries(3 + len(models)):
        response = client.get(EXPORT)
        body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="guest-data-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(body)
    assert _rows(document, "mergeapp.CartItem")[0]["quantity"] == 3


@pytest.mark.django_db
def test_regular_user_gets_403(client, user):
    Note.objects.create(user=user, text="mine")
    client.force_login(user)
    response = client.get(EXPORT)
    assert response.status_code == 403
    assert b"mine" not in response.content


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in_and_gets_no_guest(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/guest/export/"
    assert not Guest.objects.exists()


@pytest.mark.django_db
def test_guest_purged_before_the_request_is_an_anonymous_visitor(client):
    guest = log_in_guest(client)
    User().objects.filter(pk=guest.pk).delete()
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/guest/export/"


@pytest.mark.django_db
def test_guest_purged_while_the_request_runs_is_an_anonymous_visitor(client, monkeypatch):
    guest = log_in_guest(client)
    real = views.check_export_rate

    def purge_meanwhile(user):
        User().objects.filter(pk=guest.pk).delete()
        real(user)

    monkeypatch.setattr(views, "check_export_rate", purge_meanwhile)
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/guest/export/"


@pytest.mark.django_db
def test_guest_promoted_while_the_request_runs_gets_403(client, monkeypatch):
    guest = log_in_guest(client)
    real = views.check_export_rate

    def promote_meanwhile(user):
        Guest.objects.filter(user_id=guest.pk).delete()
        real(user)

    monkeypatch.setattr(views, "check_export_rate", promote_meanwhile)
    assert client.get(EXPORT).status_code == 403
    assert client.session[SESSION_KEY] == str(guest.pk)


@pytest.mark.django_db
def test_post_is_not_allowed(client):
    log_in_guest(client)
    assert client.post(EXPORT).status_code == 405


@pytest.mark.django_db
def test_rate_limited_per_guest(client, make_client, settings):
    settings.GUEST_AUTH_EXPORT_RATE_LIMIT = "2/h"
    log_in_guest(client)
    assert [client.get(EXPORT).status_code for _ in range(2)] == [200, 200]

    response = client.get(EXPORT)

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    assert response.json() == {
        "detail": f"Too many data exports; retry in {retry_after} seconds.",
        "retry_after": retry_after,
    }
    # Another guest at the same address has its own budget.
    other = make_client()
    log_in_guest(other)
    assert other.get(EXPORT).status_code == 200


@pytest.mark.django_db
def test_no_rate_limit(client, settings):
    settings.GUEST_AUTH_EXPORT_RATE_LIMIT = None
    log_in_guest(client)
    assert {client.get(EXPORT).status_code for _ in range(12)} == {200}


def _peak_bytes(guest):
    import tracemalloc

    tracemalloc.start()
    try:
        for _ in export_guest(None, guest):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_memory_follows_the_chunk_size_not_the_number_of_rows(guest_user):
    Note.objects.bulk_create(Note(user=guest_user, text="x" * 100) for _ in range(CHUNK_SIZE * 2))
    small = _peak_bytes(guest_user)
    Note.objects.bulk_create(Note(user=guest_user, text="x" * 100) for _ in range(CHUNK_SIZE * 38))
    large = _peak_bytes(guest_user)  # 20 times the rows
    assert large < small * 2, (small, large)
