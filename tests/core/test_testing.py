"""guest_auth.testing: the helpers sites use in their own tests."""

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from guest_auth._session import GUEST_SESSION_KEY, SEEN_SESSION_KEY
from guest_auth.models import Guest
from guest_auth.services import is_guest, purge_guests
from guest_auth.testing import GuestTestMixin, isolated_rate_limits, log_in_guest, make_guest
from guest_auth.testing.factories import DEFAULT_PASSWORD, GuestFactory, UserFactory
from tests.helpers.clients import BROWSER_UA

pytestmark = pytest.mark.django_db


def test_make_guest_is_a_guest_of_the_site_user_model():
    from django.contrib.auth import get_user_model

    user = make_guest()
    assert isinstance(user, get_user_model())
    assert is_guest(user)
    assert not user.has_usable_password()
    row = Guest.objects.get(pk=user.pk)
    assert row.created_at == row.last_seen_at


def test_make_guest_takes_times_and_fields():
    seen = timezone.now() - timedelta(days=3)
    user = make_guest(last_seen_at=seen, is_active=False)
    row = Guest.objects.get(pk=user.pk)
    assert (row.last_seen_at, row.created_at, user.is_active) == (seen, seen, False)


def test_log_in_guest_marks_the_session_as_guest_creation_does(django_assert_num_queries):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    user = log_in_guest(client)
    session = client.session
    assert session[GUEST_SESSION_KEY] == str(user.pk)
    assert SEEN_SESSION_KEY in session
    # Known as a guest from the session: the session and the user, no Guest
    # query, no activity write.
    with django_assert_num_queries(2):
        body = client.get("/plain/").json()
    assert body == {"authenticated": True, "pk": str(user.pk), "is_guest": True}


def test_guest_client_fixture(guest_client, guest_user):
    body = guest_client.get("/plain/").json()
    assert body == {"authenticated": True, "pk": str(guest_user.pk), "is_guest": True}


def test_guest_user_fixture(guest_user):
    assert is_guest(guest_user)


@override_settings(GUEST_AUTH_RATE_LIMIT="2/h")
def test_isolated_rate_limits_counts_apart_and_restores():
    def create():
        return Client(HTTP_USER_AGENT=BROWSER_UA).get("/guest-view/").status_code

    assert [create(), create(), create()] == [200, 200, 429]
    with isolated_rate_limits():
        assert [create(), create(), create()] == [200, 200, 429]
    assert create() == 429  # the outer counts are back


def test_user_factory_makes_regular_users_with_the_default_password():
    user = UserFactory()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not is_guest(user)
    assert UserFactory().pk != user.pk


def test_guest_factory_idle_days_and_purgeable():
    now = timezone.now()
    fresh = GuestFactory()
    idle = GuestFactory(idle_days=10)
    old = GuestFactory(purgeable=True)
    assert now - fresh.last_seen_at < timedelta(minutes=1)
    assert abs(now - idle.last_seen_at - timedelta(days=10)) < timedelta(minutes=1)
    assert idle.created_at == idle.last_seen_at
    assert purge_guests() == 1
    assert not Guest.objects.filter(pk=old.pk).exists()
    assert Guest.objects.filter(pk__in=[fresh.pk, idle.pk]).count() == 2


class MixinTests(GuestTestMixin, TestCase):
    """The mixin with Django's TestCase, in this (pytest) suite."""

    @override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
    def test_counts_start_at_zero_in_every_test(self):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        self.assertEqual(client.get("/guest-view/").status_code, 200)

    test_counts_start_at_zero_in_every_test_again = test_counts_start_at_zero_in_every_test

    def test_log_in_guest(self):
        user = self.log_in_guest()
        self.assertTrue(self.client.get("/plain/").json()["is_guest"])
        self.assertTrue(is_guest(user))
        self.assertTrue(is_guest(self.make_guest()))


def test_plugin_is_inert_without_pytest_django():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pytest_django"] = None  # as if not installed
        import guest_auth.testing.pytest_plugin as plugin
        print(sorted(name for name in vars(plugin) if "guest" in name))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "['_guest_auth_installed']"
