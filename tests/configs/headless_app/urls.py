from django.urls import include, path

urlpatterns = [
    path("guest/", include("guest_auth.urls")),
    path("api/guest/", include("guest_auth.contrib.rest_framework.urls")),
    path("_allauth/", include("allauth.headless.urls")),
]
