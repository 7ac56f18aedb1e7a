"""Issue 13: nobody ever acts as, or inherits data of, an account they do not own.

One section per finding of the adversarial review; each test failed on the
code before its fix (see SECURITY.md).
"""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client, override_settings

from guest_auth import _session
from guest_auth.models import Guest
from tests.conftest import BROWSER_UA
from tests.testapp.models import Note

User = get_user_model

SIGNED_COOKIES = "django.contrib.sessions.backends.signed_cookies"


def browser():
    return Client(HTTP_USER_AGENT=BROWSER_UA)


def username_value(n):
    return f"taken{n}@example.com" if User().USERNAME_FIELD == "email" else f"taken{n}"


# 1. Strangers share one guest (signed-cookie sessions) -------------------------------


@pytest.mark.django_db
@override_settings(SESSION_ENGINE=SIGNED_COOKIES)
def test_two_clients_with_identical_signed_cookies_get_their_own_guests():
    first, second = browser(), browser()
    # Both visitors' anonymous sessions hold the same data: byte-identical cookies.
    first.get("/session-cart/", {"item": "apple"})
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    assert first.cookies["sessionid"].value == second.cookies["sessionid"].value
    one = first.get("/guest-view/").json()
    Note.objects.create(user_id=User()._meta.pk.to_python(one["pk"]), text="first's secret")
    two = second.get("/guest-view/").json()
    assert one["is_guest"] and two["is_guest"]
    assert one["pk"] != two["pk"]
    assert Guest.objects.count() == 2


@pytest.mark.django_db
@override_settings(SESSION_ENGINE=SIGNED_COOKIES)
def test_two_api_clients_with_identical_signed_cookies_get_their_own_guests():
    pytest.importorskip("rest_framework")
    first, second = browser(), browser()
    first.get("/session-cart/", {"item": "apple"})
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    one = first.post("/api/guest/", content_type="application/json").json()
    two = second.post("/api/guest/", content_type="application/json").json()
    assert one["id"] != two["id"]
    # The second client's credential logs in its own guest, never the first's.
    again = browser().post(
        "/api/guest/login/", {"credential": two["credential"]}, content_type="application/json"
    )
    assert again.json()["id"] == two["id"]


# 2. Promotion strips another session's guest marker ---------------------------------


@pytest.mark.django_db
def test_promoting_one_guest_leaves_another_sessions_marker_alone(guest_client):
    pytest.importorskip("rest_framework")
    b_pk = guest_client.session[SESSION_KEY]
    api = browser()
    a = api.post("/api/guest/", content_type="application/json").json()
    # Guest A's token with guest B's session cookie.
    body = {"password": "Cart-Keeper-2931", User().USERNAME_FIELD: username_value(1)}
    if User().USERNAME_FIELD != "email":
        body["email"] = "a@example.com"
    response = guest_client.post(
        "/api/guest/promote/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {a['token']}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == a["id"]
    # B is still a guest, and its session still says so.
    assert Guest.objects.filter(pk=User()._meta.pk.to_python(b_pk)).exists()
    assert guest_client.session[_session.GUEST_SESSION_KEY] == b_pk
    assert guest_client.get("/regular/").status_code == 302
    me = guest_client.get("/api/guest/me/").json()
    assert me == {"id": me["id"], "is_guest": True, "is_verified": False}


# 7. A staff-flagged guest row on token and credential requests ----------------------


@pytest.mark.django_db
def test_staff_flagged_guest_is_not_staff_on_token_and_credential_requests():
    pytest.importorskip("rest_framework")
    from rest_framework.permissions import IsAdminUser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
    from guest_auth.services import create_guest  # noqa: F401 (public index)

    a = browser().post("/api/guest/", content_type="application/json").json()
    User().objects.filter(pk=a["id"]).update(is_staff=True, is_superuser=True)
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {a['token']}"))
    user, _token = GuestTokenAuthentication().authenticate(request)
    assert (user.is_staff, user.is_superuser) == (False, False)
    request.user = user
    assert not IsAdminUser().has_permission(request, None)

    from guest_auth._tokens import login_with_device_credential
    from tests.helpers import make_request

    user, _token = login_with_device_credential(make_request(), a["credential"])
    assert (user.is_staff, user.is_superuser) == (False, False)


# 8. The promote page and a guest that vanished mid-request ---------------------------


@pytest.mark.django_db
@override_settings(
    GUEST_AUTH_ADAPTER="tests.testapp.adapters.VanishingGuestAdapter",
    ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter",
)
def test_promote_page_reports_a_guest_purged_mid_request(guest_client):
    pk = guest_client.session[SESSION_KEY]
    data = {
        User().USERNAME_FIELD: username_value(8),
        "password1": "Cart-Keeper-2931",
        "password2": "Cart-Keeper-2931",
    }
    if User().USERNAME_FIELD != "email":
        data["email"] = "v@example.com"
    response = guest_client.post("/guest/promote/?next=/home/", data)
    assert not User().objects.filter(pk=pk).exists()
    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()
    assert not User().objects.filter(**{User().USERNAME_FIELD: username_value(8)}).exists()
