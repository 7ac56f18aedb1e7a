"""The promote view: a guest chooses a username and password and keeps everything."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django.views.generic.edit import FormView

from ._promote import promote_guest
from ._purge import delete_guest
from ._session import is_guest
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import GuestProtected, NotAGuest

__all__ = ["DeleteView", "PromoteView"]


class PromoteView(FormView):
    """GET shows the form, POST promotes the current guest in place.

    Anonymous visitors are sent to LOGIN_URL; regular users (for example after
    pressing Back once promoted) are sent on to the success URL, unchanged.
    """

    template_name = "guest_auth/promote.html"
    redirect_field_name = REDIRECT_FIELD_NAME

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_guest(request.user):
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return get_adapter().get_promote_form_class(self.request)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            promote_guest(self.request, self.request.user, **form.promotion_fields())
        except IntegrityError:
            # Someone took the same username or email between validation and save.
            form.add_error(None, _("That account was just taken. Please choose another."))
            return self.form_invalid(form)
        except NotAGuest:
            pass  # promoted by a concurrent request of the same session: nothing left to do
        return HttpResponseRedirect(self.get_success_url())

    def get_redirect_url(self) -> str:
        """The ``next`` parameter, when it points at this site; otherwise ''."""
        url = self.request.POST.get(
            self.redirect_field_name, self.request.GET.get(self.redirect_field_name, "")
        )
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return url if safe else ""

    def get_success_url(self) -> str:
        fallback = guest_settings.PROMOTE_REDIRECT_URL or settings.LOGIN_REDIRECT_URL
        return self.get_redirect_url() or resolve_url(fallback)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["redirect_field_name"] = self.redirect_field_name
        context["redirect_field_value"] = self.get_redirect_url()
        return context


class DeleteView(TemplateView):
    """GET asks for confirmation, POST deletes the current guest now and logs it out.

    Only guests: anyone else gets 403 and nothing happens. When rows the guest
    owns must stay (PROTECT, RESTRICT), the page says so with status 409 and
    nothing is deleted.
    """

    template_name = "guest_auth/delete.html"

    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_guest(request.user):
            raise PermissionDenied(_("Only guests can delete themselves here."))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            delete_guest(request, request.user)
        except GuestProtected as exc:
            return self.render_to_response(self.get_context_data(error=str(exc)), status=409)
        except NotAGuest:
            # Promoted by a concurrent request: it stays, as a regular user.
            raise PermissionDenied(_("Only guests can delete themselves here.")) from None
        fallback = guest_settings.DELETE_REDIRECT_URL or settings.LOGOUT_REDIRECT_URL or "/"
        return HttpResponseRedirect(resolve_url(fallback))
