"""The one parser of durations, given as timedelta, seconds, or text like ``30d``, and
of the rates built on them (``"30/h"``: how the GUEST_AUTH_*RATE_LIMIT settings are
written; ``conf`` cleans those settings with :func:`parse_rate`, ``_ratelimit`` counts
against the :class:`Rate`).

Settings, the purge command and rate periods all go through it, so they accept
the same values and fail with the same one-line reasons. A duration is bounded
(:data:`MAX_DURATION`): a longer one would overflow date arithmetic later, in a
request, instead of failing where it was written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["MAX_DURATION", "Rate", "parse_rate", "to_timedelta"]

#: The longest duration accepted: a hundred years is "never" for every use here.
MAX_DURATION = timedelta(days=36500)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# [0-9], not \d: \d also matches other scripts' digits (fullwidth, Arabic-Indic...).
_TEXT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhdw]?)\s*$", re.IGNORECASE | re.ASCII)


def to_timedelta(value: object) -> timedelta:
    """Return a positive timedelta of at most MAX_DURATION, or raise ValueError.

    Accepts a timedelta, a number of seconds, or a string: plain seconds
    (``"3600"``) or a number with one unit, s, m, h, d or w (``"45m"``,
    ``"30d"``), written with ASCII digits. The ValueError's message is one line.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:  # NaN
            raise ValueError(f"{value!r} is not a duration.")
        try:
            seconds = float(value)
        except OverflowError:  # an int too large for a float
            seconds = math.copysign(math.inf, value)
    elif isinstance(value, str):
        match = _TEXT.match(value)
        if match is None:
            raise ValueError(
                f"{value!r} is not a duration; use seconds or a number with a unit "
                "s, m, h, d or w, such as 30d, 12h or 45m."
            )
        number, unit = match.groups()
        # float() of any run of ASCII digits is finite or inf, never an error.
        seconds = float(number) * _UNITS[unit.lower() or "s"]
    else:
        raise ValueError(f"{value!r} is not a duration.")
    if seconds <= 0:
        raise ValueError(f"the duration must be positive, not {value!r}.")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(
            f"{value!r} is longer than the maximum duration, "
            f"{MAX_DURATION.days} days ({MAX_DURATION.days // 365} years)."
        )
    return value if isinstance(value, timedelta) else timedelta(seconds=seconds)


# ASCII digits only, and few enough to stay a sane int.
_RATE = re.compile(r"^\s*([0-9]{1,9})\s*/\s*(\S+)\s*$", re.ASCII)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value: str) -> Rate:
    """``"30/h"``, ``"100/2h"``, ``"5/30s"``, ``"1000/d"`` -> Rate; ValueError otherwise."""
    match = _RATE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a rate; use COUNT/PERIOD such as 30/h or 100/2h.")
    count, period = match.groups()
    if period.isalpha():
        period = f"1{period}"
    seconds = to_timedelta(period).total_seconds()
    if int(count) < 1 or seconds < 1 or seconds != int(seconds):
        raise ValueError(f"{value!r} needs a count of at least 1 and whole seconds.")
    return Rate(int(count), int(seconds))
