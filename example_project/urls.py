from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from example_project.shop.views import ShopLoginView

urlpatterns = [
    path("", include("example_project.shop.urls")),
    # Before django.contrib.auth.urls: the shop's login resets the demo account's cart.
    path("accounts/login/", ShopLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("guest/", include("guest_auth.urls")),
    path("admin/", admin.site.urls),
]

if apps.is_installed("rest_framework"):
    urlpatterns += [
        path("api/guest/", include("guest_auth.contrib.rest_framework.urls")),
        path("api/", include("example_project.shop.api_urls")),
    ]
if apps.is_installed("allauth"):
    urlpatterns += [
        path("auth/", include("allauth.urls")),
        path("_allauth/", include("allauth.headless.urls")),
    ]
