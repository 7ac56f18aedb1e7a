"""What the suite's test clients send, and settings several areas run with."""

__all__ = ["ALLAUTH_SIGNUP", "BOT_UA", "BROWSER_UA", "LOCALE_MIDDLEWARE", "MOBILE_UA"]

# A current desktop browser: guest_auth creates guests only for real browsers.
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0 Safari/537.36"
)
# Mobile HTTP libraries are real clients, not bots.
MOBILE_UA = "okhttp/4.12.0"
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

# django-allauth as the site's signup (tests/contrib/allauth/conftest.py applies it to
# every allauth test; tests elsewhere apply it with override_settings).
ALLAUTH_SIGNUP = {
    "ACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestAccountAdapter",
    "SOCIALACCOUNT_ADAPTER": "guest_auth.contrib.allauth.GuestSocialAccountAdapter",
}

# tests.settings' middleware with Django's LocaleMiddleware (translation tests).
LOCALE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
