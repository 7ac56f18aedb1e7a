from django.urls import path

from .views import DeleteView, ExportView, MergeView, PromoteView

__all__ = ["app_name", "urlpatterns"]

app_name = "guest_auth"

urlpatterns = [
    path("promote/", PromoteView.as_view(), name="promote"),
    path("merge/", MergeView.as_view(), name="merge"),
    path("delete/", DeleteView.as_view(), name="delete"),
    path("export/", ExportView.as_view(), name="export"),
]
