from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Django's reset-confirm page that logs the visitor in (post_reset_login).
    path(
        "reset-and-login/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            post_reset_login=True,
            post_reset_login_backend="django.contrib.auth.backends.ModelBackend",
            success_url="/home/",
        ),
    ),
    path("guest/", include("guest_auth.urls")),
    path("home/", lambda request: HttpResponse("home"), name="home"),
    path("plain/", views.plain),
    path("untouched/", views.untouched),
    path("guest-view/", views.guest_view),
    path("notes/add/", views.add_note),
    path("notes/async-add/", views.async_add_note),
    path("async-guest-view/", views.async_guest_view),
    path("async-staff-view/", views.async_staff_view),
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
    path("access/", include("tests.accessapp")),
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
    from tests.allauthapp.urls import headless_passkey_patterns

    urlpatterns += headless_passkey_patterns()
    urlpatterns.append(path("_allauth/", include("allauth.headless.urls")))
