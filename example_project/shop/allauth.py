"""The shop's allauth adapter: guest_auth's, plus the demo account's reset."""

from guest_auth.contrib.allauth import GuestAccountAdapter

from .demo import reset_demo_cart


class ShopAccountAdapter(GuestAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        # Before the login merges the visitor's guest cart into it.
        reset_demo_cart(user)
        return super().pre_login(request, user, **kwargs)
