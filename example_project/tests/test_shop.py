"""The demo's story, page by page, with Django's test client. Run from the
repository root with ``pytest example_project --ds=example_project.settings``.
The same stories in a real browser are in example_project/tests/e2e.
"""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from example_project.shop.demo import DEMO_PASSWORD, DEMO_USERNAME
from example_project.shop.models import (
    MAX_QUANTITY,
    CartItem,
    Order,
    OrderLine,
    Preferences,
    Product,
)
from guest_auth.models import Guest

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Cart-Keeper-2931"


@pytest.fixture
def product():
    return Product.objects.create(name="Test kettle", price=Decimal("25.00"))


def add(client, product, **extra):
    return client.post(reverse("shop:add_to_cart", args=[product.pk]), **extra)


@pytest.fixture
def make_client():
    from django.test import Client

    return Client


# With django-allauth installed (the example extra), allauth's signup is the
# promotion: guest_auth's promote page sends guests there.
SIGNUP = "/auth/signup/" if apps.is_installed("allauth.account") else reverse("guest_auth:promote")


def promote(client, username="alice"):
    return client.post(
        SIGNUP,
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
    assert response.url in (
        f"{reverse('guest_auth:promote')}?next=/account/",  # straight to the promote page,
        f"{SIGNUP}?next=/account/",  # or allauth's signup when allauth is the signup
    )


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


# Adding to the cart: bad input.


def test_unknown_product_is_a_404_and_creates_no_guest(client):
    response = client.post(reverse("shop:add_to_cart", args=[999_999]))

    assert response.status_code == 404
    assert not User.objects.exists()


def test_adding_stops_at_the_maximum_quantity(client, product):
    add(client, product)
    CartItem.objects.update(quantity=MAX_QUANTITY)

    response = add(client, product, follow=True)

    assert CartItem.objects.get().quantity == MAX_QUANTITY
    assert f"You already have {MAX_QUANTITY} of Test kettle, the most per order." in response.text


# The cart page: changing quantities.


def update(client, product, quantity, **extra):
    data = {} if quantity is None else {"quantity": quantity}
    return client.post(reverse("shop:update_cart", args=[product.pk]), data, **extra)


def test_cart_shows_a_labelled_quantity_field_per_line(client, product):
    add(client, product)
    response = client.get(reverse("shop:cart"))

    assert (
        f'<label for="quantity-{product.pk}" class="visually-hidden">Quantity of Test kettle'
        in response.text
    )
    assert f'id="quantity-{product.pk}" name="quantity"' in response.text
    assert "$25.00" in response.text
    assert f'href="{reverse("shop:checkout")}"' in response.text


def test_update_sets_the_quantity(client, product):
    add(client, product)

    response = update(client, product, 3)

    assert response.status_code == 302
    assert response.url == reverse("shop:cart")
    assert CartItem.objects.get().quantity == 3
    page = client.get(reverse("shop:cart")).text
    assert "You now have 3 of Test kettle." in page
    assert "$75.00" in page


def test_update_to_zero_removes_the_line(client, product):
    add(client, product)

    update(client, product, 0)

    assert not CartItem.objects.exists()
    assert "Removed Test kettle from your cart." in client.get(reverse("shop:cart")).text


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        ("two", "Enter a whole number."),
        ("1.5", "Enter a whole number."),
        ("-1", "The quantity cannot be negative."),
        (str(MAX_QUANTITY + 1), f"You can order at most {MAX_QUANTITY} of one product."),
        ("", "Enter a quantity."),
        (None, "Enter a quantity."),
    ],
)
def test_update_with_a_bad_quantity_shows_the_error_and_changes_nothing(
    client, product, quantity, error
):
    add(client, product)

    response = update(client, product, quantity)

    assert response.status_code == 200
    assert error in response.text
    assert f'aria-invalid="true" aria-describedby="quantity-{product.pk}-errors"' in response.text
    assert CartItem.objects.get().quantity == 1


def test_update_of_a_product_not_in_the_cart_is_a_404(client, product):
    add(client, product)
    other = Product.objects.exclude(pk=product.pk).first()

    assert update(client, other, 2).status_code == 404
    assert (
        client.post(reverse("shop:update_cart", args=[999_999]), {"quantity": 1}).status_code == 404
    )


def test_update_cannot_touch_another_users_cart(client, product):
    owner = User.objects.create_user("owner", password=PASSWORD)
    CartItem.objects.create(user=owner, product=product, quantity=5)
    add(client, Product.objects.exclude(pk=product.pk).first())  # a guest with a cart of its own

    assert update(client, product, 1).status_code == 404
    assert CartItem.objects.get(user=owner).quantity == 5


def test_update_by_an_anonymous_visitor_is_a_404_and_creates_no_guest(client, product):
    assert update(client, product, 2).status_code == 404
    assert not User.objects.exists()


def test_update_needs_post(client, product):
    add(client, product)
    assert client.get(reverse("shop:update_cart", args=[product.pk])).status_code == 405


# "Continue as guest".


def test_continue_as_guest_creates_a_guest_and_goes_on(client):
    response = client.post(reverse("shop:continue_as_guest"), {"next": "/preferences/"})

    assert response.status_code == 302
    assert response.url == "/preferences/"
    assert Guest.objects.count() == 1
    assert "You are browsing as a guest." in client.get("/").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", ""])
def test_continue_as_guest_ignores_an_unsafe_next(client, target):
    response = client.post(reverse("shop:continue_as_guest"), {"next": target})

    assert response.url == reverse("shop:product_list")


def test_continue_as_guest_twice_keeps_one_guest(client):
    client.post(reverse("shop:continue_as_guest"))
    client.post(reverse("shop:continue_as_guest"))

    assert User.objects.count() == 1


def test_continue_as_guest_gives_a_bot_nothing(client):
    response = client.post(
        reverse("shop:continue_as_guest"),
        {"next": "/cart/"},
        HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0)",
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/cart/"
    assert not User.objects.exists()


def test_continue_as_guest_needs_post(client):
    assert client.get(reverse("shop:continue_as_guest")).status_code == 405
    assert not User.objects.exists()


def test_anonymous_header_offers_continue_as_guest_and_log_in(client):
    html = client.get("/").text
    assert f'action="{reverse("shop:continue_as_guest")}"' in html
    assert f'href="{reverse("login")}?next=/"' in html


# Preferences.


def test_preferences_form_creates_no_guest_when_viewed(client):
    response = client.get(reverse("shop:preferences"))

    assert response.status_code == 200
    assert '<label for="id_display_name">Name to greet you with:</label>' in response.text
    assert "Saving your preferences makes you a guest" in response.text
    assert not User.objects.exists()


def test_saving_preferences_makes_a_guest_that_keeps_them(client):
    response = client.post(
        reverse("shop:preferences"),
        {
            "display_name": "Sam",
            "shipping_address": "1 Main St",
            "newsletter": "on",
        },
    )

    assert response.status_code == 302
    guest = Guest.objects.get()
    prefs = Preferences.objects.get()
    assert (prefs.user_id, prefs.display_name, prefs.shipping_address, prefs.newsletter) == (
        guest.pk,
        "Sam",
        "1 Main St",
        True,
    )
    page = client.get(reverse("shop:preferences")).text
    assert "Your preferences are saved." in page
    assert "Hi, Sam!" in page
    assert 'value="Sam"' in page

    client.post(reverse("shop:preferences"), {"display_name": "Samantha"})
    prefs = Preferences.objects.get()
    assert (prefs.display_name, prefs.shipping_address, prefs.newsletter) == ("Samantha", "", False)
    assert User.objects.count() == 1


def test_invalid_preferences_show_errors_and_create_no_guest(client):
    response = client.post(reverse("shop:preferences"), {"display_name": "x" * 51})

    assert response.status_code == 200
    assert "Ensure this value has at most 50 characters (it has 51)." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.exists()


def test_a_regular_user_saves_preferences_without_becoming_a_guest(client):
    user = User.objects.create_user("bob", password=PASSWORD)
    client.force_login(user)

    client.post(reverse("shop:preferences"), {"display_name": "Bobby"})

    assert Preferences.objects.get().user == user
    assert not Guest.objects.exists()
    assert "Signed in as <strong>Bobby</strong>" in client.get("/").text


def test_a_bot_cannot_save_preferences(client):
    response = client.post(
        reverse("shop:preferences"), {"display_name": "Bot"}, HTTP_USER_AGENT="Googlebot/2.1"
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/preferences/"
    assert not User.objects.exists()


# Checkout.

CHECKOUT = {"name": "Sam Guest", "email": "sam@example.com", "shipping_address": "1 Main St"}


def checkout(client, data=CHECKOUT, **extra):
    return client.post(reverse("shop:checkout"), data, **extra)


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, product):
    for method in (client.get, client.post):
        response = method(reverse("shop:checkout"), follow=True)
        assert response.redirect_chain == [(reverse("shop:cart"), 302)]
        assert "Your cart is empty: add something before checking out." in response.text
    # A guest whose cart is empty gets the same.
    add(client, product)
    update(client, product, 0)
    assert checkout(client).url == reverse("shop:cart")
    assert not Order.objects.exists()


def test_checkout_form_lists_the_cart_and_fills_in_preferences(client, product):
    client.post(reverse("shop:preferences"), {"display_name": "Sam", "shipping_address": "Home"})
    add(client, product)
    add(client, product)

    response = client.get(reverse("shop:checkout"))

    assert response.status_code == 200
    assert "2 \N{MULTIPLICATION SIGN} Test kettle: $50.00" in response.text
    assert "You are checking out as a <strong>guest</strong>" in response.text
    assert response.context["form"].initial == {
        "name": "Sam",
        "email": "",
        "shipping_address": "Home",
    }


def test_guest_checkout_places_the_order_and_empties_the_cart(client, product):
    add(client, product)
    add(client, product)
    mug = Product.objects.get(name="Enamel mug")
    add(client, mug)
    guest = Guest.objects.get()

    response = checkout(client)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("shop:order_detail", args=[order.pk])
    assert (order.user_id, order.name, order.email, order.shipping_address, order.total) == (
        guest.pk,
        "Sam Guest",
        "sam@example.com",
        "1 Main St",
        Decimal("62.50"),
    )
    assert list(order.lines.values_list("product_name", "unit_price", "quantity")) == [
        ("Enamel mug", Decimal("12.50"), 1),
        ("Test kettle", Decimal("25.00"), 2),
    ]
    assert not CartItem.objects.exists()

    page = client.get(response.url).text
    assert "Thank you! Your order is placed." in page
    assert f"<h1>Order {order.pk}</h1>" in page
    assert "sam@example.com" in page
    assert "$62.50" in page
    assert "Create an account</a>\n    to see this order again" in page


def test_checkout_keeps_the_price_paid(client, product):
    add(client, product)
    checkout(client)
    Product.objects.filter(pk=product.pk).update(price=Decimal("99.00"), name="Renamed")

    line = OrderLine.objects.get()
    assert (line.product_name, line.unit_price, line.total) == (
        "Test kettle",
        Decimal("25.00"),
        Decimal("25.00"),
    )


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "", "This field is required."),
        ("name", "", "This field is required."),
        ("shipping_address", "x" * 301, "Ensure this value has at most 300 characters"),
    ],
)
def test_checkout_with_bad_input_shows_errors_and_keeps_the_cart(
    client, product, field, value, error
):
    add(client, product)

    response = checkout(client, {**CHECKOUT, field: value})

    assert response.status_code == 200
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Order.objects.exists()
    assert CartItem.objects.get().quantity == 1


def test_a_second_submit_places_no_second_order(client, product):
    add(client, product)
    checkout(client)

    response = checkout(client, follow=True)

    assert Order.objects.count() == 1
    assert "Your cart is empty" in response.text


def test_orders_are_private(client, product):
    add(client, product)
    checkout(client)
    order = Order.objects.get()
    url = reverse("shop:order_detail", args=[order.pk])

    from django.test import Client

    assert Client().get(url).status_code == 404  # anonymous
    other = Client()
    add(other, product)  # another guest
    assert other.get(url).status_code == 404
    assert client.get(reverse("shop:order_detail", args=[order.pk + 1])).status_code == 404


def test_promotion_after_checkout_keeps_the_order(client, product):
    add(client, product)
    checkout(client)
    guest_pk = Guest.objects.get().pk

    promote(client)

    order = Order.objects.get()
    assert order.user_id == guest_pk
    page = client.get(reverse("shop:account")).text
    assert f'href="{reverse("shop:order_detail", args=[order.pk])}">Order {order.pk}</a>' in page


def test_purging_a_guest_keeps_its_orders(client, product):
    from datetime import timedelta

    from django.utils import timezone

    from guest_auth.services import purge_guests

    add(client, product)
    checkout(client)
    Guest.objects.update(last_seen_at=timezone.now() - timedelta(days=60))

    assert purge_guests() == 1
    assert not User.objects.exists()
    assert Order.objects.get().user is None


def test_a_regular_user_checks_out_with_their_email_filled_in(client, product):
    user = User.objects.create_user("bob", email="bob@example.com", password=PASSWORD)
    client.force_login(user)
    add(client, product)

    response = client.get(reverse("shop:checkout"))

    assert response.context["form"].initial["email"] == "bob@example.com"
    assert "checking out as a" not in response.text


# Logging into an existing account as a guest: the carts combine.


@pytest.fixture
def demo_user(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return User.objects.get(username=DEMO_USERNAME)


def log_in(client, username=DEMO_USERNAME, password=DEMO_PASSWORD, next_url="/cart/"):
    return client.post(
        reverse("login"), {"username": username, "password": password, "next": next_url}
    )


# A real transaction: the welcome message waits for the merge to commit.
@pytest.mark.django_db(transaction=True)
def test_logging_in_as_a_guest_adds_the_guest_cart_to_the_account(client, demo_user):
    mug = Product.objects.get(name="Enamel mug")
    pen = Product.objects.get(name="Fountain pen")
    assert list(demo_user.cart_items.values_list("product", "quantity")) == [(mug.pk, 1)]
    add(client, mug)
    add(client, mug)
    add(client, pen)
    guest_pk = Guest.objects.get().pk

    response = log_in(client)

    assert response.status_code == 302
    assert response.url == "/cart/"
    assert not User.objects.filter(pk=guest_pk).exists()
    assert sorted(demo_user.cart_items.values_list("product__name", "quantity")) == [
        ("Enamel mug", 3),
        ("Fountain pen", 1),
    ]
    page = client.get("/cart/").text
    assert "Welcome back! What you added as a guest is now in your account." in page
    assert "Signed in as <strong>demo</strong>" in page


def test_merged_quantities_stop_at_the_maximum(client, demo_user):
    # Not the demo account: its cart is reset at every login.
    mug = Product.objects.get(name="Enamel mug")
    bob = User.objects.create_user("bob", password=PASSWORD)
    CartItem.objects.create(user=bob, product=mug, quantity=MAX_QUANTITY - 1)
    add(client, mug)
    add(client, mug)

    log_in(client, username="bob", password=PASSWORD)

    assert bob.cart_items.get().quantity == MAX_QUANTITY


def test_every_visitor_logging_in_as_demo_finds_one_mug_plus_their_cart(demo_user, make_client):
    mug = Product.objects.get(name="Enamel mug")
    pen = Product.objects.get(name="Fountain pen")
    for _ in range(3):
        visitor = make_client()
        add(visitor, pen)
        log_in(visitor)
        assert sorted(demo_user.cart_items.values_list("product__name", "quantity")) == [
            ("Enamel mug", 1),
            ("Fountain pen", 1),
        ]
    assert mug.pk


def test_many_guests_from_one_address_are_not_locked_out(product, make_client):
    # The demo runs on localhost: every visitor shares 127.0.0.1.
    for _ in range(40):
        assert add(make_client(), product).status_code == 302
    assert Guest.objects.count() == 40


def test_logging_in_moves_guest_preferences_and_orders(client, demo_user, product):
    client.post(reverse("shop:preferences"), {"display_name": "Sam"})
    add(client, product)
    checkout(client)

    log_in(client)

    assert Preferences.objects.get().user == demo_user
    assert Order.objects.get().user == demo_user
    assert "Signed in as <strong>Sam</strong>" in client.get("/").text


def test_the_accounts_own_preferences_win(client, demo_user):
    Preferences.objects.create(user=demo_user, display_name="Demo")
    client.post(reverse("shop:preferences"), {"display_name": "Sam"})

    log_in(client)

    assert list(Preferences.objects.values_list("user", "display_name")) == [(demo_user.pk, "Demo")]


def test_a_wrong_password_leaves_the_guest_and_its_cart_alone(client, demo_user, product):
    add(client, product)

    response = log_in(client, password="wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.text
    assert Guest.objects.count() == 1
    assert CartItem.objects.filter(user__guest__isnull=False).count() == 1


def test_login_page_tells_a_guest_the_cart_comes_along(client, product):
    add(client, product)
    page = client.get(reverse("login")).text
    assert "guest (your cart, your preferences, your orders) moves into it" in page
    assert "Continue as guest" not in page


def test_login_page_offers_an_anonymous_visitor_to_continue_as_guest(client):
    page = client.get(reverse("login") + "?next=/checkout/").text
    assert '<input type="hidden" name="next" value="/checkout/">' in page
    assert "Continue as guest" in page


# The layout.


def test_pages_have_landmarks_and_a_skip_link(client):
    for name in ("product_list", "cart", "preferences"):
        html = client.get(reverse(f"shop:{name}")).text
        assert '<a class="skip" href="#content">Skip to content</a>' in html
        for landmark in ("<header>", '<nav aria-label="Main">', '<main id="content">', "<footer>"):
            assert landmark in html
        assert '<html lang="en-us">' in html  # LANGUAGE_CODE, the active language
        # Offline: no stylesheet, script, image or font from elsewhere.
        resources = re.findall(r'<(?:link|script|img|iframe)\b[^>]*(?:src|href)="([^"]*)"', html)
        assert resources == ["data:,"]  # the empty favicon, which saves a request
        assert "@import" not in html and "url(" not in html


def test_current_page_is_marked_in_the_navigation(client):
    html = client.get(reverse("shop:cart")).text
    assert f'<a href="{reverse("shop:cart")}" aria-current="page">Cart' in html
