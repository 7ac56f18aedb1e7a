from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from example_project.shop.views import ShopLoginView

urlpatterns = [
    path("", include("example_project.shop.urls")),
    # Before django.contrib.auth.urls: the shop's login resets the demo account's cart.
    path("accounts/login/", ShopLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("guest/", include("guest_auth.urls")),
    path("admin/", admin.site.urls),
]

if apps.is_installed("rest_framework"):
    urlpatterns += [
        path("api/guest/", include("guest_auth.contrib.rest_framework.urls")),
        path("api/", include("example_project.shop.api_urls")),
    ]
if apps.is_installed("allauth.mfa"):
    from allauth.account.views import signup_by_passkey
    from allauth.mfa.webauthn.views import signup_webauthn

    # allauth adds these two only when MFA_PASSKEY_SIGNUP_ENABLED is on as the
    # URLconf is imported; the browser test turns it on later (settings.PASSKEY_SIGNUP).
    urlpatterns += [
        path("auth/signup/passkey/", signup_by_passkey, name="account_signup_by_passkey"),
        path("auth/2fa/webauthn/signup/", signup_webauthn, name="mfa_signup_webauthn"),
    ]
if apps.is_installed("allauth"):
    urlpatterns += [
        path("auth/", include("allauth.urls")),
        path("_allauth/", include("allauth.headless.urls")),
    ]
