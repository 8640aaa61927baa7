from django.urls import include, path

from . import feeds, sharing, views
from .collections import COLLECTIONS
from .page_cache import public_page

app_name = "partnerships"


def collection_patterns(collections):
    """A list page per collection, and a detail page per item where it has one."""
    for collection in collections:
        yield path(
            f"{collection.segment}/",
            public_page(
                views.CollectionListView.as_view(collection=collection),
                # The view answers 200 only for valid filters: these pages are cached too.
                parameters=[list_filter.name for list_filter in collection.filters],
            ),
            name=f"{collection.name}-list",
        )
        if collection.has_detail_pages:
            yield path(
                f"{collection.segment}/<slug:slug>/",
                public_page(views.CollectionDetailView.as_view(collection=collection)),
                name=f"{collection.name}-detail",
            )


def public_patterns(collections):
    """The public site: the home page, each partner's overview and collections,
    and the pages share links open for reviewers."""
    partner_patterns = [
        path("", public_page(views.PartnerDetailView.as_view()), name="partner-detail"),
        path("feed/", public_page(feeds.partner_feed), name="partner-feed"),
        *collection_patterns(collections),
    ]
    return [
        path("", public_page(views.PartnerListView.as_view()), name="partner-list"),
        path("partners/<slug:partner_slug>/", include(partner_patterns)),
        path("share/<str:token>/", sharing.shared_page, name="shared-page"),
    ]


urlpatterns = public_patterns(COLLECTIONS)
