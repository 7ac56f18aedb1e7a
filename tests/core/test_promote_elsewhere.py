"""Sites without guest_auth.urls: promotion through the API or allauth (guest_auth.W006)."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from guest_auth.checks import MESSAGES, check_urls
from tests.helpers.clients import ALLAUTH_SIGNUP

API_ONLY = "tests.testapp.urls_api_only"
ALLAUTH_ONLY = "tests.allauthapp.urls_without_guest_auth"


def ids(messages):
    return [message.id for message in messages]


def test_no_way_to_promote_is_an_error():
    with override_settings(ROOT_URLCONF="tests.testapp.urls_without_guest_auth"):
        assert ids(check_urls()) == ["guest_auth.E006"]


@pytest.mark.parametrize("urlconf", [API_ONLY, ALLAUTH_ONLY])
def test_promoting_only_through_the_api_or_allauth_is_a_warning(urlconf):
    pytest.importorskip("rest_framework" if urlconf == API_ONLY else "allauth")
    # With allauth, only when it is the site's signup (its adapter has our mixin).
    signup = {} if urlconf == API_ONLY else ALLAUTH_SIGNUP
    with override_settings(ROOT_URLCONF=urlconf, **signup):
        [warning] = check_urls()
    assert warning.id == "guest_auth.W006"
    assert warning.is_serious() is False
    assert (warning.msg, warning.hint) == MESSAGES["guest_auth.W006"][1:]


@pytest.mark.django_db
def test_migrate_runs_on_a_site_that_promotes_through_the_api():
    pytest.importorskip("rest_framework")
    with override_settings(ROOT_URLCONF=API_ONLY):
        call_command("migrate", verbosity=0)
        call_command("check")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=API_ONLY)
def test_regular_only_views_refuse_guests_with_403_without_a_promote_page(guest_client):
    pytest.importorskip("rest_framework")
    assert guest_client.get("/regular/").status_code == 403


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=ALLAUTH_ONLY)
def test_regular_only_views_send_guests_to_allauths_signup(guest_client):
    pytest.importorskip("allauth")
    response = guest_client.get("/regular/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/?next=/regular/"
