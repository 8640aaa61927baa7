"""Public pages: class-based generic views scoped to one partner.

Every queryset starts from `visible_to(user)`, which is `published()` for
visitors, so a draft can only be reached by staff previewing it.
"""

from django.db import connection
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from .models import (
    Agreement,
    ConstituentGroup,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
    Representative,
)
from .translation import localized_html


class BreadcrumbMixin:
    def get_breadcrumbs(self):
        return [(_("Home"), reverse("partnerships:partner-list"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context


class PartnerListView(BreadcrumbMixin, ListView):
    """The home page: every partner with its headline figures."""

    template_name = "partnerships/partner_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user)

    def get_breadcrumbs(self):
        return []


class PartnerDetailView(BreadcrumbMixin, DetailView):
    """The overview page, laid out as the partner's document is: I, II, III."""

    slug_url_kwarg = "partner_slug"

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user).prefetch_related("concerns")

    def get_context_data(self, **kwargs):
        partner = self.object
        user = self.request.user
        scoped = {"partner": partner}
        context = super().get_context_data(**kwargs)
        context.update(
            is_draft=not partner.is_public,
            representatives=Representative.objects.visible_to(user)
            .filter(**scoped)
            .select_related("partner")
            .order_by(ConstituentGroup.ordering(), "order", "family_name"),
            agreements=Agreement.objects.visible_to(user)
            .filter(**scoped)
            .select_related("partner")
            .prefetch_related("signatories"),
            funding_channels=FundingChannel.objects.visible_to(user)
            .filter(**scoped)
            .select_related("partner"),
            main_projects=Project.objects.visible_to(user)
            .filter(is_main_vehicle=True, **scoped)
            .select_related("partner", "funding_channel"),
            private_support_activities=PrivateSupportActivity.objects.visible_to(user)
            .filter(**scoped)
            .select_related("partner", "funding_channel"),
        )
        return context

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.object, "title", note=False), None),
        ]


class PartnerScopedMixin(BreadcrumbMixin):
    """Resolves `<partner_slug>`: unknown or unpublished partners are a 404."""

    list_title = None  # the collection's name in breadcrumbs and headings
    list_url_name = None

    @cached_property
    def partner(self):
        partners = Partner.objects.visible_to(self.request.user)
        return get_object_or_404(partners, slug=self.kwargs["partner_slug"])

    def get_queryset(self):
        return (
            self.model.objects.visible_to(self.request.user)
            .filter(partner=self.partner)
            .select_related("partner")
        )

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.partner, "title", note=False), self.partner.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, list_title=self.list_title, **kwargs)


class PartnerScopedListView(PartnerScopedMixin, ListView):
    paginate_by = 20

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (self.list_title, None)]


class PartnerScopedDetailView(PartnerScopedMixin, DetailView):
    def get_breadcrumbs(self):
        list_url = reverse(self.list_url_name, kwargs={"partner_slug": self.partner.slug})
        label = localized_html(self.object, self.object.display_field, note=False)
        return [*super().get_breadcrumbs(), (self.list_title, list_url), (label, None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_draft=not self.object.is_public, **kwargs)


class RepresentativeListView(PartnerScopedListView):
    model = Representative
    paginate_by = 60
    list_title = _("Social partners")

    def get_queryset(self):
        return super().get_queryset().order_by(ConstituentGroup.ordering(), "order", "family_name")


class AgreementListView(PartnerScopedListView):
    model = Agreement
    list_title = _("Agreements")


class AgreementDetailView(PartnerScopedDetailView):
    model = Agreement
    list_title = _("Agreements")
    list_url_name = "partnerships:agreement-list"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("signatories")


class FundingChannelListView(PartnerScopedListView):
    model = FundingChannel
    list_title = _("Funding channels")


class FundingChannelDetailView(PartnerScopedDetailView):
    model = FundingChannel
    list_title = _("Funding channels")
    list_url_name = "partnerships:fundingchannel-list"

    def get_queryset(self):
        user = self.request.user
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("projects", Project.objects.visible_to(user).select_related("partner")),
                Prefetch(
                    "private_support_activities",
                    PrivateSupportActivity.objects.visible_to(user).select_related("partner"),
                ),
            )
        )


class ProjectListView(PartnerScopedListView):
    model = Project
    list_title = _("Projects and programmes")

    def get_queryset(self):
        return super().get_queryset().select_related("funding_channel")


class ProjectDetailView(PartnerScopedDetailView):
    model = Project
    list_title = _("Projects and programmes")
    list_url_name = "partnerships:project-list"

    def get_queryset(self):
        return super().get_queryset().select_related("funding_channel")


class PrivateSupportActivityListView(PartnerScopedListView):
    model = PrivateSupportActivity
    list_title = _("Private support")

    def get_queryset(self):
        return super().get_queryset().select_related("funding_channel")


class PrivateSupportActivityDetailView(PartnerScopedDetailView):
    model = PrivateSupportActivity
    list_title = _("Private support")
    list_url_name = "partnerships:privatesupportactivity-list"

    def get_queryset(self):
        return super().get_queryset().select_related("funding_channel")


@never_cache
def health(request):
    """For load balancers and uptime checks: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
