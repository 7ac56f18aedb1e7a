"""The insights' tally of removed guests, written inside the removing transaction.

Promotion, merge and purge each record here how many guests they removed, for
guest_auth.stats (the admin's insights).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db import connections, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Guest, GuestDay

__all__ = [
    "COUNTERS",
    "FREEZE_DAYS",
    "count_days",
    "freeze_days",
    "record_days",
    "record_removed",
    "roll_up",
    "start_of",
]

# The counters of a GuestDay row.
COUNTERS = ("promoted", "merged", "purged", "created_gone")
# Past days whose creations a purge run counts once and keeps (freeze_days).
FREEZE_DAYS = 60


def record_removed(event: str, created: Iterable[datetime], using: str | None = None) -> None:
    """Count guests removed now by ``event`` ("promoted", "merged", "purged").

    ``created`` holds the removed guests' creation times. Call it inside the
    transaction that removes them. One INSERT, however many days are involved,
    and never an UPDATE of a shared row, so it takes no lock anyone waits for.
    """
    record_days(event, count_days(created), using)


def record_days(event: str, created_days: Counter[date], using: str | None = None) -> None:
    """record_removed() for guests counted by their local creation day."""
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


def roll_up(using: str) -> int:
    """Merge each day's rows into one, and return how many rows went.

    Removals insert rows (one per purge batch, one per promotion), so that
    none waits for another's lock; the purge rolls them up at the end of its
    run, so the table keeps about one row per day. The rows are locked while
    they are merged: two runs rolling up at once merge each row once, and
    rows inserted meanwhile, or locked by another run, wait for the next run.
    """
    days = list(
        GuestDay.objects.using(using)
        .values("day")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .values_list("day", flat=True)
    )
    if not days:
        return 0
    # Locked by primary key and skipping locked rows: no wait for a promotion
    # in progress (InnoDB would otherwise make a locking read of a range of
    # days wait for the rows other transactions are inserting into it).
    pks = list(GuestDay.objects.using(using).filter(day__in=days).values_list("pk", flat=True))
    skip_locked = connections[using].features.has_select_for_update_skip_locked
    removed = 0
    with transaction.atomic(using=using):
        rows = (
            GuestDay.objects.using(using)
            .select_for_update(skip_locked=skip_locked)
            .filter(pk__in=pks)
            .order_by("day", "pk")
        )
        kept: list[GuestDay] = []
        gone: list[int] = []
        for _, group in groupby(rows, key=lambda row: row.day):
            first, *others = group
            if not others:
                continue
            for name in COUNTERS:
                setattr(first, name, sum(getattr(row, name) for row in (first, *others)))
            # Two runs may have frozen the same day: the same figure, kept once.
            frozen = [row.created for row in (first, *others) if row.created is not None]
            first.created = max(frozen) if frozen else None
            kept.append(first)
            gone.extend(row.pk for row in others)
        manager = GuestDay.objects.using(using)
        if connections[using].vendor == "mysql":
            # One row per statement: InnoDB may scan a small table whole for
            # "id IN (...)" and then wait for a row another transaction is
            # inserting; "id = %s" reads only its row.
            for row in kept:
                manager.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in (*COUNTERS, "created")}
                )
            for pk in gone:
                removed += manager.filter(pk=pk).delete()[0]
            return removed
        manager.bulk_update(kept, [*COUNTERS, "created"], batch_size=500)
        for start in range(0, len(gone), 500):
            removed += manager.filter(pk__in=gone[start : start + 500]).delete()[0]
    return removed


def freeze_days(using: str) -> int:
    """Count the creations of the past FREEZE_DAYS days not counted yet, and
    keep them; return how many days were counted.

    A day's creations are the guests created that day that still exist plus
    those removed since (their ``created_gone``), read in one statement (a
    UNION: one snapshot) so that a removal committing meanwhile is counted
    once. Once the day is over that figure is final: the insights then read
    it instead of counting the day's guests again, so their cost does not
    grow with the table. Usually one day (yesterday) per run.
    """
    today = timezone.localdate()
    days = GuestDay.objects.using(using)
    frozen = set(
        days.filter(day__gte=today - timedelta(days=FREEZE_DAYS), created__isnull=False)
        .values_list("day", flat=True)
        .distinct()
    )
    missing = [
        today - timedelta(days=n)
        for n in range(FREEZE_DAYS, 0, -1)
        if today - timedelta(days=n) not in frozen
    ]
    if not missing:
        return 0
    first = missing[0]
    existing = (
        Guest.objects.using(using)
        .filter(created_at__gte=start_of(first), created_at__lt=start_of(today))
        .annotate(on=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("on")
        .annotate(n=Count("pk"))
        .values_list("on", "n")
        .order_by()
    )
    gone = (
        days.filter(day__gte=first, day__lt=today)
        .values_list("day")
        .annotate(n=Sum("created_gone"))
        .values_list("day", "n")
        .order_by()
    )
    created: Counter[date] = Counter()
    for day, number in existing.union(gone, all=True):
        created[day] += number or 0
    days.bulk_create(GuestDay(day=day, created=created[day]) for day in missing)
    return len(missing)


def start_of(day: date) -> datetime:
    """The first moment of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
