"""Fixtures every test gets. Which tests run, and with what settings, is decided by
the folder a test is in (its own conftest.py), never by its file name.

Helpers are in ``tests/helpers/``: nothing is imported from a conftest.
The guest fixtures (``guest_user``, ``guest_client``) are the shipped pytest plugin's
(``guest_auth/testing/pytest_plugin.py``), so the suite uses them as sites do.
"""

import os

import pytest

from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def client(client):
    """Django's test client, sending a browser User-Agent like real visitors."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client


@pytest.fixture
def async_client(async_client):
    async_client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return async_client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def make_client(db):
    """Makes more independent browser-like clients."""
    from django.test import Client

    return lambda: Client(HTTP_USER_AGENT=BROWSER_UA)


def pytest_sessionfinish(session, exitstatus):
    """With GUEST_AUTH_FAIL_ON_SKIP set (CI's database runs), a skip fails the run."""
    if not os.environ.get("GUEST_AUTH_FAIL_ON_SKIP") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"GUEST_AUTH_FAIL_ON_SKIP: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = 1
