"""guest_auth.contrib.allauth.checks: guest_auth.W010 and W011."""

import pytest
from django.conf import settings
from django.core.checks import Warning
from django.test import override_settings

from guest_auth.contrib.allauth.checks import MESSAGES
from guest_auth.contrib.allauth.checks import check_adapters as check_allauth


def ids(messages):
    return [m.id for m in messages]


def test_missing_adapters():
    assert check_allauth() == []  # the test settings use the fixed names
    with override_settings(
        ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter",
        SOCIALACCOUNT_ADAPTER="tests.allauthapp.adapters.SiteSocialAccountAdapter",
    ):
        messages = check_allauth()
    assert messages == [
        Warning(*MESSAGES[check_id][1:2], hint=MESSAGES[check_id][2], id=check_id)
        for check_id in ("guest_auth.W010", "guest_auth.W011")
    ]
    assert MESSAGES["guest_auth.W010"][1:] == (
        "django-allauth is installed but ACCOUNT_ADAPTER does not include guest_auth's adapter: "
        "allauth's login and signup pages turn guests away, and signing up creates a new user "
        "instead of keeping the guest's data.",
        'Set ACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestAccountAdapter", or put '
        "guest_auth.contrib.allauth.GuestAccountAdapterMixin first in your adapter's bases.",
    )
    assert MESSAGES["guest_auth.W011"][1:] == (
        "allauth.socialaccount is installed but SOCIALACCOUNT_ADAPTER does not include "
        "guest_auth's adapter: signing up with a provider creates a new user instead of keeping "
        "the guest's data.",
        'Set SOCIALACCOUNT_ADAPTER = "guest_auth.contrib.allauth.GuestSocialAccountAdapter", or '
        "put guest_auth.contrib.allauth.GuestSocialAccountAdapterMixin first in your adapter's "
        "bases.",
    )


@pytest.mark.parametrize(
    "account,social,expected",
    [
        (
            "tests.allauthapp.adapters.SiteGuestAccountAdapter",
            "tests.allauthapp.adapters.SiteGuestSocialAccountAdapter",
            [],
        ),
        (
            "tests.allauthapp.adapters.SiteAccountAdapter",
            "guest_auth.contrib.allauth.GuestSocialAccountAdapter",
            ["guest_auth.W010"],
        ),
        ("guest_auth.contrib.allauth.GuestAccountAdapter", "no.such.Adapter", ["guest_auth.W011"]),
    ],
)
def test_mixins_in_the_sites_own_adapters_count(account, social, expected):
    with override_settings(ACCOUNT_ADAPTER=account, SOCIALACCOUNT_ADAPTER=social):
        assert ids(check_allauth()) == expected


def test_without_socialaccount_only_the_account_adapter_matters():
    apps = [a for a in settings.INSTALLED_APPS if not a.startswith("allauth.socialaccount")]
    default = "allauth.socialaccount.adapter.DefaultSocialAccountAdapter"
    with override_settings(INSTALLED_APPS=apps, SOCIALACCOUNT_ADAPTER=default):
        assert check_allauth() == []
