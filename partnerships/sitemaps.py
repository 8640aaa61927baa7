from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Agreement, FundingChannel, Partner, PrivateSupportActivity, Project
from .urls import COLLECTION_LISTS


class PublishedSitemap(Sitemap):
    """One entry per page and language, each listing its other-language alternates."""

    i18n = True
    alternates = True
    x_default = True
    model = None

    def items(self):
        queryset = self.model.objects.published()
        if self.model is not Partner:
            queryset = queryset.select_related("partner")
        return queryset.order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PartnerSitemap(PublishedSitemap):
    model = Partner


class CollectionSitemap(Sitemap):
    """Each published partner's overview of representatives and list pages."""

    i18n = True
    alternates = True
    x_default = True

    def items(self):
        slugs = Partner.objects.published().order_by("slug").values_list("slug", flat=True)
        return [(slug, name) for slug in slugs for name in COLLECTION_LISTS]

    def location(self, item):
        slug, name = item
        return reverse(f"partnerships:{name}", kwargs={"partner_slug": slug})


def detail_sitemap(model_class):
    return type(f"{model_class.__name__}Sitemap", (PublishedSitemap,), {"model": model_class})


sitemaps = {
    "partners": PartnerSitemap,
    "collections": CollectionSitemap,
    **{
        model._meta.model_name: detail_sitemap(model)
        for model in [Agreement, FundingChannel, Project, PrivateSupportActivity]
    },
}
