from django.urls import path

from . import views

urlpatterns = [
    path("create-and-login/", views.create_and_login),
    path("create-guest/", views.create_guest),
    path("whoami/", views.whoami),
    path("awhoami/", views.awhoami),
    path("untouched/", views.untouched),
]
