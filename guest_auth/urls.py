from django.urls import path

from .views import PromoteView

__all__ = ["app_name", "urlpatterns"]

app_name = "guest_auth"

urlpatterns = [
    path("promote/", PromoteView.as_view(), name="promote"),
]
