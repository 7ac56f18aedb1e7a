"""Guest figures for the admin's insights: counts now and per day.

Creating a guest writes nothing here (it must stay one INSERT more than
plain Django). A day's creations are counted instead as the guests created
that day that still exist, plus those created that day and removed since,
which promotion, merge and purge record when they remove them, in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .conf import guest_settings
from .models import Guest, GuestDay

__all__ = ["DayFigures", "Insights", "insights"]

_COUNTERS = ("promoted", "merged", "purged", "created_gone")

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
    counts = Guest.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(last_seen_at__gte=now - ACTIVE_WITHIN)),
        purgeable=Count("pk", filter=Q(last_seen_at__lt=purge_cutoff)),
    )
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    existing = dict(
        Guest.objects.filter(created_at__gte=_start_of(first))
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    recorded = {
        row["day"]: row
        for row in GuestDay.objects.filter(day__gte=first)
        .values("day")
        .annotate(**{name: Sum(name) for name in _COUNTERS})
    }
    figures = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = recorded.get(day, dict.fromkeys(_COUNTERS, 0))
        figures.append(
            DayFigures(
                day=day,
                created=existing.get(day, 0) + row["created_gone"],
                promoted=row["promoted"],
                merged=row["merged"],
                purged=row["purged"],
            )
        )
    return Insights(
        active=counts["active"],
        idle=counts["total"] - counts["active"] - counts["purgeable"],
        purgeable=counts["purgeable"],
        days=figures,
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
