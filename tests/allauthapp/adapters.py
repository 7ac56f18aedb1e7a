"""Adapters a site would write, combined with guest_auth's mixins."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model

from guest_auth.contrib.allauth import (
    GuestAccountAdapter,
    GuestAccountAdapterMixin,
    GuestSocialAccountAdapter,
    GuestSocialAccountAdapterMixin,
)
from guest_auth.models import Guest

from .models import PhoneNumber


class SiteAccountAdapter(DefaultAccountAdapter):
    """A site's own adapter: phone numbers in PhoneNumber, SMS recorded instead of sent."""

    sent_sms: list[dict] = []
    saved: list = []

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit)
        self.saved.append(user.pk)
        return user

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        self.sent_sms.append({"user": user, "phone": phone, "code": code})

    def set_phone(self, user, phone, verified):
        PhoneNumber.objects.update_or_create(
            user=user, defaults={"phone": phone, "verified": verified}
        )

    def get_phone(self, user):
        row = PhoneNumber.objects.filter(user=user).first()
        return (row.phone, row.verified) if row else None

    def set_phone_verified(self, user, phone):
        PhoneNumber.objects.filter(user=user, phone=phone).update(verified=True)

    def get_user_by_phone(self, phone):
        return get_user_model()._default_manager.filter(phone_number__phone=phone).first()


class SiteGuestAccountAdapter(GuestAccountAdapterMixin, SiteAccountAdapter):
    pass


class SiteSocialAccountAdapter(DefaultSocialAccountAdapter):
    """A site's own social adapter: remembers which providers signed users up."""

    signups: list[str] = []

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        self.signups.append(sociallogin.account.provider)
        return user


class SiteGuestSocialAccountAdapter(GuestSocialAccountAdapterMixin, SiteSocialAccountAdapter):
    pass


class AlreadyPromotedAccountAdapter(GuestAccountAdapter):
    """Removes the Guest row right after new_user(), as a racing request would."""

    def new_user(self, request):
        user = super().new_user(request)
        Guest.objects.filter(pk=user.pk).delete()
        return user


class AlreadyPromotedSocialAccountAdapter(GuestSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        super().pre_social_login(request, sociallogin)
        Guest.objects.all().delete()
