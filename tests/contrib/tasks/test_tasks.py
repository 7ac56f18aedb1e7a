"""guest_auth.tasks: the purge as a django.tasks task (Django 6.0+, or the
django-tasks backport), run by the immediate backend."""

from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.utils import timezone

from guest_auth.models import Guest
from guest_auth.tasks import DEFAULT_TIME_LIMIT, purge_guests
from tests.helpers.purge import aged, command
from tests.purgeapp.models import Invoice

try:
    from django.tasks import TaskResultStatus, task_backends
except ImportError:
    from django_tasks import TaskResultStatus, task_backends

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_deferred():
    task_backends["deferring"].deferred.clear()


def error_of(result):
    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    return error.exception_class, error.traceback.strip().splitlines()[-1]


def test_task_purges_and_reports_the_commands_figures():
    aged(40), aged(40), aged(1)
    Invoice.objects.create(owner=aged(50).user)
    expected = command("--dry-run")
    dry = purge_guests.enqueue(dry_run=True)
    assert dry.status == TaskResultStatus.SUCCESSFUL
    assert (
        dry.return_value["report"]
        == expected
        == [
            "Would purge 2 guests.",
            "Would skip 1 guest that owns rows protecting it: purgeapp.Invoice.",
        ]
    )
    result = purge_guests.enqueue()
    assert result.return_value == {
        "deleted": 2,
        "skipped": 1,
        "protected_by": ["purgeapp.Invoice"],
        "batches": 1,
        "stopped_by": None,
        "dry_run": False,
        "report": [
            "Purged 2 guests.",
            "Skipped 1 guest that owns rows protecting it: purgeapp.Invoice.",
        ],
    }
    assert Guest.objects.count() == 2


def test_task_options_are_the_commands():
    for _ in range(3):
        aged(40)
    aged(5)
    result = purge_guests.enqueue(older_than="2d", batch_size=2, limit="3")
    assert result.return_value["report"] == [
        "Purged 3 guests.",
        "Stopped at --limit 3; inactive guests may remain.",
    ]
    assert result.return_value["batches"] == 2
    assert Guest.objects.count() == 1


def test_task_has_a_time_budget_by_default():
    assert DEFAULT_TIME_LIMIT == "5m"
    aged(40)
    result = purge_guests.enqueue(time_limit=1e-6)
    assert result.return_value["stopped_by"] == "time_limit"
    assert result.return_value["report"][-1] == (
        "Stopped at --time-limit 1e-06; inactive guests may remain."
    )


@pytest.mark.parametrize(
    "options,args",
    [
        ({"older_than": "banana"}, ["--older-than", "banana"]),
        ({"older_than": "0"}, ["--older-than", "0"]),
        ({"time_limit": "soon"}, ["--time-limit", "soon"]),
        ({"batch_size": "0"}, ["--batch-size", "0"]),
        ({"limit": "-3"}, ["--limit", "-3"]),
        ({"limit": "many"}, ["--limit", "many"]),
    ],
)
def test_bad_options_fail_with_the_commands_one_line_error(options, args):
    aged(40)
    with pytest.raises(CommandError) as raised:
        command(*args)
    exception_class, last_line = error_of(purge_guests.enqueue(**options))
    assert exception_class.__name__ == "PurgeArgumentError"
    assert last_line == f"guest_auth.exceptions.PurgeArgumentError: {raised.value}"
    assert Guest.objects.count() == 1


def test_bad_json_values_are_refused_too():
    for options, message in [
        ({"limit": True}, "--limit must be a positive integer, not True."),
        ({"batch_size": 2.5}, "--batch-size must be a positive integer, not 2.5."),
        ({"dry_run": "yes"}, "--dry-run must be true or false, not 'yes'."),
        ({"older_than": [1]}, "--older-than: [1] is not a duration."),
    ]:
        _, last_line = error_of(purge_guests.enqueue(**options))
        assert last_line.endswith(f"PurgeArgumentError: {message}")


def test_repeat_every_enqueues_the_next_run():
    aged(40)
    backend = task_backends["deferring"]
    before = timezone.now()
    result = purge_guests.using(backend="deferring").enqueue(repeat_every="1h", limit=5)
    assert result.return_value["deleted"] == 1
    ((task, args, kwargs),) = backend.deferred
    assert (task.name, task.backend, list(args)) == (purge_guests.name, "deferring", [])
    assert kwargs == {
        "older_than": None,
        "batch_size": None,
        "limit": 5,
        "time_limit": DEFAULT_TIME_LIMIT,
        "dry_run": False,
        "repeat_every": "1h",
    }
    assert before + timedelta(hours=1) <= task.run_after <= timezone.now() + timedelta(hours=1)
    assert result.return_value["next_run_after"] == task.run_after.isoformat()


def test_repeat_every_needs_a_backend_that_defers():
    aged(40)
    _, last_line = error_of(purge_guests.enqueue(repeat_every="1h"))
    assert last_line.endswith(
        "PurgeArgumentError: --repeat-every needs a task backend that can defer tasks "
        "(run_after); ImmediateBackend cannot."
    )
    assert Guest.objects.count() == 1  # refused before purging


def test_bad_options_with_repeat_every_schedule_nothing():
    _, last_line = error_of(
        purge_guests.using(backend="deferring").enqueue(repeat_every="1h", limit=0)
    )
    assert last_line.endswith("PurgeArgumentError: --limit must be a positive integer, not 0.")
    assert task_backends["deferring"].deferred == []


def test_repeat_every_bad_value():
    _, last_line = error_of(purge_guests.using(backend="deferring").enqueue(repeat_every="often"))
    assert "PurgeArgumentError: --repeat-every: 'often' is not a duration" in last_line
    assert task_backends["deferring"].deferred == []
