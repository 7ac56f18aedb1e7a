"""The URLs every configuration's flow visits; a configuration's urls.py adds its own."""

from django.urls import include, path

from tests.mergeapp import views as shop
from tests.testapp import views

__all__ = ["urlpatterns", "web_urls"]

# Views of the site: a page that makes guests (decorator and mixin), a plain
# page, a cart a guest fills, and a view that logs a user in.
web_urls = [
    path("page/", views.guest_view),
    path("cbv/", views.GuestCBV.as_view()),
    path("async-page/", views.async_guest_view),
    path("async-cbv/", views.AsyncGuestCBV.as_view()),
    path("plain/", views.plain),
    path("cart/", shop.add_to_cart),
    path("login/", shop.custom_login),
    path("async-login/", shop.async_login),
]

urlpatterns = [
    *web_urls,
    path("guest/", include("guest_auth.urls")),
]
