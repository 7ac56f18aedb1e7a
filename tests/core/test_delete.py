"""Self-deletion: services.delete_guest, the delete view (guest_auth:delete) and
DELETE api/guest/me/ (tests/contrib/rest_framework/test_rest_framework_delete.py has the API's)."""

import threading

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection, transaction
from django.db.models.signals import pre_delete
from django.test import Client
from django.urls import reverse

from guest_auth.exceptions import GuestProtected, NotAGuest
from guest_auth.models import Guest, GuestDay
from guest_auth.services import delete_guest, promote_guest, purge_guests
from guest_auth.signals import guests_purged
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory, username_for
from tests.purgeapp.models import Comment, Invoice, Item, Refund
from tests.testapp.models import Note

User = get_user_model
DELETE = "/guest/delete/"

needs_concurrent_writers = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs concurrent writers"
)


class Sent:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, signal, **kwargs):
        self.calls.append(kwargs)


@pytest.fixture
def purged_signal():
    receiver = Sent()
    guests_purged.connect(receiver)
    yield receiver
    guests_purged.disconnect(receiver)


def _guest_id(client):
    return User()._meta.pk.to_python(client.session[SESSION_KEY])


# The service ------------------------------------------------------------------------


@pytest.mark.django_db
def test_deletes_the_guest_with_its_rows_as_the_purge_does(purged_signal):
    guest = GuestFactory().user
    Item.objects.create(owner=guest)
    comment = Comment.objects.create(author=guest)
    other = GuestFactory().user
    Item.objects.create(owner=other)

    delete_guest(None, guest)

    assert not User().objects.filter(pk=guest.pk).exists()
    assert not Item.objects.filter(owner_id=guest.pk).exists()
    comment.refresh_from_db()
    assert comment.author_id is None  # SET_NULL, as Django's collector does
    assert Item.objects.filter(owner=other).count() == 1
    assert purged_signal.calls == [{"count": 1}]
    # The insights count it with the purges.
    assert sum(GuestDay.objects.values_list("purged", flat=True)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Invoice, Refund])
def test_protected_guest_is_refused_and_nothing_goes(model, purged_signal):
    guest = GuestFactory().user
    Item.objects.create(owner=guest)
    model.objects.create(owner=guest)

    with pytest.raises(GuestProtected) as excinfo:
        delete_guest(None, guest)

    label = model._meta.label
    assert excinfo.value.protected_by == (label,)
    assert str(excinfo.value) == (
        f"This guest cannot be deleted: it owns rows of {label} that must stay."
    )
    assert Guest.objects.filter(pk=guest.pk).exists()
    assert Item.objects.filter(owner=guest).count() == 1
    assert purged_signal.calls == []
    assert not GuestDay.objects.exists()


@pytest.mark.django_db
def test_regular_user_is_refused_and_keeps_everything(user, purged_signal):
    Note.objects.create(user=user, text="mine")
    with pytest.raises(NotAGuest):
        delete_guest(None, user)
    assert User().objects.filter(pk=user.pk).exists()
    assert Note.objects.filter(user=user).count() == 1
    assert purged_signal.calls == []


@pytest.mark.django_db
def test_recently_active_guest_is_deleted_too():
    guest = GuestFactory().user  # last seen now: the purge would keep it
    delete_guest(None, guest)
    assert not Guest.objects.filter(pk=guest.pk).exists()


# The web view -----------------------------------------------------------------------


def test_url_name():
    assert reverse("guest_auth:delete") == DELETE


@pytest.mark.django_db
def test_get_asks_for_confirmation(guest_client):
    response = guest_client.get(DELETE)
    assert response.status_code == 200
    assert b"Delete my data" in response.content
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_post_deletes_logs_out_and_redirects(guest_client, purged_signal):
    guest_id = _guest_id(guest_client)
    Note.objects.create(user_id=guest_id, text="a note")

    response = guest_client.post(DELETE)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User().objects.filter(pk=guest_id).exists()
    assert not Note.objects.exists()
    assert SESSION_KEY not in guest_client.session
    assert purged_signal.calls == [{"count": 1}]
    # Logged out: the next guest page makes a new guest, not the old one back.
    guest_client.get("/guest-view/")
    assert _guest_id(guest_client) != guest_id


@pytest.mark.django_db
def test_redirect_follows_the_settings(guest_client, settings):
    settings.LOGOUT_REDIRECT_URL = "/home/"
    assert guest_client.post(DELETE)["Location"] == "/home/"
    guest_client.get("/guest-view/")
    settings.GUEST_AUTH_DELETE_REDIRECT_URL = "guest_auth:promote"
    assert guest_client.post(DELETE)["Location"] == "/guest/promote/"


@pytest.mark.django_db
def test_post_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    client.get("/guest-view/")
    assert client.post(DELETE).status_code == 403
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_protected_guest_sees_why_and_keeps_everything(guest_client):
    guest_id = _guest_id(guest_client)
    Invoice.objects.create(owner_id=guest_id)

    response = guest_client.post(DELETE)

    assert response.status_code == 409
    assert b"it owns rows of purgeapp.Invoice that must stay" in response.content
    assert Guest.objects.filter(pk=guest_id).exists()
    assert guest_client.session[SESSION_KEY] == str(guest_id)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_regular_user_gets_403_and_loses_nothing(client, user, method):
    Note.objects.create(user=user, text="mine")
    client.force_login(user)
    assert getattr(client, method)(DELETE).status_code == 403
    assert Note.objects.filter(user=user).count() == 1
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_gets_403_and_no_guest(client, method):
    assert getattr(client, method)(DELETE).status_code == 403
    assert not Guest.objects.exists()


# At the same moment: one outcome, never both ------------------------------------------


class HeldInTransaction(threading.Thread):
    """Runs ``action`` in a transaction of its own, held open until release()."""

    def __init__(self, action):
        super().__init__(daemon=True)
        self.action = action
        self.done = threading.Event()
        self.released = threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                self.action()
                self.done.set()
                self.released.wait(30)
        except Exception as exc:
            self.error = exc
            self.done.set()
        finally:
            connection.close()

    def release(self):
        self.released.set()
        self.join(30)


class Background(threading.Thread):
    """Runs ``action`` and records its error."""

    def __init__(self, action):
        super().__init__(daemon=True)
        self.action = action
        self.error = None

    def run(self):
        try:
            self.action()
        except Exception as exc:
            self.error = exc
        finally:
            connection.close()


def _promotion_fields():
    if User().USERNAME_FIELD == "email":
        return {"email": "promoted@example.com"}
    return {"username": username_for(900)}


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_deletion_waits_for_a_promotion_under_way_and_then_refuses():
    guest = GuestFactory().user
    Note.objects.create(user=guest, text="kept")
    promotion = HeldInTransaction(
        lambda: promote_guest(None, guest, password=PASSWORD, **_promotion_fields())
    )
    promotion.start()
    assert promotion.done.wait(30)
    deletion = Background(lambda: delete_guest(None, User().objects.get(pk=guest.pk)))
    deletion.start()
    deletion.join(0.5)
    assert deletion.is_alive()  # waiting for the promotion's lock
    promotion.release()
    deletion.join(30)

    assert promotion.error is None
    assert isinstance(deletion.error, NotAGuest)
    assert User().objects.get(pk=guest.pk).has_usable_password()
    assert Note.objects.filter(user=guest).count() == 1
    assert not Guest.objects.exists()


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_promotion_waits_for_a_deletion_under_way_and_then_refuses():
    guest = GuestFactory().user
    user_model = User()
    deleting, release = threading.Event(), threading.Event()

    def hold(sender, instance, **kwargs):
        if instance.pk == guest.pk:
            deleting.set()
            release.wait(30)

    pre_delete.connect(hold, sender=user_model)
    try:
        deletion = Background(lambda: delete_guest(None, user_model.objects.get(pk=guest.pk)))
        deletion.start()
        assert deleting.wait(30)
        promotion = Background(
            lambda: promote_guest(
                None, user_model.objects.get(pk=guest.pk), password=PASSWORD, **_promotion_fields()
            )
        )
        promotion.start()
        promotion.join(0.5)
        assert promotion.is_alive()  # waiting for the deletion's lock
        release.set()
        deletion.join(30)
        promotion.join(30)
    finally:
        release.set()
        pre_delete.disconnect(hold, sender=user_model)

    assert deletion.error is None
    assert isinstance(promotion.error, NotAGuest)
    assert not user_model.objects.filter(pk=guest.pk).exists()


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_a_purge_skips_a_guest_being_deleted_and_the_deletion_finishes():
    guest = GuestFactory().user
    Guest.objects.filter(pk=guest.pk).update(
        last_seen_at=Guest.objects.get(pk=guest.pk).last_seen_at.replace(year=2000)
    )
    user_model = User()
    deleting, release = threading.Event(), threading.Event()

    def hold(sender, instance, **kwargs):
        if instance.pk == guest.pk and threading.current_thread() is not main:
            deleting.set()
            release.wait(30)

    main = threading.current_thread()
    pre_delete.connect(hold, sender=user_model)
    try:
        deletion = Background(lambda: delete_guest(None, user_model.objects.get(pk=guest.pk)))
        deletion.start()
        assert deleting.wait(30)
        # The purge does not wait for the row the deletion holds, nor delete it twice.
        assert purge_guests() == 0
        release.set()
        deletion.join(30)
    finally:
        release.set()
        pre_delete.disconnect(hold, sender=user_model)

    assert deletion.error is None
    assert not user_model.objects.filter(pk=guest.pk).exists()


@needs_concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_deletion_after_a_purge_took_the_guest_refuses():
    guest = GuestFactory().user
    Guest.objects.filter(pk=guest.pk).update(
        last_seen_at=Guest.objects.get(pk=guest.pk).last_seen_at.replace(year=2000)
    )
    stale = User().objects.get(pk=guest.pk)
    purge = HeldInTransaction(lambda: purge_guests())
    purge.start()
    assert purge.done.wait(30)
    deletion = Background(lambda: delete_guest(None, stale))
    deletion.start()
    deletion.join(0.5)
    assert deletion.is_alive()
    purge.release()
    deletion.join(30)
    assert purge.error is None
    assert isinstance(deletion.error, NotAGuest)
    assert not User().objects.filter(pk=guest.pk).exists()


@pytest.mark.django_db
def test_a_regular_user_cannot_be_deleted_through_the_service_even_with_a_stale_instance():
    user = UserFactory()
    with pytest.raises(NotAGuest):
        delete_guest(None, user)
    assert User().objects.filter(pk=user.pk).exists()
