"""The test environment itself: the suite runs against the database it was asked for."""

import os

from django.conf import settings
from django.db import connection


def test_database_is_the_one_asked_for(db):
    # Guards CI against a run that silently fell back to SQLite.
    url = os.environ.get("GUEST_AUTH_TEST_DATABASE_URL", "sqlite://")
    expected = {
        "sqlite": "sqlite",
        "postgres": "postgresql",
        "postgresql": "postgresql",
        "mysql": "mysql",
        "mariadb": "mysql",
    }[url.split(":", 1)[0]]
    assert connection.vendor == expected


def test_user_model_is_the_one_asked_for():
    assert os.environ.get("GUEST_AUTH_TEST_USER_MODEL", "auth.User") == settings.AUTH_USER_MODEL
