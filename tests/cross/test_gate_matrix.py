"""The guest rules on every way in: authentication path x rule.

Every way a request or a token becomes a user hands that user through one
gate (guest_auth._gate.admit). This module holds the contract: each row of
WAYS is a way in, each test function a rule, and every (way, rule) pair is
either tested or listed in NOT_APPLICABLE with the reason. A new way in adds
a class to WAYS (and test_every_gate_path_has_a_row fails until it does); a
new rule adds a test function here.

The ways are driven through the real stack: Django's test client with the
session, sync and async (ASGI) views, DRF with guest_auth's authentication
classes, simplejwt's refresh view, allauth's headless API for both clients.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.test import AsyncClient, Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from guest_auth import _gate
from guest_auth._tokens import issue_api_token, issue_device_credential
from guest_auth.contrib.simplejwt.tokens import GuestRefreshToken
from guest_auth.models import APIToken, Guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.error_reports import assert_no_secret, error_reports, failing, user_table
from tests.helpers.factories import GuestFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.gateapp")]

MOBILE_UA = "okhttp/4.12.0"
PASSWORD = "Cart-Keeper-2931"
OPT_IN = override_settings(GUEST_AUTH_GUEST_ACCESS="opt-in")
MANDATORY = override_settings(
    ACCOUNT_ADAPTER="tests.allauthapp.adapters.SiteGuestAccountAdapter",
    ACCOUNT_EMAIL_VERIFICATION="mandatory",
)
ANONYMOUS = {"authenticated": False}


# The ways in ---------------------------------------------------------------------------


class Way:
    """One authentication path. ``enter(user)`` gives a visitor holding this
    path's credential for ``user``; ``see(visitor, opt_in)`` is what a view
    (one that opts in to guests, or one that does not) sees of it: a
    description of request.user, ANONYMOUS when the path let nobody in."""

    #: The name of the path in guest_auth._gate.PATHS.
    path: str
    #: The guest API token the visitor holds, if any (a headless app signs up with it).
    token: str | None = None

    def __init__(self) -> None:
        self.token = None

    def enter(self, user):
        raise NotImplementedError

    def see(self, visitor, opt_in=False):
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.path


def _json(response):
    if response.status_code in (401, 403):
        return ANONYMOUS
    assert response.status_code == 200, response.content
    return response.json()


class SessionSync(Way):
    path = _gate.SESSION

    def enter(self, user):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        client.force_login(user)
        return client

    def see(self, visitor, opt_in=False):
        return _json(visitor.get("/gate/opt-in/" if opt_in else "/gate/members/"))


class SessionAsync(Way):
    path = _gate.SESSION

    def enter(self, user):
        client = AsyncClient(HTTP_USER_AGENT=BROWSER_UA)
        async_to_sync(client.aforce_login)(user)
        return client

    def see(self, visitor, opt_in=False):
        # async_to_sync keeps the ORM's thread-sensitive calls on the test's connection.
        return _json(async_to_sync(visitor.get)("/gate/aopt-in/" if opt_in else "/gate/amembers/"))


def _api_client(authorization):
    client = APIClient(HTTP_USER_AGENT=MOBILE_UA)
    client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def _api_see(client, opt_in):
    return _json(client.get("/gate/api/opt-in/" if opt_in else "/gate/api/members/"))


class OpaqueToken(Way):
    path = _gate.API_TOKEN

    def enter(self, user):
        self.token = issue_api_token(user)
        return _api_client(f"Token {self.token}")

    def see(self, visitor, opt_in=False):
        return _api_see(visitor, opt_in)


class DeviceCredential(Way):
    """The credential logs the guest in again (session and a fresh token)."""

    path = _gate.DEVICE_CREDENTIAL

    def enter(self, user):
        self.credential = issue_device_credential(user)
        return APIClient(HTTP_USER_AGENT=MOBILE_UA)

    def see(self, visitor, opt_in=False):
        response = visitor.post("/api/guest/login/", {"credential": self.credential}, format="json")
        if response.status_code == 401:
            return ANONYMOUS
        assert response.status_code == 200, response.content
        # What the login admitted: the session it logged in (the client's cookie).
        return _api_see(visitor, opt_in)


class JWTAccess(Way):
    path = _gate.JWT_ACCESS

    def enter(self, user):
        self.refresh = GuestRefreshToken.for_user(user)
        return _api_client(f"Bearer {self.refresh.access_token}")

    def see(self, visitor, opt_in=False):
        return _api_see(visitor, opt_in)


class JWTRefresh(Way):
    """simplejwt's refresh view with guest_auth's serializer, then the new access token."""

    path = _gate.JWT_REFRESH

    def enter(self, user):
        self.refresh = str(GuestRefreshToken.for_user(user))
        return APIClient(HTTP_USER_AGENT=MOBILE_UA)

    def see(self, visitor, opt_in=False):
        response = visitor.post("/api/token/refresh/", {"refresh": self.refresh}, format="json")
        if response.status_code == 401:
            return ANONYMOUS
        assert response.status_code == 200, response.content
        return _api_see(_api_client(f"Bearer {response.json()['access']}"), opt_in)


class HeadlessBrowser(Way):
    """allauth.headless's browser client: the cookie session, seen by allauth's session endpoint."""

    path = _gate.HEADLESS_BROWSER

    def enter(self, user):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        client.force_login(user)
        return client

    def see(self, visitor, opt_in=False):
        # allauth's endpoints do not opt in: with "opt-in" a guest is anonymous there.
        response = visitor.get("/_allauth/browser/v1/auth/session")
        if response.status_code == 401:
            return ANONYMOUS
        assert response.status_code == 200, response.content
        user = get_user_model().objects.get(pk=response.json()["data"]["user"]["id"])
        return {
            "authenticated": True,
            "pk": str(user.pk),
            "is_guest": Guest.objects.filter(pk=user.pk).exists(),
        }


class HeadlessApp(Way):
    """allauth.headless's app client: its guest_auth token names its guest on
    allauth's entrance endpoints (signup promotes it, login merges it). What
    the token then admits is seen on the site's own API."""

    path = _gate.HEADLESS_APP

    def enter(self, user):
        self.token = issue_api_token(user)
        return _api_client(f"Token {self.token}")

    def see(self, visitor, opt_in=False):
        return _api_see(visitor, opt_in)


WAYS = [
    SessionSync,
    SessionAsync,
    OpaqueToken,
    DeviceCredential,
    JWTAccess,
    JWTRefresh,
    HeadlessBrowser,
    HeadlessApp,
]

# (way, rule): why the rule has no cell on that way. Listed, not skipped: the
# parametrization below leaves exactly these out.
NOT_APPLICABLE = {
    (HeadlessBrowser, "demotion"): "allauth's session endpoint shows no staff flags; "
    "its way in is the Django session, whose rows (session sync, async) cover demotion",
    (DeviceCredential, "password_change"): "device credentials belong to guests only, "
    "which have no password; the promotion that sets one revokes them (pending_verification)",
    (JWTAccess, "password_change"): "an access token is stateless until it expires "
    "(SIMPLE_JWT's ACCESS_TOKEN_LIFETIME); simplejwt's CHECK_REVOKE_TOKEN is the site's "
    "switch for ending it at a password change; the refresh row covers the pair",
    (HeadlessApp, "password_change"): "the token of a headless app is an opaque token: "
    "the opaque token row covers it once the guest has a password",
    (SessionSync, "secrets_absent"): "a session carries no guest_auth secret; the session "
    "cookie is Django's own (test_error_reports covers the password on the web paths)",
    (SessionAsync, "secrets_absent"): "as for the sync session",
    (HeadlessBrowser, "secrets_absent"): "as for the session: allauth's headless browser "
    "client uses the cookie session",
}


# (way, rule): cells that fail today, with the work that fixes them. strict:
# the cell fails the run the moment it passes, so the entry is removed then.
KNOWN_FAILING: dict[tuple[type, str], str] = {}


def cells(rule):
    """pytest parameters: every way in, but those NOT_APPLICABLE lists for ``rule``."""
    return [
        pytest.param(
            way,
            id=way.__name__,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILING[way, rule])]
            if (way, rule) in KNOWN_FAILING
            else [],
        )
        for way in WAYS
        if (way, rule) not in NOT_APPLICABLE
    ]


def test_every_gate_path_has_a_row():
    """A way in added to the gate without a row in this matrix fails here."""
    assert {way.path for way in WAYS} == set(_gate.PATHS)


def test_every_path_named_in_the_package_is_a_gate_path():
    """Each way in names its path where it calls the gate; a path named
    nowhere is a row testing nothing, a name outside PATHS fails at once."""
    import pathlib

    import guest_auth

    source = "\n".join(
        path.read_text() for path in pathlib.Path(guest_auth.__file__).parent.rglob("*.py")
    )
    for name in (
        "SESSION",
        "API_TOKEN",
        "DEVICE_CREDENTIAL",
        "JWT_ACCESS",
        "JWT_REFRESH",
        "HEADLESS_BROWSER",
        "HEADLESS_APP",
    ):
        assert getattr(_gate, name) in _gate.PATHS
        # admit(path=NAME), a class's ``path = NAME``, a default ``path: str = NAME``.
        assert re.search(rf"\bpath(: str)? ?= ?{name}\b", source), name
    with pytest.raises(ValueError, match="Unknown way in 'carrier pigeon'"):
        _gate.admit(UserFactory(), path="carrier pigeon")


def test_drf_authentication_classes_end_in_the_gate():
    """guest_auth's DRF classes share GatedAuthentication, whose authenticate()
    a subclass cannot replace: what it finds always passes through the gate."""
    from guest_auth.contrib.rest_framework.authentication import (
        GatedAuthentication,
        GuestTokenAuthentication,
    )
    from guest_auth.contrib.simplejwt.authentication import GuestJWTAuthentication

    for cls in (GuestTokenAuthentication, GuestJWTAuthentication):
        assert issubclass(cls, GatedAuthentication)
        assert cls.authenticate is GatedAuthentication.authenticate
    with pytest.raises(TypeError, match="overrides authenticate\\(\\): implement find\\(\\)"):

        class Skipping(GuestTokenAuthentication):
            def authenticate(self, request):
                return None


def test_not_applicable_cells_name_known_ways_and_rules():
    rules = {name[len("test_rule_") :] for name in globals() if name.startswith("test_rule_")}
    for way, rule in NOT_APPLICABLE:
        assert way in WAYS and rule in rules, (way, rule)


# The rules -----------------------------------------------------------------------------


def _flag_staff(guest):
    # A bulk update or raw SQL after the guest got its credential: the
    # pre_save guard never ran.
    get_user_model().objects.filter(pk=guest.pk).update(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("way_class", cells("demotion"))
def test_rule_demotion(way_class):
    """A guest never acts as staff or superuser, whatever its row says."""
    way = way_class()
    guest = GuestFactory().user
    visitor = way.enter(guest)
    _flag_staff(guest)
    seen = way.see(visitor, opt_in=True)
    assert seen["authenticated"] and seen["pk"] == str(guest.pk) and seen["is_guest"]
    assert (seen["is_staff"], seen["is_superuser"]) == (False, False)


@pytest.mark.parametrize("way_class", cells("opt_in"))
def test_rule_opt_in(way_class):
    """GUEST_ACCESS = "opt-in": a guest is a guest on views that opt in, anonymous elsewhere."""
    way = way_class()
    guest = GuestFactory().user
    visitor = way.enter(guest)
    with OPT_IN:
        assert way.see(visitor, opt_in=False) == ANONYMOUS
        if way_class is not HeadlessBrowser:  # allauth's endpoints have no opting in
            seen = way.see(visitor, opt_in=True)
            assert seen["pk"] == str(guest.pk) and seen["is_guest"] is True
    # A regular user is hidden nowhere.
    if way_class is not DeviceCredential:  # a device credential is a guest's only
        regular_way = way_class()
        user = UserFactory()
        visitor = regular_way.enter(user)
        with OPT_IN:
            seen = regular_way.see(visitor, opt_in=False)
        assert seen["pk"] == str(user.pk) and seen["is_guest"] is False


def _signup_pending(way, visitor, guest):
    """The guest signs up with allauth and mandatory email verification: pending."""
    if isinstance(way, HeadlessBrowser):
        response = visitor.post(
            "/_allauth/browser/v1/auth/signup",
            json.dumps({"email": "new@example.com", "password": PASSWORD}),
            content_type="application/json",
        )
    else:
        token = way.token or issue_api_token(guest)
        response = Client(HTTP_USER_AGENT=MOBILE_UA).post(
            "/_allauth/app/v1/auth/signup",
            json.dumps({"email": "new@example.com", "password": PASSWORD}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    assert response.status_code == 401, response.content
    pending = [flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["verify_email"]
    assert not Guest.objects.filter(pk=guest.pk).exists()  # promoted in place


@pytest.mark.parametrize("way_class", cells("pending_verification"))
def test_rule_pending_verification(way_class, mailoutbox):
    """While mandatory email verification is pending, the account is a regular user on no path."""
    way = way_class()
    guest = GuestFactory().user
    visitor = way.enter(guest)
    with MANDATORY:
        _signup_pending(way, visitor, guest)
        seen = way.see(visitor, opt_in=True)
    assert seen == ANONYMOUS, seen


@pytest.mark.parametrize("way_class", cells("deleted_guest"))
def test_rule_deleted_guest(way_class):
    """A purged or deleted guest's credentials let nobody in."""
    way = way_class()
    guest = GuestFactory().user
    visitor = way.enter(guest)
    get_user_model().objects.filter(pk=guest.pk).delete()
    assert way.see(visitor, opt_in=True) == ANONYMOUS


@pytest.mark.parametrize("way_class", cells("password_change"))
def test_rule_password_change(way_class):
    """A password change ends what was issued for the old password."""
    way = way_class()
    # A guest's refresh token is bound to its API token row, which a password
    # change ends; a regular user's is simplejwt's own (see docs/howto/jwt.md).
    user = GuestFactory().user if way_class is JWTRefresh else UserFactory()
    visitor = way.enter(user)
    assert way.see(visitor, opt_in=True)["pk"] == str(user.pk)
    user.set_password("Another-Pass-5521")
    user.save()
    assert way.see(visitor, opt_in=True) == ANONYMOUS


@pytest.mark.parametrize("way_class", cells("secrets_absent"))
def test_rule_secrets_absent(way_class):
    """A database error on the way in puts none of its secrets in Django's error report."""
    way = way_class()
    guest = GuestFactory().user
    visitor = way.enter(guest)
    APIToken.objects.update(last_used_at=timezone.now() - timedelta(days=1))
    secrets = [s for s in (way.token, getattr(way, "credential", None)) if s]
    refresh = getattr(way, "refresh", None)
    if refresh is not None:
        secrets.append(str(refresh))
    # Recording the use of the credential, or of the token a JWT is bound to,
    # fails; for a JWT access token, loading its user does.
    failure = (
        failing("SELECT", user_table())
        if way_class is JWTAccess
        else failing("UPDATE", "guest_auth_")
    )
    # The test client re-raises the 500's error.
    with error_reports() as reports, failure, pytest.raises(DatabaseError):
        way.see(visitor, opt_in=True)
    assert_no_secret(reports, *secrets)


# The cases issue 21 found, each on the way it was found ----------------------------------


def test_refresh_from_db_forgets_the_guest():
    """is_guest() after refresh_from_db() is the database's answer, not a stale cache."""
    from guest_auth.services import is_guest, promote_guest

    guest = GuestFactory().user
    user = get_user_model().objects.get(pk=guest.pk)
    assert is_guest(user)
    promote_guest(None, get_user_model().objects.get(pk=guest.pk), password=PASSWORD)
    user.refresh_from_db()
    assert not is_guest(user)


def test_a_jwt_without_the_is_guest_claim_is_gated_too():
    """A guest's token made by simplejwt alone (no is_guest claim) gets no pass:
    the gate asks the database, demotes it and hides it under opt-in."""
    from rest_framework_simplejwt.tokens import RefreshToken

    guest = GuestFactory().user
    client = _api_client(f"Bearer {RefreshToken.for_user(guest).access_token}")
    _flag_staff(guest)
    seen = _api_see(client, opt_in=True)
    assert seen["is_guest"] is True and (seen["is_staff"], seen["is_superuser"]) == (False, False)
    with OPT_IN:
        assert _api_see(client, opt_in=False) == ANONYMOUS


def test_the_session_marker_answer_is_the_guest_relation(django_assert_num_queries):
    """What the session marker says is kept as user.guest: an unloaded Guest
    row whose fields load on first use (with their real values), or None,
    which Django's own accessor turns into Guest.DoesNotExist."""
    from guest_auth._session import remember_guest
    from guest_auth.services import is_guest

    row = GuestFactory(idle_days=3)
    user = get_user_model().objects.get(pk=row.pk)
    remember_guest(user, True)
    with django_assert_num_queries(0):
        assert is_guest(user) is True
    with django_assert_num_queries(1):
        assert user.guest.last_seen_at == row.last_seen_at
    regular = UserFactory()
    remember_guest(regular, False)
    with django_assert_num_queries(0):
        assert is_guest(regular) is False
        with pytest.raises(Guest.DoesNotExist):
            regular.guest  # noqa: B018
