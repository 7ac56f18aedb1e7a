from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.add_to_cart),
    path("session/set/", views.set_session),
    path("session/show/", views.show_session),
    path("login/", views.custom_login),
    path("cart-then-login/", views.add_then_log_in),
    path("async-login/", views.async_login),
    path("switch/", views.switch_account),
]
