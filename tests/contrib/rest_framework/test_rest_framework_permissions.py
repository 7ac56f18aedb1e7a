import pytest
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
from guest_auth.contrib.rest_framework.permissions import IsGuest, IsRegularUser
from tests.helpers.rest_framework import API, MOBILE_UA

pytestmark = pytest.mark.django_db


def view_with(permission):
    class View(APIView):
        authentication_classes = [GuestTokenAuthentication, SessionAuthentication]
        permission_classes = [permission]

        def get(self, request):
            return Response("in")

    return View.as_view()


def guest_token():
    return APIClient(HTTP_USER_AGENT=MOBILE_UA).post(API, {}, format="json").json()["token"]


def call(permission, *, token=None, user=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    request = APIRequestFactory().get("/", **headers)
    if user is not None:
        force_authenticate(request, user)
    return view_with(permission)(request)


def test_is_guest():
    response = call(IsGuest, token=guest_token())
    assert (response.status_code, response.data) == (200, "in")


def test_is_guest_refuses_regular_users_403(user):
    response = call(IsGuest, user=user)
    assert response.status_code == 403
    assert response.data == {"detail": "Only guests can do this."}


def test_is_regular_user(user):
    assert call(IsRegularUser, user=user).status_code == 200


def test_is_regular_user_refuses_guests_403():
    response = call(IsRegularUser, token=guest_token())
    assert response.status_code == 403
    assert response.data == {"detail": "Guests cannot do this: create an account first."}


@pytest.mark.parametrize("permission", [IsGuest, IsRegularUser])
def test_anonymous_clients_401(permission):
    response = call(permission)
    assert response.status_code == 401
    assert response.data == {"detail": "Authentication credentials were not provided."}


def test_drf_is_authenticated_lets_guests_in():
    # Why IsRegularUser exists: a guest is a logged-in user.
    assert call(IsAuthenticated, token=guest_token()).status_code == 200


def test_permissions_add_no_query_for_token_users(django_assert_num_queries):
    token = guest_token()
    with django_assert_num_queries(1):  # the token lookup, which also tells guest or not
        assert call(IsGuest, token=token).status_code == 200
    with django_assert_num_queries(1):
        assert call(IsRegularUser, token=token).status_code == 403
