from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_migrate
        from PIL import Image

        from . import page_cache, search

        page_cache.connect_signals()
        # The search's GIN indexes follow the declarations (partnerships.search).
        post_migrate.connect(
            search.create_search_indexes, sender=self, dispatch_uid="search_indexes"
        )

        # Pillow refuses (or warns about) images over this many pixels itself;
        # `inspect_photo` also checks the setting and turns the warning into a refusal.
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
