"""``path("api/guest/", include("guest_auth.contrib.rest_framework.urls"))``."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "guest_auth_api"

urlpatterns = [
    path("", views.GuestCreateView.as_view(), name="create"),
    path("login/", views.GuestLoginView.as_view(), name="login"),
    path("me/", views.GuestMeView.as_view(), name="me"),
    path("me/export/", views.GuestExportView.as_view(), name="export"),
    path("promote/", views.GuestPromoteView.as_view(), name="promote"),
    path("logout/", views.GuestLogoutView.as_view(), name="logout"),
    path("merge/", views.GuestMergeView.as_view(), name="merge"),
    path("tokens/", views.GuestCredentialsView.as_view(), name="tokens"),
    path("tokens/<str:id>/", views.GuestCredentialView.as_view(), name="token"),
]
