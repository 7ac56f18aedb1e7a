from django.urls import path

from .views import PromoteView

app_name = "guest_auth"

urlpatterns = [
    path("promote/", PromoteView.as_view(), name="promote"),
]
