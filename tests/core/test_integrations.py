"""guest_auth._integrations: the one seam through which contrib packages plug
into the core (view hooks, audit readers, the signup provider, checks)."""

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.core.checks import Warning, run_checks
from django.http import HttpResponse
from django.test import AsyncClient, Client, override_settings

from guest_auth import _integrations
from guest_auth._signup import allauth_is_signup, has_verified_email, signup_url
from guest_auth.checks import MESSAGES, all_messages
from tests.helpers.clients import BROWSER_UA

ALLAUTH = apps.is_installed("allauth.account")
DRF = apps.is_installed("rest_framework")
needs_allauth = pytest.mark.skipif(not ALLAUTH, reason="django-allauth is not installed")


@pytest.fixture
def registry(monkeypatch):
    """The registry as it is, restored after the test."""
    monkeypatch.setattr(_integrations, "_registered", dict(_integrations._registered))
    return _integrations


def test_ready_registers_the_installed_integrations_only():
    names = {integration.name for integration in _integrations.integrations()}
    expected = set()
    if ALLAUTH:
        expected.add("guest_auth.contrib.allauth")
    if DRF:
        expected.add("guest_auth.contrib.rest_framework")
    assert names == expected


class _Hook:
    """A view hook of an integration that does not exist: it answers the views
    whose name starts with "plain"."""

    def __init__(self):
        self.seen = []

    def concerns(self, view_func):
        return view_func.__name__.startswith("plain")

    def before_view(self, request, view_func):
        self.seen.append(view_func.__name__)
        return HttpResponse("hooked", status=418)


@pytest.mark.django_db
def test_a_new_integration_plugs_in_without_touching_the_core(registry):
    hook = _Hook()
    registry.add(registry.Integration(name="tests.example", view_hook=hook))
    client = Client(HTTP_USER_AGENT=BROWSER_UA)  # a new handler: a new GuestMiddleware
    assert client.get("/plain/").status_code == 418
    assert client.get("/home/").status_code == 200
    assert hook.seen == ["plain"]


@pytest.mark.django_db
def test_view_hooks_run_on_the_async_path_too(registry):
    hook = _Hook()
    registry.add(registry.Integration(name="tests.example", view_hook=hook))
    client = AsyncClient(HTTP_USER_AGENT=BROWSER_UA)
    response = async_to_sync(client.get)("/plain/")
    assert response.status_code == 418
    assert hook.seen == ["plain"]


def test_adding_again_replaces(registry):
    registry.add(registry.Integration(name="tests.example", view_kind=lambda view: "entrance"))
    registry.add(registry.Integration(name="tests.example"))
    assert registry.view_kind(object()) is None
    assert [i.name for i in registry.integrations()].count("tests.example") == 1


def test_checks_and_their_messages_register_together(registry):
    messages = {"tests.W999": (Warning, "An example integration is misconfigured.", "Fix it.")}

    def check_example(app_configs=None, **kwargs):
        level, msg, hint = messages["tests.W999"]
        return [level(msg, hint=hint, id="tests.W999")]

    registry.add(
        registry.Integration(name="tests.example", checks=(check_example,), messages=messages)
    )
    try:
        assert "tests.W999" in [m.id for m in run_checks()]
        assert all_messages()["tests.W999"] == messages["tests.W999"]
        assert "tests.W999" not in MESSAGES  # the core's own stay apart
    finally:
        from django.core.checks.registry import registry as django_checks

        django_checks.registered_checks.discard(check_example)


class _Signup:
    url_name = "home"

    def __init__(self, active, verified):
        self.active, self.verified = active, verified

    def is_signup(self):
        return self.active

    def has_verified_email(self, user):
        return self.verified


def test_a_signup_provider_is_the_one_answer(registry):
    # allauth's own provider, where it is installed, would answer first: leave it out.
    registry._registered.pop("guest_auth.contrib.allauth", None)
    assert (allauth_is_signup(), has_verified_email(object())) == (False, True)
    registry.add(registry.Integration(name="tests.example", signup=_Signup(True, False)))
    assert (allauth_is_signup(), has_verified_email(object())) == (True, False)
    assert signup_url() == "/home/"
    registry.add(registry.Integration(name="tests.example", signup=_Signup(False, False)))
    assert (allauth_is_signup(), has_verified_email(object())) == (False, True)
    assert signup_url() == "/guest/promote/"


@needs_allauth
@pytest.mark.parametrize(
    "adapter",
    [
        "guest_auth.contrib.allauth.GuestAccountAdapter",
        "tests.allauthapp.adapters.SiteGuestAccountAdapter",
        "tests.allauthapp.adapters.SiteAccountAdapter",
        "allauth.account.adapter.DefaultAccountAdapter",
        "no.such.Adapter",
    ],
)
def test_one_answer_to_is_allauth_the_signup(adapter):
    # Before, the promote page, the API and is_verified scanned the adapter's
    # MRO by class name while the view hooks and the checks used issubclass.
    from guest_auth.contrib.allauth._views import integration_enabled

    with override_settings(ACCOUNT_ADAPTER=adapter):
        assert allauth_is_signup() is integration_enabled()
        provider = _integrations.signup_provider()
        assert (provider is not None) is integration_enabled()


@needs_allauth
def test_allauths_checks_are_its_own():
    from guest_auth.contrib.allauth.checks import MESSAGES as ALLAUTH_MESSAGES

    assert set(ALLAUTH_MESSAGES) == {"guest_auth.W010", "guest_auth.W011"}
    assert not set(ALLAUTH_MESSAGES) & set(MESSAGES)
    assert set(ALLAUTH_MESSAGES) <= set(all_messages())
