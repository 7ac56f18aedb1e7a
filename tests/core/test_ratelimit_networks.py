"""How client addresses are keyed: real networks (dual-stack servers, IPv6
prefixes, zone ids, proxies), and the defaults chosen for them."""

import logging

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings

from guest_auth import _ratelimit
from guest_auth._durations import Rate
from guest_auth._ratelimit import client_ip, normalise_ip
from guest_auth.checks import MESSAGES
from guest_auth.conf import guest_settings
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA

pytestmark = pytest.mark.django_db


def visit(ip, **extra):
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=ip).get("/guest-view/", **extra)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 2001:DB8::1 ", "2001:db8::1"),
        # What a server bound to [::] sees for IPv4 clients.
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        # IPv4-compatible (deprecated, ::/96 but not :: or ::1).
        ("::192.0.2.1", "192.0.2.1"),
        ("::1", "::1"),
        # Zone ids name an interface of the server, not a client.
        ("fe80::1%eth0", "fe80::1"),
        ("2001:db8::1%x", "2001:db8::1"),
        ("2001:db8::1%", "2001:db8::1"),
        ("", None),
        ("garbage", None),
        (None, None),
        ("192.0.2.1%eth0", None),
        ("1.2.3.4.5", None),
        (b"192.0.2.1", None),
    ],
)
def test_normalise_ip(raw, expected):
    assert normalise_ip(raw) == expected


def test_client_ip_normalises_remote_addr(rf):
    assert client_ip(rf.get("/", REMOTE_ADDR="::ffff:203.0.113.9")) == "203.0.113.9"


@override_settings(GUEST_AUTH_RATE_LIMIT=None, GUEST_AUTH_NETWORK_RATE_LIMIT="2/h")
def test_ipv4_mapped_clients_are_keyed_by_their_ipv4_network():
    # Before: every IPv4 visitor of a dual-stack server shared the bucket ::/64.
    assert visit("::ffff:198.51.100.1").status_code == 200
    assert visit("::ffff:203.0.113.1").status_code == 200
    assert visit("::ffff:192.0.2.1").status_code == 200
    assert visit("::ffff:192.0.2.2").status_code == 200
    assert visit("192.0.2.3").status_code == 429  # the same /24, mapped or not
    assert Guest.objects.count() == 4


@override_settings(GUEST_AUTH_RATE_LIMIT="1/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_zone_ids_do_not_make_fresh_buckets():
    assert visit("2001:db8::1").status_code == 200
    assert visit("2001:db8::1%a").status_code == 429
    assert visit("2001:db8::1%b").status_code == 429


@override_settings(
    GUEST_AUTH_RATE_LIMIT=None,
    GUEST_AUTH_NETWORK_RATE_LIMIT="2/h",
    GUEST_AUTH_IPV6_WIDE_NETWORK_RATE_LIMIT="3/h",
)
def test_ipv6_is_also_limited_per_wide_prefix():
    # One home's /56 holds 256 /64s; all sit in one /48.
    assert visit("2001:db8:0:1::1").status_code == 200
    assert visit("2001:db8:0:2::1").status_code == 200
    assert visit("2001:db8:0:3::1").status_code == 200
    assert visit("2001:db8:0:4::1").status_code == 429
    assert visit("2001:db8:1:1::1").status_code == 200  # another /48
    # IPv4 has no wide scope.
    for last in range(1, 3):
        assert visit(f"198.51.{last}.1").status_code == 200


@override_settings(
    GUEST_AUTH_RATE_LIMIT=None,
    GUEST_AUTH_NETWORK_RATE_LIMIT=None,
    GUEST_AUTH_IPV6_WIDE_NETWORK_RATE_LIMIT="1/h",
    GUEST_AUTH_IPV6_WIDE_PREFIX=56,
)
def test_wide_prefix_is_configurable():
    assert visit("2001:db8:0:100::1").status_code == 200
    assert visit("2001:db8:0:1ff::1").status_code == 429  # same /56
    assert visit("2001:db8:0:200::1").status_code == 200  # next /56


@pytest.mark.parametrize("value", [64, 65, 0, -1, "48", True, 48.0])
def test_wide_prefix_is_validated(value):
    from django.core.exceptions import ImproperlyConfigured

    with (
        override_settings(GUEST_AUTH_IPV6_WIDE_PREFIX=value),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        getattr(guest_settings, "IPV6_WIDE_PREFIX")  # noqa: B009
    assert str(excinfo.value) == (
        f"GUEST_AUTH_IPV6_WIDE_PREFIX must be an integer from 16 to 63, not {value!r}."
    )


def test_defaults_for_real_traffic():
    assert guest_settings.RATE_LIMIT == Rate(100, 3600)
    assert guest_settings.NETWORK_RATE_LIMIT == Rate(300, 3600)
    assert guest_settings.IPV6_WIDE_NETWORK_RATE_LIMIT == Rate(1000, 3600)
    assert guest_settings.IPV6_WIDE_PREFIX == 48
    assert guest_settings.GLOBAL_RATE_LIMIT is None


@override_settings(GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.missing")
def test_client_ip_is_imported_when_settings_are_validated():
    # Before: a typo passed startup and `check`, then every creation was a 500.
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured) as excinfo:
        guest_settings.validate()
    assert str(excinfo.value) == (
        "GUEST_AUTH_CLIENT_IP: 'tests.testapp.client_ip.missing' cannot be imported: "
        'Module "tests.testapp.client_ip" does not define a "missing" attribute/class'
    )


@override_settings(GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.NOT_CALLABLE")
def test_client_ip_must_be_callable():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured) as excinfo:
        getattr(guest_settings, "CLIENT_IP")  # noqa: B009
    assert str(excinfo.value) == (
        "GUEST_AUTH_CLIENT_IP: 'tests.testapp.client_ip.NOT_CALLABLE' is not callable."
    )


@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.nowhere.Adapter")
def test_adapter_is_imported_when_settings_are_validated():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured) as excinfo:
        guest_settings.validate()
    assert str(excinfo.value).startswith(
        "GUEST_AUTH_ADAPTER: 'tests.testapp.nowhere.Adapter' cannot be imported: "
    )


# Behind a proxy, with no GUEST_AUTH_CLIENT_IP: the operator is told.

PROXY_WARNING = (
    "Guest creation requests come from 10.0.0.5, a private or loopback address, "
    "with the header X-Forwarded-For: this site looks to be behind a proxy, and every "
    "visitor shares the proxy's rate-limit budget. Set GUEST_AUTH_CLIENT_IP (see "
    "guest_auth.contrib.ipware) to read the client's address."
)


@pytest.fixture
def fresh_warning():
    _ratelimit.warn_behind_proxy.cache_clear()
    yield
    _ratelimit.warn_behind_proxy.cache_clear()


def test_proxy_warning_logged_once_per_process(fresh_warning, caplog):
    caplog.set_level(logging.WARNING, logger="guest_auth.ratelimit")
    for _ in range(3):
        assert visit("10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    warnings = [r for r in caplog.records if r.name == "guest_auth.ratelimit"]
    assert [r.getMessage() for r in warnings] == [PROXY_WARNING]
    assert warnings[0].levelno == logging.WARNING


@pytest.mark.parametrize(
    "remote_addr,headers",
    [
        ("198.51.100.7", {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}),  # a public peer
        ("10.0.0.5", {}),  # no forwarding header
    ],
)
def test_no_proxy_warning(fresh_warning, caplog, remote_addr, headers):
    caplog.set_level(logging.WARNING, logger="guest_auth.ratelimit")
    assert visit(remote_addr, **headers).status_code == 200
    assert not [r for r in caplog.records if r.name == "guest_auth.ratelimit"]


@override_settings(GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.from_x_real_ip")
def test_no_proxy_warning_with_a_client_ip_callable(fresh_warning, caplog):
    caplog.set_level(logging.WARNING, logger="guest_auth.ratelimit")
    assert visit("127.0.0.1", HTTP_X_REAL_IP="198.51.100.7").status_code == 200
    assert not [r for r in caplog.records if r.name == "guest_auth.ratelimit"]


@pytest.mark.parametrize(
    "proxy_settings",
    [
        {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
        {"USE_X_FORWARDED_HOST": True},
        {"USE_X_FORWARDED_PORT": True},
    ],
)
def test_check_w004_when_settings_say_proxy(proxy_settings):
    with override_settings(**proxy_settings):
        ids = [m.id for m in run_checks() if m.id == "guest_auth.W004"]
        assert ids == ["guest_auth.W004"]
        with override_settings(GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.from_x_real_ip"):
            assert not [m for m in run_checks() if m.id == "guest_auth.W004"]
        with override_settings(
            GUEST_AUTH_RATE_LIMIT=None,
            GUEST_AUTH_NETWORK_RATE_LIMIT=None,
            GUEST_AUTH_IPV6_WIDE_NETWORK_RATE_LIMIT=None,
        ):
            assert not [m for m in run_checks() if m.id == "guest_auth.W004"]
    assert MESSAGES["guest_auth.W004"][1].startswith("The site is configured behind a proxy")
