from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import page_cache

        page_cache.connect_signals()

        # Pillow refuses (or warns about) images over this many pixels itself;
        # `inspect_photo` also checks the setting and turns the warning into a refusal.
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
