from django.apps import apps
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("guest/", include("guest_auth.urls")),
    path("home/", lambda request: HttpResponse("home"), name="home"),
    path("plain/", views.plain),
    path("untouched/", views.untouched),
    path("guest-view/", views.guest_view),
    path("notes/add/", views.add_note),
    path("async-guest-view/", views.async_guest_view),
    path("regular/", views.regular_view),
    path("async-regular/", views.async_regular_view),
    path("cbv/guest/", views.GuestCBV.as_view()),
    path("cbv/async-guest/", views.AsyncGuestCBV.as_view()),
    path("cbv/regular/", views.RegularCBV.as_view()),
    path("cbv/async-regular/", views.AsyncRegularCBV.as_view()),
    path("session-cart/", views.session_cart),
    path("template/", views.template_view),
    path("merge/", include("tests.mergeapp.urls")),
    path("perf/", include("tests.perfapp.urls")),
]

if apps.is_installed("rest_framework"):
    urlpatterns.append(path("api/guest/", include("guest_auth.contrib.rest_framework.urls")))
    from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

    urlpatterns += [
        path("api/token/", TokenObtainPairView.as_view()),
        path("api/token/refresh/", TokenRefreshView.as_view()),
    ]
if apps.is_installed("allauth.account"):
    urlpatterns.append(path("allauth/", include("tests.allauthapp.urls")))
if apps.is_installed("allauth.headless"):
    urlpatterns.append(path("_allauth/", include("allauth.headless.urls")))
