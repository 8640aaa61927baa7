from django.contrib.sitemaps import Sitemap

from .collections import COLLECTIONS
from .models import Partner


class PublishedSitemap(Sitemap):
    """One entry per page and language, each listing its other-language alternates."""

    i18n = True
    alternates = True
    x_default = True


class PartnerSitemap(PublishedSitemap):
    def items(self):
        return Partner.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CollectionListSitemap(PublishedSitemap):
    """Each published partner's list page of every collection."""

    def __init__(self, collections):
        self.collections = collections

    def items(self):
        slugs = Partner.objects.published().order_by("slug").values_list("slug", flat=True)
        return [(slug, collection) for slug in slugs for collection in self.collections]

    def location(self, item):
        slug, collection = item
        return collection.list_url(slug)


class CollectionSitemap(PublishedSitemap):
    """The detail pages of one collection's published items."""

    def __init__(self, collection):
        self.collection = collection

    def items(self):
        return self.collection.model.objects.published().select_related("partner").order_by("pk")

    def location(self, item):
        return self.collection.item_url(item)

    def lastmod(self, item):
        return item.updated_at


def collection_sitemaps(collections=COLLECTIONS):
    return {
        "partners": PartnerSitemap,
        "collections": CollectionListSitemap(collections),
        **{
            collection.name: CollectionSitemap(collection)
            for collection in collections
            if collection.has_detail_pages
        },
    }


sitemaps = collection_sitemaps()
