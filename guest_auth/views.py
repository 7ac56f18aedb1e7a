"""The promote view: a guest chooses a username and password and keeps everything."""

from __future__ import annotations

from typing import Any

from django.conf import global_settings, settings
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, router
from django.db.models import ProtectedError, RestrictedError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView, View
from django.views.generic.edit import FormView

from ._export import GuestGone, export_guest, export_response, rate_limited_detail
from ._login import KEPT_GUEST_SESSION_KEY, PENDING_MERGE_SESSION_KEY, merge_into, pending_merge
from ._merge import merge_guest
from ._promote import promote_guest
from ._purge.purge import delete_guest
from ._ratelimit import check_export_rate
from ._session import is_guest
from ._signup import allauth_is_signup, signup_url
from .adapter import get_adapter
from .conf import guest_settings
from .exceptions import GuestProtected, NotAGuest, RateLimited

__all__ = ["DeleteView", "ExportView", "MergeView", "PromoteView"]

_VANISHED = _(
    "Your guest account no longer exists (it was removed after a long time without "
    "activity), so no account was created. Please start again."
)


def _after_promotion_url() -> str:
    """Where a new account lands without a ``next``: GUEST_AUTH_PROMOTE_REDIRECT_URL,
    else LOGIN_REDIRECT_URL, except Django's default ``/accounts/profile/`` when
    no page of the site serves it (a fresh project): then the home page, "/".
    """
    if guest_settings.PROMOTE_REDIRECT_URL:
        return resolve_url(guest_settings.PROMOTE_REDIRECT_URL)
    url = resolve_url(settings.LOGIN_REDIRECT_URL)
    if url == global_settings.LOGIN_REDIRECT_URL:
        try:
            resolve(url)
        except Resolver404:
            return "/"
    return url


class _NextMixin:
    request: HttpRequest
    redirect_field_name = REDIRECT_FIELD_NAME

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
        return self.get_redirect_url() or resolve_url(settings.LOGIN_REDIRECT_URL)


class PromoteView(_NextMixin, FormView):
    """GET shows the form, POST promotes the current guest in place.

    Anonymous visitors are sent to LOGIN_URL; regular users (for example after
    pressing Back once promoted) are sent on to the success URL, unchanged.
    """

    template_name = "guest_auth/promote.html"
    guest_auth_opt_in = True  # _access.OPT_IN: guests come here to be promoted

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_guest(request.user):
            return HttpResponseRedirect(self.get_success_url())
        if allauth_is_signup():
            # allauth's signup applies its email rules (verification, EmailAddress
            # rows); this page knows none of them.
            next_url = self.get_redirect_url()
            if next_url:
                return redirect_to_login(next_url, signup_url())
            return HttpResponseRedirect(signup_url())
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
            user = self.request.user
            model = get_user_model()
            using = router.db_for_write(model)
            if not model._default_manager.using(using).filter(pk=user.pk).exists():
                # Purged (or deleted) while this request ran: no account was made.
                form.add_error(None, _VANISHED)
                return self.form_invalid(form)
            # Promoted by a concurrent request of the same session: nothing left to do.
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return self.get_redirect_url() or _after_promotion_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["redirect_field_name"] = self.redirect_field_name
        context["redirect_field_value"] = self.get_redirect_url()
        return context


class MergeView(_NextMixin, TemplateView):
    """The merge a login offered for confirmation (``login_merge_action`` "confirm").

    GET shows what merging the browser's former guest into the logged-in
    account would do (a dry run); POST merges it, or with ``decline`` keeps
    the guest apart (logging out brings it back). Without a pending merge for
    this account, it redirects to ``next`` or LOGIN_REDIRECT_URL.
    """

    template_name = "guest_auth/merge.html"

    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.guest = pending_merge(request)
        if self.guest is None:
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            summary = merge_guest(self.guest, self.request.user, dry_run=True)
        except (ProtectedError, RestrictedError):
            summary = None
        context.update(
            summary=summary,
            redirect_field_name=self.redirect_field_name,
            redirect_field_value=self.get_redirect_url(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.session.pop(PENDING_MERGE_SESSION_KEY, None)
        if "decline" not in request.POST and merge_into(request, self.guest, request.user):
            request.session.pop(KEPT_GUEST_SESSION_KEY, None)
        return HttpResponseRedirect(self.get_success_url())


class DeleteView(TemplateView):
    """GET asks for confirmation, POST deletes the current guest now and logs it out.

    Only guests: anyone else gets 403 and nothing happens. When rows the guest
    owns must stay (PROTECT, RESTRICT), the page says so with status 409 and
    nothing is deleted.
    """

    template_name = "guest_auth/delete.html"
    guest_auth_opt_in = True  # _access.OPT_IN: a guest's own page

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


class ExportView(View):
    """GET: the current guest's data, as a JSON download (services.export_guest).

    Only guests: regular users get 403 (a site's account export is its own),
    anonymous visitors (and a guest purged meanwhile) go to LOGIN_URL. Over
    GUEST_AUTH_EXPORT_RATE_LIMIT: 429 with Retry-After, in JSON.
    """

    http_method_names = ["get", "head", "options"]
    guest_auth_opt_in = True  # _access.OPT_IN: a guest's own page

    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_guest(request.user):
            raise PermissionDenied(_("Only guests can export their data here."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        try:
            check_export_rate(user)
        except RateLimited as exc:
            body = {"detail": rate_limited_detail(exc), "retry_after": exc.retry_after}
            response = JsonResponse(body, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        try:
            chunks = export_guest(request, user)
        except GuestGone:
            return redirect_to_login(request.get_full_path())
        except NotAGuest:
            # Promoted by a concurrent request: its data is the site's to export.
            raise PermissionDenied(_("Only guests can export their data here.")) from None
        return export_response(chunks, user)
