from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion_compare.admin import CompareVersionAdmin

from .admin_labels import LabelledInputsMixin
from .models import (
    Agreement,
    Concern,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
    Representative,
    Signatory,
)
from .review_admin import ReviewAdminMixin
from .richtext import RichTextAdminMixin
from .schedule_admin import ScheduleAdminMixin
from .sharing_admin import ShareActionMixin
from .translation import TranslationStatus
from .translation_admin import (
    TranslationAdminMixin,
    TranslationInlineMixin,
    translation_overview,
)
from .workflow_admin import WorkflowAdminMixin

# Every kind of public content has a photo (`Illustrated`), edited in this fieldset.
PHOTO_FIELDSET = (
    _("Photo"),
    {"fields": ["photo", "photo_alt", "photo_caption", "photo_credit"]},
)

admin.site.site_header = _("Partnerships administration")
admin.site.site_title = _("Partnerships admin")
admin.site.index_title = _("Content")


class PublishableAdmin(
    LabelledInputsMixin,
    RichTextAdminMixin,
    ShareActionMixin,
    WorkflowAdminMixin,
    ScheduleAdminMixin,
    ReviewAdminMixin,
    TranslationAdminMixin,
    CompareVersionAdmin,
):
    """Publish and unpublish in bulk; the changelist shows what is live (and
    scheduled) and how fresh. Edits to live records are held until published;
    every save is a version; drafts and held changes can be shown to reviewers
    through share links.

    Only users with the publish permission (Publishers, superusers) publish or
    unpublish: the actions need it, and without it "published" is read-only in
    the form, so a submitted value is ignored. Editors save drafts.
    """

    actions = [
        "publish",
        "unpublish",
        "publish_pending",
        "discard_pending",
        "create_share_link",
        "mark_translations_current",
        "mark_reviewed",
    ]
    list_per_page = 50
    save_on_top = True
    # An address typed without a scheme means https (Django 6.0's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_publish_permission(self, request, obj=None):
        """May this user publish and unpublish this kind of content?

        The `<app>.publish_<model>` permission (`Publishable`'s Meta adds it
        to every publishable model; the Publishers group has it; superusers
        have every permission). The one check for each step that makes
        something public or takes it down: the publish and unpublish actions,
        the form's "published" box, and restoring, reverting and publishing
        pending changes. Like Django's `has_change_permission`, the answer is
        per model: `obj` is accepted, not consulted.
        """
        codename = get_permission_codename("publish", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def get_list_display(self, request):
        # The date of the last change, not the minute: a narrower column.
        return [
            "updated" if name == "updated_at" else name
            for name in super().get_list_display(request)
        ]

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, obj):
        """The day of the last change; the exact time on hover."""
        changed = timezone.localtime(obj.updated_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            changed.isoformat(),
            formats.localize(changed),
            formats.date_format(changed, "SHORT_DATE_FORMAT"),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.has_publish_permission(request, obj):
            return readonly
        # Left out of the form: a submitted value (a forged POST) is ignored,
        # so a new row stays a draft and a published one stays published.
        return [*readonly, "is_published"]

    @admin.action(description=_("Publish selected items"), permissions=["publish"])
    def publish(self, request, queryset):
        """Publish the selected items that may be published (`publication_errors`,
        the rule the form applies through `clean()`); name the others, unchanged."""
        refused = [obj for obj in queryset if obj.publication_errors()]
        if refused:
            messages_by_text = {}
            for obj in refused:
                for error in obj.publication_errors().values():
                    for text in error.messages:
                        messages_by_text.setdefault(text, []).append(str(obj))
            for text, names in messages_by_text.items():
                self.message_user(
                    request,
                    _("Not published: %(items)s. %(reason)s")
                    % {"items": "; ".join(dict.fromkeys(names)), "reason": text},
                    messages.ERROR,
                )
            queryset = queryset.exclude(pk__in=[obj.pk for obj in refused])
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish selected items"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, value):
        # update() skips save(): set updated_at here so "last changed" stays true.
        count = queryset.update(is_published=value, updated_at=timezone.now())
        if value:
            message = ngettext("%(count)d item published.", "%(count)d items published.", count)
        else:
            message = ngettext("%(count)d item unpublished.", "%(count)d items unpublished.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class ConcernInline(TranslationInlineMixin, admin.StackedInline):
    """Stacked, like the signatories: a table row with a column per language
    would be wider than the screen."""

    model = Concern
    extra = 0
    fields = ["name", "position"]


@admin.register(Partner)
class PartnerAdmin(PublishableAdmin):
    list_display = [
        "name",
        "title",
        "support_since_year",
        "is_published",
        "updated_at",
        "translation_overview_link",
    ]
    list_filter = ["is_published"]
    search_fields = ["name", "title", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ConcernInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "title",
                    "adjective",
                    "is_published",
                    ("goes_live_at", "expires_at"),
                ]
            },
        ),
        (
            _("Headline figures"),
            {
                "fields": [
                    "support_since_year",
                    ("annual_contribution_usd", "annual_contribution_is_approximate"),
                    "member_states_lower_bound",
                ]
            },
        ),
        (
            _("Partnership for development"),
            {"fields": ["development_heading", "introduction", "cooperation_text"]},
        ),
        PHOTO_FIELDSET,
    ]

    def get_urls(self):
        overview = self.admin_site.admin_view(self.translation_overview_view)
        return [
            path(
                "<path:object_id>/translation/",
                overview,
                name="partnerships_partner_translation",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("Translation overview"))
    def translation_overview_link(self, obj):
        url = reverse("admin:partnerships_partner_translation", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Translation status"))

    def translation_overview_view(self, request, object_id):
        """How much of one partner's content is translated, and what is left to do."""
        partner = self.get_object(request, unquote(object_id))
        if partner is None:
            raise Http404
        if not self.has_view_or_change_permission(request, partner):
            raise PermissionDenied
        overview, totals = translation_overview(
            [
                (Partner.objects.filter(pk=partner.pk), None),
                (partner.concerns.all(), "partner"),
                (partner.representatives.all(), None),
                (partner.agreements.all(), None),
                (
                    Signatory.objects.filter(agreement__partner=partner).select_related(
                        "agreement"
                    ),
                    "agreement",
                ),
                (partner.funding_channels.all(), None),
                (partner.projects.all(), None),
                (partner.private_support_activities.all(), None),
            ],
            partner=partner,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Translation of %(partner)s") % {"partner": partner},
            "opts": self.opts,
            "original": partner,
            "partner": partner,
            "overview": overview,
            "totals": totals,
            "statuses": TranslationStatus.choices,
            "needs_work": any(row.to_do for row in overview),
        }
        return TemplateResponse(
            request, "admin/partnerships/partner/translation_overview.html", context
        )


class PartnerScopedAutocomplete(AutocompleteSelect):
    """Autocomplete that asks only for the rows of one partner, once it is known."""

    partner_id = None

    def get_url(self):
        url = super().get_url()
        return f"{url}?{urlencode({'partner': self.partner_id})}" if self.partner_id else url


class PartnerScopedForm(forms.ModelForm):
    """Offers, for each link to another row (a funding channel), only the rows
    of the partner this row belongs to. What is submitted is checked by the
    model's `clean()`, which names both partners when they differ."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partner_id = self.partner_id()
        if partner_id is None:
            return
        for name in self._meta.model.same_partner_links:
            field = self.fields.get(name)
            if field is None:
                continue
            if not self.is_bound:
                field.queryset = field.queryset.filter(partner_id=partner_id)
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, PartnerScopedAutocomplete):
                widget.partner_id = partner_id

    def partner_id(self):
        """The row's partner, or the one the add link names (`?partner=…`)."""
        value = self.initial.get("partner")
        value = getattr(value, "pk", value)
        try:
            return int(value)
        except (TypeError, ValueError):
            return None


class PartnerScopedAdmin(PublishableAdmin):
    form = PartnerScopedForm
    list_filter = ["is_published", "partner"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.model.same_partner_links and db_field.name in (
            self.autocomplete_fields
        ):
            kwargs["widget"] = PartnerScopedAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TermFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [("current", _("Current")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        match self.value():
            case "ended":
                return queryset.term_ended()
            case "current":
                return queryset.exclude(pk__in=queryset.term_ended().values("pk"))
        return queryset


@admin.register(Representative)
class RepresentativeAdmin(PartnerScopedAdmin):
    # One name column (family name first, as it sorts): the honorific and the
    # roles are on the form.
    list_display = [
        "name",
        "constituent_group",
        "organisation",
        "partner",
        "position",
        "is_published",
        "updated_at",
    ]
    list_display_links = ["name"]
    list_editable = ["position"]
    list_filter = ["is_published", "constituent_group", TermFilter, "partner"]
    search_fields = [
        "given_name",
        "family_name",
        "job_title",
        "organisation",
        "organisation_abbreviation",
    ]
    prepopulated_fields = {"slug": ["given_name", "family_name"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partner",
                    ("honorific", "given_name", "family_name"),
                    "slug",
                    "constituent_group",
                    "is_published",
                    ("goes_live_at", "expires_at"),
                    "position",
                ]
            },
        ),
        (
            _("Roles"),
            {
                "fields": [
                    "governing_body_role",
                    "job_title",
                    ("organisation", "organisation_abbreviation"),
                ]
            },
        ),
        (_("Term"), {"fields": [("term_started_on", "term_ends_on")]}),
        PHOTO_FIELDSET,
    ]

    @admin.display(description=_("name"), ordering="family_name")
    def name(self, obj):
        return f"{obj.family_name} {obj.given_name}"

    @admin.display(description=_("status"), ordering="is_published")
    def status(self, obj):
        """A member whose term has ended is off the public pages, whatever else."""
        if obj.term_has_ended:
            return format_html(
                '<strong class="term-ended">{}</strong>',
                _("Term ended %(date)s") % {"date": formats.localize(obj.term_ends_on)},
            )
        return super().status(obj)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.term_has_ended and request.method == "GET":
            self.message_user(
                request,
                _("This member's term ended on %(date)s: they are not shown on the public pages.")
                % {"date": formats.localize(obj.term_ends_on)},
                messages.WARNING,
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class SignatoryInline(TranslationInlineMixin, admin.StackedInline):
    """Stacked: with a column per language, a table row would not fit the screen."""

    model = Signatory
    extra = 0
    fields = ["name", "job_title", "party", "position"]


@admin.register(Agreement)
class AgreementAdmin(PartnerScopedAdmin):
    list_display = [
        "title",
        "kind",
        "signed_on",
        "signed_in",
        "partner",
        "is_published",
        "updated_at",
    ]
    list_filter = ["is_published", "kind", "partner"]
    search_fields = ["title", "headline", "signed_in", "signatories__name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "signed_on"
    inlines = [SignatoryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partner",
                    "title",
                    "slug",
                    "kind",
                    "headline",
                    "is_published",
                    ("goes_live_at", "expires_at"),
                ]
            },
        ),
        (
            _("Signing"),
            {"fields": ["signed_on", "signed_in", ("visit_started_on", "visit_ended_on")]},
        ),
        (_("Text"), {"fields": ["summary", "body", "further_information_url"]}),
        PHOTO_FIELDSET,
    ]


class NamedItemAdmin(PartnerScopedAdmin):
    """Channels, projects and activities: named, described, ordered by hand."""

    list_display = ["name", "partner", "position", "is_published", "updated_at"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    main_fields = [
        "partner",
        "name",
        "slug",
        "description",
        "position",
        "is_published",
        ("goes_live_at", "expires_at"),
    ]
    fieldsets = [(None, {"fields": main_fields}), PHOTO_FIELDSET]


class ChannelFundedAdmin(NamedItemAdmin):
    """Projects and activities: each funded through one of its partner's channels."""

    list_display = ["name", "funding_channel", *NamedItemAdmin.list_display[1:]]
    list_filter = ["is_published", "funding_channel", "partner"]
    list_select_related = ["partner", "funding_channel"]
    search_fields = [*NamedItemAdmin.search_fields, "funding_channel__name"]
    autocomplete_fields = ["partner", "funding_channel"]
    main_fields = ["partner", "funding_channel", *NamedItemAdmin.main_fields[1:]]
    fieldsets = [(None, {"fields": main_fields}), PHOTO_FIELDSET]


@admin.register(FundingChannel)
class FundingChannelAdmin(NamedItemAdmin):
    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # An autocomplete for a project or activity offers only its partner's channels.
        partner = request.GET.get("partner", "")
        if "field_name" in request.GET and partner.isdigit():
            queryset = queryset.filter(partner_id=partner)
        return queryset, may_have_duplicates


@admin.register(Project)
class ProjectAdmin(ChannelFundedAdmin):
    list_display = [
        "name",
        "funding_channel",
        "partner",
        "is_main_vehicle",
        "position",
        "is_published",
        "updated_at",
    ]
    list_filter = ["is_published", "is_main_vehicle", "funding_channel", "partner"]
    main_fields = [
        "partner",
        "funding_channel",
        "name",
        "slug",
        "description",
        "is_main_vehicle",
        "position",
        "is_published",
        ("goes_live_at", "expires_at"),
    ]
    fieldsets = [(None, {"fields": main_fields}), PHOTO_FIELDSET]


@admin.register(PrivateSupportActivity)
class PrivateSupportActivityAdmin(ChannelFundedAdmin):
    fieldsets = [
        (None, {"fields": ChannelFundedAdmin.main_fields}),
        (
            _("Supporter, years and link"),
            {"fields": ["supporter", ("started_year", "ended_year"), "related_url"]},
        ),
        PHOTO_FIELDSET,
    ]
