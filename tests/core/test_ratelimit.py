import ipaddress
import os
import secrets
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from guest_auth import _ratelimit
from guest_auth._durations import Rate, parse_rate
from guest_auth._ratelimit import client_ip
from guest_auth.conf import guest_settings
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.i18n import retry_words

REDIS_URL = os.environ.get("GUEST_AUTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def visit(ip, path="/guest-view/", **extra):
    """A new visitor (fresh session) from ``ip``."""
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=ip).get(path, **extra)


def guests():
    return Guest.objects.count()


# What browsers send for a page.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "text,rate",
    [
        ("30/h", Rate(30, 3600)),
        ("100/2h", Rate(100, 7200)),
        ("5/30s", Rate(5, 30)),
        ("1000/d", Rate(1000, 86400)),
        (" 7 / m ", Rate(7, 60)),
        ("2/1w", Rate(2, 604800)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["30", "h/30", "0/h", "30/0s", "30/banana", "-1/h", "3/0.5s"])
def test_parse_rate_rejects(text):
    with pytest.raises(ValueError):
        parse_rate(text)


@pytest.mark.parametrize(
    "name,value,message",
    [
        (
            "RATE_LIMIT",
            "lots",
            "GUEST_AUTH_RATE_LIMIT: 'lots' is not a rate; use COUNT/PERIOD such as 30/h or 100/2h.",
        ),
        (
            "NETWORK_RATE_LIMIT",
            30,
            "GUEST_AUTH_NETWORK_RATE_LIMIT must be a rate such as '30/h' or None, not 30.",
        ),
        (
            "RATE_LIMIT_CACHE",
            "nope",
            "GUEST_AUTH_RATE_LIMIT_CACHE must name an alias in CACHES, not 'nope'.",
        ),
        (
            "CLIENT_IP",
            "nodots",
            "GUEST_AUTH_CLIENT_IP must be a dotted import path such as "
            "'myapp.adapters.MyGuestAdapter', not 'nodots'.",
        ),
    ],
)
def test_bad_settings_name_the_setting(name, value, message):
    with (
        override_settings(**{f"GUEST_AUTH_{name}": value}),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        getattr(guest_settings, name)
    assert str(excinfo.value) == message


def test_defaults():
    assert guest_settings.RATE_LIMIT == Rate(100, 3600)
    assert guest_settings.NETWORK_RATE_LIMIT == Rate(300, 3600)
    assert guest_settings.GLOBAL_RATE_LIMIT is None


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="3/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_per_ip_limit_gives_429_and_creates_nothing():
    for _ in range(3):
        assert visit("203.0.113.5").json()["is_guest"] is True
    users = get_user_model().objects.count()
    response = visit("203.0.113.5", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Please try again" in response.content.decode()
    assert response.templates[0].name == "guest_auth/rate_limited.html"
    assert get_user_model().objects.count() == users
    # Another address is unaffected.
    assert visit("203.0.113.6").json()["is_guest"] is True


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="3/h", GUEST_AUTH_NETWORK_RATE_LIMIT=None)
def test_returning_guests_are_not_limited():
    client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="203.0.113.5")
    for _ in range(10):
        assert client.get("/guest-view/").status_code == 200
    assert guests() == 1


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="10/h", GUEST_AUTH_NETWORK_RATE_LIMIT="3/h")
def test_per_network_limit_ipv4():
    for last in (1, 2, 3):
        assert visit(f"192.0.2.{last}").status_code == 200
    assert visit("192.0.2.200").status_code == 429
    assert visit("192.0.3.1").status_code == 200  # another /24
    assert guests() == 4


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="10/h", GUEST_AUTH_NETWORK_RATE_LIMIT="2/h")
def test_per_network_limit_ipv6():
    assert visit("2001:db8::1").status_code == 200
    assert visit("2001:db8::ffff:2").status_code == 200
    assert visit("2001:db8:0:0:1::3").status_code == 429  # same /64
    assert visit("2001:db8:0:1::1").status_code == 200  # another /64


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_RATE_LIMIT=None,
    GUEST_AUTH_NETWORK_RATE_LIMIT=None,
    GUEST_AUTH_GLOBAL_RATE_LIMIT="2/h",
)
def test_global_budget():
    assert visit("198.51.100.1").status_code == 200
    assert visit("203.0.113.1").status_code == 200
    assert visit("2001:db8::9").status_code == 429


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
def test_client_over_its_limit_does_not_spend_the_networks():
    assert visit("192.0.2.1").status_code == 200
    for _ in range(200):
        assert visit("192.0.2.1").status_code == 429
    assert visit("192.0.2.2").status_code == 200


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
def test_bots_do_not_spend_the_budget():
    for _ in range(5):
        response = visit("192.0.2.1", HTTP_USER_AGENT="Googlebot/2.1")
        assert response.json()["authenticated"] is False
    assert visit("192.0.2.1").status_code == 200


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
def test_json_clients_get_json():
    visit("192.0.2.1")
    response = visit("192.0.2.1", HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    body = response.json()
    assert body["retry_after"] == int(response["Retry-After"])
    seconds = body["retry_after"]
    assert body["detail"] == retry_words(seconds)


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
@pytest.mark.parametrize("accept", [None, "*/*", "application/*", "application/json, */*;q=0.1"])
def test_clients_accepting_anything_get_json(accept):
    """curl, mobile HTTP clients and load generators send */* (or nothing)."""
    visit("192.0.2.1")
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = visit("192.0.2.1", **extra)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["retry_after"] == int(response["Retry-After"])


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
@pytest.mark.parametrize("accept", ["text/plain", "image/png", "text/csv"])
def test_clients_accepting_neither_html_nor_json_get_plain_text(accept):
    visit("192.0.2.1")
    response = visit("192.0.2.1", HTTP_ACCEPT=accept)
    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == retry_words(int(response["Retry-After"]))


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h", TEMPLATES=[])
@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (BROWSER_ACCEPT, "text/plain; charset=utf-8"),
        ("*/*", "application/json"),
        ("text/html", "text/plain; charset=utf-8"),
    ],
)
def test_sites_without_templates_never_answer_500(accept, content_type):
    """An API-only site (TEMPLATES = []) cannot render the HTML page."""
    visit("192.0.2.1")
    response = visit("192.0.2.1", HTTP_ACCEPT=accept)
    assert response.status_code == 429
    assert response["Content-Type"] == content_type
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
@pytest.mark.parametrize("path", ["/async-guest-view/", "/cbv/guest/", "/cbv/async-guest/"])
def test_limit_applies_to_every_entry_point(path):
    assert visit("192.0.2.1", path).status_code == 200
    assert visit("192.0.2.1", path).status_code == 429
    assert guests() == 1


@pytest.mark.django_db
@override_settings(GUEST_AUTH_RATE_LIMIT="1/h")
def test_window_expiry(monkeypatch):
    now = 1_800_000_000.0  # at the start of an hour window
    monkeypatch.setattr(_ratelimit.time, "time", lambda: now)
    assert visit("192.0.2.1").status_code == 200
    response = visit("192.0.2.1")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    now += 3600
    assert visit("192.0.2.1").status_code == 200


@override_settings(GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.from_x_real_ip")
def test_client_ip_callable(rf):
    assert client_ip(rf.get("/", HTTP_X_REAL_IP=" 2001:DB8::1 ")) == "2001:db8::1"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="not an ip")) is None
    assert client_ip(rf.get("/")) is None


def test_client_ip_default(rf):
    assert client_ip(rf.get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_REAL_IP="1.2.3.4")) == "192.0.2.9"


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_RATE_LIMIT="1/h", GUEST_AUTH_CLIENT_IP="tests.testapp.client_ip.from_x_real_ip"
)
def test_unreadable_addresses_share_one_bucket():
    assert visit("192.0.2.1", HTTP_X_REAL_IP="garbage").status_code == 200
    assert visit("192.0.2.2", HTTP_X_REAL_IP="").status_code == 429
    assert visit("192.0.2.2", HTTP_X_REAL_IP="192.0.2.2").status_code == 200


def _redis_available():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


# Serial: its Redis database is the one GUEST_AUTH_TEST_REDIS_URL gives every test, whose
# cache.clear() between tests would wipe its counters mid-run.
@pytest.mark.serial
@pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {REDIS_URL}")
def test_limit_is_shared_by_worker_processes_through_redis(tmp_path):
    # A /64 of its own: other runs sharing this Redis (CI, tox, other
    # checkouts) must not touch this run's counters, so nothing is flushed.
    ip = str(
        ipaddress.IPv6Address(f"2001:db8:{secrets.randbelow(2**16):x}::1")
        + (secrets.randbits(48) << 64)
    )
    start = tmp_path / "go"
    env = {**os.environ, "GUEST_AUTH_TEST_REDIS_URL": REDIS_URL, "PYTHONPATH": os.getcwd()}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ratelimit_worker", "40", str(start), ip],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    deadline = time.time() + 30
    while len(list(tmp_path.glob("go.ready-*"))) < 2 and time.time() < deadline:
        time.sleep(0.01)
    start.touch()
    outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    allowed = [int(out) for out, _ in outputs]
    # The worker sets GUEST_AUTH_RATE_LIMIT to 30/h: together exactly 30 of the 80 attempts.
    assert sum(allowed) == 30, allowed
