from django.urls import path

from . import views

urlpatterns = [
    path("start/", views.start),
    path("start-visit/", views.start, {"record": True}),
    path("whoami/", views.whoami),
    path("visit/", views.visit),
    path("anonymous/", views.anonymous),
    path("untouched/", views.untouched),
]
