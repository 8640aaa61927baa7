"""Share links in the admin: a publisher creates one from a changelist
(the address is shown once, in a message), whoever edits content sees the
list of links, and a publisher revokes them or changes when they expire."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .admin_labels import LabelledInputsMixin
from .models import ShareLink
from .sharing import has_own_page


class ShareActionMixin:
    """For the ModelAdmin of a publishable model (with WorkflowAdminMixin, whose
    queryset says which rows have pending changes)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_own_page(self.model):
            actions.pop("create_share_link", None)
        return actions

    @admin.action(description=_("Create a share link for reviewers"), permissions=["publish"])
    def create_share_link(self, request, queryset):
        if self.model.published_with:
            queryset = queryset.select_related(*self.model.published_with)
        for record in queryset:
            if record.is_public and not record.has_pending:
                self.message_user(
                    request,
                    _("“%(record)s” is public and has no pending changes: share its public page.")
                    % {"record": record},
                    messages.WARNING,
                )
                continue
            link, path = ShareLink.create_for(record, request.user)
            url = request.build_absolute_uri(path)
            text = _(
                "Share link for “%(record)s”, open until %(expires)s (copy it now: it is "
                "not shown again):"
            ) % {
                "record": record,
                "expires": date_format(timezone.localtime(link.expires_at), "DATETIME_FORMAT"),
            }
            self.message_user(
                request, format_html('{} <a href="{}">{}</a>', text, url, url), messages.SUCCESS
            )


class ShareLinkStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("active", _("Active")),
            ("expired", pgettext_lazy("share link", "Expired")),
            ("revoked", _("Revoked")),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"active", "expired", "revoked"}:
            return getattr(queryset, self.value())()
        return queryset


@admin.register(ShareLink)
class ShareLinkAdmin(LabelledInputsMixin, admin.ModelAdmin):
    """Links are made by the changelist action, never typed: only the expiry
    can be changed, by someone who may publish the record."""

    list_display = [
        "__str__",
        "shared_record",
        "created_by",
        "created_at",
        "expires_at",
        "last_opened_at",
        "revoked_at",
        "status",
    ]
    list_filter = [ShareLinkStatusFilter, ("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["content_type", "created_by"]
    fields = [
        "shared_record",
        "created_by",
        "created_at",
        "expires_at",
        "last_opened_at",
        "revoked_at",
    ]
    readonly_fields = ["shared_record", "created_by", "created_at", "last_opened_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    @admin.display(description=_("record"))
    def shared_record(self, link):
        if link.record is None:
            return _("(deleted)")
        opts = link.record._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[link.object_id])
        except NoReverseMatch:
            return str(link.record)
        return format_html('<a href="{}">{}</a>', url, link.record)

    @admin.display(description=_("status"))
    def status(self, link):
        if link.revoked_at is not None:
            return _("Revoked")
        return _("Active") if link.is_active else pgettext_lazy("share link", "Expired")

    # Who may do what: whoever may view some shareable content sees the links;
    # only a publisher of the record's kind changes or revokes one.

    def _shareable_admins(self, model=None):
        """The admins of the kinds of record a link can show (or of `model`)."""
        return [
            model_admin
            for candidate, model_admin in self.admin_site._registry.items()
            if has_own_page(candidate) and model in (None, candidate)
        ]

    def _may_publish(self, request, model=None):
        return any(
            getattr(model_admin, "has_publish_permission", lambda request: False)(request)
            for model_admin in self._shareable_admins(model)
        )

    def has_view_permission(self, request, obj=None):
        model = obj.content_type.model_class() if obj else None
        return super().has_view_permission(request, obj) or any(
            model_admin.has_view_or_change_permission(request)
            for model_admin in self._shareable_admins(model)
        )

    def has_change_permission(self, request, obj=None):
        return self._may_publish(request, obj.content_type.model_class() if obj else None)

    def has_revoke_permission(self, request):
        return self._may_publish(request)

    def has_add_permission(self, request):
        return False  # from a record's changelist: "Create a share link for reviewers"

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the list keeps who shared what

    @admin.action(description=_("Revoke selected share links"), permissions=["revoke"])
    def revoke(self, request, queryset):
        allowed = [
            content_type
            for content_type in ContentType.objects.filter(pk__in=queryset.values("content_type"))
            if self._may_publish(request, content_type.model_class())
        ]
        count = queryset.filter(content_type__in=allowed, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d share link revoked.", "%(count)d share links revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        refused = queryset.exclude(content_type__in=allowed).count()
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d share link was left alone: you may not publish its record.",
                    "%(count)d share links were left alone: you may not publish their records.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )
