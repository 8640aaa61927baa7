"""A photo on any kind of public content, declared once: `Illustrated`.

An upload is checked by its content, not its name (Pillow opens and verifies
it: JPEG, PNG or WebP only, within a size and a pixel limit), stored under a
generated name (`photos/<model>/<uuid4>.<extension of the detected format>`)
and, once, on save, resized into WebP renditions stored next to it with names
derived from its own (`<uuid4>.w480.webp`, `<uuid4>.w960.webp`). What a page
needs to show them (sizes and names) is kept on the row, so rendering a photo
reads neither the database nor the disk. django-cleanup removes the original
when it is replaced or its row deleted; `delete_renditions` removes the
renditions with it.
"""

import io
import uuid
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_cleanup.signals import cleanup_post_delete
from PIL import Image, ImageOps, UnidentifiedImageError

# The formats accepted, and the extension each is stored with.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The rendition slots: a rendition is at most this wide (never wider than the original).
RENDITION_WIDTHS = (480, 960)

NEEDS_ALT_AND_CREDIT = _(
    "A photo needs a description (alt text) and a credit before it can be published."
)


def inspect_photo(file):
    """The format of an uploaded photo, checked by its content.

    Raises ValidationError for a file over PHOTO_MAX_BYTES, one Pillow cannot
    open as JPEG, PNG or WebP (whatever its name), one over PHOTO_MAX_PIXELS
    (a decompression bomb) and one that does not decode in full.
    """
    size = getattr(file, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; a photo may be at most %(limit)s."),
            code="photo_too_large",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.PHOTO_MAX_BYTES),
            },
        )
    too_many_pixels = ValidationError(
        _("This image has too many pixels; a photo may have at most %(limit)d megapixels."),
        code="photo_too_many_pixels",
        params={"limit": settings.PHOTO_MAX_PIXELS // 1_000_000},
    )
    not_a_photo = ValidationError(
        _("Upload a photo in JPEG, PNG or WebP format: this file is not one, or it is damaged."),
        code="photo_invalid",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file, formats=list(EXTENSIONS)) as image:
                detected = image.format
                width, height = image.size
                if width * height > settings.PHOTO_MAX_PIXELS:
                    raise too_many_pixels
                image.verify()
            # verify() leaves the image unusable: open it again and decode it in full.
            file.seek(0)
            with Image.open(file, formats=list(EXTENSIONS)) as image:
                if image.format != detected:
                    raise not_a_photo
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_a_photo from None
    finally:
        file.seek(0)
    return detected


def validate_photo(value):
    """Model field validator: a new upload is inspected; a stored file was, when uploaded."""
    if value and not getattr(value, "_committed", True):
        inspect_photo(value.file)


def photo_upload_to(instance, filename):
    """`photos/<model>/<uuid4>.<ext>`: `Illustrated.save` names the upload
    after its detected format, so only the extension is kept."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"photos/{instance._meta.model_name}/{uuid.uuid4()}{extension}"


def rendition_name(name, slot):
    """The rendition's name, derived from the original's: `<stem>.w<slot>.webp`."""
    return str(PurePosixPath(name).with_suffix(f".w{slot}.webp"))


def render_renditions(file):
    """The original's (width, height), and for each slot (slot, width, height, WebP bytes)."""
    file.seek(0)
    with Image.open(file, formats=list(EXTENSIONS)) as opened:
        image = ImageOps.exif_transpose(opened)  # as the camera was held; EXIF not copied
        width, height = image.size
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        renditions = []
        for slot in RENDITION_WIDTHS:
            w = min(slot, width)
            if renditions and renditions[-1][1] == w:
                break  # a narrow original: one rendition at its own width
            h = max(1, round(height * w / width))
            buffer = io.BytesIO()
            image.resize((w, h), Image.Resampling.LANCZOS).save(buffer, "WEBP", quality=82)
            renditions.append((slot, w, h, buffer.getvalue()))
    file.seek(0)
    return (width, height), renditions


def store_renditions(photo, rendered):
    """Store what `render_renditions` made next to the stored `photo`; what
    `photo_renditions` keeps."""
    (width, height), renditions = rendered
    stored = []
    for slot, w, h, data in renditions:
        name = photo.storage.save(rendition_name(photo.name, slot), ContentFile(data))
        stored.append({"width": w, "height": h, "name": name})
    return {"width": width, "height": height, "renditions": stored}


def delete_renditions(name, storage):
    for slot in RENDITION_WIDTHS:
        rendition = rendition_name(name, slot)
        if storage.exists(rendition):
            storage.delete(rendition)


@receiver(cleanup_post_delete)
def delete_renditions_with_original(sender, file, **kwargs):
    """django-cleanup removed an original (replaced, or its row deleted): its renditions go too."""
    if issubclass(sender, Illustrated):
        delete_renditions(kwargs["file_name"], file.storage)


class PhotoFormField(forms.ImageField):
    """Checks an upload by its content (`inspect_photo`), not by its name."""

    default_validators = []

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is not None:
            inspect_photo(upload)
        return upload


class PhotoField(models.ImageField):
    """An ImageField checked by content: Django's check of the name's extension
    is replaced by `validate_photo`."""

    default_validators = [validate_photo]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})


class PhotoInfo:
    """What `templates/includes/photo.html` shows, from the row alone."""

    def __init__(self, photo, renditions):
        storage = photo.storage
        sizes = renditions.get("renditions") or []
        self.srcset = ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in sizes)
        if sizes:
            largest = sizes[-1]
            self.src = storage.url(largest["name"])
            self.width, self.height = largest["width"], largest["height"]
        else:  # a file set without saving through the model: the original, as it is
            self.src = photo.url
            self.width, self.height = renditions.get("width"), renditions.get("height")


class Illustrated(models.Model):
    """A photo with its description (alt text), caption and credit.

    Add "photo_alt", "photo_caption" and "photo_credit" to the model's
    `@translated(...)`. A published row's photo must have alt text and a
    credit (`publication_errors`, checked by `Publishable.clean` and the
    publish action).
    """

    photo = PhotoField(
        _("photo"),
        upload_to=photo_upload_to,
        blank=True,
        help_text=_("A JPEG, PNG or WebP image; it is shown resized."),
    )
    photo_alt = models.CharField(
        _("photo description (alt text)"),
        max_length=500,
        blank=True,
        help_text=_(
            "What the photo shows, for readers who cannot see it. Needed to publish a photo."
        ),
    )
    photo_caption = models.CharField(_("photo caption"), max_length=500, blank=True)
    photo_credit = models.CharField(
        _("photo credit"),
        max_length=255,
        blank=True,
        help_text=_("Shown after a © sign. Needed to publish a photo."),
    )
    # Filled on save: the original's size and its renditions' sizes and names.
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "photo" in update_fields:
            self._store_photo()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "photo_renditions"}
        super().save(*args, **kwargs)

    def publication_errors(self):
        errors = getattr(super(), "publication_errors", dict)()
        if self.photo:
            for name in ("photo_alt", "photo_credit"):
                if not getattr(self, name).strip():
                    errors[name] = ValidationError(NEEDS_ALT_AND_CREDIT, code="photo_unlabelled")
        return errors

    def _store_photo(self):
        photo = self.photo
        if not photo:
            self.photo_renditions = {}
            return
        if photo._committed:
            return
        content = photo.file
        detected = inspect_photo(content)
        rendered = render_renditions(content)
        photo.save(f"photo.{EXTENSIONS[detected]}", content, save=False)
        self.photo_renditions = store_renditions(photo, rendered)

    @property
    def photo_image(self):
        return PhotoInfo(self.photo, self.photo_renditions or {}) if self.photo else None
