"""Sessions in the 'signed_cookies' engine."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.sessions_signed_cookies.urls"
INSTALLED_APPS = CORE_APPS  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
# recipe: docs/howto/configurations.md#sessions-signed-cookies
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
# end recipe
