"""The admin's side of review dates: what is overdue, and marking it reviewed."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# How far ahead "due soon" looks.
DUE_SOON_DAYS = 30


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within %(days)d days") % {"days": DUE_SOON_DAYS}),
            ("never", _("Never reviewed")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "overdue":
                return queryset.overdue()
            case "soon":
                return queryset.due_within(DUE_SOON_DAYS)
            case "never":
                return queryset.filter(last_reviewed_on__isnull=True)
        return queryset


class ReviewAdminMixin:
    """Review dates on every publishable record's form, a filter and one action."""

    review_fields = ["last_reviewed_on", "review_interval_months", "review_due_on"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), ReviewFilter]

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            (
                _("Review"),
                {"fields": [("last_reviewed_on", "review_interval_months"), "review_due"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "review_due"]

    @admin.display(description=_("next review due"))
    def review_due(self, obj):
        if obj is None or obj.review_due_on is None:
            return _("%(months)d months after the last review (or after creation)") % {
                "months": obj.review_interval if obj else self.model.review_every_months
            }
        if obj.is_overdue:
            return _("%(date)s — overdue") % {"date": obj.review_due_on}
        return obj.review_due_on

    @admin.action(description=_("Mark as reviewed today"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = queryset.mark_reviewed()
        self.message_user(
            request,
            ngettext(
                "%(count)d item marked as reviewed today.",
                "%(count)d items marked as reviewed today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


def overdue_for_review(request, models, limit=10):
    """For the admin home: per kind the user may view, the overdue records
    (the first `limit`, with links), how many in all, and the filtered list."""
    today = timezone.localdate()
    panels = []
    for model in models:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        overdue = model.objects.overdue(today).order_by("review_due_on")
        rows = list(overdue[: limit + 1])
        ended = []
        if hasattr(model.objects, "term_ended"):
            ended = list(model.objects.term_ended().order_by("term_ends_on")[:limit])
        if not rows and not ended:
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        panels.append(
            {
                "label": opts.verbose_name_plural,
                "rows": [
                    (
                        row,
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]),
                    )
                    for row in rows[:limit]
                ],
                "count": overdue.count() if len(rows) > limit else len(rows),
                "all_url": f"{changelist}?review=overdue",
                "ended": [
                    (
                        row,
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]),
                    )
                    for row in ended
                ],
            }
        )
    return panels
