from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guest_auth.models import Guest
from tests.factories import GuestFactory


def purge(*args):
    out = StringIO()
    call_command("purge_guests", *args, stdout=out)
    return out.getvalue()


def aged(days):
    return GuestFactory(last_seen_at=timezone.now() - timedelta(days=days))


@pytest.mark.django_db
def test_purge_default_window():
    aged(31), aged(29)
    assert purge() == "Purged 1 guests.\n"
    assert Guest.objects.count() == 1


@pytest.mark.django_db
def test_purge_dry_run():
    aged(31), aged(31)
    assert purge("--dry-run") == "Would purge 2 guests.\n"
    assert Guest.objects.count() == 2


@pytest.mark.parametrize("window,expected", [("12h", 3), ("2d", 2), ("45m", 3),
                                             ("864000", 1), ("10D", 1), ("3w", 0)])
@pytest.mark.django_db
def test_purge_older_than(window, expected):
    aged(1), aged(3), aged(11)
    assert purge("--older-than", window, "--dry-run") == f"Would purge {expected} guests.\n"


@pytest.mark.django_db
def test_purge_batch_size():
    for _ in range(5):
        aged(40)
    assert purge("--batch-size", "2") == "Purged 5 guests.\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--older-than", "banana"],
         "--older-than: 'banana' is not a duration; use seconds or a number with a unit "
         "s, m, h, d or w, such as 30d, 12h or 45m."),
        (["--older-than", "0"], "--older-than: the duration must be positive, not '0'."),
        (["--older-than=-5d"],
         "--older-than: '-5d' is not a duration; use seconds or a number with a unit "
         "s, m, h, d or w, such as 30d, 12h or 45m."),
        (["--batch-size", "0"], "--batch-size must be a positive integer, not '0'."),
        (["--batch-size", "ten"], "--batch-size must be a positive integer, not 'ten'."),
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
