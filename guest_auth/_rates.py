"""Rates such as ``"30/h"``: how the GUEST_AUTH_*RATE_LIMIT settings are written.

Below ``conf`` (which cleans those settings with :func:`parse_rate`) and
``_ratelimit`` (which counts against them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._durations import to_timedelta

__all__ = ["Rate", "parse_rate"]

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
