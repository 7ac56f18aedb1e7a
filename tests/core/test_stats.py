import random
from collections import Counter
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guest_auth._insights.tally import COUNTERS
from guest_auth.models import Guest, GuestDay
from guest_auth.services import merge_guest, promote_guest, purge_guests
from guest_auth.stats import DayFigures, insights
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory

DAY = timedelta(days=1)


def guest_created(days_ago, seen_days_ago=None):
    now = timezone.now()
    seen = now - DAY * (days_ago if seen_days_ago is None else seen_days_ago)
    return GuestFactory(created_at=now - DAY * days_ago, last_seen_at=seen).user


def username(n):
    return f"s{n}@example.com" if get_user_model().USERNAME_FIELD == "email" else f"s{n}"


@pytest.mark.django_db
def test_counts_now():
    guest_created(0)  # active
    guest_created(5, seen_days_ago=3)  # idle
    guest_created(40, seen_days_ago=35)  # purgeable
    guest_created(60, seen_days_ago=31)  # purgeable
    figures = insights()
    assert (figures.active, figures.idle, figures.purgeable) == (1, 1, 2)


@pytest.mark.django_db
def test_days_count_creations_that_were_removed_since():
    today = timezone.localdate()
    promoted = guest_created(3)
    merged = guest_created(3)
    guest_created(3)  # still a guest
    guest_created(2)
    purged = guest_created(40, seen_days_ago=35)
    promote_guest(
        None, promoted, password=PASSWORD, **{get_user_model().USERNAME_FIELD: username(1)}
    )
    merge_guest(merged, UserFactory())
    assert purge_guests() == 1
    assert not get_user_model().objects.filter(pk=purged.pk).exists()

    days = insights(days=5).days
    assert [d.day for d in days] == [today - DAY * n for n in range(4, -1, -1)]
    assert days[1] == DayFigures(day=today - 3 * DAY, created=3, promoted=0, merged=0, purged=0)
    assert days[2].created == 1
    assert days[-1] == DayFigures(day=today, created=0, promoted=1, merged=1, purged=1)
    # The purged guest was created 40 days ago: outside the window, but recorded.
    assert GuestDay.objects.filter(day=today - 40 * DAY).get().created_gone == 1


@pytest.mark.django_db
def test_conversion_rate():
    assert insights().conversion_rate is None
    for _ in range(3):
        guest_created(1)
    promote_guest(
        None, guest_created(1), password=PASSWORD, **{get_user_model().USERNAME_FIELD: username(2)}
    )
    assert insights().conversion_rate == 0.25


@pytest.mark.django_db
def test_merge_on_login_is_recorded(client):
    client.get("/guest-view/")
    user = UserFactory()
    response = client.post(
        "/accounts/login/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert insights(days=1).days[0] == DayFigures(
        day=timezone.localdate(), created=1, promoted=0, merged=1, purged=0
    )


@pytest.mark.django_db
def test_failed_promotion_records_nothing(user):
    from guest_auth.exceptions import NotAGuest

    with pytest.raises(NotAGuest):
        promote_guest(None, user, password=PASSWORD)
    assert not GuestDay.objects.exists()


@pytest.mark.django_db
def test_dry_runs_record_nothing():
    merge_guest(guest_created(1), UserFactory(), dry_run=True)
    guest_created(50, seen_days_ago=40)
    purge_guests(dry_run=True)
    assert not GuestDay.objects.exists()


def test_days_must_be_positive():
    with pytest.raises(ValueError) as excinfo:
        insights(days=0)
    assert str(excinfo.value) == "days must be at least 1, not 0."


@pytest.mark.django_db
def test_purge_rolls_up_one_row_per_batch_into_one_per_day():
    today = timezone.localdate()
    for _ in range(3):
        guest_created(40, seen_days_ago=35)
    guest_created(50, seen_days_ago=35)
    promote_guest(
        None, guest_created(2), password=PASSWORD, **{get_user_model().USERNAME_FIELD: username(3)}
    )
    assert purge_guests(batch_size=1) == 4

    rows = {row.day: row for row in GuestDay.objects.all()}
    assert GuestDay.objects.count() == len(rows)  # one row per day
    # The removals' days, and the past 60 days' creations counted (frozen).
    assert set(rows) == {today - 50 * DAY, today} | {today - n * DAY for n in range(1, 61)}
    assert (rows[today].purged, rows[today].promoted, rows[today].created_gone) == (4, 1, 0)
    assert rows[today - 40 * DAY].created_gone == 3
    assert rows[today - 50 * DAY].created_gone == 1
    assert rows[today - 2 * DAY].created_gone == 1
    assert insights(days=3).days[0].created == 1


@pytest.mark.django_db
def test_roll_up_keeps_the_sums():
    from guest_auth._insights.tally import roll_up

    today = timezone.localdate()
    for promoted, purged in [(1, 0), (0, 5), (2, 7)]:
        GuestDay.objects.create(day=today, promoted=promoted, purged=purged, created_gone=1)
    GuestDay.objects.create(day=today - DAY, merged=4)
    assert roll_up("default") == 2
    assert list(GuestDay.objects.order_by("day").values_list("day", *COUNTERS)) == [
        (today - DAY, 0, 4, 0, 0),
        (today, 3, 0, 12, 3),
    ]
    assert roll_up("default") == 0


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Santiago", "Asia/Kathmandu"])
def test_count_days_agrees_with_converting_each_moment(zone, settings):
    from guest_auth._insights.tally import count_days

    settings.TIME_ZONE = zone
    # Every 37 minutes over a year: DST changes included (Santiago's at midnight).
    start = datetime(2025, 1, 1, tzinfo=dt_timezone.utc)
    moments = [start + timedelta(minutes=37 * n) for n in range(14_300)]
    random.Random(18).shuffle(moments)
    expected = Counter(timezone.localdate(moment) for moment in moments)
    assert count_days(moments) == expected
    assert count_days([]) == Counter()


@pytest.mark.django_db
def test_insights_counts_without_reading_the_whole_table():
    guest_created(0)
    guest_created(5, seen_days_ago=3)
    with CaptureQueriesContext(connection) as queries:
        figures = insights()
    assert (figures.active, figures.idle, figures.purgeable) == (1, 1, 0)
    assert figures.approximate is False
    table = connection.ops.quote_name(Guest._meta.db_table)
    # Each query on the guest table is bounded by an indexed column, except
    # the table's size: counted while small, estimated once large (below).
    unbounded = [
        q["sql"]
        for q in queries.captured_queries
        if f"FROM {table}" in q["sql"] and "WHERE" not in q["sql"]
    ]
    assert len(unbounded) == 1, unbounded
    assert "COUNT(*)" in unbounded[0].upper()


# ANALYZE TABLE commits on MySQL/MariaDB: a transactional test, flushed after.
@pytest.mark.django_db(transaction=True)
def test_insights_estimates_the_size_of_a_large_table(monkeypatch):
    from guest_auth._insights import counts as insight_counts

    for _ in range(3):
        guest_created(5, seen_days_ago=3)
    guest_created(0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Guest._meta.db_table)}")
    elif connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE TABLE {connection.ops.quote_name(Guest._meta.db_table)}")
            cursor.fetchall()
    monkeypatch.setattr(insight_counts, "EXACT_UP_TO", 1)
    figures = insights()
    estimate = insight_counts.estimated_rows(Guest, "default")
    if connection.vendor == "sqlite":
        assert estimate is None
        assert (figures.idle, figures.approximate) == (3, False)
    else:
        from guest_auth._insights.counts import estimated_count

        assert estimate is not None
        assert figures.approximate is True
        recent = Guest.objects.filter(last_seen_at__gte=timezone.now() - DAY)
        old = Guest.objects.filter(last_seen_at__lt=timezone.now() - 30 * DAY)
        assert (figures.active, figures.purgeable) == (
            estimated_count(recent),
            estimated_count(old),
        )
        assert figures.idle == max(estimate - figures.active - figures.purgeable, 0)


@pytest.mark.django_db
def test_past_days_are_counted_once_by_a_purge_run_and_read_after():
    guest_created(3)
    promoted = guest_created(3)
    guest_created(0)
    assert purge_guests() == 0  # nothing idle; the run counts the past days
    assert GuestDay.objects.get(day=timezone.localdate() - 3 * DAY).created == 2

    # A removal after that does not change how many were created that day.
    promote_guest(
        None, promoted, password=PASSWORD, **{get_user_model().USERNAME_FIELD: username(4)}
    )
    # A row that appeared behind the count's back shows it is read, not recounted;
    # today, not over yet, is counted live.
    guest_created(3)
    guest_created(0)
    days = insights(days=4).days
    assert [day.created for day in days] == [2, 0, 0, 2]
    assert days[-1].promoted == 1

    purge_guests()  # a second run counts nothing again and keeps one row a day
    assert GuestDay.objects.filter(day=timezone.localdate() - 3 * DAY).count() == 1
    assert insights(days=4).days[0].created == 2
