"""The insights' tally of removed guests, written inside the removing transaction.

Promotion, merge and purge each record here how many guests they removed, for
guest_auth.stats (the admin's insights).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from .models import GuestDay

__all__ = ["count_days", "record_removed"]


def record_removed(event: str, created: Iterable[datetime], using: str | None = None) -> None:
    """Count guests removed now by ``event`` ("promoted", "merged", "purged").

    ``created`` holds the removed guests' creation times. Call it inside the
    transaction that removes them. One INSERT, however many days are involved,
    and never an UPDATE of a shared row, so it takes no lock anyone waits for.
    """
    created_days = count_days(created)
    if not created_days:
        return
    today = timezone.localdate()
    rows = {day: GuestDay(day=day, created_gone=number) for day, number in created_days.items()}
    rows.setdefault(today, GuestDay(day=today))
    setattr(rows[today], event, sum(created_days.values()))
    GuestDay.objects.using(using).bulk_create(rows.values())


def count_days(moments: Iterable[datetime]) -> Counter[date]:
    """How many of ``moments`` fall on each local day.

    The moments are sorted and cut at the days' boundaries, rather than each
    converted to local time: a purge batch counts thousands of them.
    """
    ordered = sorted(moments)
    counts: Counter[date] = Counter()
    zone = timezone.get_current_timezone()
    start = 0
    while start < len(ordered):
        day = timezone.localdate(ordered[start], zone)
        next_day = datetime.combine(day + timedelta(days=1), datetime.min.time())
        end = bisect_left(ordered, timezone.make_aware(next_day, zone), start)
        if (
            end == start
            or timezone.localdate(ordered[end - 1], zone) != day
            or (end < len(ordered) and timezone.localdate(ordered[end], zone) == day)
        ):
            # A day that does not start at midnight (a DST change then): one by one.
            return Counter(timezone.localdate(moment, zone) for moment in ordered)
        counts[day] += end - start
        start = end
    return counts
