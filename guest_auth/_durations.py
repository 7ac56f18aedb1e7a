"""Parsing of durations given as timedelta, seconds, or text like ``30d``."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["to_timedelta"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)


def to_timedelta(value: object) -> timedelta:
    """Return a positive timedelta, or raise ValueError with a one-line reason.

    Accepts a timedelta, a number of seconds, or a string: plain seconds
    (``"3600"``) or a number with one unit, s, m, h, d or w (``"45m"``, ``"30d"``).
    """
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = timedelta(seconds=value)
    elif isinstance(value, str):
        match = _TEXT.match(value)
        if match is None:
            raise ValueError(
                f"{value!r} is not a duration; use seconds or a number with a unit "
                "s, m, h, d or w, such as 30d, 12h or 45m."
            )
        number, unit = match.groups()
        result = timedelta(seconds=float(number) * _UNITS[unit.lower() or "s"])
    else:
        raise ValueError(f"{value!r} is not a duration.")
    if result <= timedelta(0):
        raise ValueError(f"the duration must be positive, not {value!r}.")
    return result
