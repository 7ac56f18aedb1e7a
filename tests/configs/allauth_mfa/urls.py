from django.urls import include, path

from tests.configs._urls import urlpatterns

__all__ = ["urlpatterns"]

urlpatterns = [*urlpatterns, path("accounts/", include("allauth.urls"))]
