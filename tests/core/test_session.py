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
