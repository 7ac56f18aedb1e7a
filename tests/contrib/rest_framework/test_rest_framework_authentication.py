import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import override_settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from guest_auth import services
from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
from guest_auth.models import APIToken, Guest
from tests.helpers.rest_framework import API, MOBILE_UA

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    response = APIClient(HTTP_USER_AGENT=MOBILE_UA).post(API, {}, format="json")
    return response.json()


def authenticate(header):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)
    view = WhoAmI()
    return GuestTokenAuthentication().authenticate(view.initialize_request(request))


def test_valid_token_gives_user_and_token_row(issued):
    user, token = authenticate(f"Token {issued['token']}")
    assert str(user.pk) == str(issued["id"])
    assert token == APIToken.objects.get()
    assert services.is_guest(user) is True


def test_keyword_is_case_insensitive(issued):
    assert authenticate(f"token {issued['token']}") is not None


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Token",
        "Bearer {token}",
        "Token {token} extra",
        "Tokens {token}",
        "Token abc",
        "Token legacy-40-hex-0123456789abcdef0123456789",
        "Token {token}\u00e9",
    ],
)
def test_headers_that_are_not_ours_are_left_to_other_classes(issued, header):
    assert authenticate(header.format(token=issued["token"])) is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # wrong secret
        lambda token: "f" * 24 + token[24:],  # unknown lookup
    ],
)
def test_our_tokens_that_fail_raise_401(issued, spoil):
    with pytest.raises(AuthenticationFailed) as excinfo:
        authenticate(f"Token {spoil(issued['token'])}")
    assert str(excinfo.value.detail) == "Invalid or expired token."


def test_a_device_credential_is_not_a_token(issued):
    with pytest.raises(AuthenticationFailed):
        authenticate(f"Token {issued['credential']}")


class LegacyTokenAuthentication(BaseAuthentication):
    """Stands for another class using the Token keyword, such as DRF's own."""

    def authenticate(self, request):
        if request.META.get("HTTP_AUTHORIZATION") == "Token legacy":
            return (Guest.objects.select_related("user").first().user, "legacy")
        return None


class WhoAmI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(
            {
                "pk": str(request.user.pk),
                "is_guest": services.is_guest(request.user),
                "auth": type(request.auth).__name__,
            }
        )

    def post(self, request):
        return self.get(request)


def call(view_class, method="get", **headers):
    request = getattr(APIRequestFactory(enforce_csrf_checks=True), method)("/", **headers)
    return view_class.as_view()(request)


def test_works_beside_another_token_class(issued):
    class View(WhoAmI):
        authentication_classes = [GuestTokenAuthentication, LegacyTokenAuthentication]

    assert call(View, HTTP_AUTHORIZATION="Token legacy").data["auth"] == "str"
    assert call(View, HTTP_AUTHORIZATION=f"Token {issued['token']}").data["auth"] == "APIToken"


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "guest_auth.contrib.rest_framework.authentication.GuestTokenAuthentication",
        ],
    }
)
def test_in_default_authentication_classes_beside_session_authentication(issued, user):
    class View(WhoAmI):
        # What APIView does at import time, here under the overridden settings.
        authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES

    # Token requests need no CSRF token, even for writes.
    response = call(View, "post", HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert response.status_code == 200
    assert response.data == {"pk": str(issued["id"]), "is_guest": True, "auth": "APIToken"}
    # Session users still work, and still need a CSRF token for writes.
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(user)
    assert call_with_session(session, View, "get").data["pk"] == str(user.pk)
    response = call_with_session(session, View, "post")
    assert response.status_code == 403
    assert response.data == {"detail": "CSRF Failed: CSRF cookie not set."}


def call_with_session(client, view_class, method):
    """Call ``view_class`` with ``client``'s cookies, through the session middleware."""
    request = getattr(APIRequestFactory(enforce_csrf_checks=True), method)("/")
    request.COOKIES.update({key: morsel.value for key, morsel in client.cookies.items()})
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    return view_class.as_view()(request)


def test_authenticate_header_makes_anonymous_requests_401():
    response = call(type("View", (WhoAmI,), {"authentication_classes": [GuestTokenAuthentication]}))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
