import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guest_auth.models import Guest
from tests.helpers.purge import aged
from tests.purgeapp.models import Invoice, Receipt, Upload
from tests.purgeapp.processes import manage


def purge(*args, stderr=None):
    out = StringIO()
    call_command("purge_guests", *args, stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_purge_default_window():
    aged(31), aged(29)
    assert purge() == "Purged 1 guest.\n"
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_purge_dry_run():
    aged(31), aged(31)
    assert purge("--dry-run") == "Would purge 2 guests.\n"
    assert Guest.objects.count() == 2


@pytest.mark.parametrize(
    "window,expected", [("12h", 3), ("2d", 2), ("45m", 3), ("864000", 1), ("10D", 1), ("3w", 0)]
)
@pytest.mark.django_db
def test_purge_older_than(window, expected):
    aged(1), aged(3), aged(11)
    assert (
        purge("--older-than", window, "--dry-run")
        == f"Would purge {expected} guest{'s' * (expected != 1)}.\n"
    )


@pytest.mark.django_db
def test_purge_batch_size():
    for _ in range(5):
        aged(40)
    assert purge("--batch-size", "2") == "Purged 5 guests.\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--older-than", "banana"],
            "--older-than: 'banana' is not a duration; use seconds or a number with a unit "
            "s, m, h, d or w, such as 30d, 12h or 45m.",
        ),
        (["--older-than", "0"], "--older-than: the duration must be positive, not '0'."),
        (
            ["--older-than=-5d"],
            "--older-than: '-5d' is not a duration; use seconds or a number with a unit "
            "s, m, h, d or w, such as 30d, 12h or 45m.",
        ),
        (["--batch-size", "0"], "--batch-size must be a positive integer, not '0'."),
        (["--batch-size", "ten"], "--batch-size must be a positive integer, not 'ten'."),
        (["--limit", "0"], "--limit must be a positive integer, not '0'."),
        (["--limit", "1.5"], "--limit must be a positive integer, not '1.5'."),
        (
            ["--time-limit", "-1"],
            "--time-limit: '-1' is not a duration; use seconds or a number with a unit "
            "s, m, h, d or w, such as 30d, 12h or 45m.",
        ),
        (["--time-limit", "0m"], "--time-limit: the duration must be positive, not '0m'."),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_a_one_line_command_error(args, message):
    aged(90)
    with pytest.raises(CommandError) as excinfo:
        purge(*args)
    assert str(excinfo.value) == message
    assert "\n" not in message
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_protected_guests_are_reported():
    aged(40)
    Invoice.objects.create(owner=aged(40).user)
    Receipt.objects.create(item=aged(40).user.purge_items.create())
    expected = "guests that own rows protecting them: purgeapp.Invoice, purgeapp.Receipt.\n"
    assert purge("--dry-run") == f"Would purge 1 guest.\nWould skip 2 {expected}"
    assert Guest.objects.count() == 3
    assert purge() == f"Purged 1 guest.\nSkipped 2 {expected}"
    assert Guest.objects.count() == 2


@pytest.mark.django_db
def test_limit_slices_the_work():
    for _ in range(5):
        aged(40)
    stopped = "Stopped at --limit 2; inactive guests may remain.\n"
    assert purge("--limit", "2") == f"Purged 2 guests.\n{stopped}"
    assert purge("--limit", "2", "--dry-run") == f"Would purge 2 guests.\n{stopped}"
    assert purge("--limit", "2") == f"Purged 2 guests.\n{stopped}"
    assert purge("--limit", "2") == "Purged 1 guest.\n"


@pytest.mark.django_db
def test_time_limit():
    aged(40)
    assert purge("--time-limit", "10m") == "Purged 1 guest.\n"


@pytest.mark.django_db
def test_time_limit_reached():
    from django.db.models.signals import post_delete

    for _ in range(2):
        Upload.objects.create(owner=aged(40).user, name="slow.png")

    def slow(**kwargs):
        time.sleep(0.6)

    post_delete.connect(slow, sender=Upload)
    try:
        output = purge("--time-limit", "0.5", "--batch-size", "1")
    finally:
        post_delete.disconnect(slow, sender=Upload)
    assert output == "Purged 1 guest.\nStopped at --time-limit 0.5; inactive guests may remain.\n"


@pytest.mark.django_db
def test_progress_on_stderr_with_verbosity_2():
    for _ in range(3):
        aged(40)
    err = StringIO()
    assert purge("--batch-size", "2", "-v", "2", stderr=err) == "Purged 3 guests.\n"
    lines = err.getvalue().splitlines()
    assert [line.rsplit(",", 1)[0] for line in lines] == [
        "Batch 1: 2 guests purged, 0 skipped",
        "Batch 2: 3 guests purged, 0 skipped",
    ]
    assert all(line.endswith(" s.") for line in lines)

    aged(40)
    err = StringIO()
    purge("--dry-run", "-v", "2", stderr=err)
    assert err.getvalue().startswith("Batch 1: 1 guests would be purged, 0 skipped, ")


@pytest.mark.django_db
def test_no_progress_at_default_verbosity():
    aged(40)
    err = StringIO()
    purge(stderr=err)
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_database_error_is_a_command_error_and_finished_batches_stay():
    from django.db import connection
    from django.db.models.signals import post_delete

    for _ in range(2):
        Upload.objects.create(owner=aged(40).user, name="x.png")
    calls = []

    def broken(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM purgeapp_no_such_table")

    post_delete.connect(broken, sender=Upload)
    try:
        with pytest.raises(CommandError) as excinfo:
            purge("--batch-size", "1")
    finally:
        post_delete.disconnect(broken, sender=Upload)
    message = str(excinfo.value)
    assert message.startswith("Database error after purging 1 guests: ")
    assert "no_such_table" in message and "\n" not in message
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_window_shorter_than_session_age_warns(settings):
    settings.SESSION_COOKIE_AGE = 86400
    aged(3)
    err = StringIO()
    assert purge("--older-than", "12h", stderr=err) == "Purged 1 guest.\n"
    assert err.getvalue() == (
        "Warning: --older-than 12h is shorter than SESSION_COOKIE_AGE (86400 s): guests "
        "whose sessions are still valid may be purged.\n"
    )
    err = StringIO()
    purge("--older-than", "1d", stderr=err)
    assert err.getvalue() == ""


# Exit status, from a real process ------------------------------------------------------


def test_bad_input_exits_non_zero():
    result = manage("purge_guests", "--batch-size", "0", url="sqlite://")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "CommandError: --batch-size must be a positive integer, not '0'.\n"


def test_database_error_exits_non_zero():
    # A fresh in-memory database has no tables: the first query fails.
    result = manage("purge_guests", url="sqlite://")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("CommandError: Database error after purging 0 guests: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database another process sees")
@pytest.mark.django_db(transaction=True)
def test_success_exits_zero():
    aged(40)
    aged(1)
    result = manage("purge_guests")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Purged 1 guest.\n", "")
    assert Guest.objects.count() == 1
