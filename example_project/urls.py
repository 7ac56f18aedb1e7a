from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("example_project.shop.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("guest/", include("guest_auth.urls")),
    path("admin/", admin.site.urls),
]
