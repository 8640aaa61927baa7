"""Make the renditions of stored photos that have none: photos uploaded before
renditions existed (migration 0009) or set without saving through the model."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from partnerships.models.photos import (
    Illustrated,
    inspect_photo,
    render_renditions,
    store_renditions,
)


class Command(BaseCommand):
    help = "Make the renditions of stored photos that have none."

    def handle(self, **options):
        made = 0
        for model in apps.get_app_config("partnerships").get_models():
            if not issubclass(model, Illustrated):
                continue
            for obj in model._base_manager.exclude(photo="").order_by("pk"):
                if obj.photo_renditions.get("renditions"):
                    continue
                try:
                    with obj.photo.open("rb") as file:
                        inspect_photo(file)
                        rendered = render_renditions(file)
                except (OSError, ValidationError) as error:
                    message = error.messages[0] if isinstance(error, ValidationError) else error
                    self.stderr.write(
                        f"Skipped {model._meta.label} {obj.pk} ({obj.photo.name}): {message}"
                    )
                    continue
                renditions = store_renditions(obj.photo, rendered)
                # update(): no new version or held change, only what a page reads.
                model._default_manager.filter(pk=obj.pk).update(photo_renditions=renditions)
                made += 1
        self.stdout.write(f"Renditions made for {made} photo(s).")
