"""The demo's stories in a real browser. Run with ``-m e2e`` (see conftest.py)."""

import re

import pytest
from django.contrib.auth import get_user_model

from example_project.shop.demo import DEMO_PASSWORD, DEMO_USERNAME
from example_project.shop.models import CartItem, Order
from guest_auth.models import Guest

pytestmark = pytest.mark.e2e

User = get_user_model()
PASSWORD = "Cart-Keeper-2931"


def add_to_cart(page, name):
    page.goto("/")
    page.get_by_role("button", name=f"Add to cart: {name}").click()
    page.wait_for_url("**/cart/")


def cart_lines(page):
    """{product: quantity} as the cart page shows it."""
    rows = page.locator("main table tbody tr")
    return {
        row.get_by_role("rowheader").inner_text(): int(row.get_by_role("spinbutton").input_value())
        for row in rows.all()
    }


def test_guest_cart_survives_a_reload_a_new_visit_and_signing_up(
    new_page, page, expect, screenshot
):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Products")
    expect(page.get_by_text("You are not signed in.")).to_be_visible()
    # Keyboard users can skip the header: the first Tab reaches the skip link.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    screenshot(page, "01-products")
    assert not Guest.objects.exists()  # browsing makes no guest

    add_to_cart(page, "Enamel mug")
    add_to_cart(page, "Fountain pen")
    add_to_cart(page, "Fountain pen")
    expect(page.get_by_text("You are browsing as a guest.")).to_be_visible()
    expect(page.locator("#cart-count")).to_have_text("3")
    screenshot(page, "02-guest-cart")
    guest_pk = Guest.objects.get().pk

    page.reload()
    assert cart_lines(page) == {"Enamel mug": 1, "Fountain pen": 2}

    # Closing the browser and coming back: the session cookie brings the cart back.
    again = new_page(storage_state=page.context.storage_state())
    page.context.close()
    again.goto("/cart/")
    assert cart_lines(again) == {"Enamel mug": 1, "Fountain pen": 2}

    again.get_by_role("link", name="Create an account to keep your cart").click()
    # With django-allauth installed, it is the signup (the promote page sends guests there).
    expect(again.get_by_role("heading", level=1)).to_have_text("Sign Up")
    again.get_by_label("Username").fill("alice")
    again.get_by_label(re.compile(r"^Email")).fill("alice@example.com")
    again.get_by_label(re.compile(r"^Password")).first.fill(PASSWORD)
    again.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    screenshot(again, "03-create-account")
    again.get_by_role("button", name="Sign Up").click()
    again.wait_for_load_state()
    again.goto("/cart/")
    expect(again.get_by_text("Signed in as alice")).to_be_visible()
    assert cart_lines(again) == {"Enamel mug": 1, "Fountain pen": 2}
    screenshot(again, "04-account-keeps-the-cart")
    user = User.objects.get(username="alice")
    assert user.pk == guest_pk
    assert not Guest.objects.exists()


def test_guest_logs_into_an_existing_account_and_the_carts_combine(page, expect, screenshot):
    demo = User.objects.get(username=DEMO_USERNAME)
    assert list(demo.cart_items.values_list("product__name", "quantity")) == [("Enamel mug", 1)]
    add_to_cart(page, "Enamel mug")
    add_to_cart(page, "Enamel mug")
    add_to_cart(page, "Dot-grid notebook")
    guest_pk = Guest.objects.get().pk

    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    expect(page.get_by_text("You are a guest. Log into your account")).to_be_visible()
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    screenshot(page, "05-guest-logs-in")
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url("**/cart/")
    expect(page.get_by_role("status")).to_contain_text(
        "Welcome back! What you added as a guest is now in your account."
    )
    expect(page.get_by_text("Signed in as demo")).to_be_visible()
    assert cart_lines(page) == {"Dot-grid notebook": 1, "Enamel mug": 3}
    screenshot(page, "06-carts-combined")
    assert not User.objects.filter(pk=guest_pk).exists()
    assert sorted(demo.cart_items.values_list("product__name", "quantity")) == [
        ("Dot-grid notebook", 1),
        ("Enamel mug", 3),
    ]


def test_a_bot_gets_no_guest(new_page, expect, screenshot):
    bot = new_page(
        user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    users = User.objects.count()  # the demo account

    bot.goto("/")
    bot.get_by_role("button", name="Add to cart: Enamel mug").click()

    bot.wait_for_url(re.compile(r"/accounts/login/\?next=/cart/$"))
    expect(bot.get_by_role("status")).to_have_text("Please log in to use the cart.")
    expect(bot.get_by_text("You are not signed in.")).to_be_visible()
    screenshot(bot, "07-bot-gets-no-guest")
    assert User.objects.count() == users
    assert not Guest.objects.exists()
    assert not CartItem.objects.exclude(user__username=DEMO_USERNAME).exists()


def test_guest_sets_preferences_and_checks_out(page, expect, screenshot):
    page.goto("/preferences/")
    page.get_by_label("Name to greet you with").fill("Sam")
    page.get_by_label("Default shipping address").fill("1 Main Street\nSpringfield")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Hi, Sam! You are browsing as a guest.")).to_be_visible()

    add_to_cart(page, "Desk plant")
    page.get_by_role("spinbutton", name="Quantity of Desk plant").fill("2")
    page.get_by_role("button", name="Update Desk plant").click()
    expect(page.locator("#cart-total")).to_have_text("$39.80")
    page.get_by_role("link", name="Check out").click()

    expect(page.get_by_label("Shipping address")).to_have_value("1 Main Street\nSpringfield")
    page.get_by_label("Full name").fill("Sam Guest")
    page.get_by_label("Email").fill("sam@example.com")
    screenshot(page, "08-guest-checkout")
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    page.wait_for_url(f"**/orders/{order.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.pk}")
    expect(page.get_by_role("status")).to_have_text("Thank you! Your order is placed.")
    expect(page.locator("#cart-count")).to_have_text("0")
    screenshot(page, "09-order-confirmation")
    assert order.user_id == Guest.objects.get().pk
    assert str(order.total) == "39.80"


def test_admin_insights(new_page, expect, screenshot):
    from django.core.management import call_command

    call_command("seed_demo", "--history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    admin = new_page()
    admin.set_viewport_size({"width": 1280, "height": 900})

    admin.goto("/admin/")
    admin.get_by_label("Username").fill("admin")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Guests").last.click()
    admin.get_by_role("link", name="Insights").click()

    expect(admin.get_by_role("heading", level=1)).to_have_text("Guest insights")
    chart = admin.get_by_role("img", name="Guests per day, last 30 days")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 200
    expect(admin.locator("#guests-purgeable")).to_contain_text("9")
    expect(admin.locator("#conversion-rate")).to_contain_text(re.compile(r"\d+\.\d\s%"))
    screenshot(admin, "10-admin-insights")


# The page writes "1 \N{MULTIPLICATION SIGN} Desk plant".
CART_TEXT = [f"1 {chr(0xD7)} Desk plant", f"1 {chr(0xD7)} Enamel mug"]


def test_the_app_page_keeps_a_guest_cart_across_a_reload_and_a_signup(page, expect, screenshot):
    page.goto("/app/")
    expect(page.get_by_role("status")).to_have_text(
        "You are not signed in. Adding to the cart makes you a guest."
    )
    page.get_by_role("button", name="Add to cart: Enamel mug").click()
    expect(page.locator("#app-cart-count")).to_have_text("1")
    page.get_by_role("button", name="Add to cart: Desk plant").click()
    expect(page.locator("#app-cart-count")).to_have_text("2")
    guest_pk = Guest.objects.get().pk
    expect(page.get_by_role("status")).to_have_text(f"You are a guest (user {guest_pk}).")
    # The page sends no cookies: the browser holds no session of the guest.
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]

    page.reload()  # the token was in memory only: the device credential brings the guest back
    expect(page.get_by_role("status")).to_have_text(f"You are a guest (user {guest_pk}).")
    expect(page.locator("#app-cart li")).to_have_text(CART_TEXT)
    screenshot(page, "11-app-guest-cart")

    page.get_by_label("Username").fill("appuser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_have_text(f"Signed in as appuser (user {guest_pk}).")
    expect(page.locator("#app-cart li")).to_have_text(CART_TEXT)
    screenshot(page, "12-app-signed-up")
    assert User.objects.get(username="appuser").pk == guest_pk
    assert not Guest.objects.exists()

    page.reload()
    expect(page.get_by_role("status")).to_have_text(f"Signed in as appuser (user {guest_pk}).")


def test_a_guest_signs_up_on_allauths_page_and_keeps_the_cart(page, expect, screenshot):
    add_to_cart(page, "Canvas tote bag")
    guest_pk = Guest.objects.get().pk
    page.goto("/auth/signup/")
    page.get_by_label("Username").fill("bea")
    page.get_by_label(re.compile(r"^Password")).first.fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    screenshot(page, "13-allauth-signup-as-guest")
    page.get_by_role("button", name="Sign Up").click()
    page.goto("/cart/")
    expect(page.get_by_text("Signed in as bea")).to_be_visible()
    assert cart_lines(page) == {"Canvas tote bag": 1}
    assert User.objects.get(username="bea").pk == guest_pk


def test_a_guest_deletes_its_data(page, expect, screenshot):
    add_to_cart(page, "Dot-grid notebook")
    guest_pk = Guest.objects.get().pk
    page.goto("/guest/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your data")
    screenshot(page, "14-delete-my-data")
    page.get_by_role("button", name="Delete my data").click()
    page.wait_for_url("**/")
    expect(page.get_by_text("You are not signed in.")).to_be_visible()
    assert not User.objects.filter(pk=guest_pk).exists()
    assert not CartItem.objects.filter(user_id=guest_pk).exists()


@pytest.fixture
def passkey_signup(settings):
    """allauth's passkey signup on, as EXAMPLE_PASSKEY_SIGNUP=1 turns it on for the demo."""
    from django.conf import settings as django_settings

    if "allauth.mfa" not in django_settings.INSTALLED_APPS:
        pytest.fail("allauth's MFA app is not installed: pip install 'django-allauth[mfa]'.")
    from example_project.settings import PASSKEY_SIGNUP

    for name, value in PASSKEY_SIGNUP.items():
        setattr(settings, name, value)


def virtual_passkey_authenticator(page):
    """Chromium's virtual authenticator (DevTools WebAuthn domain): a platform
    authenticator that holds resident keys and verifies its user at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_guest_signs_up_with_a_passkey_and_keeps_the_cart(
    page, expect, screenshot, passkey_signup, mailoutbox
):
    cdp, authenticator = virtual_passkey_authenticator(page)
    add_to_cart(page, "Enamel mug")
    add_to_cart(page, "Fountain pen")
    guest_pk = Guest.objects.get().pk

    page.goto("/auth/signup/")
    page.locator("a[href^='/auth/signup/passkey/']").first.click()
    page.wait_for_url("**/auth/signup/passkey/**")
    page.get_by_label("Username").fill("pat")
    page.get_by_label(re.compile(r"^Email")).fill("pat@example.com")
    screenshot(page, "18-passkey-signup-as-guest")
    page.get_by_role("button", name="Sign Up").click()

    # allauth verifies the address by code before it creates the passkey.
    page.wait_for_url("**/auth/confirm-email/**")
    code = re.search(r"^([A-Z0-9]+(?:-[A-Z0-9]+)*)$", mailoutbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/auth/2fa/webauthn/signup/**")
    page.get_by_role("button", name="Create").click()  # the virtual authenticator answers
    page.wait_for_url(lambda url: "/2fa/" not in url)

    page.goto("/cart/")
    expect(page.get_by_text("Signed in as pat")).to_be_visible()
    assert cart_lines(page) == {"Enamel mug": 1, "Fountain pen": 1}
    screenshot(page, "19-passkey-account-keeps-the-cart")
    user = User.objects.get(username="pat")
    assert user.pk == guest_pk
    assert not Guest.objects.exists()
    assert not user.has_usable_password()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert CartItem.objects.filter(user=user).count() == 2


# One layout on every page a visitor meets, allauth's included (issue 23).

ALLAUTH_PAGES_ANONYMOUS = [
    "/auth/signup/",
    "/auth/login/",
    "/auth/password/reset/",
    "/auth/password/reset/done/",
    "/auth/confirm-email/",
    "/auth/3rdparty/login/cancelled/",
    "/auth/dummy/login/",
]
ALLAUTH_PAGES_SIGNED_IN = [
    "/auth/logout/",
    "/auth/password/change/",
    "/auth/email/",
    "/auth/reauthenticate/",
    "/auth/3rdparty/",
]


def assert_shop_layout(page, expect, url):
    page.goto(url)
    expect(page.locator("header .brand")).to_have_text("Guest Shop")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("A demo of")
    assert "Menu:" not in page.locator("body").inner_text(), url
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith("system-ui"), (url, font)
    assert page.title().endswith(" · Guest Shop"), (url, page.title())
    assert page.locator("h1").count() == 1, url


def test_allauths_pages_wear_the_shops_layout(page, new_page, expect, screenshot):
    for url in ALLAUTH_PAGES_ANONYMOUS:
        assert_shop_layout(page, expect, url)
    page.goto("/auth/login/")
    screenshot(page, "15-allauth-login")
    page.goto("/auth/password/reset/")
    screenshot(page, "16-password-reset")

    # A guest on allauth's signup and login (where it is shown as anonymous to
    # allauth) is still told it is a guest, with its cart.
    add_to_cart(page, "Enamel mug")
    for url in ("/auth/signup/", "/auth/login/"):
        page.goto(url)
        expect(page.get_by_text("You are browsing as a guest.")).to_be_visible()
        expect(page.locator("#cart-count")).to_have_text("1")

    account = new_page()
    account.goto("/auth/login/")
    account.get_by_label("Login:").fill(DEMO_USERNAME)
    account.get_by_label(re.compile(r"^Password")).fill(DEMO_PASSWORD)
    account.get_by_role("button", name="Sign In", exact=True).click()
    account.wait_for_url("**/")
    for url in ALLAUTH_PAGES_SIGNED_IN:
        assert_shop_layout(account, expect, url)
    account.goto("/auth/logout/")
    screenshot(account, "17-allauth-logout")
    account.get_by_role("button", name="Sign Out").click()
    expect(account.get_by_text("You are not signed in.")).to_be_visible()


def test_the_header_keeps_its_height_when_a_visitor_becomes_a_guest(page, expect):
    page.goto("/")
    anonymous = page.locator("header").bounding_box()["height"]
    add_to_cart(page, "Enamel mug")
    page.goto("/")
    expect(page.get_by_text("You are browsing as a guest.")).to_be_visible()
    assert page.locator("header").bounding_box()["height"] == anonymous


def test_the_app_pages_header_speaks_for_the_app(page, expect):
    page.goto("/app/")
    expect(page.locator("#app-who")).to_have_text("This app: not signed in.")
    page.get_by_role("button", name="Add to cart: Enamel mug").click()
    expect(page.locator("#app-cart-count")).to_have_text("1")
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#app-who")).to_have_text("This app: browsing as a guest.")
    assert "not signed in" not in page.locator("header").inner_text()
