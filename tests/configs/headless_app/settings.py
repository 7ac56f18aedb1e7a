"""allauth's headless API for apps (``app`` client) beside guest_auth's REST API."""

from tests.configs._apps import BASE, CORE_APPS

globals().update(BASE)
ROOT_URLCONF = "tests.configs.headless_app.urls"
INSTALLED_APPS = [
    *CORE_APPS,
    "rest_framework",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.headless",
]
MIDDLEWARE = [*BASE["MIDDLEWARE"], "allauth.account.middleware.AccountMiddleware"]
# recipe: docs/howto/headless.md#app
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter"
SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
HEADLESS_CLIENTS = ("app",)
# end recipe
ACCOUNT_EMAIL_VERIFICATION = "none"
HEADLESS_ONLY = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "https://app.example.com/verify-email/{key}",
    "account_reset_password_from_key": "https://app.example.com/reset/{key}",
    "account_signup": "https://app.example.com/signup",
}
