import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from guest_auth import _session
from guest_auth.models import Guest
from tests.helpers.factories import GuestFactory

# Exact query counts. Inside the test transaction every atomic block adds a
# SAVEPOINT and a RELEASE, which do not exist in autocommit production code.


@pytest.mark.django_db
def test_plain_view_never_creates_a_guest(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/plain/")
    assert response.json()["authenticated"] is False
    assert not Guest.objects.exists()


@pytest.mark.django_db
def test_returning_guest_costs_what_plain_session_auth_costs(
    guest_client, user, make_client, django_assert_num_queries
):
    # session + user, and is_guest() is answered from the session.
    with django_assert_num_queries(2):
        assert guest_client.get("/plain/").json()["is_guest"] is True
    regular = make_client()
    regular.force_login(user)
    with django_assert_num_queries(2):
        assert regular.get("/plain/").json()["is_guest"] is False


@pytest.mark.django_db
def test_views_that_ignore_the_user_cost_nothing(
    guest_client, user, client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        guest_client.get("/untouched/")
    client.logout()
    client.force_login(user)
    with django_assert_num_queries(0):
        client.get("/untouched/")


@pytest.mark.django_db
def test_activity_is_written_at_most_once_per_interval(
    guest_client, settings, django_assert_num_queries
):
    settings.GUEST_AUTH_ACTIVITY_INTERVAL = 3600
    guest = Guest.objects.get()
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=3))
    # Within the interval since creation: no write.
    with django_assert_num_queries(2):
        guest_client.get("/plain/")
    assert Guest.objects.get().last_seen_at < timezone.now() - timedelta(days=2)

    _age_session(guest_client, seconds=3601)
    # session + user + last_seen_at update + session save (in a savepoint)
    with django_assert_num_queries(6):
        guest_client.get("/plain/")
    assert Guest.objects.get(pk=guest.pk).last_seen_at > timezone.now() - timedelta(minutes=1)
    with django_assert_num_queries(2):
        guest_client.get("/plain/")


@pytest.mark.django_db
def test_activity_is_not_recorded_for_requests_that_ignore_the_user(guest_client):
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=3))
    _age_session(guest_client, seconds=10**6)
    guest_client.get("/untouched/")
    assert Guest.objects.get().last_seen_at < timezone.now() - timedelta(days=2)


@pytest.mark.django_db
def test_async_activity(async_client):
    # async_to_sync keeps the ORM's thread-sensitive calls on the test's connection.
    response = async_to_sync(async_client.get)("/async-guest-view/")
    assert response.json()["is_guest"] is True
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=3))
    _age_session(async_client, seconds=10**6)
    async_to_sync(async_client.get)("/async-guest-view/")
    assert Guest.objects.get().last_seen_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_guest_purged_mid_session_becomes_anonymous(guest_client):
    Guest.objects.get().user.delete()
    assert guest_client.get("/plain/").json() == {
        "authenticated": False,
        "pk": None,
        "is_guest": False,
    }


@pytest.mark.django_db
def test_guest_marker_only_counts_for_its_own_user(client, user):
    GuestFactory()
    client.force_login(user)
    session = client.session
    session[_session.GUEST_SESSION_KEY] = "some-other-id"
    session.save()
    assert client.get("/plain/").json()["is_guest"] is False


def test_missing_authentication_middleware_is_explained(client):
    with (
        override_settings(
            MIDDLEWARE=[
                "django.contrib.sessions.middleware.SessionMiddleware",
                "guest_auth.middleware.GuestMiddleware",
            ]
        ),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        client.get("/untouched/")
    assert str(excinfo.value) == (
        "The guest_auth middleware requires Django's authentication middleware to be "
        "installed. Edit your MIDDLEWARE setting to insert "
        "'guest_auth.middleware.GuestMiddleware' after "
        "'django.contrib.auth.middleware.AuthenticationMiddleware'."
    )


def _age_session(client, seconds):
    session = client.session
    session[_session.SEEN_SESSION_KEY] = time.time() - seconds
    session.save()


# What GuestMiddleware does to every request before the view ---------------------------


def _through_middleware(request, user=None):
    """Run the request through AuthenticationMiddleware then GuestMiddleware; what the view saw."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.http import HttpResponse

    from guest_auth.middleware import GuestMiddleware

    seen = {}

    def view(request):
        seen["user_dict"] = dict(request.user.__dict__)
        seen["auser"] = request.auser
        seen["session_dict"] = dict(request.session.__dict__)
        return HttpResponse()

    def authenticate(request):
        if user is not None:
            request.user = user  # a site's own middleware between the two
        return GuestMiddleware(view)(request)

    AuthenticationMiddleware(authenticate)(request)
    return seen


@pytest.mark.django_db
def test_a_request_without_a_session_cookie_has_its_user_gated_and_its_session_unwatched(rf):
    from django.contrib.auth.middleware import auser
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    seen = _through_middleware(request)
    assert not hasattr(seen["user_dict"]["_setupfunc"], "__code__")  # our partial
    assert seen["auser"].func is not auser
    assert "flush" not in seen["session_dict"]  # on_login watches it if a guest is made
    assert request.user.is_anonymous


@pytest.mark.django_db
def test_a_request_with_a_session_cookie_goes_through_the_gate_and_is_watched(rf, user):
    from django.contrib.auth.middleware import auser
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.create()
    request = rf.get("/")
    request.session = SessionStore(session.session_key)
    seen = _through_middleware(request)
    assert not hasattr(seen["user_dict"]["_setupfunc"], "__code__")  # our partial
    assert seen["auser"].func is not auser
    assert "flush" in seen["session_dict"] and "aflush" in seen["session_dict"]


@pytest.mark.django_db
def test_a_sites_own_lazy_user_goes_through_the_gate_without_a_session_cookie(rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.functional import SimpleLazyObject

    from tests.helpers.factories import UserFactory

    inactive = UserFactory(is_active=False)
    request = rf.get("/")
    request.session = SessionStore()
    _through_middleware(request, user=SimpleLazyObject(lambda: inactive))
    assert request.user.is_anonymous  # the gate refuses inactive users


@pytest.mark.django_db
def test_a_session_swapped_in_by_the_view_still_goes_through_the_gate(rf):
    # allauth's headless app views do this with a session token: a new session on a
    # request that sent no cookie, then Django's lazy user loaded again
    # (allauth.headless.internal.authkit.purge_request_user_cache).
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.utils.functional import empty

    from guest_auth.middleware import GuestMiddleware

    staff_guest = GuestFactory().user
    type(staff_guest).objects.filter(pk=staff_guest.pk).update(is_staff=True)
    staff_guest.refresh_from_db()
    tokens_session = make_logged_in_session(staff_guest)
    seen = {}

    def view(request):
        request.session = SessionStore(tokens_session)
        request.user._wrapped = empty
        seen["is_staff"] = request.user.is_staff
        seen["pk"] = request.user.pk
        return HttpResponse()

    from django.contrib.auth.middleware import AuthenticationMiddleware

    request = rf.get("/")
    request.session = SessionStore()  # no session cookie
    AuthenticationMiddleware(GuestMiddleware(view))(request)
    assert seen == {"is_staff": False, "pk": staff_guest.pk}  # a guest never acts as staff


def make_logged_in_session(user):
    # What a guest's login stores, without login()'s save (refused for a staff guest).
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[_session.GUEST_SESSION_KEY] = str(user.pk)  # what on_login adds for a guest
    session.create()
    return session.session_key
