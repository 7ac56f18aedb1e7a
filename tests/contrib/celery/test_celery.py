"""guest_auth.contrib.celery: the purge as a Celery task, in eager mode and
(on a database other processes see, with Redis) run by a real worker."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.management import CommandError
from django.db import connection

from guest_auth.contrib.celery.tasks import purge_guests
from guest_auth.exceptions import PurgeArgumentError
from guest_auth.models import Guest
from tests.celeryapp import app
from tests.helpers.purge import aged, command
from tests.purgeapp.models import Invoice
from tests.purgeapp.processes import ROOT, database_url

BROKER = app.conf.broker_url


def test_the_task_is_registered_under_its_documented_name():
    app.loader.import_default_modules()
    registered = app.tasks["guest_auth.purge_guests"]
    assert registered.run.__module__ == "guest_auth.contrib.celery.tasks"
    assert purge_guests.name == "guest_auth.purge_guests"


@pytest.mark.django_db
def test_eager_run_reports_the_commands_figures():
    aged(40), aged(40), aged(1)
    Invoice.objects.create(owner=aged(50).user)
    expected = command("--dry-run")
    assert purge_guests.apply(kwargs={"dry_run": True}).get()["report"] == expected
    result = purge_guests.apply(kwargs={"older_than": "30d", "batch_size": 1})
    assert result.get() == {
        "deleted": 2,
        "skipped": 1,
        "protected_by": ["purgeapp.Invoice"],
        "batches": 3,
        "stopped_by": None,
        "dry_run": False,
        "report": [
            "Purged 2 guests.",
            "Skipped 1 guest that owns rows protecting it: purgeapp.Invoice.",
        ],
    }
    assert Guest.objects.count() == 2


@pytest.mark.parametrize(
    "options,args",
    [
        ({"older_than": "banana"}, ["--older-than", "banana"]),
        ({"batch_size": "0"}, ["--batch-size", "0"]),
        ({"time_limit": "soon"}, ["--time-limit", "soon"]),
    ],
)
@pytest.mark.django_db
def test_eager_bad_options_fail_with_the_commands_error(options, args):
    aged(40)
    with pytest.raises(CommandError) as raised:
        command(*args)
    result = purge_guests.apply(kwargs=options)
    assert result.failed()
    assert isinstance(result.result, PurgeArgumentError)
    assert str(result.result) == str(raised.value)
    assert Guest.objects.count() == 1


def _redis_available():
    try:
        import redis

        redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database another process sees")
@pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {BROKER}")
@pytest.mark.django_db(transaction=True)
@pytest.mark.serial  # a worker process on the shared Celery Redis database
def test_a_real_worker_runs_the_task_through_redis():
    aged(40), aged(40), aged(1)
    queue = f"guest-auth-test-{uuid.uuid4().hex}"  # no other worker takes our task
    env = {**os.environ, "GUEST_AUTH_TEST_DATABASE_URL": database_url()}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "tests.celeryapp",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    try:
        result = purge_guests.apply_async(kwargs={"time_limit": "1m"}, queue=queue)
        figures = result.get(timeout=30)
        bad = purge_guests.apply_async(kwargs={"limit": "0"}, queue=queue)
        with pytest.raises(PurgeArgumentError) as raised:
            bad.get(timeout=30)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert figures["report"] == ["Purged 2 guests."], output
    assert str(raised.value) == "--limit must be a positive integer, not '0'."
    assert Guest.objects.count() == 1
    assert time.monotonic() - started < 30
