"""Admin: the Guest list with a purge action, and a guest filter on the user admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ._purge import PurgeProgress
from .models import Guest
from .services import purge_guests

__all__ = ["GuestAdmin", "GuestListFilter"]


class GuestListFilter(admin.SimpleListFilter):
    """Guests or regular users, for the user model's changelist."""

    title = _("account type")
    parameter_name = "guest"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Guests")), ("no", _("Regular users"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(guest__isnull=False)
        if self.value() == "no":
            return queryset.filter(guest__isnull=True)
        return queryset


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    """Read-only list of guests. Deleting goes through purge, which removes the
    user and its rows; deleting only the Guest row would make a guest regular."""

    list_display = ("__str__", "created_at", "last_seen_at")
    list_filter = ("last_seen_at", "created_at")
    date_hierarchy = "created_at"
    ordering = ("-last_seen_at",)
    list_select_related = ("user",)
    actions = ["purge_selected"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f"user__{get_user_model().USERNAME_FIELD}"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_purge_permission(self, request: HttpRequest) -> bool:
        opts = get_user_model()._meta
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")

    @admin.action(
        description=_("Purge selected guests that are inactive"), permissions=["purge"]
    )
    def purge_selected(self, request: HttpRequest, queryset: QuerySet[Guest]) -> None:
        last: list[PurgeProgress] = []
        count = purge_guests(guests=queryset, progress=lambda report: last.append(report))
        protected = last[-1].skipped
        active = max(queryset.count() - protected, 0)
        self.message_user(
            request,
            ngettext("Purged %(count)d guest.", "Purged %(count)d guests.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if protected:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected guest owns rows protecting it (%(models)s) and was kept.",
                    "%(count)d selected guests own rows protecting them (%(models)s) and were "
                    "kept.",
                    protected,
                )
                % {"count": protected, "models": ", ".join(last[-1].protected_by)},
                messages.WARNING,
            )
        if active:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected guest was active recently and was kept.",
                    "%(count)d selected guests were active recently and were kept.",
                    active,
                )
                % {"count": active},
                messages.WARNING,
            )


def add_guest_filter_to_user_admin(site: admin.AdminSite = admin.site) -> None:
    """Add GuestListFilter to the registered user admin (idempotent)."""
    model_admin = site._registry.get(get_user_model())
    if model_admin is not None and GuestListFilter not in model_admin.list_filter:
        model_admin.list_filter = (*model_admin.list_filter, GuestListFilter)


add_guest_filter_to_user_admin()
