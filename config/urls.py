from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from partnerships.sitemaps import sitemap_patterns, sitemaps
from partnerships.views import health, ready

# The admin, health checks and sitemap keep one address; the public pages
# exist once per language: /en/… and /ja/….
urlpatterns = [
    path("admin/", admin.site.urls),
    # The open data API: one address whatever the reader's language (its data has every one).
    path("api/", include("partnerships.api")),
    path("healthz", health, name="health"),
    path("readyz", ready, name="ready"),
    *sitemap_patterns(sitemaps),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    *i18n_patterns(path("", include("partnerships.urls"))),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "partnerships.middleware.server_error"
