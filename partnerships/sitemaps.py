"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml),
each cut into pages of `limit` entries (?p=2), so that no response grows with
the content.

Every page is listed once per language (`i18n`), each entry naming its other
languages and the default (`alternates`, `x_default`) and, for records, when
it last changed. Django builds every (item, language) pair in Python to
paginate them; here the database counts the rows and reads only the rows of
the page asked for, and only the columns an address needs.
"""

from functools import partial

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join

from .collections import COLLECTIONS
from .models import Partner
from .models.publishing import public_change
from .page_cache import public_page


class LanguageVersions:
    """`(row, language)` for each of `rows` and each of `languages`, in the order
    Django's i18n sitemaps list them, as a sequence that a Paginator pages
    through: it slices the rows themselves, so only a page's rows are read."""

    def __init__(self, rows, languages, row_count):
        self.rows, self.languages, self.row_count = rows, list(languages), row_count

    def count(self):
        return self.row_count * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("LanguageVersions is read a page (a slice) at a time")
        start, stop = index.start or 0, self.count() if index.stop is None else index.stop
        per_row = len(self.languages)
        first, last = start // per_row, -(-stop // per_row)
        pairs = [(row, code) for row in self.rows[first:last] for code in self.languages]
        return pairs[start - first * per_row : stop - first * per_row]


class PublishedSitemap(Sitemap):
    """One entry per page and language, each listing its other-language alternates."""

    i18n = True
    alternates = True
    x_default = True
    # A page of a section lists this many pages of the site, each once per
    # language (400 entries with 4 languages, each naming 5 addresses): about
    # 250 KB. At 10,000 records per collection the index lists some 400 pages.
    items_per_page = 100

    def summary(self):
        """{"rows": how many items, "lastmod": the latest change or None}."""
        return {"rows": len(self.items()), "lastmod": None}

    @cached_property
    def totals(self):
        # An instance serves one request (`sitemaps` holds factories), so the
        # index's count and latest change are read once, together.
        return self.summary()

    @cached_property
    def addresses(self):
        # {(item, language): address}: Django asks for each entry's address in
        # its own language, then again for the entries of every language.
        return {}

    def _location(self, item, force_lang_code=None):
        # Django's switches to the address's language and calls `location`, five
        # times per entry: each address is worked out once.
        row, language = item
        key = (self.address_key(row), force_lang_code or language)
        if key not in self.addresses:
            self.addresses[key] = super()._location(item, force_lang_code)
        return self.addresses[key]

    def address_key(self, item):
        return item

    @property
    def paginator(self):
        languages = self.languages or [code for code, _name in settings.LANGUAGES]
        versions = LanguageVersions(self.items(), languages, self.totals["rows"])
        return Paginator(versions, self.items_per_page * len(languages))

    def get_latest_lastmod(self):
        return self.totals["lastmod"]

    def get_urls(self, page=1, site=None, protocol=None):
        """…with `x-default` naming the default language's page, as the pages'
        own `hreflang` links do (Django names the address without a language
        prefix, which here only redirects), and each entry's alternates written
        out as `links`: once for a page's entries in all its languages, which
        share them, and put in by the template as they are."""
        urls = super().get_urls(page, site, protocol)
        links = {}
        for url in urls:
            alternates = {a["lang_code"]: a for a in url["alternates"]}
            if "x-default" in alternates and settings.LANGUAGE_CODE in alternates:
                alternates["x-default"]["location"] = alternates[settings.LANGUAGE_CODE]["location"]
            key = self.address_key(url["item"][0])
            if key not in links:
                links[key] = format_html_join(
                    "",
                    '<xhtml:link rel="alternate" hreflang="{}" href="{}"/>',
                    ((a["lang_code"], a["location"]) for a in url["alternates"]),
                )
            url["links"] = links[key]
        return urls


class RecordSitemap(PublishedSitemap):
    """A published record's page: its address from `fields`, and its lastmod."""

    fields = ("slug", "updated_at")

    def records(self):
        raise NotImplementedError

    def items(self):
        return self.records().only(*self.fields).order_by("pk")

    def summary(self):
        return self.records().aggregate(rows=Count("pk"), lastmod=Max("updated_at"))

    def lastmod(self, item):
        return item.updated_at

    def address_key(self, item):
        return item.pk


class PartnerSitemap(RecordSitemap):
    def records(self):
        return Partner.objects.published()


class HomeSitemap(PublishedSitemap):
    """The home page, which lists the published partners: it changes with them."""

    def items(self):
        return ["partnerships:partner-list"]

    def location(self, item):
        return reverse(item)

    def summary(self):
        partners = Partner.objects.published().annotate(changed=public_change())
        return {"rows": 1, "lastmod": partners.aggregate(lastmod=Max("changed"))["lastmod"]}

    def lastmod(self, item):
        return self.totals["lastmod"]


class CollectionListSitemap(PublishedSitemap):
    """Each published partner's list page of every collection, last changed
    when the partner or a row the list shows last changed publicly."""

    def __init__(self, collections):
        self.collections = collections

    @cached_property
    def pages(self):
        """[(partner slug, collection, lastmod)], in one query."""
        # Each collection's newest row: the first in its index of public changes.
        latest = {
            f"changed_{index}": Subquery(
                collection.model.objects.published()
                .filter(partner=OuterRef("pk"))
                .order_by(public_change().desc(), "-pk")
                .values(changed=public_change())[:1]
            )
            for index, collection in enumerate(self.collections)
        }
        partners = (
            Partner.objects.published()
            .order_by("slug")
            .values("slug", changed=public_change(), **latest)
        )
        return [
            (
                partner["slug"],
                collection,
                max(filter(None, [partner["changed"], partner[f"changed_{index}"]])),
            )
            for partner in partners
            for index, collection in enumerate(self.collections)
        ]

    def items(self):
        return self.pages

    def summary(self):
        return {
            "rows": len(self.pages),
            "lastmod": max((lastmod for _slug, _collection, lastmod in self.pages), default=None),
        }

    def location(self, item):
        slug, collection, _lastmod = item
        return collection.list_url(slug)

    def address_key(self, item):
        slug, collection, _lastmod = item
        return slug, collection.name  # hashing a Collection would translate its title

    def lastmod(self, item):
        return item[2]


class CollectionSitemap(RecordSitemap):
    """The detail pages of one collection's published items."""

    fields = (*RecordSitemap.fields, "partner__slug")

    def __init__(self, collection):
        self.collection = collection

    def records(self):
        return self.collection.model.objects.published().select_related("partner")

    def location(self, item):
        return self.collection.item_url(item)


def collection_sitemaps(collections=COLLECTIONS):
    """{section: a factory of its Sitemap}: the views make one per request."""
    return {
        "home": HomeSitemap,
        "partners": PartnerSitemap,
        "collections": partial(CollectionListSitemap, collections),
        **{
            collection.name: partial(CollectionSitemap, collection)
            for collection in collections
            if collection.has_detail_pages
        },
    }


def sitemap_patterns(sitemaps):
    """/sitemap.xml, the index, and /sitemap-<section>.xml, each section's pages:
    public pages of the site's (any change may change them)."""
    return [
        path(
            "sitemap.xml",
            public_page(index),
            {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
            name="sitemap",
        ),
        path(
            "sitemap-<section>.xml",
            public_page(sitemap),
            {"sitemaps": sitemaps, "template_name": "partnerships/sitemap.xml"},
            name="sitemap-section",
        ),
    ]


sitemaps = collection_sitemaps()
