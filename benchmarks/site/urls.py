from django.urls import include, path

from . import guest_views, views
from .urls_plain import urlpatterns as plain_urlpatterns

urlpatterns = [
    # The creating views first and side by side, so URL resolution costs
    # both the same (the plain site's first pattern is start/ too).
    path("start/", views.start),
    path("guest/start/", guest_views.start),
    path("start-visit/", views.start, {"record": True}),
    path("guest/start-visit/", guest_views.start, {"record": True}),
    *plain_urlpatterns[2:],
    path("guest/", include("guest_auth.urls")),
]
