"""Public pages: class-based generic views scoped to one partner.

Every queryset starts from `visible_to(user)`, which is `published()` for
visitors, so a draft can only be reached by staff previewing it.
"""

from dataclasses import dataclass

from django import forms
from django.core.paginator import InvalidPage, Page, Paginator
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from .collections import COLLECTIONS, Collection, first_of_each, prefetch_first_of_each
from .filters import ListFiltering
from .models import Concern, Partner, PendingChange
from .models.publishing import may_preview
from .search import MAX_QUERY_LENGTH, Search, searchables
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
        return Partner.objects.visible_to(self.request.user).for_reader()

    def get_breadcrumbs(self):
        return []


# How many of a channel's projects the overview names under it (the channel's
# page lists them all).
CHANNEL_PROJECTS_SHOWN = 3


class PartnerDetailView(PreviewMixin, BreadcrumbMixin, DetailView):
    """The overview page, laid out as the partner's document is: I, II, III.

    Bounded at any size: each collection shows its first rows
    (`Collection.overview_limit`), then how many there are and a link to the
    full list; the concerns are named as examples, the first
    `Concern.shown_on_overview`.
    """

    slug_url_kwarg = "partner_slug"

    def get_queryset(self):
        concerns = Prefetch(
            "concerns",
            first_of_each(Concern.objects.for_reader(), "partner", Concern.shown_on_overview),
        )
        return Partner.objects.visible_to(self.request.user).for_reader().prefetch_related(concerns)

    def get_context_data(self, **kwargs):
        partner = self.object
        user = self.request.user
        sections = {
            collection.key: collection.first_rows(partner, user) for collection in COLLECTIONS
        }
        projects = COLLECTIONS["project"]
        main_projects = projects.rows(partner, user).filter(is_main_vehicle=True)
        # Each funding channel with its first projects, in one more query.
        channels = sections["funding_channel"]
        prefetch_first_of_each(
            channels.rows,
            "projects",
            projects.rows(partner, user),
            CHANNEL_PROJECTS_SHOWN,
            to_attr="first_projects",
        )
        return super().get_context_data(
            sections=sections,
            main_projects=projects.first_rows(partner, user, main_projects),
            other_sections=[s for s in sections.values() if not s.collection.on_overview],
            **kwargs,
        )

    def get_breadcrumbs(self):
        return [
            *super().get_breadcrumbs(),
            (localized_html(self.object, "title"), None),
        ]


class CollectionMixin(BreadcrumbMixin):
    """A collection of one partner (`as_view(collection=…)`); an unknown or
    unpublished partner is a 404."""

    collection = None

    @cached_property
    def partner(self):
        partners = Partner.objects.visible_to(self.request.user).for_reader()
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
    """A collection's list, narrowed by its filters (`Collection.filters`); a
    filter value that is not one of the choices is a 400, the list shown
    without it and the error beside it."""

    def get_paginate_by(self, queryset):
        return self.collection.paginate_by

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.filtering.count is not None:
            paginator.count = self.filtering.count  # counted with the filters' choices
        return paginator

    @cached_property
    def filtering(self):
        return ListFiltering(
            self.collection.filters,
            self.collection.visible(self.partner, self.request.user),
            self.request.GET,
            self.collection.list_url(self.partner),
        )

    def get_queryset(self):
        return self.filtering.apply(super().get_queryset())

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (self.collection.title, None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            is_draft=not self.partner.is_public,
            filtering=self.filtering,
            downloads=self.collection.data_urls(self.partner),
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        status = 400 if self.filtering.has_errors else 200
        return super().render_to_response(context, status=status, **kwargs)


SIBLINGS_SHOWN = 5


class CollectionDetailView(PreviewMixin, CollectionMixin, DetailView):
    def get_queryset(self):
        return self.collection.rows(self.partner, self.request.user, whole=True)

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        # Its parents (a project's channel) are the same partner's: whether
        # they are public, and their addresses, read the partner already read.
        for name in self.collection.related:
            parent = getattr(item, name)
            if parent is not None and parent.partner_id == self.partner.pk:
                parent.partner = self.partner
        return item

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            children=self.get_children(), siblings=self.get_siblings(), **kwargs
        )

    def get_siblings(self):
        """The first other items of the collection, to read on from a thin page."""
        rows = self.collection.rows(self.partner, self.request.user).exclude(pk=self.object.pk)
        return rows[:SIBLINGS_SHOWN]

    def get_children(self):
        """{relation: ChildList}: the rows each `Collection.children` relation
        lists, a page at a time (`?<collection key>_page=2`, one parameter per
        list, so the pages of one list keep the other's page)."""
        children = {}
        for name in self.collection.children:
            collection = COLLECTIONS.of(self.collection.model._meta.get_field(name).related_model)
            relation = self.collection.model._meta.get_field(name).field.name
            rows = collection.rows(self.partner, self.request.user).filter(
                **{relation: self.object}
            )
            parameter = f"{collection.key}_page"
            page = Paginator(rows, collection.paginate_by).get_page(self.request.GET.get(parameter))
            children[name] = ChildList(collection, page, parameter)
        return children

    def get_breadcrumbs(self):
        list_url = self.collection.list_url(self.partner)
        label = localized_html(self.object, self.object.display_field)
        return [*super().get_breadcrumbs(), (self.collection.title, list_url), (label, None)]


@dataclass
class ChildList:
    """One page of the rows a detail page lists (a channel's projects)."""

    collection: Collection
    page_obj: Page
    parameter: str  # the query parameter of its page number


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


class SearchForm(forms.Form):
    """The search box's parameters: the query and, optionally, one type of record."""

    q = forms.CharField(label=_("Search the site"), max_length=MAX_QUERY_LENGTH, required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args, searchables, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", ""), *((s.name, s.label) for s in searchables)]


class FetchedPage:
    """One page of results, fetched with the count of them all, as the
    paginator reads a list: its count, and the slice that is the page."""

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self):
        return self._count

    def __getitem__(self, page):
        return self.rows


class SearchView(BreadcrumbMixin, TemplateView):
    """Search every public record (partnerships.search): results in order of
    rank, each labelled with its type, with how many of each type and a link
    to see only those. Without a query, a page that says what to search for.
    A bad parameter is a 400 with the form's error; a page number that is not
    one of the results', a 404 as on list pages. Answers to anonymous readers
    are kept in the search cache (urls.py), dropped with every change."""

    template_name = "partnerships/search.html"
    paginate_by = 20
    max_page = 10_000  # beyond, a 404 without asking the database

    def get(self, request, *args, **kwargs):
        types = searchables()
        form = SearchForm(request.GET, searchables=types)
        valid = form.is_valid()
        query = form.cleaned_data.get("q", "") if valid else ""
        only = form.cleaned_data.get("type") or None if valid else None
        page_number = request.GET.get("page") or 1
        if page_number == "last":
            # As on list pages (Django's MultipleObjectMixin): the counts first.
            counts = Search(query, request.user, only=only).run(0, 0)[0] if query else {}
            found = counts.get(only, 0) if only else sum(counts.values())
            page_number = max(1, -(-found // self.paginate_by))
        try:
            number = int(page_number)
        except ValueError as error:
            raise Http404(_("There is no such page of results.")) from error
        if not 1 <= number <= self.max_page:
            raise Http404(_("There is no such page of results."))
        counts, rows = {}, []
        if query:
            start = (number - 1) * self.paginate_by
            counts, rows = Search(query, request.user, only=only).run(
                start, start + self.paginate_by
            )
        total = counts.get(only, 0) if only else sum(counts.values())
        try:
            page = Paginator(FetchedPage(rows, total), self.paginate_by).page(number)
        except InvalidPage as error:
            raise Http404(_("There is no such page of results.")) from error
        context = self.get_context_data(
            form=form,
            query=query,
            only=only,
            page_obj=page,
            results=rows,
            total=total,
            types=[
                {
                    "name": s.name,
                    "label": s.label,
                    "count": counts.get(s.name, 0),
                    "current": s.name == only,
                }
                for s in types
                if counts.get(s.name)
            ],
            noindex=bool(request.GET),
        )
        return self.render_to_response(context, status=200 if valid else 400)

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), (_("Search"), None)]
