"""allauth's headless API for single-page apps (``browser`` client), with guests."""

from tests.configs._apps import BASE, CORE_APPS

globals().update(BASE)
ROOT_URLCONF = "tests.configs.headless_browser.urls"
INSTALLED_APPS = [
    *CORE_APPS,
    "rest_framework",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.dummy",
    "allauth.headless",
]
MIDDLEWARE = [*BASE["MIDDLEWARE"], "allauth.account.middleware.AccountMiddleware"]
# recipe: docs/howto/headless.md#browser
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"
SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
HEADLESS_CLIENTS = ("browser",)
# end recipe
ACCOUNT_EMAIL_VERIFICATION = "none"
