"""A real PostgreSQL hot standby that replays 1 s late (.ci/pg-standby starts one).

GUEST_AUTH_TEST_PRIMARY_URL and GUEST_AUTH_TEST_STANDBY_URL name the two
servers (postgres://USER@HOST:PORT/NAME, the same NAME). Every read goes to
the standby except sessions: Django's documented primary/replica router.
"""

import os
from urllib.parse import urlsplit

from tests.configs._common import *  # noqa: F403


def _postgres(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


ROOT_URLCONF = "tests.configs.pg_standby.urls"
INSTALLED_APPS = ["django.contrib.admin", *CORE_APPS, "rest_framework"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {
    "default": _postgres(os.environ.get("GUEST_AUTH_TEST_PRIMARY_URL", "postgres:///missing")),
    "replica": {
        **_postgres(os.environ.get("GUEST_AUTH_TEST_STANDBY_URL", "postgres:///missing")),
        # A replica: its rows are the primary's (the flow migrates only the primary).
        "TEST": {"MIRROR": "default"},
    },
}
DATABASE_ROUTERS = ["tests.configs.pg_standby.routers.StandbyRouter"]
