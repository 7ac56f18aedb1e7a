"""Views for the GUEST_AUTH_GUEST_ACCESS tests and the guest_access command,
mounted at /access/ by tests/urls.py."""

from django.apps import apps
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import (
    login_not_required,
    login_required,
    permission_required,
    user_passes_test,
)
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.urls import path
from django.views import View

from guest_auth.decorators import allow_guest, guests_allowed
from tests.testapp.views import _describe, plain


@login_not_required  # sets an attribute on the function itself: not on plain
def open_view(request):
    return plain(request)


@guests_allowed
def cart(request):
    """Opts in without creating guests: it calls an allow_guest helper on POST."""
    if request.method == "POST":
        return add_to_cart(request)
    return plain(request)


@allow_guest
def add_to_cart(request):
    return plain(request)


async def async_plain(request):
    from django.http import JsonResponse

    return JsonResponse(_describe(await request.auser()))


class LoginRequiredCBV(LoginRequiredMixin, View):
    def get(self, request):
        return plain(request)


class ManagerOnly(UserPassesTestMixin, View):
    def test_func(self):
        return self.request.user.is_staff

    def get(self, request):
        return plain(request)


def _is_manager(user):
    return user.is_staff


urlpatterns = [
    path("plain/", plain, name="plain"),
    path("async-plain/", async_plain),
    path("cart/", cart),
    path("open/", open_view, name="open"),
    path("guest/", login_not_required(allow_guest(plain)), name="guest"),
    path("login-required/", login_required(plain), name="login-required"),
    path("cbv-login-required/", LoginRequiredCBV.as_view()),
    path("staff/", staff_member_required(plain)),
    path("perm/", permission_required("testapp.view_note")(plain)),
    path("custom-test/", user_passes_test(_is_manager)(plain)),
    path("custom-mixin/", ManagerOnly.as_view()),
]

if apps.is_installed("rest_framework"):
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.permissions import (
        AllowAny,
        BasePermission,
        IsAuthenticated,
        IsAuthenticatedOrReadOnly,
    )
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
    from guest_auth.contrib.rest_framework.permissions import IsGuest, IsRegularUser

    class _API(APIView):
        authentication_classes = [GuestTokenAuthentication, SessionAuthentication]

        def get(self, request):
            return Response(_describe(request.user))

    class AuthenticatedAPI(_API):
        permission_classes = [IsAuthenticated]

    class GuestCartAPI(_API):
        permission_classes = [IsAuthenticated]
        guest_auth_opt_in = True

    class OpenAPI(_API):
        permission_classes = [AllowAny]

    class ReadOnlyAPI(_API):
        permission_classes = [IsAuthenticatedOrReadOnly]

    class GuestsOnlyAPI(_API):
        permission_classes = [IsGuest]

    class RegularOnlyAPI(_API):
        permission_classes = [IsRegularUser]

    class _Weekdays(BasePermission):
        def has_permission(self, request, view):
            return True

    class CustomAPI(_API):
        permission_classes = [_Weekdays]

    class EitherAPI(_API):
        permission_classes = [IsGuest | IsRegularUser]

    urlpatterns += [
        path("api/authenticated/", AuthenticatedAPI.as_view()),
        path("api/cart/", GuestCartAPI.as_view()),
        path("api/open/", OpenAPI.as_view()),
        path("api/read-only/", ReadOnlyAPI.as_view()),
        path("api/guests-only/", GuestsOnlyAPI.as_view()),
        path("api/regular-only/", RegularOnlyAPI.as_view()),
        path("api/custom/", CustomAPI.as_view()),
        path("api/either/", EitherAPI.as_view()),
    ]
