"""The collections hung off a partner, each declared once.

URLs, views, breadcrumbs, the sitemap, the overview's links and the tests'
page lists are all derived from `COLLECTIONS`. A new collection is a model
(a `PartnerScoped` subclass), its two templates
(`partnerships/<model>_list.html`, `…_detail.html`) and one `Collection(…)`
here, or `COLLECTIONS.register(…)` from another app's `ready()`.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import (
    Agreement,
    ConstituentGroup,
    FundingChannel,
    PrivateSupportActivity,
    Project,
    Representative,
)


@dataclass(frozen=True)
class Collection:
    model: type
    name: str  # URL names `<name>-list`, `<name>-detail`; the overview's key
    segment: str  # the URL path under the partner: /partners/japan/<segment>/
    title: str  # the list's heading and breadcrumb, translated
    has_detail_pages: bool = True  # else an item's address is its anchor in the list
    related: tuple = ()  # forward keys every row shows, fetched in the same query
    prefetch: tuple = ()  # reverse relations every row shows
    ordering: tuple = ()  # when the list's order is not the model's Meta.ordering
    paginate_by: int = 20
    children: tuple = ()  # reverse relations the detail page lists (their visible rows)
    on_overview: bool = False  # has its own section in partner_detail.html; else linked

    @property
    def key(self):
        """The collection as a template variable: `collections.private_support`."""
        return self.name.replace("-", "_")

    def rows(self, partner, user):
        """The partner's rows that `user` may see, with what each row shows."""
        rows = (
            self.model.objects.visible_to(user)
            .filter(partner=partner)
            .select_related("partner", *self.related)
            .prefetch_related(*self.prefetch)
        )
        return rows.order_by(*self.ordering) if self.ordering else rows

    def list_url(self, partner):
        slug = partner if isinstance(partner, str) else partner.slug
        return reverse(f"partnerships:{self.name}-list", kwargs={"partner_slug": slug})

    def item_url(self, item):
        if not self.has_detail_pages:
            return f"{self.list_url(item.partner)}#{item.slug}"
        return reverse(
            f"partnerships:{self.name}-detail",
            kwargs={"partner_slug": item.partner.slug, "slug": item.slug},
        )


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
    ),
    Collection(
        on_overview=True,
        model=Agreement,
        name="agreement",
        segment="agreements",
        title=_("Agreements"),
        prefetch=("signatories",),
    ),
    Collection(
        on_overview=True,
        model=FundingChannel,
        name="funding-channel",
        segment="funding-channels",
        title=_("Funding channels"),
        children=("projects", "private_support_activities"),
    ),
    Collection(
        on_overview=True,
        model=Project,
        name="project",
        segment="projects",
        title=_("Projects and programmes"),
        related=("funding_channel",),
    ),
    Collection(
        on_overview=True,
        model=PrivateSupportActivity,
        name="private-support",
        segment="private-support",
        title=_("Private support"),
        related=("funding_channel",),
    ),
)
