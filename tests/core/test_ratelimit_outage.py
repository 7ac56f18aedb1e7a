"""The rate-limit cache fails: a real redis-server, started here, stopped and
paused (SIGSTOP). Guest creation never answers 500, and a stalled cache holds a
creating request for one socket timeout at most, once per process per
CACHE_RETRY_SECONDS."""

import logging
import signal
import time

import pytest
from django.apps import apps
from django.test import Client, override_settings

from guest_auth import _ratelimit
from guest_auth.models import Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.redis import needs_redis_server
from tests.helpers.redis import redis_server as started_redis_server

pytestmark = [
    pytest.mark.django_db,
    # Serial: its timing bounds hold on a machine that is not also running the other
    # half of the suite.
    pytest.mark.serial,
    needs_redis_server,
]

# What docs/howto/abuse-protection.md recommends.
TIMEOUT = 0.5
# A creating request with the cache paused waits one socket timeout; the rest is
# the request itself on a slow, shared machine.
BOUND = TIMEOUT + 1.0


@pytest.fixture
def redis_server():
    with started_redis_server() as (process, port):
        caches = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
            },
        }
        _ratelimit.cache_down_until.clear()
        with override_settings(
            CACHES=caches, GUEST_AUTH_RATE_LIMIT_CACHE="ratelimit", GUEST_AUTH_RATE_LIMIT="2/h"
        ):
            yield process
        _ratelimit.cache_down_until.clear()


def web():
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="192.0.2.1").get("/guest-view/")


def api():
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="192.0.2.1").post(
        "/api/guest/", "{}", content_type="application/json"
    )


# The REST API's creation too, where djangorestframework is installed (not in
# tox's noextras environment).
ENTRIES = [web, api] if apps.is_installed("rest_framework") else [web]


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def errors(caplog):
    return [r for r in caplog.records if r.name == "guest_auth.ratelimit"]


def test_redis_up_counts(redis_server):
    assert web().status_code == 200
    assert web().status_code == 200
    assert web().status_code == 429
    assert Guest.objects.count() == 2


@pytest.mark.parametrize("entry", ENTRIES)
def test_redis_stopped_allows_and_logs(redis_server, caplog, entry):
    assert web().status_code == 200
    redis_server.kill()
    redis_server.wait()
    for _ in range(5):  # over the limit of 2, uncounted
        response, elapsed = timed(entry)
        assert response.status_code in (200, 201)
        assert elapsed < BOUND
    assert Guest.objects.count() == 6
    logged = errors(caplog)
    assert len(logged) == 1  # then the cache is left alone for CACHE_RETRY_SECONDS
    assert logged[0].levelno == logging.ERROR
    assert logged[0].getMessage() == (
        "The rate-limit cache 'ratelimit' failed; for 10 s this process creates guests "
        "without counting them (GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR = 'allow')."
    )
    assert logged[0].exc_info is not None


@pytest.mark.parametrize("entry", ENTRIES)
def test_redis_paused_waits_one_timeout_once(redis_server, caplog, entry):
    assert web().status_code == 200
    redis_server.send_signal(signal.SIGSTOP)
    response, first = timed(entry)
    assert response.status_code in (200, 201)
    assert TIMEOUT <= first < BOUND, first
    waits = []
    for _ in range(5):
        response, elapsed = timed(entry)
        assert response.status_code in (200, 201)
        waits.append(elapsed)
    assert max(waits) < TIMEOUT / 2, waits  # the cache is not asked again
    print(f"creating request with the cache paused: first {first:.3f} s, then {max(waits):.3f} s")
    assert len(errors(caplog)) == 1


def test_cache_is_tried_again_after_the_retry_period(redis_server, monkeypatch):
    clock = [time.monotonic()]
    monkeypatch.setattr(_ratelimit.time, "monotonic", lambda: clock[0])
    redis_server.send_signal(signal.SIGSTOP)
    assert web().status_code == 200
    redis_server.send_signal(signal.SIGCONT)
    assert web().status_code == 200  # within the period: uncounted
    clock[0] += _ratelimit.CACHE_RETRY_SECONDS
    assert web().status_code == 200  # counted again: the first
    assert web().status_code == 200
    assert web().status_code == 429


@override_settings(GUEST_AUTH_RATE_LIMIT_ON_CACHE_ERROR="refuse")
@pytest.mark.parametrize("state", ["stopped", "paused"])
def test_refuse_answers_503_with_retry_after(redis_server, state):
    if state == "stopped":
        redis_server.kill()
        redis_server.wait()
    else:
        redis_server.send_signal(signal.SIGSTOP)
    response, elapsed = timed(web)
    assert response.status_code == 503
    assert elapsed < BOUND
    assert 1 <= int(response["Retry-After"]) <= 10
    if api not in ENTRIES:
        return
    response, elapsed = timed(api)
    assert response.status_code == 503
    assert elapsed < TIMEOUT / 2
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["retry_after"] == int(response["Retry-After"])
    assert body["detail"].startswith("Guests cannot be created right now; retry in ")
    assert Guest.objects.count() == 0
