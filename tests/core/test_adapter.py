import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from guest_auth.adapter import GuestAdapter, get_adapter
from tests.testapp.adapters import NoGuestsOnSundayAdapter


def test_default_adapter():
    assert type(get_adapter()) is GuestAdapter
    assert get_adapter() is get_adapter()


@override_settings(GUEST_AUTH_ADAPTER="tests.testapp.adapters.NoGuestsOnSundayAdapter")
def test_configured_adapter():
    assert type(get_adapter()) is NoGuestsOnSundayAdapter


@pytest.mark.parametrize(
    "path,message",
    [
        (
            "tests.testapp.adapters.Missing",
            "GUEST_AUTH_ADAPTER: 'tests.testapp.adapters.Missing' cannot be imported: Module "
            '"tests.testapp.adapters" does not define a "Missing" attribute/class',
        ),
        (
            "tests.testapp.models.Note",
            "GUEST_AUTH_ADAPTER 'tests.testapp.models.Note' must name a subclass of "
            "guest_auth.adapter.GuestAdapter.",
        ),
    ],
)
def test_bad_adapter_path(path, message):
    with override_settings(GUEST_AUTH_ADAPTER=path), pytest.raises(ImproperlyConfigured) as exc:
        get_adapter()
    assert str(exc.value) == message


def test_new_guest_user_is_unsaved_and_passwordless():
    user = GuestAdapter().new_guest_user(RequestFactory().get("/"))
    assert user._state.adding
    assert not user.has_usable_password()
    username = user.get_username()
    if get_user_model().USERNAME_FIELD == "email":
        assert username is None
    else:
        assert username.startswith("guest_") and len(username) == 26


@pytest.mark.parametrize(
    "agent,bot", [("", False), ("Mozilla/5.0 Firefox/140", False), ("Googlebot/2.1", True)]
)
def test_is_bot(agent, bot):
    request = RequestFactory().get("/", HTTP_USER_AGENT=agent)
    assert GuestAdapter().is_bot(request) is bot
    assert GuestAdapter().allow_guest_creation(request) is not bot


@pytest.mark.django_db
def test_is_verified_by_default_means_not_a_guest(guest_user, user):
    adapter = get_adapter()
    assert adapter.is_verified(None, guest_user) is False
    assert adapter.is_verified(None, user) is True
