"""GUEST_AUTH_GUEST_ACCESS = "opt-in": guests are guests only on the views that
opt in; every other view (login_required, LoginRequiredMiddleware, DRF's
IsAuthenticated) sees an anonymous visitor."""

import pytest
from asgiref.sync import async_to_sync
from django.core.checks import Error
from django.test import Client, override_settings

from guest_auth.checks import MESSAGES, check_setup
from guest_auth.models import Guest
from guest_auth.testing import log_in_guest
from tests.helpers.clients import BROWSER_UA
from tests.helpers.factories import PASSWORD, UserFactory
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db

OPT_IN = override_settings(GUEST_AUTH_GUEST_ACCESS="opt-in")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guest_auth.middleware.GuestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
LOGIN_REQUIRED_EVERYWHERE = override_settings(
    MIDDLEWARE=MIDDLEWARE, GUEST_AUTH_GUEST_ACCESS="opt-in"
)


def described(client, path):
    response = client.get(path)
    assert response.status_code == 200, response
    return response.json()


def test_by_default_guests_pass_login_required(guest_client, guest_user):
    body = described(guest_client, "/access/login-required/")
    assert body == {"authenticated": True, "pk": str(guest_user.pk), "is_guest": True}


@OPT_IN
def test_guests_are_anonymous_on_views_that_do_not_opt_in(guest_client, guest_user):
    assert described(guest_client, "/plain/") == {
        "authenticated": False,
        "pk": None,
        "is_guest": False,
    }
    response = guest_client.get("/access/login-required/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/access/login-required/"
    assert guest_client.get("/access/cbv-login-required/").status_code == 302
    # Still the guest's session: nothing was logged out or created.
    assert described(guest_client, "/guest-view/")["pk"] == str(guest_user.pk)
    assert Guest.objects.count() == 1


@OPT_IN
def test_hiding_a_guest_costs_the_session_query_only(guest_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        guest_client.get("/plain/")


@OPT_IN
@pytest.mark.parametrize(
    "path", ["/guest-view/", "/cbv/guest/", "/access/guest/", "/async-guest-view/"]
)
def test_guests_are_guests_where_views_opt_in(guest_client, guest_user, path):
    body = described(guest_client, path)
    assert body == {"authenticated": True, "pk": str(guest_user.pk), "is_guest": True}


@OPT_IN
def test_regular_user_required_still_sends_guests_to_promotion(guest_client):
    for path in ("/regular/", "/cbv/regular/", "/async-regular/"):
        response = guest_client.get(path)
        assert response["Location"].startswith("/guest/promote/?next="), path
    assert guest_client.get("/guest/promote/").status_code == 200


@OPT_IN
def test_asgi_hides_guests_too(async_client):
    async def visit():
        created = await async_client.get("/async-guest-view/")
        hidden = await async_client.get("/access/async-plain/")
        again = await async_client.get("/async-guest-view/")
        return created.json(), hidden.json(), again.json()

    created, hidden, again = async_to_sync(visit)()
    assert created["is_guest"] is True
    assert hidden == {"authenticated": False, "pk": None, "is_guest": False}
    assert again == created


@OPT_IN
def test_regular_users_are_not_touched(client):
    user = UserFactory()
    client.force_login(user)
    assert described(client, "/plain/")["pk"] == str(user.pk)
    assert described(client, "/access/login-required/")["pk"] == str(user.pk)


@OPT_IN
def test_a_hidden_guest_logging_in_is_still_merged(client):
    client.post("/notes/add/", {"text": "kept"})
    user = UserFactory()
    response = client.post(
        "/accounts/login/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert list(Note.objects.values_list("user_id", "text")) == [(user.pk, "kept")]
    assert Guest.objects.count() == 0


@LOGIN_REQUIRED_EVERYWHERE
def test_with_login_required_middleware(guest_client, guest_user):
    # A guest is turned away like an anonymous visitor where the view does not opt in...
    for path in ("/plain/", "/access/async-plain/"):
        response = guest_client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    # ...is a guest where it does...
    assert described(guest_client, "/access/guest/")["pk"] == str(guest_user.pk)
    # ...and sees open pages as anonymous.
    assert described(guest_client, "/access/open/")["authenticated"] is False
    # A new visitor gets a guest on a view that opts in and is login_not_required.
    visitor = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert visitor.get("/plain/").status_code == 302
    assert described(visitor, "/access/guest/")["is_guest"] is True
    # Regular users go everywhere.
    regular = Client(HTTP_USER_AGENT=BROWSER_UA)
    regular.force_login(UserFactory())
    assert regular.get("/plain/").status_code == 200


@LOGIN_REQUIRED_EVERYWHERE
def test_without_the_setting_login_required_middleware_lets_guests_in(guest_client):
    with override_settings(GUEST_AUTH_GUEST_ACCESS="all"):
        assert described(guest_client, "/plain/")["is_guest"] is True


def test_check_e020_login_required_middleware_before_guest_middleware():
    assert MESSAGES["guest_auth.E020"][1:] == (
        "GUEST_AUTH_GUEST_ACCESS is 'opt-in' but "
        "'django.contrib.auth.middleware.LoginRequiredMiddleware' comes before "
        "'guest_auth.middleware.GuestMiddleware' in MIDDLEWARE: it would let guests into "
        "views that do not opt in.",
        "Move 'guest_auth.middleware.GuestMiddleware' above "
        "'django.contrib.auth.middleware.LoginRequiredMiddleware'.",
    )
    wrong = [*MIDDLEWARE]
    wrong.remove("django.contrib.auth.middleware.LoginRequiredMiddleware")
    wrong.insert(5, "django.contrib.auth.middleware.LoginRequiredMiddleware")
    with override_settings(MIDDLEWARE=wrong):
        assert check_setup() == []  # "all": the order does not matter
        with override_settings(GUEST_AUTH_GUEST_ACCESS="opt-in"):
            (error,) = check_setup()
            assert isinstance(error, Error) and error.id == "guest_auth.E020"
    with LOGIN_REQUIRED_EVERYWHERE:
        assert check_setup() == []


@OPT_IN
def test_guests_allowed_opts_in_without_creating_guests(client, guest_user):
    assert described(client, "/access/cart/")["authenticated"] is False  # no guest made
    log_in_guest(client, guest_user)
    assert described(client, "/access/cart/")["pk"] == str(guest_user.pk)
    assert client.post("/access/cart/").json()["pk"] == str(guest_user.pk)
    assert Guest.objects.count() == 1
