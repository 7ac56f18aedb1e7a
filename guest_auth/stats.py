"""Guest figures for the admin's insights: counts now and per day.

Creating a guest writes nothing here (it must stay one INSERT more than
plain Django). A day's creations are counted instead as the guests created
that day that still exist, plus those created that day and removed since,
which promotion, merge and purge record when they remove them, in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import router
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ._insights.counts import estimated_count, row_count
from ._insights.tally import COUNTERS, start_of
from .conf import guest_settings
from .models import Guest, GuestDay

__all__ = ["DayFigures", "Insights", "insights"]


# A guest seen within this long counts as active; before that, as idle.
ACTIVE_WITHIN = timedelta(days=1)


@dataclass(frozen=True)
class DayFigures:
    day: date
    created: int
    promoted: int
    merged: int
    purged: int


@dataclass(frozen=True)
class Insights:
    #: Guests seen within the last day.
    active: int
    #: Guests seen before that, but within GUEST_AUTH_MAX_INACTIVITY.
    idle: int
    #: Guests inactive for longer than GUEST_AUTH_MAX_INACTIVITY: the next purge removes them.
    purgeable: int
    #: One entry per day, oldest first, today last.
    days: list[DayFigures]
    #: True when the counts are the database's estimates (a table of over
    #: 100,000 guests: see guest_auth._insights.counts).
    approximate: bool = False

    @property
    def conversion_rate(self) -> float | None:
        """Promoted / created over the period, or None when nobody was created."""
        created = sum(day.created for day in self.days)
        if not created:
            return None
        return sum(day.promoted for day in self.days) / created


def insights(days: int = 30) -> Insights:
    """Current guest counts and the last ``days`` days' figures (in TIME_ZONE)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days!r}.")
    now = timezone.now()
    purge_cutoff = now - guest_settings.MAX_INACTIVITY
    # The table's size and two ranges of the last_seen_at index: counted
    # while the table is small, estimated by the database once it is large.
    # No query here reads the whole table, nor ranges that grow with it.
    using = router.db_for_read(Guest)
    total, approximate = row_count(Guest, using)
    active = _count(
        Guest.objects.using(using).filter(last_seen_at__gte=now - ACTIVE_WITHIN), approximate
    )
    purgeable = _count(
        Guest.objects.using(using).filter(last_seen_at__lt=purge_cutoff), approximate
    )
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    recorded = {
        row["day"]: row
        for row in GuestDay.objects.using(using)
        .filter(day__gte=first)
        .values("day")
        .annotate(frozen=Max("created"), **{name: Sum(name) for name in COUNTERS})
    }
    # Days a purge run has counted (guest_auth._insights.tally.freeze_days) are read;
    # the others (today, at least) counted off a range of the created_at index.
    counted = [day for day, row in recorded.items() if row["frozen"] is not None]
    uncounted_from = max(counted, default=first - timedelta(days=1)) + timedelta(days=1)
    if uncounted_from > first and any(
        first + timedelta(days=n) not in counted for n in range((uncounted_from - first).days)
    ):
        uncounted_from = first  # a gap: count the whole period
    existing = dict(
        Guest.objects.using(using)
        .filter(created_at__gte=start_of(uncounted_from))
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    figures = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = recorded.get(day, {**dict.fromkeys(COUNTERS, 0), "frozen": None})
        created = row["frozen"]
        if created is None or day >= uncounted_from:
            created = existing.get(day, 0) + row["created_gone"]
        figures.append(
            DayFigures(
                day=day,
                created=created,
                promoted=row["promoted"],
                merged=row["merged"],
                purged=row["purged"],
            )
        )
    return Insights(
        active=active,
        idle=max(total - active - purgeable, 0),
        purgeable=purgeable,
        days=figures,
        approximate=approximate,
    )


def _count(queryset: Any, approximate: bool) -> int:
    if approximate:
        estimate = estimated_count(queryset)
        if estimate is not None:
            return estimate
    return queryset.count()
