"""The steps of a configuration's flow: ``python -m tests.configs.<name>.flow``.

A flow.py calls :func:`run` with the steps its configuration supports. Each
step drives the site with Django's test client (real middleware, real views,
real database) and checks what must be true afterwards, reading the rows on
the write database of their model: on a site with a replica, what a user just
did is only certain to be there. The flow prints one line per step and exits
0, or prints what went wrong and exits 1.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

__all__ = [
    "admin_purge",
    "allauth_anonymous",
    "allauth_login",
    "allauth_signup",
    "api",
    "async_flow",
    "become_guest",
    "login_redirects",
    "merge_on_login",
    "mfa_kept_out",
    "own_api_view",
    "promote_form",
    "promote_page_sends_to_signup",
    "rate_limited",
    "run",
    "schema",
    "social_signup",
]

PASSWORD = "a-long-enough-pass-7"
# Seconds a configuration's replica lags: the flow waits this long before a
# request in which Django itself reads a user the request before wrote.
LAG = 0.0
HTTPS = {"X-Forwarded-Proto": "https"}
_names = itertools.count(1)


class FlowError(Exception):
    pass


def expect(condition: Any, message: str, response: Any = None) -> None:
    if not condition:
        if response is not None:
            body = response.content[:300].decode(errors="replace")
            message += f" (HTTP {response.status_code}: {body!r})"
        raise FlowError(message)


def client() -> Any:
    from django.test import Client

    return Client(headers=HTTPS)


def write_manager(model: Any) -> Any:
    from django.db import router

    return model._default_manager.db_manager(router.db_for_write(model))


def guests() -> Any:
    from guest_auth.models import Guest

    return write_manager(Guest)


def users() -> Any:
    from django.contrib.auth import get_user_model

    return write_manager(get_user_model())


def regular_user(**fields: Any) -> Any:
    name = f"regular{next(_names)}"
    user = users().create_user(
        username=name, email=f"{name}@example.com", password=PASSWORD, **fields
    )
    time.sleep(LAG)
    return user


def _json(response: Any) -> Any:
    return json.loads(response.content)


# Steps ------------------------------------------------------------------------


def become_guest(path: str = "/page/") -> tuple[Any, Any]:
    """An anonymous visitor opens a page that allows guests and is one afterwards."""
    visitor = client()
    response = visitor.get(path)
    expect(response.status_code == 200, f"GET {path} should make a guest", response)
    body = _json(response)
    expect(body["is_guest"], f"GET {path}: the visitor should be a guest", response)
    expect(guests().filter(pk=body["pk"]).exists(), f"no Guest row for user {body['pk']}")
    time.sleep(LAG)
    return visitor, body["pk"]


def guest_pages() -> str:
    for path in ("/page/", "/cbv/"):
        become_guest(path)
    return "allow_guest and AllowGuestMixin make guests"


def merge_on_login(login_path: str = "/login/") -> str:
    """A guest fills a cart, then logs in to an account: the cart moves to it."""
    from tests.mergeapp.models import CartItem, Product

    visitor, guest_pk = become_guest()
    product = write_manager(Product).create(name=f"product{next(_names)}")
    response = visitor.post("/cart/", {"product": product.pk})
    expect(response.status_code == 200, "the guest should fill its cart", response)
    user = regular_user()
    response = visitor.post(login_path, {"username": user.username, "password": PASSWORD})
    expect(response.status_code == 200, f"POST {login_path} should log in", response)
    expect(
        write_manager(CartItem).filter(user=user).count() == 1,
        "the guest's cart item should belong to the user after login",
    )
    expect(not users().filter(pk=guest_pk).exists(), "the merged guest should be gone")
    return "login merged the guest's cart into the account"


def promote_form() -> str:
    """A guest promotes itself on the promote page and stays logged in, same pk."""
    visitor, pk = become_guest()
    name = f"promoted{next(_names)}"
    data = {"username": name, "password1": PASSWORD, "password2": PASSWORD}
    response = visitor.post("/guest/promote/", data)
    expect(response.status_code == 302, "the promote form should redirect", response)
    expect(not guests().filter(pk=pk).exists(), "the promoted user should not be a guest")
    expect(users().get(pk=pk).username == name, "the guest should keep its pk")
    time.sleep(LAG)  # Django checks the session against the user's new password hash
    response = visitor.get("/page/")
    body = _json(response)
    expect(str(body["pk"]) == str(pk) and not body["is_guest"], "still logged in, promoted")
    return "promote page promoted the guest in place"


def promote_page_sends_to_signup() -> str:
    """With allauth as the signup, guest_auth's promote page sends guests to allauth's,
    whose email rules then apply (no promotion that skips them)."""
    visitor, pk = become_guest()
    response = visitor.get("/guest/promote/")
    expect(response.status_code == 302, "the promote page should redirect", response)
    expect(response["Location"].startswith("/accounts/signup/"), "to allauth's signup", response)
    expect(guests().filter(pk=pk).exists(), "the guest is still a guest")
    return "the promote page sends guests to allauth's signup"


def login_redirects() -> str:
    """LoginRequiredMiddleware: plain views still send anonymous visitors to log in."""
    response = client().get("/plain/")
    expect(response.status_code == 302, "a plain view should redirect to login", response)
    expect(response["Location"].startswith("/accounts/login/"), "to LOGIN_URL", response)
    visitor, _ = become_guest()
    response = visitor.get("/guest/promote/")
    expect(response.status_code == 200, "a guest should reach the promote page", response)
    return "plain views redirect anonymous visitors; guests reach the promote page"


def api() -> str:
    """The REST API: create, read claims with the token, log in again, promote."""
    response = client().post("/api/guest/", {}, content_type="application/json")
    expect(response.status_code == 201, "POST api/guest/ should create a guest", response)
    created = _json(response)
    expect(guests().filter(pk=created["id"]).exists(), "no Guest row for the API guest")
    auth = {"Authorization": f"Token {created['token']}"}
    response = client().get("/api/guest/me/", headers=auth)
    expect(response.status_code == 200, "the fresh token should authenticate", response)
    expect(_json(response)["is_guest"], "me/ should say is_guest", response)
    device = client()
    response = device.post(
        "/api/guest/login/", {"credential": created["credential"]}, content_type="application/json"
    )
    expect(response.status_code == 200, "the fresh credential should log in", response)
    token = _json(response)["token"]
    name = f"apipromoted{next(_names)}"
    response = client().post(
        "/api/guest/promote/",
        {"username": name, "password": PASSWORD},
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    expect(response.status_code == 200, "the API should promote the guest", response)
    expect(not guests().filter(pk=created["id"]).exists(), "promoted: no Guest row left")
    return "API created, authenticated, logged in again and promoted a guest"


def own_api_view() -> str:
    """The site's own API view, on the default authentication classes, knows the guest."""
    response = client().post("/api/guest/", {}, content_type="application/json")
    expect(response.status_code == 201, "POST api/guest/ should create a guest", response)
    created = _json(response)
    auth = {"Authorization": f"Token {created['token']}"}
    response = client().get("/api/whoami/", headers=auth)
    expect(response.status_code == 200, "the site's API view should accept the token", response)
    body = _json(response)
    expect(body["is_guest"] and str(body["pk"]) == str(created["id"]), "whoami", response)
    return "the site's own API view authenticated the guest's token"


def schema() -> str:
    """drf-spectacular describes the API, guest token scheme included."""
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    schemes = spec["components"]["securitySchemes"]
    expect("guestToken" in schemes, f"the guestToken scheme should be described: {schemes}")
    expect("/api/guest/" in spec["paths"], "the guest API should be in the schema")
    return "drf-spectacular generated the schema with the guestToken scheme"


def allauth_signup() -> str:
    """A guest signs up on allauth's signup page: promoted in place, same pk."""
    visitor, pk = become_guest()
    name = f"signup{next(_names)}"
    response = visitor.get("/accounts/signup/")
    expect(response.status_code == 200, "a guest should see allauth's signup page", response)
    data = {
        "username": name,
        "email": f"{name}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = visitor.post("/accounts/signup/", data)
    expect(response.status_code == 302, "allauth's signup should succeed", response)
    expect(not guests().filter(pk=pk).exists(), "signed up: the guest is promoted")
    expect(users().get(pk=pk).username == name, "signed up in place, same pk")
    return "allauth's signup promoted the guest in place"


def allauth_login() -> str:
    """A guest with a cart logs in on allauth's login page: the cart is merged."""
    from tests.mergeapp.models import CartItem, Product

    visitor, guest_pk = become_guest()
    product = write_manager(Product).create(name=f"product{next(_names)}")
    visitor.post("/cart/", {"product": product.pk})
    user = regular_user()
    response = visitor.get("/accounts/login/")
    expect(response.status_code == 200, "a guest should see allauth's login page", response)
    response = visitor.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    expect(response.status_code == 302, "allauth's login should succeed", response)
    expect(write_manager(CartItem).filter(user=user).count() == 1, "cart merged on login")
    expect(not users().filter(pk=guest_pk).exists(), "the merged guest should be gone")
    return "allauth's login merged the guest's cart"


def allauth_anonymous() -> str:
    """Anonymous visitors and regular users use allauth's pages as without guest_auth."""
    anonymous = client()
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = anonymous.get(path)
        expect(response.status_code == 200, f"anonymous GET {path}", response)
    user = regular_user()
    member = client()
    response = member.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    expect(response.status_code == 302, "a regular user logs in", response)
    response = member.get("/accounts/login/")
    expect(response.status_code == 302, "allauth redirects a logged-in user", response)
    response = member.post("/accounts/logout/")
    expect(response.status_code == 302, "a regular user logs out", response)
    return "allauth's pages work for anonymous visitors and regular users"


def social_signup() -> str:
    """A guest signs in with a provider (allauth's dummy): the account is the guest's row."""
    from allauth.socialaccount.models import SocialAccount

    visitor, pk = become_guest()
    response = visitor.post("/accounts/dummy/login/", {"process": "login"})
    expect(response.status_code == 302, "the provider login should redirect", response)
    data = {"id": 77, "email": "social@example.com", "email_verified": "on", "username": "social"}
    response = visitor.post(response["Location"], data)
    expect(response.status_code == 302, "the provider should sign the guest up", response)
    expect(not guests().filter(pk=pk).exists(), "signed up with a provider: promoted")
    account = write_manager(SocialAccount).get()
    expect(str(account.user_id) == str(pk), "the social account belongs to the guest's row")
    return "a provider signup promoted the guest in place"


def mfa_kept_out() -> str:
    """allauth.mfa's pages send guests to signup: a guest has no account to protect."""
    visitor, _ = become_guest()
    response = visitor.get("/accounts/2fa/")
    expect(response.status_code == 302, "a guest should be sent away from MFA", response)
    expect("/accounts/signup/" in response["Location"], "to allauth's signup", response)
    return "guests are sent from allauth.mfa's pages to signup"


def admin_purge() -> str:
    """The admin's purge action reports what it purged and what it kept, truthfully."""
    from datetime import timedelta

    from django.utils import timezone

    idle = become_guest()[1]
    active = become_guest()[1]
    guests().filter(pk=idle).update(last_seen_at=timezone.now() - timedelta(days=90))
    admin = client()
    admin.force_login(regular_user(is_staff=True, is_superuser=True))
    data = {"action": "purge_selected", "_selected_action": [idle, active]}
    response = admin.post("/admin/guest_auth/guest/", data, follow=True)
    expect(response.status_code == 200, "the purge action should run", response)
    said = [str(message) for message in response.context["messages"]]
    expected = ["Purged 1 guest.", "1 selected guest was active recently and was kept."]
    expect(said == expected, f"the admin should say {expected}, not {said}")
    return "the admin purge action counted what it purged and kept"


def rate_limited() -> str:
    """Over the rate limit, curl-like clients (Accept: */*) get a JSON 429, never a 500."""
    from django.core.cache import caches

    from guest_auth.conf import guest_settings

    caches[guest_settings.RATE_LIMIT_CACHE].clear()
    limit = guest_settings.RATE_LIMIT.count
    for _ in range(limit):
        client().get("/page/", headers={"Accept": "*/*"})
    for accept, kind in (("*/*", "application/json"), ("text/html", None)):
        response = client().get("/page/", headers={"Accept": accept})
        expect(response.status_code == 429, f"over the limit, Accept: {accept}", response)
        if kind is not None:
            expect(response["Content-Type"].startswith(kind), f"{accept}: {kind}", response)
    caches[guest_settings.RATE_LIMIT_CACHE].clear()
    return "429 over the rate limit, JSON for */*, no 500 for text/html"


def async_flow() -> str:
    """The same under ASGI: AsyncClient through async middleware and views."""
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    from tests.mergeapp.models import CartItem, Product

    async def flow() -> None:
        for path in ("/async-page/", "/async-cbv/", "/page/"):
            visitor = AsyncClient()
            response = await visitor.get(path, secure=True)
            expect(response.status_code == 200, f"async GET {path}", response)
            expect(_json(response)["is_guest"], f"async GET {path} should make a guest")
        product = await sync_to_async(write_manager(Product).create)(name="async")
        response = await visitor.post("/cart/", {"product": product.pk}, secure=True)
        expect(response.status_code == 200, "async: fill the cart", response)
        user = await sync_to_async(regular_user)()
        response = await visitor.post(
            "/async-login/", {"username": user.username, "password": PASSWORD}, secure=True
        )
        expect(response.status_code == 200, "async login", response)
        moved = await write_manager(CartItem).filter(user=user).acount()
        expect(moved == 1, "async login should merge the cart")
        visitor = AsyncClient()
        await visitor.get("/async-page/", secure=True)
        data = {"username": "asyncpromoted", "password1": PASSWORD, "password2": PASSWORD}
        response = await visitor.post("/guest/promote/", data, secure=True)
        expect(response.status_code == 302, "async promote", response)

    asyncio.run(flow())
    return "AsyncClient: guests made, merged on login and promoted"


# Running ----------------------------------------------------------------------


def run(name: str, steps: list[Callable[[], str]]) -> None:
    """Set up Django and the databases for configuration ``name``, run ``steps``, exit."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"tests.configs.{name}.settings")
    started = time.monotonic()
    try:
        import django

        django.setup()
        from django.test.utils import setup_test_environment

        setup_test_environment()  # responses carry their template context
        _migrate()
        for step in steps:
            print(f"{name}: {step()}")
    except Exception as exc:
        traceback.print_exc()
        print(f"{name}: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: ok in {time.monotonic() - started:.1f} s")
    sys.exit(0)


def _migrate() -> None:
    from django.conf import settings
    from django.core.management import call_command

    for alias, database in settings.DATABASES.items():
        if database.get("TEST", {}).get("MIRROR"):
            continue  # a replica of another alias: it has that one's schema
        call_command("migrate", database=alias, verbosity=0, interactive=False)
