"""The demo's story end to end. Run from the repository root with
``python -m pytest example_project/tests -p no:cacheprovider --ds=example_project.settings``.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from example_project.shop.models import CartItem, Product
from guest_auth.models import Guest

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Cart-Keeper-2931"


@pytest.fixture
def product():
    return Product.objects.create(name="Test kettle", price=Decimal("25.00"))


def add(client, product, **extra):
    return client.post(reverse("shop:add_to_cart", args=[product.pk]), **extra)


def promote(client, username="alice"):
    return client.post(
        reverse("guest_auth:promote"),
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_product_list_shows_seeded_products_and_creates_no_user(client):
    response = client.get(reverse("shop:product_list"))

    assert response.status_code == 200
    assert Product.objects.count() >= 4  # the data migration's products
    for product in Product.objects.all():
        assert product.name in response.text
    assert "Add to cart" in response.text
    assert "You are not signed in" in response.text
    assert not User.objects.exists()


def test_add_to_cart_creates_one_guest_and_one_item(client, product):
    response = add(client, product)

    assert response.status_code == 302
    assert response.url == reverse("shop:cart")
    guest = Guest.objects.get()
    item = CartItem.objects.get()
    assert (item.user_id, item.product_id, item.quantity) == (guest.pk, product.pk, 1)
    assert User.objects.count() == 1


def test_add_to_cart_twice_reuses_the_guest(client, product):
    add(client, product)
    add(client, product)

    assert User.objects.count() == 1
    assert CartItem.objects.get().quantity == 2


def test_cart_offers_a_guest_to_create_an_account(client, product):
    add(client, product)
    response = client.get(reverse("shop:cart"))

    assert "You are browsing as a guest" in response.text
    assert "Test kettle" in response.text
    assert "Create an account to keep your cart" in response.text
    assert f'href="{reverse("guest_auth:promote")}?next=/cart/"' in response.text


def test_promotion_keeps_the_user_and_the_cart(client, product):
    add(client, product)
    guest_pk = Guest.objects.get().pk

    response = promote(client)

    assert response.status_code == 302
    assert response.url == "/cart/"
    user = User.objects.get()
    assert user.pk == guest_pk
    assert user.username == "alice"
    assert user.check_password(PASSWORD)
    assert not Guest.objects.exists()
    assert list(CartItem.objects.values_list("user_id", "product_id")) == [(guest_pk, product.pk)]
    # Still logged in, now as a regular user.
    response = client.get(reverse("shop:account"))
    assert response.status_code == 200
    assert "alice" in response.text


def test_account_sends_a_guest_to_the_promote_page(client, product):
    add(client, product)

    response = client.get(reverse("shop:account"))

    assert response.status_code == 302
    assert response.url == f"{reverse('guest_auth:promote')}?next=/account/"


def test_account_sends_an_anonymous_visitor_to_login(client):
    response = client.get(reverse("shop:account"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/account/"


def test_a_bot_gets_no_user(client, product):
    response = add(client, product, HTTP_USER_AGENT="Googlebot/2.1")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not User.objects.exists()
    assert not CartItem.objects.exists()


def test_get_on_add_to_cart_creates_no_guest(client, product):
    response = client.get(reverse("shop:add_to_cart", args=[product.pk]))

    assert response.status_code == 405
    assert not User.objects.exists()


def test_regular_user_logs_in_and_out(client):
    User.objects.create_user("bob", password=PASSWORD)

    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.url == "/"
    assert "Signed in as" in client.get("/").text

    response = client.post(reverse("logout"))
    assert response.url == "/"
    assert "You are not signed in" in client.get("/").text
