"""The admin's side of scheduled publishing: what is live, scheduled or expired."""

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class ScheduleFilter(admin.SimpleListFilter):
    """Published rows by their own schedule, as the public queryset reads it."""

    title = _("schedule")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [
            ("live", _("Live now")),
            ("scheduled", _("Scheduled")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "live":
                return queryset.live_now()
            case "scheduled":
                return queryset.scheduled()
            case "expired":
                return queryset.expired()
        return queryset


def when(value):
    return formats.localize(timezone.localtime(value))


class ScheduleAdminMixin:
    """One "status" column in place of "published": draft, live (until …),
    scheduled or expired, and whether changes are held; and a schedule filter."""

    def get_list_filter(self, request):
        return after_published(super().get_list_filter(request), ScheduleFilter)

    def get_list_display(self, request):
        return [
            "status" if name == "is_published" else name
            for name in super().get_list_display(request)
        ]

    @admin.display(description=_("status"), ordering="is_published")
    def status(self, obj):
        state = self.schedule(obj)
        if getattr(obj, "has_pending", False):
            return format_html("{} · <strong>{}</strong>", state, _("changes held"))
        return state

    @admin.display(description=_("schedule"), ordering="goes_live_at")
    def schedule(self, obj):
        match obj.schedule_state:
            case "scheduled":
                return _("Scheduled: goes live %(when)s") % {"when": when(obj.goes_live_at)}
            case "expired":
                return _("Expired %(when)s") % {"when": when(obj.expires_at)}
            case "live" if obj.expires_at:
                return _("Live until %(when)s") % {"when": when(obj.expires_at)}
            case "live":
                return _("Live")
        return _("Draft")


def after_published(items, item):
    """`items` with `item` right after "is_published" (or at the end)."""
    items = list(items)
    position = items.index("is_published") + 1 if "is_published" in items else len(items)
    return [*items[:position], item, *items[position:]]
