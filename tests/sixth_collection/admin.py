from django.contrib import admin

from partnerships.admin import PartnerScopedAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(PartnerScopedAdmin):
    list_display = ["title", "partner", "is_published"]
    search_fields = ["title"]
