"""The shop for single-page and mobile apps: the APIs the /app/ page uses,
allauth's pages and headless API for guests, and the demo's small fixes."""

import json
import re
from datetime import datetime
from datetime import timezone as tz

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from example_project.shop.models import CartItem, Order, Product
from guest_auth.models import Guest

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Cart-Keeper-2931"
needs_api = pytest.mark.skipif(
    not apps.is_installed("rest_framework"), reason="the example extra is not installed"
)
needs_allauth = pytest.mark.skipif(
    not apps.is_installed("allauth.headless"), reason="the example extra is not installed"
)


@pytest.fixture
def products(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {product.name: product for product in Product.objects.all()}


def app_client():
    """A client like the /app/ page: JSON, no cookies sent back (a fresh Client each call)."""
    return Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")


def call(method, path, body=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return getattr(app_client(), method)(
        path,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )


# The demo's fixes ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_promotion_says_the_account_is_ready(client, products):
    client.post(reverse("shop:add_to_cart", args=[products["Enamel mug"].pk]))
    signup = (
        "/auth/signup/" if apps.is_installed("allauth.account") else reverse("guest_auth:promote")
    )
    response = client.post(
        signup,
        {"username": "alice", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert "Your account is ready. Everything you added as a guest is still here." in (
        response.text
    )


def test_order_page_has_no_double_full_stop(client, products):
    client.post(reverse("shop:add_to_cart", args=[products["Enamel mug"].pk]))
    order = Order.objects.create(
        user=Guest.objects.get().user,
        name="Sam",
        email="sam@example.com",
        shipping_address="1 Road",
        total=1,
    )
    Order.objects.filter(pk=order.pk).update(created_at=datetime(2026, 5, 4, 15, 30, tzinfo=tz.utc))
    page = client.get(reverse("shop:order_detail", args=[order.pk])).text
    assert "p.m." in page
    assert "p.m.." not in page
    assert re.search(r"Placed on <time datetime=\"2026-05-04T15:30:00\+00:00\">", page)


@needs_api
def test_the_app_page_is_linked_and_needs_no_cdn(client):
    page = client.get(reverse("shop:app")).text
    assert '<a href="/app/"' in client.get("/").text
    script = page.split("<script>")[1].split("</script>")[0]
    assert "fetch(" in script
    assert "http://" not in script
    assert "https://" not in script


def test_without_the_api_the_app_page_says_what_to_install(client, settings):
    if apps.is_installed("rest_framework"):
        pytest.skip("the API is installed here (tox's noextras env runs this)")
    page = client.get(reverse("shop:app")).text
    assert 'pip install -e ".[example]"' in page
    assert "<script>" not in page


# The APIs the /app/ page uses ------------------------------------------------------


@needs_api
@needs_allauth
def test_app_flow_guest_cart_reload_signup(products):
    pen = products["Fountain pen"]
    created = call("post", "/api/guest/")
    assert created.status_code == 201
    guest = created.json()
    response = call("post", "/api/cart/", {"product": pen.pk}, guest["token"])
    assert response.status_code == 201
    assert response.json()["count"] == 1

    # A reload: the token is gone from memory, the credential brings the guest back.
    again = call("post", "/api/guest/login/", {"credential": guest["credential"]})
    assert again.status_code == 200
    token = again.json()["token"]
    cart = call("get", "/api/cart/", token=token).json()
    assert cart["user"] == {
        "id": guest["id"],
        "username": cart["user"]["username"],
        "is_guest": True,
    }
    assert cart["items"] == [{"product": pen.pk, "name": "Fountain pen", "quantity": 1}]

    # Sign up through allauth's headless API (app client), with the guest's token.
    response = call(
        "post", "/_allauth/app/v1/auth/signup", {"username": "appuser", "password": PASSWORD}, token
    )
    assert response.status_code == 200, response.content
    cart = call("get", "/api/cart/", token=token).json()
    assert cart["user"] == {"id": guest["id"], "username": "appuser", "is_guest": False}
    assert cart["count"] == 1


@needs_api
@needs_allauth
def test_app_signup_with_a_taken_username_is_a_json_field_error(products):
    guest = call("post", "/api/guest/").json()
    response = call(
        "post",
        "/_allauth/app/v1/auth/signup",
        {"username": "demo", "password": PASSWORD},
        guest["token"],
    )
    assert response.status_code == 400
    assert [error["param"] for error in response.json()["errors"]] == ["username"]
    assert Guest.objects.filter(pk=guest["id"]).exists()


@needs_api
def test_app_self_deletion(products):
    guest = call("post", "/api/guest/").json()
    call("post", "/api/cart/", {"product": products["Desk plant"].pk}, guest["token"])
    assert call("delete", "/api/guest/me/", token=guest["token"]).status_code == 204
    assert not User.objects.filter(pk=guest["id"]).exists()
    assert not CartItem.objects.filter(user_id=guest["id"]).exists()
    assert call("get", "/api/cart/", token=guest["token"]).status_code == 401


@needs_api
def test_cart_api_bad_input_is_json(products):
    token = call("post", "/api/guest/").json()["token"]
    response = call("post", "/api/cart/", {"product": "mug"}, token)
    assert response.status_code == 400
    assert "product" in response.json()
    assert call("post", "/api/cart/", {"product": 99999}, token).status_code == 404
    assert call("get", "/api/cart/").status_code == 401


# allauth's pages for a guest -------------------------------------------------------


@needs_allauth
def test_allauth_signup_page_promotes_the_guest(client, products):
    client.post(reverse("shop:add_to_cart", args=[products["Enamel mug"].pk]))
    guest_pk = Guest.objects.get().pk
    response = client.post(
        "/auth/signup/",
        {"username": "carol", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username="carol")
    assert user.pk == guest_pk
    assert list(user.cart_items.values_list("product__name", flat=True)) == ["Enamel mug"]


@needs_allauth
def test_dummy_provider_signs_a_guest_up(client, products):
    client.post(reverse("shop:add_to_cart", args=[products["Enamel mug"].pk]))
    guest_pk = Guest.objects.get().pk
    response = client.post("/auth/dummy/login/", {"process": "login"})
    response = client.post(response["Location"], {"id": 5, "username": "dora"})
    assert response.status_code == 302
    assert not Guest.objects.exists()
    assert User.objects.get(pk=guest_pk).cart_items.count() == 1


@needs_allauth
def test_allauth_login_as_demo_merges_and_resets(client, products):
    client.post(reverse("shop:add_to_cart", args=[products["Fountain pen"].pk]))
    response = client.post("/auth/login/", {"login": "demo", "password": "guest-shop-demo"})
    assert response.status_code == 302
    demo = User.objects.get(username="demo")
    assert sorted(demo.cart_items.values_list("product__name", "quantity")) == [
        ("Enamel mug", 1),
        ("Fountain pen", 1),
    ]
