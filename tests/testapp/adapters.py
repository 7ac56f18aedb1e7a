import threading

from guest_auth.adapter import GuestAdapter


class BarrierAdapter(GuestAdapter):
    """Holds guest creation until two requests reach it, to force a race."""

    barrier = threading.Barrier(2, timeout=10)

    def new_guest_user(self, request):
        self.barrier.wait()
        return super().new_guest_user(request)


class NoGuestsOnSundayAdapter(GuestAdapter):
    def allow_guest_creation(self, request):
        return super().allow_guest_creation(request) and request.GET.get("day") != "sunday"


class EmailGuestAdapter(GuestAdapter):
    """For an email USERNAME_FIELD that cannot be NULL: a unique, undeliverable value."""

    def guest_username(self, request):
        import secrets

        return f"guest-{secrets.token_hex(8)}@guest.invalid"


class VanishingGuestAdapter(GuestAdapter):
    """Its promote form deletes the guest while validating: a purge in between."""

    def get_promote_form_class(self, request):
        base = super().get_promote_form_class(request)

        class VanishingForm(base):
            def clean(self):
                cleaned = super().clean()
                request.user.__class__._default_manager.filter(pk=request.user.pk).delete()
                return cleaned

        return VanishingForm


class PromotionBarrierAdapter(GuestAdapter):
    """Holds promotions after validation until two requests got there, to force a race."""

    barrier = threading.Barrier(2, timeout=20)

    def get_promote_form_class(self, request):
        base = super().get_promote_form_class(request)
        barrier = self.barrier

        class RacingForm(base):
            def clean(self):
                cleaned = super().clean()
                barrier.wait()  # both have passed the "name is free" check
                return cleaned

        return RacingForm


class ConfirmMergeAdapter(GuestAdapter):
    """Offers the merge for confirmation after logins that checked no credential."""

    def login_merge_action(self, request, guest, user):
        action = super().login_merge_action(request, guest, user)
        return "confirm" if action == "keep" else action
