"""The one duration parser (guest_auth._durations): bounded, ASCII digits only,
and what the settings and the purge command make of its errors."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from guest_auth._durations import MAX_DURATION, to_timedelta
from guest_auth.conf import guest_settings

TOO_LONG = "is longer than the maximum duration, 36500 days (100 years)."


@pytest.mark.parametrize(
    "value,expected",
    [
        ("30d", timedelta(days=30)),
        (" 12H ", timedelta(hours=12)),
        ("1.5h", timedelta(minutes=90)),
        ("3600", timedelta(hours=1)),
        (90, timedelta(seconds=90)),
        (0.5, timedelta(seconds=0.5)),
        (timedelta(weeks=2), timedelta(weeks=2)),
        ("36500d", MAX_DURATION),
    ],
)
def test_accepted(value, expected):
    assert to_timedelta(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "36501d",
        "99999999999d",
        "3000000d",
        "99999999999w",
        "9" * 5000,
        "1" + "0" * 400 + "s",
        10**30,
        float("inf"),
        timedelta(days=999999999),
        timedelta(days=36500, seconds=1),
    ],
)
def test_above_the_maximum_is_a_clear_value_error(value):
    with pytest.raises(ValueError) as excinfo:
        to_timedelta(value)
    assert str(excinfo.value) == f"{value!r} {TOO_LONG}"


@pytest.mark.parametrize(
    "value",
    # Fullwidth, Arabic-Indic, superscript and fraction characters; other notations.
    [
        *("\uff12d", "\uff11\uff12h", "\u0663d", "3\u00b2", "\u00bdd"),
        *("1e3", "0x10", "1_000", "nan", "inf"),
    ],
)
def test_only_ascii_digits(value):
    with pytest.raises(ValueError) as excinfo:
        to_timedelta(value)
    assert str(excinfo.value) == (
        f"{value!r} is not a duration; use seconds or a number with a unit "
        "s, m, h, d or w, such as 30d, 12h or 45m."
    )


def test_nan_number():
    with pytest.raises(ValueError) as excinfo:
        to_timedelta(float("nan"))
    assert str(excinfo.value) == "nan is not a duration."


@pytest.mark.parametrize("name", ["MAX_INACTIVITY", "ACTIVITY_INTERVAL"])
@pytest.mark.parametrize("value", ["99999999999d", "3000000d", timedelta(days=999999999), 10**20])
def test_huge_setting_is_improperly_configured(name, value):
    with (
        override_settings(**{f"GUEST_AUTH_{name}": value}),
        pytest.raises(ImproperlyConfigured) as excinfo,
    ):
        getattr(guest_settings, name)
    assert str(excinfo.value) == f"GUEST_AUTH_{name}: {value!r} {TOO_LONG}"


@override_settings(GUEST_AUTH_RATE_LIMIT="5/99999999999d")
def test_huge_rate_period_is_improperly_configured():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        getattr(guest_settings, "RATE_LIMIT")  # noqa: B009
    assert str(excinfo.value) == f"GUEST_AUTH_RATE_LIMIT: '99999999999d' {TOO_LONG}"


@override_settings(GUEST_AUTH_RATE_LIMIT="\uff15/h")
def test_rate_count_in_unicode_digits_is_refused():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        getattr(guest_settings, "RATE_LIMIT")  # noqa: B009
    assert str(excinfo.value) == (
        "GUEST_AUTH_RATE_LIMIT: '\uff15/h' is not a rate; use COUNT/PERIOD such as 30/h or 100/2h."
    )


@pytest.mark.parametrize(
    "option,value",
    [
        ("--older-than", "99999999999d"),
        ("--older-than", "3000000d"),
        ("--time-limit", "99999999999w"),
        ("--older-than", "\uff12d"),
    ],
)
@pytest.mark.django_db
def test_purge_command_huge_or_unicode_duration_is_one_line_error(option, value):
    with pytest.raises(CommandError) as excinfo:
        call_command("purge_guests", option, value, stdout=StringIO(), stderr=StringIO())
    message = str(excinfo.value)
    assert message.startswith(f"{option}: {value!r} ")
    assert "\n" not in message
