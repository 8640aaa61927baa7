"""Public pages: class-based generic views scoped to one partner.

Every queryset starts from `visible_to(user)`, which is `published()` for
visitors, so a draft can only be reached by staff previewing it.
"""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
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
        context = super().get_context_data(**kwargs)
        # Related managers hand each row its partner: no join, no query per row.
        context.update(
            is_draft=not partner.is_public,
            representatives=partner.representatives.visible_to(user).order_by(
                ConstituentGroup.ordering(), "order", "family_name"
            ),
            agreements=partner.agreements.visible_to(user).prefetch_related("signatories"),
            funding_channels=partner.funding_channels.visible_to(user),
            main_projects=partner.projects.visible_to(user)
            .filter(is_main_vehicle=True)
            .select_related("funding_channel"),
            private_support_activities=partner.private_support_activities.visible_to(
                user
            ).select_related("funding_channel"),
        )
        return context

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.object, "title", note=False), None),
        ]


# The name of each collection, in its list's heading and in breadcrumbs.
COLLECTION_TITLES = {
    Representative: _("Social partners"),
    Agreement: _("Agreements"),
    FundingChannel: _("Funding channels"),
    Project: _("Projects and programmes"),
    PrivateSupportActivity: _("Private support"),
}


class PartnerScopedMixin(BreadcrumbMixin):
    """Resolves `<partner_slug>`: unknown or unpublished partners are a 404."""

    related = ()  # forward keys every row shows, fetched in the same query

    @cached_property
    def partner(self):
        partners = Partner.objects.visible_to(self.request.user)
        return get_object_or_404(partners, slug=self.kwargs["partner_slug"])

    @property
    def list_title(self):
        return COLLECTION_TITLES[self.model]

    def get_queryset(self):
        # Through the partner's related manager, so rows know their partner.
        accessor = self.model._meta.get_field("partner").remote_field.get_accessor_name()
        rows = getattr(self.partner, accessor).visible_to(self.request.user)
        return rows.select_related(*self.related)

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
        list_url = reverse(
            f"partnerships:{self.model._meta.model_name}-list",
            kwargs={"partner_slug": self.partner.slug},
        )
        label = localized_html(self.object, self.object.display_field, note=False)
        return [*super().get_breadcrumbs(), (self.list_title, list_url), (label, None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_draft=not self.object.is_public, **kwargs)


class RepresentativeListView(PartnerScopedListView):
    model = Representative
    paginate_by = 60

    def get_queryset(self):
        return super().get_queryset().order_by(ConstituentGroup.ordering(), "order", "family_name")


class AgreementListView(PartnerScopedListView):
    model = Agreement


class AgreementDetailView(PartnerScopedDetailView):
    model = Agreement

    def get_queryset(self):
        return super().get_queryset().prefetch_related("signatories")


class FundingChannelListView(PartnerScopedListView):
    model = FundingChannel


class FundingChannelDetailView(PartnerScopedDetailView):
    model = FundingChannel

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
    related = ["funding_channel"]


class ProjectDetailView(PartnerScopedDetailView):
    model = Project
    related = ["funding_channel"]


class PrivateSupportActivityListView(PartnerScopedListView):
    model = PrivateSupportActivity
    related = ["funding_channel"]


class PrivateSupportActivityDetailView(PartnerScopedDetailView):
    model = PrivateSupportActivity
    related = ["funding_channel"]


@never_cache
def health(request):
    """Liveness, for process supervisors: the application answers. No database."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    """Readiness, for load balancers: can the database be reached right now?

    A fresh connection each time, bounded by the connect timeout in settings,
    so a hung persistent connection cannot make the probe hang too.
    """
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    finally:
        probe.close()
    return JsonResponse({"status": "ok"})
