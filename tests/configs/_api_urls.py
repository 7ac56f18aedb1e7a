"""The guest API and a site's own API view, for configurations with DRF."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from guest_auth.services import is_guest

__all__ = ["api_urls"]


class WhoAmI(APIView):
    """A site's own endpoint, on REST_FRAMEWORK's default authentication classes."""

    schema = None  # left out of the OpenAPI schema

    def get(self, request):
        user = request.user
        return Response(
            {"pk": user.pk if user.is_authenticated else None, "is_guest": is_guest(user)}
        )


api_urls = [
    path("api/guest/", include("guest_auth.contrib.rest_framework.urls")),
    path("api/whoami/", WhoAmI.as_view()),
]
