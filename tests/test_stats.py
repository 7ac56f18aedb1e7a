from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from guest_auth.models import GuestDay
from guest_auth.services import merge_guest, promote_guest, purge_guests
from guest_auth.stats import DayFigures, insights
from tests.factories import PASSWORD, GuestFactory, UserFactory

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
