from django.urls import include, path, register_converter

from . import feeds, sharing, views
from .collections import COLLECTIONS
from .open_data import DataDownloadView
from .page_cache import public_page
from .security import open_data

app_name = "partnerships"


class DataFormat:
    """The formats a collection is downloaded in: `data.csv`, `data.json`."""

    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DataFormat, "data_format")


def collection_patterns(collections):
    """A list page per collection, its downloads, and a detail page per item
    where it has one."""
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
        yield path(
            f"{collection.segment}/data.<data_format:format>",
            open_data(public_page(DataDownloadView.as_view(collection=collection))),
            name=f"{collection.name}-data",
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
        path(
            "search/",
            # Any words make a page: the answers fill a cache of their own.
            public_page(
                views.SearchView.as_view(), parameters=views.SearchForm.base_fields, cache="search"
            ),
            name="search",
        ),
        path("share/<str:token>/", sharing.shared_page, name="shared-page"),
    ]


urlpatterns = public_patterns(COLLECTIONS)
