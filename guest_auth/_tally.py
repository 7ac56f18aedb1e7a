"""The insights' tally of removed guests, written inside the removing transaction.

Promotion, merge and purge each record here how many guests they removed, for
guest_auth.stats (the admin's insights).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from .models import GuestDay

__all__ = ["record_removed"]


def record_removed(event: str, created: Iterable[datetime], using: str | None = None) -> None:
    """Count guests removed now by ``event`` ("promoted", "merged", "purged").

    ``created`` holds the removed guests' creation times. Call it inside the
    transaction that removes them. One INSERT, however many days are involved,
    and never an UPDATE of a shared row, so it takes no lock anyone waits for.
    """
    created_days = Counter(timezone.localdate(moment) for moment in created)
    if not created_days:
        return
    today = timezone.localdate()
    rows = {day: GuestDay(day=day, created_gone=number) for day, number in created_days.items()}
    rows.setdefault(today, GuestDay(day=today))
    setattr(rows[today], event, sum(created_days.values()))
    GuestDay.objects.using(using).bulk_create(rows.values())
