"""Demo data: the products, a regular account to log into, sample guest figures.

``python manage.py seed_demo`` calls seed(); running it again changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from guest_auth.adapter import get_adapter
from guest_auth.models import Guest, GuestDay

from .models import CartItem, Product

# Documented in the README ("Try it from a fresh clone"): log in with these as
# a guest to see the carts combine.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "guest-shop-demo"

PRODUCTS = [
    ("Enamel mug", "12.50", "A sturdy camp mug that survives being dropped."),
    ("Dot-grid notebook", "9.00", "A5, 120 pages of 100 gsm paper."),
    ("Fountain pen", "34.00", "Steel nib, refillable converter included."),
    ("Canvas tote bag", "15.00", "Heavy cotton, long handles, one inner pocket."),
    ("Desk plant", "19.90", "A small pothos in a ceramic pot. Hard to kill."),
]

# Sample guests get this username prefix, so a second run can tell they exist.
SAMPLE_PREFIX = "guest_sample_"
HISTORY_DAYS = 30


@dataclass(frozen=True)
class Seeded:
    products: int
    demo_user_created: bool
    sample_guests: int


@transaction.atomic
def seed(history: bool = False) -> Seeded:
    products = 0
    for name, price, description in PRODUCTS:
        _, created = Product.objects.get_or_create(
            name=name, defaults={"price": Decimal(price), "description": description}
        )
        products += created
    demo_created = _demo_user()
    sample_guests = _history() if history else 0
    return Seeded(products, demo_created, sample_guests)


def _demo_user() -> bool:
    """A regular account with one mug in its cart, unless it exists already."""
    user_model = get_user_model()
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: DEMO_USERNAME}).exists():
        return False
    user = user_model._default_manager.create_user(DEMO_USERNAME, password=DEMO_PASSWORD)
    CartItem.objects.create(user=user, product=Product.objects.get(name="Enamel mug"))
    return True


def reset_demo_cart(user) -> None:
    """Before someone logs in as the shared demo account: back to one mug.

    Every visitor who tries "log in as demo" merges a guest cart into the same
    account; without this, the README's "one mug plus what you added" would
    hold only for the first of them. Other accounts are left alone.
    """
    if user.get_username() != DEMO_USERNAME:
        return
    mug = Product.objects.filter(name="Enamel mug").first()
    with transaction.atomic():
        CartItem.objects.filter(user=user).delete()
        if mug is not None:
            CartItem.objects.create(user=user, product=mug)


def _history() -> int:
    """Thirty days of made-up guest traffic for the admin's insights.

    Guests that "still exist" are real guests (created in the past, some idle,
    a few old enough to purge); those that "went" are counted in GuestDay as
    guest_auth records promotions, merges and purges.
    """
    user_model = get_user_model()
    if user_model._default_manager.filter(
        **{f"{user_model.USERNAME_FIELD}__startswith": SAMPLE_PREFIX}
    ).exists():
        return 0
    rng = random.Random(8)  # the same figures every time
    now = timezone.now()
    today = timezone.localdate(now)
    guests = []  # (created_at, last_seen_at)
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        created = rng.randint(12, 22) + (8 if weekend else 0) + (HISTORY_DAYS - back) // 3
        promoted = round(created * rng.uniform(0.12, 0.3))
        merged = rng.randint(0, 3)
        purged = rng.randint(4, 12) if back % 7 == 0 else 0  # a weekly purge
        GuestDay.objects.filter(day=day).delete()  # so that seeding again replaces it
        GuestDay.objects.create(
            day=day, promoted=promoted, merged=merged, purged=purged, created_gone=promoted + merged
        )
        for _ in range(created - promoted - merged):
            created_at = now - timedelta(days=back, seconds=rng.randint(0, 80_000))
            seen = created_at + (now - created_at) * rng.random() ** 3
            guests.append((created_at, min(seen, now)))
    # A few guests idle for longer than GUEST_AUTH_MAX_INACTIVITY: the next purge's.
    for _ in range(9):
        created_at = now - timedelta(days=rng.randint(40, 60))
        guests.append((created_at, now - timedelta(days=rng.randint(31, 39))))

    adapter = get_adapter()
    users = []
    for n in range(len(guests)):
        user = adapter.new_guest_user(None)
        setattr(user, user_model.USERNAME_FIELD, f"{SAMPLE_PREFIX}{n:04d}")
        users.append(user)
    users = user_model._default_manager.bulk_create(users)
    Guest.objects.bulk_create(
        Guest(user=user, created_at=created_at, last_seen_at=seen)
        for user, (created_at, seen) in zip(users, guests, strict=True)
    )
    return len(users)
