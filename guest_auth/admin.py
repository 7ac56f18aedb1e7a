"""Admin: the Guest list with a purge action and an insights page, and a guest
filter on the user admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import router
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ._insights import chart, counts
from ._purge.purge import PurgeProgress, purge_guests
from .conf import guest_settings
from .models import APIToken, DeviceCredential, Guest
from .stats import insights

__all__ = ["APITokenAdmin", "DeviceCredentialAdmin", "GuestAdmin", "GuestListFilter"]

# Days shown by the insights page.
_INSIGHTS_DAYS = 30


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


class _EstimatedCountPaginator(Paginator):
    """A paginator that, for an unfiltered queryset of a large table, takes
    the number of rows from the database's statistics rather than count(*)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where:
            estimate = counts.estimated_rows(queryset.model, queryset.db)
            if estimate is not None and estimate > counts.EXACT_UP_TO:
                return estimate
        return super().count


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    """Read-only list of guests. Deleting goes through purge, which removes the
    user and its rows; deleting only the Guest row would make a guest regular."""

    list_display = ("__str__", "created_at", "last_seen_at")
    list_filter = ("last_seen_at", "created_at")
    # No date_hierarchy: it reads the distinct dates of the whole table.
    ordering = ("-last_seen_at",)
    list_select_related = ("user",)
    actions = ["purge_selected"]
    # Never count the whole table: "N results (Show all)" is not shown and the
    # unfiltered list's size comes from the database's statistics once large.
    show_full_result_count = False
    paginator = _EstimatedCountPaginator

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        return [
            path(
                "insights/",
                self.admin_site.admin_view(self.insights_view),
                name=f"{opts.app_label}_{opts.model_name}_insights",
            ),
            *super().get_urls(),
        ]

    def insights_view(self, request: HttpRequest) -> TemplateResponse:
        """Guest counts now, and guests created, promoted, merged and purged per day, as a chart."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = insights(days=_INSIGHTS_DAYS)
        totals = {
            name: sum(getattr(day, name) for day in figures.days)
            for name in ("created", "promoted", "merged", "purged")
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Guest insights"),
            "insights": figures,
            "totals": totals,
            "conversion_percent": (
                None if figures.conversion_rate is None else figures.conversion_rate * 100
            ),
            "max_inactivity": _duration(guest_settings.MAX_INACTIVITY),
            "chart": mark_safe(_insights_chart(figures, totals)),  # noqa: S308 (chart escapes all text)
        }
        return TemplateResponse(request, "admin/guest_auth/guest/insights.html", context)

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

    @admin.action(description=_("Purge selected guests that are inactive"), permissions=["purge"])
    def purge_selected(self, request: HttpRequest, queryset: QuerySet[Guest]) -> None:
        last: list[PurgeProgress] = []
        count = purge_guests(guests=queryset, progress=lambda report: last.append(report))
        protected = last[-1].skipped
        # Counted where the purge deleted: a replica may still have the rows.
        remaining = queryset.using(router.db_for_write(Guest)).count()
        active = max(remaining - protected, 0)
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


def _duration(delta: timedelta) -> str:
    """ "30 days" rather than timesince's "4 weeks, 2 days" for a whole number of days."""
    if delta >= timedelta(days=1) and not delta % timedelta(days=1):
        return ngettext("%(days)d day", "%(days)d days", delta.days) % {"days": delta.days}
    now = timezone.now()
    return timesince(now - delta, now, depth=2)


def _insights_chart(figures: Any, totals: dict[str, int]) -> str:
    labels = [date_format(day.day, "M j") for day in figures.days]
    first, last = figures.days[0].day, figures.days[-1].day
    desc = gettext(
        "Bar chart of guests created, promoted, merged and purged per day, from %(first)s "
        "to %(last)s. In total: %(created)d created, %(promoted)d promoted, %(merged)d "
        "merged, %(purged)d purged. The table below lists every day."
    ) % {
        "first": date_format(first, "DATE_FORMAT"),
        "last": date_format(last, "DATE_FORMAT"),
        **totals,
    }
    return chart.bar_chart(
        labels,
        [
            chart.Series(
                gettext("Created"), [day.created for day in figures.days], chart.PALETTE[0]
            ),
            chart.Series(
                gettext("Promoted"), [day.promoted for day in figures.days], chart.PALETTE[1]
            ),
            chart.Series(gettext("Merged"), [day.merged for day in figures.days], chart.PALETTE[3]),
            chart.Series(gettext("Purged"), [day.purged for day in figures.days], chart.PALETTE[2]),
        ],
        title=gettext("Guests per day, last %(days)d days") % {"days": len(figures.days)},
        desc=desc,
        chart_id="guest-insights",
        label_every=5,
    )


def add_guest_filter_to_user_admin(site: admin.AdminSite = admin.site) -> None:
    """Add GuestListFilter to the registered user admin (idempotent)."""
    try:
        model_admin = site.get_model_admin(get_user_model())
    except NotRegistered:
        return
    if GuestListFilter not in model_admin.list_filter:
        model_admin.list_filter = (*model_admin.list_filter, GuestListFilter)  # type: ignore[misc]


add_guest_filter_to_user_admin()


class _SecretAdmin(admin.ModelAdmin):
    """Lists a user's API tokens or device credentials; deleting one revokes it.

    Only the public lookup id is shown, never the stored digest (or a token's
    bound password hash): nothing here helps anyone use one.
    """

    list_select_related = ("user",)
    search_fields = ("lookup",)
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # secrets are issued to clients, never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(APIToken)
class APITokenAdmin(_SecretAdmin):
    list_display = ("lookup", "user", "created_at", "last_used_at")
    fields = ("lookup", "user", "created_at", "last_used_at")
    readonly_fields = fields


@admin.register(DeviceCredential)
class DeviceCredentialAdmin(_SecretAdmin):
    list_display = ("lookup", "user", "created_at")
    fields = ("lookup", "user", "created_at")
    readonly_fields = fields
