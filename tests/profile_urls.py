"""The test site's URLs plus a page at Django's default LOGIN_REDIRECT_URL."""

from django.http import HttpResponse
from django.urls import path

from tests.urls import urlpatterns as site_urlpatterns

__all__ = ["urlpatterns"]

urlpatterns = [
    path("accounts/profile/", lambda request: HttpResponse("profile")),
    *site_urlpatterns,
]
