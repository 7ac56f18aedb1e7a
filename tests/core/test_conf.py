import re
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from guest_auth._durations import Rate
from guest_auth.conf import DEFAULT_BLOCKED_USER_AGENTS, DEFAULTS, guest_settings


def test_defaults():
    assert guest_settings.ENABLED is True
    assert timedelta(days=30) == guest_settings.MAX_INACTIVITY
    assert timedelta(hours=1) == guest_settings.ACTIVITY_INTERVAL
    assert guest_settings.PROMOTE_REDIRECT_URL is None
    assert guest_settings.DELETE_REDIRECT_URL is None
    assert guest_settings.API_TOKENS == "opaque"
    assert guest_settings.PURGE_BATCH_SIZE == 1000
    assert guest_settings.ADAPTER == "guest_auth.adapter.GuestAdapter"
    assert guest_settings.MERGE_ON_LOGIN is True
    assert guest_settings.MERGE_POLICIES == {}
    assert guest_settings.MERGE_SESSION_KEYS == ()
    assert guest_settings.EXPORT_RATE_LIMIT == Rate(10, 3600)
    assert set(DEFAULTS) == {
        "ENABLED",
        "MAX_INACTIVITY",
        "ACTIVITY_INTERVAL",
        "BLOCKED_USER_AGENTS",
        "PROMOTE_REDIRECT_URL",
        "DELETE_REDIRECT_URL",
        "API_TOKENS",
        "PURGE_BATCH_SIZE",
        "ADAPTER",
        "MERGE_ON_LOGIN",
        "MERGE_POLICIES",
        "MERGE_SESSION_KEYS",
        "RATE_LIMIT",
        "NETWORK_RATE_LIMIT",
        "IPV6_WIDE_NETWORK_RATE_LIMIT",
        "IPV6_WIDE_PREFIX",
        "GLOBAL_RATE_LIMIT",
        "EXPORT_RATE_LIMIT",
        "RATE_LIMIT_CACHE",
        "RATE_LIMIT_ON_CACHE_ERROR",
        "CLIENT_IP",
        "IPWARE",
        "GUEST_ACCESS",
    }
    assert guest_settings.GUEST_ACCESS == "all"


def test_settings_are_read_at_access_time():
    with override_settings(GUEST_AUTH_MAX_INACTIVITY=3600):
        assert timedelta(hours=1) == guest_settings.MAX_INACTIVITY
    with override_settings(GUEST_AUTH_MAX_INACTIVITY="2w"):
        assert timedelta(weeks=2) == guest_settings.MAX_INACTIVITY
    assert timedelta(days=30) == guest_settings.MAX_INACTIVITY


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("ENABLED", "yes", "GUEST_AUTH_ENABLED must be True or False, not 'yes'."),
        ("API_TOKENS", "JWT", "GUEST_AUTH_API_TOKENS must be 'opaque' or 'jwt', not 'JWT'."),
        ("MAX_INACTIVITY", 0, "GUEST_AUTH_MAX_INACTIVITY: the duration must be positive, not 0."),
        (
            "MAX_INACTIVITY",
            "banana",
            "GUEST_AUTH_MAX_INACTIVITY: 'banana' is not a duration; use seconds or a number "
            "with a unit s, m, h, d or w, such as 30d, 12h or 45m.",
        ),
        ("ACTIVITY_INTERVAL", [], "GUEST_AUTH_ACTIVITY_INTERVAL: [] is not a duration."),
        (
            "BLOCKED_USER_AGENTS",
            "bot",
            "GUEST_AUTH_BLOCKED_USER_AGENTS must be a list or tuple of regular expressions, "
            "not 'bot'.",
        ),
        (
            "BLOCKED_USER_AGENTS",
            ["("],
            "GUEST_AUTH_BLOCKED_USER_AGENTS contains an invalid regular expression '(': "
            "missing ), unterminated subpattern at position 0.",
        ),
        ("BLOCKED_USER_AGENTS", [3], "GUEST_AUTH_BLOCKED_USER_AGENTS must contain strings, not 3."),
        (
            "PROMOTE_REDIRECT_URL",
            5,
            "GUEST_AUTH_PROMOTE_REDIRECT_URL must be a string or None, not 5.",
        ),
        ("PURGE_BATCH_SIZE", 0, "GUEST_AUTH_PURGE_BATCH_SIZE must be a positive integer, not 0."),
        (
            "PURGE_BATCH_SIZE",
            True,
            "GUEST_AUTH_PURGE_BATCH_SIZE must be a positive integer, not True.",
        ),
        (
            "ADAPTER",
            "nodots",
            "GUEST_AUTH_ADAPTER must be a dotted import path such as "
            "'myapp.adapters.MyGuestAdapter', not 'nodots'.",
        ),
        ("MERGE_ON_LOGIN", 1, "GUEST_AUTH_MERGE_ON_LOGIN must be True or False, not 1."),
        (
            "MERGE_POLICIES",
            [("mergeapp.CartItem", "move")],
            "GUEST_AUTH_MERGE_POLICIES must be a dict mapping 'app_label.Model' to 'move', "
            "'keep-user', 'drop' or a dotted path to a callable, not "
            "[('mergeapp.CartItem', 'move')].",
        ),
        (
            "MERGE_POLICIES",
            {"mergeapp.Basket": "move"},
            "GUEST_AUTH_MERGE_POLICIES: 'mergeapp.Basket' is not an installed model.",
        ),
        (
            "MERGE_POLICIES",
            {"CartItem": "move"},
            "GUEST_AUTH_MERGE_POLICIES: 'CartItem' is not an installed model.",
        ),
        (
            "MERGE_POLICIES",
            {"mergeapp.CartItem": "merge"},
            "GUEST_AUTH_MERGE_POLICIES['mergeapp.CartItem'] must be 'move', 'keep-user', 'drop' "
            "or a dotted path to a callable, not 'merge'.",
        ),
        (
            "MERGE_POLICIES",
            {"mergeapp.CartItem": len},
            "GUEST_AUTH_MERGE_POLICIES['mergeapp.CartItem'] must be 'move', 'keep-user', 'drop' "
            "or a dotted path to a callable, not <built-in function len>.",
        ),
        (
            "MERGE_POLICIES",
            {"mergeapp.CartItem": "tests.mergeapp.policies.missing"},
            "GUEST_AUTH_MERGE_POLICIES['mergeapp.CartItem']: 'tests.mergeapp.policies.missing' "
            'cannot be imported: Module "tests.mergeapp.policies" does not define a '
            '"missing" attribute/class',
        ),
        (
            "MERGE_POLICIES",
            {"mergeapp.CartItem": "tests.mergeapp.policies.not_callable"},
            "GUEST_AUTH_MERGE_POLICIES['mergeapp.CartItem']: "
            "'tests.mergeapp.policies.not_callable' is not callable.",
        ),
        (
            "MERGE_SESSION_KEYS",
            "coupon",
            "GUEST_AUTH_MERGE_SESSION_KEYS must be a list or tuple of session keys, not 'coupon'.",
        ),
        ("MERGE_SESSION_KEYS", [1], "GUEST_AUTH_MERGE_SESSION_KEYS must contain strings, not 1."),
        (
            "MERGE_SESSION_KEYS",
            ["_auth_user_id"],
            "GUEST_AUTH_MERGE_SESSION_KEYS cannot carry over '_auth_user_id': login manages that "
            "key itself.",
        ),
        (
            "MERGE_SESSION_KEYS",
            ["_guest_auth_guest"],
            "GUEST_AUTH_MERGE_SESSION_KEYS cannot carry over '_guest_auth_guest': login manages "
            "that key itself.",
        ),
    ],
)
def test_malformed_values_name_the_setting(name, value, message):
    with override_settings(**{f"GUEST_AUTH_{name}": value}):
        with pytest.raises(ImproperlyConfigured) as excinfo:
            getattr(guest_settings, name)
        assert str(excinfo.value) == message
        with pytest.raises(ImproperlyConfigured):
            guest_settings.validate()


def test_unknown_setting_is_rejected():
    with (
        override_settings(GUEST_AUTH_MAX_INACTIVTY=10),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        guest_settings.validate()
    assert str(excinfo.value).startswith(
        "Unknown setting GUEST_AUTH_MAX_INACTIVTY: guest_auth has no such setting "
        "(known settings: GUEST_AUTH_ENABLED, "
    )
    assert guest_settings.ENABLED is True


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="Invalid guest_auth setting: 'NOPE'"):
        guest_settings.NOPE  # noqa: B018


def test_user_agent_patterns():
    pattern = guest_settings.BLOCKED_USER_AGENTS
    assert pattern.flags & re.IGNORECASE
    for bot in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0)",
        "Slackbot-LinkExpanding 1.0",
        "Mozilla/5.0 (compatible; GPTBot/1.0)",
        "Mozilla/5.0 (compatible; YandexBot/3.0)",
        "UptimeRobot/2.0",
    ]:
        assert pattern.search(bot), bot
    for person in [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148",
        "okhttp/4.12.0",
        "MyShop/2.3 CFNetwork/1490 Darwin/23.0",
        "Mozilla/5.0 (Linux; Android 14; CUBOT_X30) Chrome/120.0 Mobile",
    ]:
        assert not pattern.search(person), person
    with override_settings(GUEST_AUTH_BLOCKED_USER_AGENTS=[]):
        assert guest_settings.BLOCKED_USER_AGENTS is None
    assert len(DEFAULT_BLOCKED_USER_AGENTS) > 10


def test_merge_policies_are_keyed_by_label_with_callables_imported():
    from tests.mergeapp.policies import add_quantities

    with override_settings(
        GUEST_AUTH_MERGE_POLICIES={
            "mergeapp.cartitem": "tests.mergeapp.policies.add_quantities",
            "mergeapp.Tag_users": "keep-user",
            "mergeapp.Profile": "move",
            "mergeapp.Comment": "drop",
        }
    ):
        assert {
            "mergeapp.CartItem": add_quantities,
            "mergeapp.Tag_users": "keep-user",
            "mergeapp.Profile": "move",
            "mergeapp.Comment": "drop",
        } == guest_settings.MERGE_POLICIES
    with override_settings(GUEST_AUTH_MERGE_SESSION_KEYS=["coupon", "cart"]):
        assert guest_settings.MERGE_SESSION_KEYS == ("coupon", "cart")


@pytest.mark.parametrize("value", ["none", "opt_in", True, None])
def test_guest_access_choices(value):
    with override_settings(GUEST_AUTH_GUEST_ACCESS=value):
        with pytest.raises(ImproperlyConfigured) as raised:
            getattr(guest_settings, "GUEST_ACCESS")  # noqa: B009
        assert str(raised.value) == (
            f"GUEST_AUTH_GUEST_ACCESS must be 'all' or 'opt-in', not {value!r}."
        )
