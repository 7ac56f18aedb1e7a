import pytest
from django.core.checks import Error, Warning
from django.test import override_settings

from guest_auth.checks import (
    MESSAGES,
    check_inactivity_window,
    check_setup,
    check_urls,
    check_user_ids,
    check_user_model,
)

SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
GUEST = "guest_auth.middleware.GuestMiddleware"


def ids(messages):
    return [m.id for m in messages]


def test_messages_are_stable():
    assert MESSAGES["guest_auth.E001"][1:] == (
        "'guest_auth.middleware.GuestMiddleware' must be in MIDDLEWARE.",
        "Insert 'guest_auth.middleware.GuestMiddleware' in MIDDLEWARE after "
        "'django.contrib.auth.middleware.AuthenticationMiddleware'.",
    )
    assert MESSAGES["guest_auth.E002"][1] == (
        "'guest_auth.middleware.GuestMiddleware' must come after "
        "'django.contrib.auth.middleware.AuthenticationMiddleware' in MIDDLEWARE."
    )


def test_project_settings_pass():
    assert check_setup() + check_urls() + check_user_model() + check_inactivity_window() == []


@pytest.mark.parametrize(
    "middleware,expected",
    [
        ([SESSION, AUTH], ["guest_auth.E001"]),
        ([SESSION, GUEST, AUTH], ["guest_auth.E002"]),
        ([SESSION, GUEST], ["guest_auth.E002"]),
        ([AUTH, GUEST], ["guest_auth.E004"]),
        ([GUEST, SESSION, AUTH], ["guest_auth.E002", "guest_auth.E004"]),
        ([SESSION, AUTH, "tests.core.test_checks.SubclassedGuestMiddleware"], []),
    ],
)
def test_middleware_checks(middleware, expected):
    with override_settings(MIDDLEWARE=middleware):
        messages = check_setup()
    assert ids(messages) == expected
    for message in messages:
        level, text, hint = MESSAGES[message.id]
        assert message == level(text, hint=hint, id=message.id)


def test_missing_sessions_app():
    from django.conf import settings

    apps = [a for a in settings.INSTALLED_APPS if a != "django.contrib.sessions"]
    with override_settings(INSTALLED_APPS=apps):
        assert ids(check_setup()) == ["guest_auth.E003"]
    with override_settings(
        INSTALLED_APPS=apps, SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"
    ):
        assert check_setup() == []


def test_missing_urls():
    with override_settings(ROOT_URLCONF="tests.testapp.urls_without_guest_auth"):
        assert check_urls() == [
            Error(
                *MESSAGES["guest_auth.E006"][1:2],
                hint=MESSAGES["guest_auth.E006"][2],
                id="guest_auth.E006",
            )
        ]


def test_inactivity_shorter_than_session_age():
    with override_settings(GUEST_AUTH_MAX_INACTIVITY=3600, SESSION_COOKIE_AGE=7200):
        assert check_inactivity_window() == [
            Warning(
                MESSAGES["guest_auth.W001"][1],
                hint=MESSAGES["guest_auth.W001"][2],
                id="guest_auth.W001",
            )
        ]
    with override_settings(GUEST_AUTH_MAX_INACTIVITY=7200, SESSION_COOKIE_AGE=7200):
        assert check_inactivity_window() == []


def test_email_username_field_must_allow_null():
    from tests.testapp.models import EmailUser

    field = EmailUser._meta.get_field("email")
    field.null = False
    try:
        with override_settings(AUTH_USER_MODEL="testapp.EmailUser"):
            assert ids(check_user_model()) == ["guest_auth.E005"]
            with override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.EmailGuestAdapter"):
                assert check_user_model() == []
    finally:
        field.null = True


from guest_auth.middleware import GuestMiddleware  # noqa: E402


class SubclassedGuestMiddleware(GuestMiddleware):
    pass


def test_rate_limit_cache_checks():
    from guest_auth.checks import check_rate_limit_cache

    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    with override_settings(CACHES=locmem, DEBUG=False):
        assert ids(check_rate_limit_cache()) == ["guest_auth.W002"]
    with override_settings(CACHES=locmem, DEBUG=True):
        assert check_rate_limit_cache() == []
    with override_settings(CACHES=dummy, DEBUG=True):
        assert ids(check_rate_limit_cache()) == ["guest_auth.W003"]
    with override_settings(CACHES=redis, DEBUG=False):
        # No socket timeouts: a stalled Redis would hold every creating request.
        assert ids(check_rate_limit_cache()) == ["guest_auth.W005"]
    redis["default"]["OPTIONS"] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    with override_settings(CACHES=redis, DEBUG=False):
        assert check_rate_limit_cache() == []
    with override_settings(
        CACHES=dummy,
        GUEST_AUTH_RATE_LIMIT=None,
        GUEST_AUTH_NETWORK_RATE_LIMIT=None,
        GUEST_AUTH_IPV6_WIDE_NETWORK_RATE_LIMIT=None,
    ):
        assert check_rate_limit_cache() == []


def test_32_bit_user_ids_warn_with_the_arithmetic():
    assert MESSAGES["guest_auth.W020"][1:] == (
        "The user model's primary key is a 32-bit integer and every guest uses one "
        "of its 2,147,483,647 ids.",
        "At 10 million new guests a day the ids run out in about 215 days, at 1 million "
        "a day in about 5.9 years (2,147,483,647 / guests per day). Start with a custom "
        "user model whose primary key is a BigAutoField, or silence guest_auth.W020 if "
        "your site will never get near.",
    )
    from django.core.checks import registry

    assert check_user_ids in registry.registry.get_checks(include_deployment_checks=True)
    assert check_user_ids not in registry.registry.get_checks()
    assert round((2**31 - 1) / 10_000_000) == 215
    assert round((2**31 - 1) / 1_000_000 / 365.25, 1) == 5.9
    from django.contrib.auth.models import User

    with override_settings(AUTH_USER_MODEL="auth.User"):
        (warning,) = check_user_ids()
        assert (warning.id, warning.obj) == ("guest_auth.W020", User)
        with override_settings(GUEST_AUTH_ENABLED=False):
            assert check_user_ids() == []


@pytest.mark.parametrize(
    "model",
    [
        "testapp.EmailUser",  # UUID
        "testapp.Note",  # BigAutoField (DEFAULT_AUTO_FIELD)
        "guest_auth.Guest",  # a one-to-one key to the user model: followed
    ],
)
def test_only_32_bit_keys_warn(model, settings):
    if model == "guest_auth.Guest" and settings.AUTH_USER_MODEL == "auth.User":
        expected = ["guest_auth.W020"]
    else:
        expected = []
    with override_settings(AUTH_USER_MODEL=model):
        assert ids(check_user_ids()) == expected


@pytest.mark.parametrize(
    ("login_redirect_url", "urlconf", "expected"),
    [
        # A fresh project: Django's default, and no page there (issue 23's 404).
        ("/accounts/profile/", None, ["guest_auth.W030"]),
        ("/accounts/profile/", "tests.profile_urls", []),
        ("/home/", None, []),
        ("/", None, []),
    ],
)
def test_login_redirect_to_a_page_that_does_not_exist(login_redirect_url, urlconf, expected):
    from guest_auth.checks import check_login_redirect

    overrides = {"LOGIN_REDIRECT_URL": login_redirect_url}
    if urlconf:
        overrides["ROOT_URLCONF"] = urlconf
    with override_settings(**overrides):
        messages = check_login_redirect()
    assert ids(messages) == expected
    for message in messages:
        level, text, hint = MESSAGES[message.id]
        assert message == level(text, hint=hint, id=message.id)
