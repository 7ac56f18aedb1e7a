from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from example_project.shop.demo import DEMO_PASSWORD, DEMO_USERNAME, PRODUCTS
from example_project.shop.models import CartItem, Product
from guest_auth.models import Guest
from guest_auth.stats import insights

pytestmark = pytest.mark.django_db

User = get_user_model()


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_creates_the_demo_account_with_a_mug_in_its_cart():
    Product.objects.all().delete()

    output = seed()

    assert output == (
        f"Products added: {len(PRODUCTS)}.\n"
        f"Created the account 'demo' (password '{DEMO_PASSWORD}'), with a mug in its cart.\n"
    )
    user = User.objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert not Guest.objects.filter(pk=user.pk).exists()
    assert list(CartItem.objects.values_list("user", "product__name", "quantity")) == [
        (user.pk, "Enamel mug", 1)
    ]


def test_seed_on_a_fresh_database_says_the_products_are_there():
    """The migrations add the products: "Products added: 0." read as a failure (issue 23)."""
    output = seed()

    assert output.startswith(f"The {len(PRODUCTS)} demo products are in place.\n")
    assert Product.objects.count() == len(PRODUCTS)


def test_seed_twice_changes_nothing():
    seed()
    user = User.objects.get(username=DEMO_USERNAME)
    user.set_password("changed-by-the-owner")
    user.save()

    output = seed()

    assert output == (
        f"The {len(PRODUCTS)} demo products are in place.\n"
        "The account 'demo' exists already; left as it is.\n"
    )
    assert Product.objects.count() == len(PRODUCTS)
    assert User.objects.get(username=DEMO_USERNAME).check_password("changed-by-the-owner")


def test_history_fills_the_insights():
    output = seed("--history")

    sample = Guest.objects.count()
    assert output.endswith(f"Sample guests added: {sample}.\n")
    figures = insights()
    assert figures.purgeable == 9
    assert figures.active + figures.idle == sample - 9
    assert all(day.created > 0 for day in figures.days)
    assert sum(day.promoted for day in figures.days) > 0
    assert sum(day.purged for day in figures.days) > 0
    assert 0.1 < figures.conversion_rate < 0.35
    assert all(g.created_at <= g.last_seen_at for g in Guest.objects.all())

    assert seed("--history").endswith("Sample guests added: 0.\n")
    assert Guest.objects.count() == sample
