"""A throwaway sixth collection: proves a collection is one declaration plus
its model and templates (tests/test_collections.py)."""

from django.db import models

from partnerships.models import PartnerScoped
from partnerships.models.publishing import partner_key
from partnerships.translation import translated


@translated("title")
class Publication(PartnerScoped):
    display_field = "title"

    partner = partner_key("publications")
    title = models.CharField(max_length=255)

    class Meta(PartnerScoped.Meta):
        ordering = ["partner_id", "title"]
        indexes = [
            *PartnerScoped.Meta.indexes,
            models.Index(fields=["partner", "title"], name="publication_order"),
        ]

    def __str__(self):
        return self.title
