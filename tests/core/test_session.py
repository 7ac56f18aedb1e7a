"""The guest marker in the session (guest_auth._session): is_guest, and how logins and
logouts keep the marker right."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from guest_auth import _session
from guest_auth.services import is_guest
from tests.helpers.sessions import anonymous_session, session_store

User = get_user_model


# is_guest ---------------------------------------------------------------------------


def test_is_guest_false_for_none_and_anonymous():
    assert is_guest(None) is False
    assert is_guest(AnonymousUser()) is False


def test_is_guest_queries_once_then_caches(guest_user, user, django_assert_num_queries):
    fresh = User().objects.get(pk=guest_user.pk)  # nothing cached on it yet
    with django_assert_num_queries(1):
        assert is_guest(fresh) is True
        assert is_guest(fresh) is True
    with django_assert_num_queries(1):
        assert is_guest(user) is False
        assert is_guest(user) is False


# session bookkeeping ------------------------------------------------------------------


@pytest.mark.django_db
def test_any_login_of_a_guest_marks_the_session(client, guest_user):
    client.force_login(guest_user)
    assert client.session[_session.GUEST_SESSION_KEY] == str(guest_user.pk)
    assert client.get("/plain/").json()["is_guest"] is True


@pytest.mark.django_db
def test_login_as_regular_user_clears_guest_marker(guest_client, user):
    assert guest_client.session.get(_session.GUEST_SESSION_KEY)
    guest_client.force_login(user)
    assert _session.GUEST_SESSION_KEY not in guest_client.session
    assert guest_client.get("/plain/").json()["is_guest"] is False


def test_session_store_helper_roundtrip(db):
    key = anonymous_session(a=1)
    assert session_store(key).load() == {"a": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("watched", [False, True], ids=["plain", "post_init receiver"])
def test_the_session_markers_guest_row_loads_its_fields_on_first_access(
    guest_user, watched, django_assert_num_queries
):
    from django.db.models.signals import post_init

    from guest_auth.models import Guest

    made = []

    def receiver(sender, instance, **kwargs):
        made.append(instance)

    if watched:
        post_init.connect(receiver, sender=Guest)
    try:
        user = get_user_model().objects.get(pk=guest_user.pk)
        with django_assert_num_queries(0):
            assert _session.remember_guest(user, True) is True
            guest = user.guest
            assert guest.pk == guest_user.pk and guest.user is user
            assert guest.get_deferred_fields() == {"created_at", "last_seen_at", "race_key"}
        stored = Guest.objects.get(pk=guest_user.pk)
        with django_assert_num_queries(1):
            assert guest.last_seen_at == stored.last_seen_at
        # Receivers of Guest's post_init see the instance when there are any.
        assert any(instance is guest for instance in made) is watched
    finally:
        post_init.disconnect(receiver, sender=Guest)
