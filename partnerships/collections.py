"""The collections hung off a partner, each declared once.

URLs, views, breadcrumbs, the sitemap, the overview's links and the tests'
page lists are all derived from `COLLECTIONS`. A new collection is a model
(a `PartnerScoped` subclass), its two templates
(`partnerships/<model>_list.html`, `…_detail.html`) and one `Collection(…)`
here, or `COLLECTIONS.register(…)` from another app's `ready()`.
"""

from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Lookup,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .filters import ChoiceFilter, RelatedFilter, YearFilter
from .models import (
    Agreement,
    ConstituentGroup,
    FundingChannel,
    PrivateSupportActivity,
    Project,
    Representative,
)

# The photo's columns in open data: its address, description (alt text), caption and credit.
PHOTO_FIELDS = ("photo", "photo_alt", "photo_caption", "photo_credit")


@dataclass(frozen=True)
class Nested:
    """Open data: a reverse relation given inside each row, as a list of its
    rows' `fields` (an agreement's signatories)."""

    relation: str
    fields: tuple


@dataclass(frozen=True)
class Collection:
    model: type
    name: str  # URL names `<name>-list`, `<name>-detail`; the overview's key
    segment: str  # the URL path under the partner: /partners/japan/<segment>/
    title: str  # the list's heading and breadcrumb, translated
    has_detail_pages: bool = True  # else an item's address is its anchor in the list
    related: tuple = ()  # forward keys every row shows, fetched in the same query
    prefetch: tuple = ()  # reverse relations every row shows (all of them on its detail page)
    prefetch_limit: int = 10  # … in a list or on the overview, the first ones and a count
    ordering: tuple = ()  # when the list's order is not the model's Meta.ordering
    paginate_by: int = 20
    children: tuple = ()  # reverse relations the detail page lists (their visible rows)
    on_overview: bool = False  # has its own section in partner_detail.html; else linked
    overview_limit: int = 10  # the overview shows the first rows, then a count and a link
    filters: tuple = ()  # the list page's filters (partnerships.filters), in the form's order
    # Open data (the downloads and the API, partnerships.open_data): each row's
    # fields after `slug` and `partner`, in order (default: the translated fields).
    # A translated field gives a column per language (`title`, `title_fr`, …), a
    # foreign key its row's slug, `photo` its address, a `Nested` relation a list.
    # The API's list takes the same `filters` as the list page.
    data_fields: tuple = ()
    # Site search (partnerships.search): ((field, weight), ...), the text a row
    # is found by, "A" (names, titles) above "B" and "C" (body text); default:
    # the display field at "A", the other translated text at "B".
    search_fields: tuple = ()

    @property
    def key(self):
        """The collection as a template variable: `collections.private_support`."""
        return self.name.replace("-", "_")

    def rows(self, partner, user, whole=False):
        """The partner's rows that `user` may see, with what each row shows.

        Of each `prefetch` relation, a row brings its first `prefetch_limit`
        rows and, as `<relation>_more`, how many it leaves out (0 or less when
        none), unless `whole` (a detail page shows them all).
        """
        rows = self.visible(partner, user)
        if self.related:  # (with no names, select_related() would follow every key)
            rows = rows.select_related(*self.related)
        rows = rows.for_reader()
        for name in self.prefetch:
            if whole:
                related = self.model._meta.get_field(name).related_model._default_manager
                rows = rows.prefetch_related(Prefetch(name, related.for_reader()))
            else:
                rows = self._first_of(rows, name)
        return rows.order_by(*self.ordering) if self.ordering else rows

    def published_rows(self, partner=None):
        """Open data: the published rows (of `partner`, or of every partner),
        whoever asks, with every row of each `prefetch` relation, in the list's
        order and then by key (so that pages of the API never overlap)."""
        rows = (
            self.model.objects.published()
            .select_related("partner", *self.related)
            .prefetch_related(*self.prefetch)
        )
        if partner is not None:
            rows = rows.filter(partner=partner)
        order = [o for o in self.ordering or self.model._meta.ordering if o != "partner_id"]
        return rows.order_by("partner_id", *order, "pk")

    def visible(self, partner, user):
        """The partner's rows that `user` may see, and nothing else (no related
        rows, no order): what the list filters count.

        Read through the partner's own relation, so that each row's `partner`
        is that object: a page reads the partner once, not again on every row."""
        accessor = self.model._meta.get_field("partner").remote_field.get_accessor_name()
        return getattr(partner, accessor).visible_to(user)

    def _first_of(self, rows, name):
        relation = self.model._meta.get_field(name)
        related = relation.related_model._default_manager
        counted = (
            related.filter(**{relation.field.name: OuterRef("pk")})
            .order_by()
            .values(relation.field.name)
            .annotate(count=Count("*"))
            .values("count")
        )
        count = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        first = first_of_each(related.for_reader(), relation.field.name, self.prefetch_limit)
        return rows.prefetch_related(Prefetch(name, first)).annotate(
            **{f"{name}_more": count - Value(self.prefetch_limit)}
        )

    def first_rows(self, partner, user, rows=None):
        """The overview's section: the first `overview_limit` of `rows` (by
        default every row of the partner `user` may see) and how many in all."""
        rows = self.rows(partner, user) if rows is None else rows
        return FirstRows(self, rows, self.overview_limit, self.list_url(partner))

    def list_url(self, partner):
        slug = partner if isinstance(partner, str) else partner.slug
        return reverse(f"partnerships:{self.name}-list", kwargs={"partner_slug": slug})

    def data_urls(self, partner):
        """{format: address} of the collection's downloads (the whole list)."""
        slug = partner if isinstance(partner, str) else partner.slug
        return {
            format: reverse(
                f"partnerships:{self.name}-data", kwargs={"partner_slug": slug, "format": format}
            )
            for format in ("csv", "json")
        }

    def item_url(self, item):
        if not self.has_detail_pages:
            return f"{self.list_url(item.partner)}#{item.slug}"
        return reverse(
            f"partnerships:{self.name}-detail",
            kwargs={"partner_slug": item.partner.slug, "slug": item.slug},
        )


def first_of_each(queryset, parent, limit):
    """The first `limit` rows of `queryset` (in its order) for each `parent`: a
    bounded `Prefetch` queryset.

    What Django does for a sliced Prefetch queryset (a row number within each
    parent), written out so that the queryset can still be filtered: Django
    filters a prefetch by its parent's key, which a slice refuses.
    """
    order = queryset.query.order_by or queryset.model._meta.ordering
    rank = Window(RowNumber(), partition_by=F(parent), order_by=list(order))
    return queryset.annotate(rank_in_parent=rank).filter(rank_in_parent__lte=limit)


class EqualsAny(Lookup):
    """`lhs = ANY(array)`: PostgreSQL works the array out once, then reads each
    row by its key (`IN (subquery)` let the planner read every row to match).
    Used as an expression in filter(), not registered on any field."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def prefetch_first_of_each(parents, relation, rows, limit, to_attr):
    """Gives each of `parents` (rows already read) the first `limit` of `rows`
    (in their order) that are its `relation` (a reverse foreign key), as the
    list `to_attr`: in one query.

    On PostgreSQL the keys of each parent's first rows are found by an index
    walk that stops at `limit` (an array subquery per parent), and only those
    rows are read, by their keys: a parent with thousands of rows costs what
    one with three does. Elsewhere, a row number over every row of the
    parents (`first_of_each`).
    """
    if not parents:
        return
    field = parents[0]._meta.get_field(relation).field
    if connections[rows.db].vendor != "postgresql":
        first = first_of_each(rows, field.name, limit)
        prefetch_related_objects(parents, Prefetch(relation, first, to_attr=to_attr))
        return
    each = ArraySubquery(rows.filter(**{field.name: OuterRef("pk")}).values("pk")[:limit])
    firsts = (
        type(parents[0])
        ._base_manager.filter(pk__in=[parent.pk for parent in parents])
        .order_by()
        .values(first=Func(each, function="unnest", output_field=field.target_field))
    )
    found = {}
    for row in rows.filter(EqualsAny(F("pk"), ArraySubquery(firsts))):
        found.setdefault(getattr(row, field.attname), []).append(row)
    for parent in parents:
        setattr(parent, to_attr, found.get(parent.pk, []))


class CountOf(Subquery):
    """How many rows a queryset has, as a value in another query's SELECT: not
    correlated, so the database counts once, beside the outer query's LIMIT."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset):
        super().__init__(queryset.order_by().values("pk"))


class FirstRows:
    """The first rows of a collection on a page, how many there are in all, and
    the address of the full list: one query, when first used.

    The count is a subquery of the same rows in the same SELECT, so the page
    asks once; the rows still come from an index walk stopped by the LIMIT
    (a window count, `COUNT(*) OVER ()`, would read and sort every row first).
    """

    def __init__(self, collection, queryset, limit, url):
        self.collection, self.queryset, self.limit, self.url = collection, queryset, limit, url

    @cached_property
    def rows(self):
        counted = self.queryset.annotate(rows_in_all=CountOf(self.queryset))
        return list(counted[: self.limit])

    @property
    def count(self):
        """How many rows there are in all."""
        return self.rows[0].rows_in_all if self.rows else 0

    @property
    def more(self):
        """How many rows the page leaves out."""
        return self.count - len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)


class Collections:
    """The declared collections, in the order the overview and sitemap show them."""

    def __init__(self, *collections):
        self._collections = list(collections)

    def __iter__(self):
        return iter(self._collections)

    def __getitem__(self, key):
        return next(c for c in self._collections if key in (c.name, c.key))

    def register(self, collection):
        self._collections.append(collection)
        return collection

    def unregister(self, collection):
        self._collections.remove(collection)

    def find(self, item):
        """The collection a row (or model) belongs to, or None."""
        model = (item if isinstance(item, type) else type(item))._meta.concrete_model
        return next((c for c in self._collections if c.model is model), None)

    def of(self, item):
        """The collection a row (or model) belongs to; a LookupError if none."""
        collection = self.find(item)
        if collection is None:
            raise LookupError(f"{item!r} is in no declared collection")
        return collection


COLLECTIONS = Collections(
    Collection(
        on_overview=True,
        model=Representative,
        name="representative",
        segment="representatives",
        title=_("Social partners"),
        has_detail_pages=False,
        ordering=(ConstituentGroup.ordering(), "position", "family_name"),
        paginate_by=60,
        overview_limit=12,
        search_fields=(
            ("given_name", "A"),
            ("family_name", "A"),
            ("organisation", "A"),
            ("organisation_abbreviation", "A"),
            ("job_title", "B"),
            ("governing_body_role", "B"),
        ),
        data_fields=(
            "honorific",
            "given_name",
            "family_name",
            "constituent_group",
            "governing_body_role",
            "job_title",
            "organisation",
            "organisation_abbreviation",
            "position",
            "term_started_on",
            "term_ends_on",
            *PHOTO_FIELDS,
        ),
    ),
    Collection(
        on_overview=True,
        model=Agreement,
        name="agreement",
        segment="agreements",
        title=_("Agreements"),
        prefetch=("signatories",),
        overview_limit=3,  # each in full: summary, photo, narrative, signatories
        search_fields=(
            ("title", "A"),
            ("headline", "B"),
            ("summary", "B"),
            ("signed_in", "B"),
            ("body", "C"),
        ),
        data_fields=(
            "title",
            "kind",
            "headline",
            "signed_on",
            "signed_in",
            "visit_started_on",
            "visit_ended_on",
            "summary",
            "body",
            "further_information_url",
            Nested("signatories", ("name", "job_title", "party", "position")),
            *PHOTO_FIELDS,
        ),
        filters=(
            YearFilter("year", _("Year signed"), "signed_on"),
            ChoiceFilter("kind", _("Kind"), "kind"),
        ),
    ),
    Collection(
        on_overview=True,
        model=FundingChannel,
        name="funding-channel",
        segment="funding-channels",
        title=_("Funding channels"),
        children=("projects", "private_support_activities"),
        search_fields=(("name", "A"), ("description", "B")),
        data_fields=("name", "description", "position", *PHOTO_FIELDS),
    ),
    Collection(
        on_overview=True,
        model=Project,
        name="project",
        segment="projects",
        title=_("Projects and programmes"),
        related=("funding_channel",),
        overview_limit=5,  # the main vehicles, named in a sentence
        search_fields=(("name", "A"), ("description", "B")),
        data_fields=(
            "name",
            "funding_channel",
            "is_main_vehicle",
            "description",
            "position",
            *PHOTO_FIELDS,
        ),
        filters=(
            RelatedFilter("channel", _("Funding channel"), "funding_channel"),
            ChoiceFilter(
                "main",
                _("A main vehicle today"),
                "is_main_vehicle",
                values=(("yes", True, _("Yes")), ("no", False, _("No"))),
            ),
        ),
    ),
    Collection(
        on_overview=True,
        model=PrivateSupportActivity,
        name="private-support",
        segment="private-support",
        title=_("Private support"),
        related=("funding_channel",),
        search_fields=(("name", "A"), ("description", "B")),
        data_fields=(
            "name",
            "funding_channel",
            "description",
            "supporter",
            "started_year",
            "ended_year",
            "related_url",
            "position",
            *PHOTO_FIELDS,
        ),
    ),
)
