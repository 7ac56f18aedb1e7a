"""Django's LoginRequiredMiddleware: every view needs a login unless marked otherwise."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.login_required.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework"]  # noqa: F405
# recipe: docs/howto/configurations.md#login-required
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# end recipe
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
