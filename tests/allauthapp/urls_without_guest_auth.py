"""A site that promotes guests only through allauth's signup (no guest_auth.urls)."""

from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("regular/", views.regular_view),
    path("guest-view/", views.guest_view),
    path("accounts/", include("allauth.urls")),
]
