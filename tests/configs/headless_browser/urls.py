from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("page/", views.guest_view),
    path("plain/", views.plain),
    path("guest/", include("guest_auth.urls")),
    path("api/guest/", include("guest_auth.contrib.rest_framework.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
]
