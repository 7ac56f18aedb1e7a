from django.urls import include, path

from . import guest_views
from .urls_plain import urlpatterns as plain_urlpatterns

urlpatterns = [
    *plain_urlpatterns,
    path("guest/", include("guest_auth.urls")),
    path("guest/start/", guest_views.start),
    path("guest/start-visit/", guest_views.start, {"record": True}),
]
