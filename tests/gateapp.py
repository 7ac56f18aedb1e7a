"""Views for the path x rule matrix (tests/cross/test_gate_matrix.py): each describes
the user its way in produced. Mounted beside tests/urls.py's patterns."""

from django.http import JsonResponse
from django.urls import path
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from guest_auth.contrib.rest_framework.authentication import GuestTokenAuthentication
from guest_auth.contrib.simplejwt.authentication import GuestJWTAuthentication
from guest_auth.decorators import guests_allowed
from guest_auth.services import ais_guest, is_guest
from tests.urls import urlpatterns as site_urlpatterns

__all__ = ["urlpatterns"]


def describe(user, guest):
    if not user.is_authenticated:
        return {"authenticated": False}
    return {
        "authenticated": True,
        "pk": str(user.pk),
        "is_guest": guest,
        "is_staff": bool(user.is_staff),
        "is_superuser": bool(user.is_superuser),
    }


def members(request):
    return JsonResponse(describe(request.user, is_guest(request.user)))


@guests_allowed
def opt_in_members(request):
    return JsonResponse(describe(request.user, is_guest(request.user)))


async def amembers(request):
    user = await request.auser()
    return JsonResponse(describe(user, await ais_guest(user)))


@guests_allowed
async def opt_in_amembers(request):
    user = await request.auser()
    return JsonResponse(describe(user, await ais_guest(user)))


class MembersAPI(APIView):
    # As docs/howto/jwt.md and the rest_framework how-to configure a site.
    authentication_classes = [
        GuestTokenAuthentication,
        GuestJWTAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(describe(request.user, is_guest(request.user)))


class OptInAPI(MembersAPI):
    guest_auth_opt_in = True


urlpatterns = [
    path("gate/members/", members),
    path("gate/opt-in/", opt_in_members),
    path("gate/amembers/", amembers),
    path("gate/aopt-in/", opt_in_amembers),
    path("gate/api/members/", MembersAPI.as_view()),
    path("gate/api/opt-in/", OptInAPI.as_view()),
    *site_urlpatterns,
]
