"""django-allauth with socialaccount (a provider: allauth's dummy provider)."""

from tests.configs._common import *  # noqa: F403

ROOT_URLCONF = "tests.configs.allauth_social.urls"
INSTALLED_APPS = [
    *CORE_APPS,  # noqa: F405
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.dummy",
]
MIDDLEWARE = [*CORE_MIDDLEWARE, "allauth.account.middleware.AccountMiddleware"]  # noqa: F405
TEMPLATES = DJANGO_TEMPLATES  # noqa: F405
DATABASES = {"default": sqlite("default")}  # noqa: F405
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# recipe: docs/howto/allauth.md#allauth
ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"
SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"
# end recipe
ACCOUNT_EMAIL_VERIFICATION = "none"
