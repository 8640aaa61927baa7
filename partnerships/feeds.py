"""An Atom feed per partner and language (/<lang>/partners/<slug>/feed/): what
was last published on its pages, newest first.

Every collection's published rows are candidates (an agreement, a channel, a
project, an activity, a member of the Governing Body), each dated by its last
public change (`public_change()`: its last save, or its go-live time when that
came later). Each collection gives its newest `PartnerFeed.limit` rows, in one
query, and the feed keeps the newest `limit` of them all: the feed costs the
same queries at 1 row or 100,000.

An entry's title and summary come from templates named after its model,
`partnerships/feeds/<model>_title.txt` and `partnerships/feeds/<model>.html`,
falling back to `title.txt` and `item.html`, so a new collection is in the feed
with no code.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .collections import COLLECTIONS, Collection
from .models import Partner
from .models.publishing import public_change
from .richtext import plain_text


def organisation_name():
    names = settings.ORGANISATION_NAMES
    return names.get(get_language()) or names[settings.LANGUAGE_CODE]


def feed_title(partner):
    """The feed's title, also the title of the pages' link to it."""
    return f"{partner.localized('title')[0]} · {organisation_name()}"


@dataclass(frozen=True)
class Entry:
    item: object
    collection: Collection

    @property
    def changed_at(self):
        return self.item.public_change

    def template(self, suffix, default):
        own = f"partnerships/feeds/{self.item._meta.model_name}{suffix}"
        return select_template([own, f"partnerships/feeds/{default}"])


@dataclass(frozen=True)
class PartnerFeedSource:
    """The partner a feed is about, with the addresses only the request knows."""

    partner: Partner
    url: str  # the feed's own absolute address: its Atom id and rel="self"
    home_url: str


class PartnerAtomFeed(Atom1Feed):
    def latest_post_date(self):
        """The feed's `updated`: its newest entry's, or the partner's own change
        when later or when there is no entry (not the moment it is rendered)."""
        dates = [item["updateddate"] for item in self.items]
        return max([*dates, self.feed["partner_changed_at"]])


class PartnerFeed(Feed):
    feed_type = PartnerAtomFeed
    limit = 20  # entries in a feed, and rows read from each collection

    def get_object(self, request, partner_slug):
        partners = Partner.objects.published().annotate(public_change=public_change())
        partner = get_object_or_404(partners, slug=partner_slug)
        return PartnerFeedSource(
            partner=partner,
            url=request.build_absolute_uri(request.path),
            home_url=request.build_absolute_uri(reverse("partnerships:partner-list")),
        )

    def title(self, source):
        return feed_title(source.partner)

    def subtitle(self, source):
        return _("Agreements, programmes and people newly published on this partner page.")

    def link(self, source):
        return source.partner.get_absolute_url()

    def feed_url(self, source):
        return source.url

    def feed_guid(self, source):
        return source.url

    def author_name(self, source):
        return organisation_name()

    def author_link(self, source):
        return source.home_url

    def feed_extra_kwargs(self, source):
        return {"partner_changed_at": source.partner.public_change}

    def items(self, source):
        entries = [
            Entry(row, collection)
            for collection in COLLECTIONS
            for row in self.newest(collection, source.partner)
        ]
        entries.sort(key=lambda entry: entry.changed_at, reverse=True)
        return entries[: self.limit]

    def newest(self, collection, partner):
        """The collection's newest published rows, with what their entries show."""
        rows = (
            collection.model.objects.published()
            .filter(partner=partner)
            .select_related("partner", *collection.related)
            .annotate(public_change=public_change())
            .order_by("-public_change", "-pk")
        )
        for name in collection.prefetch:  # an agreement's signatories: all of them
            related = collection.model._meta.get_field(name).related_model
            rows = rows.prefetch_related(Prefetch(name, related._default_manager.all()))
        return rows[: self.limit]

    def item_title(self, entry):
        # Text, not HTML: Atom's <title> is text, so nothing is escaped twice.
        return plain_text(entry.template("_title.txt", "title.txt").render({"item": entry.item}))

    def item_description(self, entry):
        summary = entry.template(".html", "item.html").render({"item": entry.item}).strip()
        return summary or None  # no empty <summary>

    def item_link(self, entry):
        return entry.collection.item_url(entry.item)

    def item_updateddate(self, entry):
        return entry.changed_at

    def item_categories(self, entry):
        return [str(entry.collection.title)]


partner_feed = PartnerFeed()
