"""An API-only site: no templates, no admin, no messages; guests promote through the API."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.api_only.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "guest_auth",
    "tests.testapp",
    "tests.mergeapp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DATABASES = {"default": sqlite("default")}  # noqa: F405
# recipe: docs/howto/configurations.md#api-only
TEMPLATES = []
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guest_auth.contrib.rest_framework.authentication.GuestTokenAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# Guests promote through POST api/guest/promote/: guest_auth.urls is not mounted.
SILENCED_SYSTEM_CHECKS = ["guest_auth.W006"]
# end recipe
SILENCED_SYSTEM_CHECKS += ["guest_auth.W020"]  # as tests/configs/_common.py
