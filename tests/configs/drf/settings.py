"""DRF without drf-spectacular: the REST API on a site that has no schema generator."""

import sys

from tests.configs._common import *  # noqa: F403

# As if drf-spectacular were not installed: importing it fails.
sys.modules["drf_spectacular"] = None  # type: ignore[assignment]

ROOT_URLCONF = "tests.configs.drf.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework"]  # noqa: F405
MIDDLEWARE = CORE_MIDDLEWARE  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
# recipe: docs/howto/rest-api.md#drf-authentication
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guest_auth.contrib.rest_framework.authentication.GuestTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}
# end recipe
