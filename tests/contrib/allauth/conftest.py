import pytest
from allauth.account.models import EmailAddress

from guest_auth.signals import guest_merged, guest_promoted
from tests.helpers.clients import ALLAUTH_SIGNUP
from tests.helpers.factories import UserFactory


@pytest.fixture(autouse=True)
def _allauth_signup():
    """django-allauth is the site's signup here (tests/settings.py installs it without
    making it the signup, so the core's own promote page is tested elsewhere)."""
    from django.test import override_settings

    with override_settings(**ALLAUTH_SIGNUP):
        yield


@pytest.fixture
def promotions():
    """(pk, method) of every guest_promoted sent during the test (always with a request)."""
    sent = []

    def receiver(sender, request, user, method, **kwargs):
        assert request is not None
        sent.append((user.pk, method))

    guest_promoted.connect(receiver, dispatch_uid="test_allauth_promotions")
    yield sent
    guest_promoted.disconnect(dispatch_uid="test_allauth_promotions")


@pytest.fixture
def merges():
    """(guest pk, user pk) of every guest_merged sent during the test."""
    sent = []

    def receiver(sender, request, guest, user, **kwargs):
        sent.append((guest.pk, user.pk))

    guest_merged.connect(receiver, dispatch_uid="test_allauth_merges")
    yield sent
    guest_merged.disconnect(dispatch_uid="test_allauth_merges")


@pytest.fixture
def existing(db):
    """A regular account that already exists, with a verified email."""
    user = UserFactory(email="known@example.com")
    EmailAddress.objects.create(user=user, email="known@example.com", primary=True, verified=True)
    return user
