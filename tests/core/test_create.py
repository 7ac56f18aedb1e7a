"""create_guest() (guest_auth._create): who gets a guest, and two requests of one
session racing to create it."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from guest_auth import _session
from guest_auth.exceptions import AlreadyAuthenticated, GuestCreationDenied
from guest_auth.models import Guest
from guest_auth.services import create_guest, is_guest
from guest_auth.signals import guest_created
from tests.helpers.factories import UserFactory
from tests.helpers.sessions import anonymous_session, make_request
from tests.helpers.signals import Receiver
from tests.testapp.hashers import CountingHasher

User = get_user_model


# create_guest -----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_guest_creates_and_logs_in():
    request = make_request()
    with Receiver(guest_created) as received:
        user = create_guest(request)
    assert Guest.objects.get(pk=user.pk).user == user
    assert request.user == user and request.user.is_authenticated
    assert request.session[SESSION_KEY] == str(user.pk)
    assert request.session[_session.GUEST_SESSION_KEY] == str(user.pk)
    assert is_guest(user)
    assert received.calls == [{"request": request, "user": user}]


@pytest.mark.django_db
def test_guest_has_unusable_password_and_no_email():
    user = create_guest(make_request())
    user.refresh_from_db()
    assert not user.has_usable_password()
    email_field = user.get_email_field_name()
    assert getattr(user, email_field, None) in ("", None)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["tests.testapp.hashers.CountingHasher"])
def test_create_guest_runs_no_password_hasher():
    CountingHasher.calls = 0
    create_guest(make_request())
    assert CountingHasher.calls == 0
    UserFactory()  # the hasher is really in use: a regular user runs it
    assert CountingHasher.calls == 1


@pytest.mark.django_db
def test_create_guest_keeps_anonymous_session_data():
    key = anonymous_session(cart=["apple", "pear"])
    request = make_request(session_key=key)
    create_guest(request)
    assert request.session["cart"] == ["apple", "pear"]
    assert request.session.session_key != key  # rotated: no fixation


@pytest.mark.django_db
def test_create_guest_refuses_authenticated_request(user):
    request = make_request()
    request.user = user
    with pytest.raises(AlreadyAuthenticated):
        create_guest(request)
    assert not Guest.objects.exists()


@pytest.mark.django_db
def test_create_guest_refuses_bots():
    request = make_request(user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    with pytest.raises(GuestCreationDenied):
        create_guest(request)
    assert User().objects.count() == 0


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ENABLED=False)
def test_create_guest_refused_when_disabled():
    with pytest.raises(GuestCreationDenied):
        create_guest(make_request())
    assert User().objects.count() == 0


@pytest.mark.django_db
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.NoGuestsOnSundayAdapter")
def test_adapter_decides_creation():
    with pytest.raises(GuestCreationDenied):
        create_guest(make_request("/?day=sunday"))
    assert create_guest(make_request("/?day=monday")).is_authenticated


@pytest.mark.django_db
def test_requests_racing_in_one_session_share_one_guest():
    key = anonymous_session(cart=["apple"])
    # Both requests loaded the anonymous session before either created a guest.
    first, second = make_request(session_key=key), make_request(session_key=key)
    load_sessions(first, second)
    with Receiver(guest_created) as received:
        user_a = create_guest(first)
        user_b = create_guest(second)
    assert user_a == user_b
    assert Guest.objects.count() == 1
    assert len(received.calls) == 1
    assert second.session[SESSION_KEY] == str(user_a.pk)
    assert second.session["cart"] == ["apple"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "in_transaction", [False, True], ids=["autocommit", "inside-a-transaction"]
)
def test_request_that_lost_the_race_leaves_no_user_behind(in_transaction):
    # In autocommit the loser's transaction is rolled back: no user row is
    # ever seen deleted. Inside the caller's transaction (ATOMIC_REQUESTS) there
    # is no savepoint to return to, so its user row is deleted by hand.
    from django.db import transaction
    from django.db.models.signals import post_delete

    deleted = []

    def on_delete(sender, instance, **kwargs):
        deleted.append(instance.pk)

    key = anonymous_session(cart=["apple"])
    first, second = make_request(session_key=key), make_request(session_key=key)
    load_sessions(first, second)
    winner = create_guest(first)
    post_delete.connect(on_delete, sender=User())
    try:
        with transaction.atomic() if in_transaction else contextlib.nullcontext():
            joined = create_guest(second)
    finally:
        post_delete.disconnect(on_delete, sender=User())
    assert joined == winner
    assert list(User().objects.values_list("pk", flat=True)) == [winner.pk]
    assert len(deleted) == (1 if in_transaction else 0)


@pytest.mark.django_db
def test_late_request_with_a_stale_session_gets_its_own_guest():
    key = anonymous_session()
    first, second = make_request(session_key=key), make_request(session_key=key)
    load_sessions(first, second)
    user_a = create_guest(first)
    Guest.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    user_b = create_guest(second)
    assert user_b != user_a
    assert Guest.objects.get(pk=user_b.pk).race_key is None


@pytest.mark.django_db
def test_unknown_session_cookie_is_not_used_for_joining():
    request = make_request(session_key="x" * 32)
    create_guest(request)
    assert Guest.objects.get().race_key is None


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.BarrierAdapter")
def test_concurrent_requests_of_one_session_create_one_guest():
    from django.test import Client

    from tests.helpers.clients import BROWSER_UA

    key = anonymous_session(cart=["apple"])
    results, errors = [], []

    def visit():
        try:
            client = Client(HTTP_USER_AGENT=BROWSER_UA)
            client.cookies["sessionid"] = key
            results.append(client.get("/guest-view/").json())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=visit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Guest.objects.count() == 1
    assert {r["pk"] for r in results} == {str(Guest.objects.get().pk)}


def load_sessions(*requests):
    """Read each request's session, as the auth middleware's first access does."""
    for request in requests:
        request.session.get(SESSION_KEY)


@pytest.mark.django_db
def test_race_key_is_a_well_formed_uuid_of_the_session_key():
    import hashlib
    from uuid import UUID

    key = anonymous_session()
    request = make_request(session_key=key)
    load_sessions(request)
    user = create_guest(request)
    race_key = Guest.objects.get(pk=user.pk).race_key
    # Version 4 and RFC 4122 variant: MariaDB's uuid type refuses other bits.
    assert (race_key.version, race_key.variant) == (4, "specified in RFC 4122")
    assert race_key == UUID(bytes=hashlib.sha256(key.encode()).digest()[:16], version=4)
