"""The site's URLs as they are once the sixth collection is registered."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from partnerships.api import api_patterns
from partnerships.collections import COLLECTIONS
from partnerships.sitemaps import collection_sitemaps, sitemap_patterns
from partnerships.urls import public_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns(), "api"))),
    *sitemap_patterns(collection_sitemaps(COLLECTIONS)),
    *i18n_patterns(path("", include((public_patterns(COLLECTIONS), "partnerships")))),
]
