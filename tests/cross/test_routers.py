"""Database routers: a replica that lags, and guest_auth on a non-default alias.

With PrimaryReplicaRouter every read goes to "replica", a database that never
receives writes: whatever guest_auth reads there of a row it wrote moments
before is missing, as on a lagging hot standby. With UsersRouter the user
model, sessions and guest_auth live on "users", and every transaction must
name it (SQLite ignores select_for_update, so the promotions there fail on
PostgreSQL and MariaDB only when the transaction is on the wrong database).
"""

from datetime import timedelta

import pytest
from django.contrib.admin import site
from django.contrib.auth import get_user_model, login
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db.models.signals import pre_save
from django.test import Client
from django.utils import timezone

from guest_auth.models import APIToken, DeviceCredential, Guest
from guest_auth.services import create_guest, is_guest
from tests.helpers.factories import PASSWORD, GuestFactory, UserFactory
from tests.helpers.sessions import anonymous_session, make_request, session_store
from tests.mergeapp.models import CartItem, Product

drf = pytest.importorskip("rest_framework")


def User():
    return get_user_model()


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ["tests.routers.PrimaryReplicaRouter"]


@pytest.fixture
def users_alias(settings):
    settings.DATABASE_ROUTERS = ["tests.routers.UsersRouter"]


ON_REPLICA = pytest.mark.django_db(databases=["default", "replica"])


@ON_REPLICA
def test_racing_requests_join_the_guest_written_moments_ago(replica):
    key = anonymous_session(cart=["apple"])
    first, second = make_request(session_key=key), make_request(session_key=key)
    for request in (first, second):
        request.session.get("cart")  # both loaded the session before either made a guest
    assert create_guest(first) == create_guest(second)
    assert Guest.objects.using("default").count() == 1


@ON_REPLICA
def test_login_merges_the_guest_read_and_locked_on_the_primary(replica):
    request = make_request(session_key=anonymous_session())
    guest = create_guest(request)
    product = Product.objects.create(name="apple")
    CartItem.objects.create(user=guest, product=product)
    user = UserFactory()
    # What authenticate() sets once a backend accepted the password (its read
    # would go to the replica here): a credentialed login, which merges.
    user.backend = "django.contrib.auth.backends.ModelBackend"
    login(request, user)
    assert CartItem.objects.using("default").get().user_id == user.pk
    assert not User().objects.using("default").filter(pk=guest.pk).exists()


@ON_REPLICA
def test_is_guest_without_the_session_marker_asks_the_primary(replica):
    guest = GuestFactory().user
    fresh = User().objects.using("default").get(pk=guest.pk)
    assert is_guest(fresh) is True


@ON_REPLICA
def test_fresh_api_token_and_device_credential_work_at_once(replica):
    created = Client().post("/api/guest/", {}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    me = Client().get("/api/guest/me/", headers={"Authorization": f"Token {body['token']}"})
    assert me.status_code == 200
    assert me.json()["is_guest"] is True
    again = Client().post(
        "/api/guest/login/", {"credential": body["credential"]}, content_type="application/json"
    )
    assert again.status_code == 200


def _as_the_replica_had_them(*objs):
    """Copy rows to the replica: its state before the writes that follow."""
    for obj in objs:
        type(obj)._base_manager.using("replica").bulk_create([obj])


@ON_REPLICA
def test_admin_purge_action_counts_what_is_left_on_the_primary(replica):
    idle = GuestFactory(last_seen_at=timezone.now() - timedelta(days=60))
    active = GuestFactory()
    _as_the_replica_had_them(idle.user, active.user, idle, active)
    admin = UserFactory(is_staff=True, is_superuser=True)
    request = make_request()
    request.user = admin
    request.session = session_store()
    request._messages = FallbackStorage(request)
    selected = Guest.objects.filter(pk__in=[idle.pk, active.pk])
    site._registry[Guest].purge_selected(request, selected)
    assert [str(m) for m in request._messages] == [
        "Purged 1 guest.",
        "1 selected guest was active recently and was kept.",
    ]


ON_USERS = pytest.mark.django_db(databases=["default", "users"], transaction=True)


@ON_USERS
def test_promote_page_on_a_non_default_alias(users_alias, client):
    client.get("/guest-view/")
    pk = Guest.objects.get().pk
    data = {"password1": PASSWORD, "password2": PASSWORD}
    field = User().USERNAME_FIELD
    data[field] = "promoted@example.com" if field == "email" else "promoted"
    response = client.post("/guest/promote/", data)
    assert response.status_code == 302
    assert not Guest.objects.exists()
    assert User().objects.get(pk=pk).has_usable_password()


@ON_USERS
def test_api_promotion_on_a_non_default_alias(users_alias):
    created = Client().post("/api/guest/", {}, content_type="application/json").json()
    field = User().USERNAME_FIELD
    body = {"password": PASSWORD, field: "api@example.com" if field == "email" else "api"}
    response = Client().post(
        "/api/guest/promote/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Token {created['token']}"},
    )
    assert response.status_code == 200, response.content
    assert not Guest.objects.exists()


@ON_USERS
def test_api_guest_creation_is_all_or_nothing_on_a_non_default_alias(users_alias):
    def fail(sender, **kwargs):
        raise RuntimeError("the credential could not be stored")

    pre_save.connect(fail, sender=DeviceCredential)
    try:
        response = Client(raise_request_exception=False).post(
            "/api/guest/", {}, content_type="application/json"
        )
    finally:
        pre_save.disconnect(fail, sender=DeviceCredential)
    assert response.status_code == 500
    assert not User().objects.exists()
    assert not Guest.objects.exists()
    assert not APIToken.objects.exists()
