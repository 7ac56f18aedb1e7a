from allauth.account import views as account_views
from allauth.mfa.webauthn import views as webauthn_views
from django.urls import include, path

urlpatterns = [
    # allauth adds this URL only when ACCOUNT_SIGNUP_FIELDS lists "phone" at
    # import time; the phone tests turn the phone field on per test.
    path("phone/verify/", account_views.verify_phone, name="account_verify_phone"),
    # allauth adds these only when MFA_PASSKEY_SIGNUP_ENABLED and
    # MFA_PASSKEY_LOGIN_ENABLED are set (and "webauthn" is among
    # MFA_SUPPORTED_TYPES) at import time; the passkey tests turn them on per
    # test (tests/contrib/allauth/test_allauth_passkeys.py).
    path("signup/passkey/", account_views.signup_by_passkey, name="account_signup_by_passkey"),
    path("2fa/webauthn/signup/", webauthn_views.signup_webauthn, name="mfa_signup_webauthn"),
    path("2fa/webauthn/login/", webauthn_views.login_webauthn, name="mfa_login_webauthn"),
    path("", include("allauth.urls")),
]


def headless_passkey_patterns():
    """allauth.headless's passkey signup and login endpoints, for both clients,
    at their usual paths (allauth adds them only with the settings above on at
    import time)."""
    from allauth.headless.constants import Client
    from allauth.headless.mfa import views as headless_mfa_views

    patterns = []
    for client in Client:
        endpoints = [
            path(
                "signup",
                headless_mfa_views.SignupWebAuthnView.as_api_view(client=client),
                name="signup_webauthn",
            ),
            path(
                "login",
                headless_mfa_views.LoginWebAuthnView.as_api_view(client=client),
                name="login_webauthn",
            ),
        ]
        patterns.append(
            path(
                f"_allauth/{client.value}/v1/auth/webauthn/",
                include((endpoints, "headless"), namespace=client.value),
            )
        )
    return patterns
