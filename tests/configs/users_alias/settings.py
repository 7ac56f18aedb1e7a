"""guest_auth and the user model on a non-default database alias."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.users_alias.urls"
# The admin as the installation page lists it: its LogEntry points at users,
# so "admin" is in the router's set (issue 23: migrate failed without it).
INSTALLED_APPS = ["django.contrib.admin", *CORE_APPS, "rest_framework"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default"), "users": sqlite("users")}  # noqa: F405
DATABASE_ROUTERS = ["tests.configs.users_alias.routers.ConfigurationRouter"]
