from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from partnerships.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("", include("partnerships.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
