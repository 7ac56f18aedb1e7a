"""The guest API handing out simplejwt tokens with an is_guest claim."""

from tests.configs._apps import BASE, CORE_APPS

globals().update(BASE)
ROOT_URLCONF = "tests.configs.simplejwt.urls"
INSTALLED_APPS = [*CORE_APPS, "rest_framework"]
# recipe: docs/howto/jwt.md#settings
GUEST_AUTH_API_TOKENS = "jwt"
SIMPLE_JWT = {
    "TOKEN_OBTAIN_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "guest_auth.contrib.simplejwt.GuestTokenRefreshSerializer",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guest_auth.contrib.simplejwt.GuestJWTAuthentication",
    ],
}
# end recipe
SIMPLE_JWT["SIGNING_KEY"] = "configuration-matrix-jwt-signing-key-9f8e7d6c5b4a39281706"
