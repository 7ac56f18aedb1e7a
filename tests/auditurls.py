"""A URLconf for the guest_access command's tests: the access views, and an
include() whose URLconf has no patterns (it cannot be analysed)."""

from django.urls import include, path

urlpatterns = [
    path("access/", include("tests.accessapp")),
    path("broken/", include("tests.auditurls_empty")),
    path("after/", include("tests.accessapp")),
]
