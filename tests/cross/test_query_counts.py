"""Exact query costs of guest_auth, each measured beside plain Django in the same test.

"Plain Django" requests go through the same site without GuestMiddleware and
with guest_auth's user_logged_in receiver disconnected, so no guest_auth code
runs for them. Counts are taken inside the test transaction, where every
atomic block adds SAVEPOINT and RELEASE queries; both sides pay those alike.
"""

import re
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guest_auth import _session, services
from guest_auth._login import on_login
from guest_auth.models import Guest
from tests.helpers.factories import PASSWORD
from tests.helpers.sessions import anonymous_session

GUEST_MIDDLEWARE = "guest_auth.middleware.GuestMiddleware"
GUEST_TABLE = Guest._meta.db_table


@contextmanager
def plain_django():
    """The same site with guest_auth's request-path code switched off.

    Clients made inside build their middleware chain without GuestMiddleware.
    """
    middleware = [m for m in settings.MIDDLEWARE if m != GUEST_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        assert user_logged_in.disconnect(dispatch_uid="guest_auth.on_login")
        try:
            yield
        finally:
            user_logged_in.connect(on_login, dispatch_uid="guest_auth.on_login")


def count_queries(client_method, *args, status=200, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client_method(*args, **kwargs)
    assert response.status_code == status, response.content
    return [query["sql"] for query in captured.captured_queries], response


def shape(sql):
    """The query without its literal values (timestamps, keys)."""
    return re.sub(r"'[^']*'", "?", sql)


def writes_to_guest_table(queries):
    return [q for q in queries if q.startswith(("INSERT", "UPDATE", "DELETE")) and GUEST_TABLE in q]


# Target 1: a guest-creating request -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("has_session", [False, True], ids=["new-visitor", "anonymous-session"])
def test_guest_creating_request_is_plain_create_and_login_plus_one_insert(
    make_client, has_session, django_assert_num_queries
):
    def visitor():
        client = make_client()
        if has_session:
            # A visitor who already has a session, as with a session cart.
            client.cookies[settings.SESSION_COOKIE_NAME] = anonymous_session(cart=["apple"])
        return client

    with plain_django():
        baseline, response = count_queries(visitor().post, "/perf/create-and-login/")
    assert response.json()["authenticated"] is True

    client = visitor()
    with django_assert_num_queries(len(baseline) + 1) as captured:
        response = client.post("/perf/create-guest/")
    assert response.json()["authenticated"] is True
    queries = [query["sql"] for query in captured.captured_queries]
    # The one extra query is the Guest row's INSERT: no savepoint, no lookup.
    extra = writes_to_guest_table(queries)
    assert len(extra) == 1 and extra[0].startswith("INSERT")
    assert sum(q.startswith("SAVEPOINT") for q in queries) == sum(
        q.startswith("SAVEPOINT") for q in baseline
    )
    assert Guest.objects.filter(pk=response.json()["pk"]).exists()


# Target 2: a returning guest ------------------------------------------------------


@pytest.mark.django_db
def test_returning_guest_costs_what_plain_session_auth_costs(
    make_client, user, django_assert_num_queries
):
    with plain_django():
        regular = make_client()
        regular.force_login(user)
        baseline, response = count_queries(regular.get, "/perf/whoami/")
    assert response.json()["pk"] == str(user.pk)
    assert len(baseline) == 2  # the session and the user

    guest = make_client()
    guest.post("/perf/create-guest/")
    with django_assert_num_queries(len(baseline)):
        response = guest.get("/perf/whoami/")
        # Answered from the session, inside the count.
        assert services.is_guest(response.wsgi_request.user) is True


@pytest.mark.django_db
def test_returning_guest_costs_what_plain_session_auth_costs_async(
    make_client, user, async_client, django_assert_num_queries
):
    with plain_django():
        regular = make_client()
        regular.force_login(user)
        baseline, _ = count_queries(regular.get, "/perf/awhoami/")

    async_to_sync(async_client.post)("/perf/create-guest/")
    # async_to_sync keeps the ORM's thread-sensitive calls on the test's connection.
    with django_assert_num_queries(len(baseline)):
        response = async_to_sync(async_client.get)("/perf/awhoami/")
    assert response.json()["authenticated"] is True


@pytest.mark.django_db
def test_activity_is_written_once_per_interval(guest_client, settings):
    settings.GUEST_AUTH_ACTIVITY_INTERVAL = 3600
    seen = []
    for _ in range(5):
        queries, _ = count_queries(guest_client.get, "/perf/whoami/")
        seen += writes_to_guest_table(queries)
    assert seen == []  # created moments ago: within the interval

    session = guest_client.session
    session[_session.SEEN_SESSION_KEY] = time.time() - 3601
    session.save()
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=1))
    queries, _ = count_queries(guest_client.get, "/perf/whoami/")
    assert [q.split(" SET ")[0] for q in writes_to_guest_table(queries)] == [
        f"UPDATE {connection.ops.quote_name(GUEST_TABLE)}"
    ]
    for _ in range(5):
        queries, _ = count_queries(guest_client.get, "/perf/whoami/")
        assert writes_to_guest_table(queries) == []
    assert Guest.objects.get().last_seen_at > timezone.now() - timedelta(minutes=1)


# Target 3: regular users and anonymous visitors on plain views --------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/perf/whoami/", "/perf/untouched/"])
@pytest.mark.parametrize("visitor", ["anonymous", "regular", "guest"])
def test_guest_middleware_adds_no_query_to_plain_views(make_client, user, path, visitor):
    cookie = None
    if visitor != "anonymous":
        # Logged in the way the site logs people in, guest_auth included.
        client = make_client()
        if visitor == "regular":
            client.force_login(user)
        else:
            client.post("/perf/create-guest/")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request():
        client = make_client()
        if cookie:
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        return count_queries(client.get, path)

    with plain_django():
        baseline, plain_response = request()
    queries, response = request()
    assert [shape(q) for q in queries] == [shape(q) for q in baseline]
    assert response.content == plain_response.content
    if path == "/perf/untouched/" or visitor == "anonymous":
        assert queries == []


# Not a request-path target, but a cost to know ----------------------------------


@pytest.mark.django_db
def test_regular_login_asks_once_whether_the_user_is_a_guest(make_client, user):
    # The answer goes into the session, so no later request of it asks again.
    credentials = {"username": user.get_username(), "password": PASSWORD}
    with plain_django():
        baseline, _ = count_queries(make_client().post, "/accounts/login/", credentials, status=302)
    queries, _ = count_queries(make_client().post, "/accounts/login/", credentials, status=302)
    assert len(queries) == len(baseline) + 1
    asked = [q for q in queries if GUEST_TABLE in q]
    assert len(asked) == 1 and asked[0].startswith("SELECT")
