"""guest_auth and the user model on a non-default database alias."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.users_alias.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default"), "users": sqlite("users")}  # noqa: F405
DATABASE_ROUTERS = ["tests.configs.users_alias.routers.ConfigurationRouter"]
