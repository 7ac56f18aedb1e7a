"""Core only: guest_auth with neither DRF nor allauth."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.core.urls"
INSTALLED_APPS = CORE_APPS  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
