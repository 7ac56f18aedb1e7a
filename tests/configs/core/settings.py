"""Core only: guest_auth with neither DRF nor allauth, installed as the docs say."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.core.urls"
# recipe: docs/howto/install.md#minimal
# settings.py: Django's startproject defaults, plus guest_auth's two lines
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guest_auth",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",  # right after AuthenticationMiddleware
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# end recipe
INSTALLED_APPS += ["tests.testapp", "tests.mergeapp"]
STATIC_URL = "static/"
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
