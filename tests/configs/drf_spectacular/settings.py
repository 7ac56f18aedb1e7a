"""DRF with drf-spectacular, GuestTokenAuthentication a default authentication class."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.drf_spectacular.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework", "drf_spectacular"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
# recipe: docs/howto/configurations.md#drf-spectacular
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guest_auth.contrib.rest_framework.authentication.GuestTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# end recipe
