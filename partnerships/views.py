"""Public pages: class-based generic views scoped to one partner.

Every queryset starts from `visible_to(user)`, which is `published()` for
visitors, so a draft can only be reached by staff previewing it.
"""

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Prefetch, QuerySet
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from .collections import COLLECTIONS, Collection
from .models import Partner, PendingChange
from .models.publishing import may_preview
from .translation import localized_html


def with_held_changes(obj, user):
    """A live record as staff preview it: with its held (pending) changes."""
    return PendingChange.objects.preview(obj) if may_preview(user, type(obj)) else obj


class PreviewMixin:
    """Detail pages: staff see drafts and held changes, each under its banner."""

    def get_object(self, queryset=None):
        return with_held_changes(super().get_object(queryset), self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            is_draft=not self.object.is_public,
            has_pending_changes=getattr(self.object, "has_pending_changes", False),
            **kwargs,
        )


class BreadcrumbMixin:
    def get_breadcrumbs(self):
        return [(_("Home"), reverse("partnerships:partner-list"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context


class DraftNoticeMixin:
    """A list that shows a staff previewer drafts says so above the list."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shows_drafts"] = any(not row.is_public for row in context["object_list"])
        return context


class PartnerListView(DraftNoticeMixin, BreadcrumbMixin, ListView):
    """The home page: every partner with its headline figures."""

    template_name = "partnerships/partner_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user)

    def get_breadcrumbs(self):
        return []


class PartnerDetailView(PreviewMixin, BreadcrumbMixin, DetailView):
    """The overview page, laid out as the partner's document is: I, II, III."""

    slug_url_kwarg = "partner_slug"

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user).prefetch_related("concerns")

    def get_context_data(self, **kwargs):
        partner = self.object
        user = self.request.user
        sections = {
            collection.key: CollectionOnPage(
                collection, collection.rows(partner, user), collection.list_url(partner)
            )
            for collection in COLLECTIONS
        }
        return super().get_context_data(
            sections=sections,
            main_projects=sections["project"].rows.filter(is_main_vehicle=True),
            other_sections=[s for s in sections.values() if not s.collection.on_overview],
            **kwargs,
        )

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.object, "title"), None),
        ]


@dataclass
class CollectionOnPage:
    collection: Collection
    rows: QuerySet
    url: str


class CollectionMixin(BreadcrumbMixin):
    """A collection of one partner (`as_view(collection=…)`); an unknown or
    unpublished partner is a 404."""

    collection = None

    @cached_property
    def partner(self):
        partners = Partner.objects.visible_to(self.request.user)
        return get_object_or_404(partners, slug=self.kwargs["partner_slug"])

    def get_queryset(self):
        return self.collection.rows(self.partner, self.request.user)

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.partner, "title"), self.partner.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partner=self.partner,
            list_title=self.collection.title,
            list_url=self.collection.list_url(self.partner),
            **kwargs,
        )


class CollectionListView(DraftNoticeMixin, CollectionMixin, ListView):
    def get_paginate_by(self, queryset):
        return self.collection.paginate_by

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (self.collection.title, None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_draft=not self.partner.is_public, **kwargs)


class CollectionDetailView(PreviewMixin, CollectionMixin, DetailView):
    def get_queryset(self):
        user = self.request.user
        children = (
            Prefetch(
                name,
                self.collection.model._meta.get_field(name)
                .related_model.objects.visible_to(user)
                .select_related("partner"),
            )
            for name in self.collection.children
        )
        return super().get_queryset().prefetch_related(*children)

    def get_breadcrumbs(self):
        list_url = self.collection.list_url(self.partner)
        label = localized_html(self.object, self.object.display_field)
        return [*super().get_breadcrumbs(), (self.collection.title, list_url), (label, None)]


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
