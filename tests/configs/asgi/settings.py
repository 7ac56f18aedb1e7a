"""ASGI: the same site served by an ASGI server (flows through AsyncClient)."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.asgi.urls"
INSTALLED_APPS = CORE_APPS  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
ASGI_APPLICATION = "tests.configs.asgi.asgi.application"
