"""Sessions in the 'cache' engine."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.sessions_cache.urls"
INSTALLED_APPS = CORE_APPS  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
# recipe: docs/howto/configurations.md#sessions-cache
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
# end recipe
