from allauth.account import views as account_views
from django.urls import include, path

urlpatterns = [
    # allauth adds this URL only when ACCOUNT_SIGNUP_FIELDS lists "phone" at
    # import time; the phone tests turn the phone field on per test.
    path("phone/verify/", account_views.verify_phone, name="account_verify_phone"),
    path("", include("allauth.urls")),
]
