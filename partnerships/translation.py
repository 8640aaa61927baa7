"""Translatable content: English source fields, with a Japanese twin beside each.

A model lists its public text fields with `@translated("title", "body")`; each
gets a `<field>_ja` column. English is the source and stays in the plain
field. The Japanese page shows the Japanese text where there is one and falls
back to the English (marked `lang="en"`) where there is none.

`translation_stale` names the fields whose English changed after their
Japanese was last written, so editors see what to revisit. It is kept by a
`pre_save` handler, which also makes reloading a fixture safe: a fixture that
has no Japanese for a field never erases the Japanese an editor wrote.
"""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

SOURCE_LANGUAGE = "en"
TRANSLATION_LANGUAGE = "ja"


def translation_field_name(field_name):
    return f"{field_name}_{TRANSLATION_LANGUAGE}"


def translated(*field_names):
    """Class decorator: add a blank Japanese twin of each named source field."""

    def decorate(model):
        for name in field_names:
            source = model._meta.get_field(name)
            _name, _path, args, kwargs = source.deconstruct()
            for option in ("unique", "db_default", "default", "help_text"):
                kwargs.pop(option, None)
            kwargs.update(
                blank=True,
                verbose_name=format_lazy("{} ({})", source.verbose_name, _("Japanese")),
            )
            model.add_to_class(translation_field_name(name), source.__class__(*args, **kwargs))
        model.translated_fields = tuple(field_names)
        return model

    return decorate


class TranslatableQuerySet(models.QuerySet):
    def _missing(self):
        """Some field has a source text and no Japanese."""
        return reduce(
            or_,
            (
                Q(**{translation_field_name(name): ""}) & ~Q(**{name: ""})
                for name in self.model.translated_fields
            ),
        )

    def translation_missing(self):
        return self.filter(self._missing())

    def translation_stale(self):
        return self.exclude(translation_stale=[])

    def needs_translation(self):
        """Rows with a source text but no Japanese, or Japanese older than its source."""
        return self.filter(self._missing() | ~Q(translation_stale=[]))

    def update(self, **kwargs):
        """`update()` skips `save()` and so the pre_save handler: keep
        `translation_stale` true here too (English changed under existing
        Japanese: stale; Japanese rewritten: current)."""
        names = [
            name
            for name in self.model.translated_fields
            if name in kwargs or translation_field_name(name) in kwargs
        ]
        if not names or "translation_stale" in kwargs:
            return super().update(**kwargs)
        fields = [field for name in names for field in (name, translation_field_name(name))]
        with transaction.atomic(using=self.db, savepoint=False):
            by_stale = defaultdict(list)
            for row in self.values("pk", "translation_stale", *fields):
                stale = set(row["translation_stale"])
                for name in names:
                    if translation_field_name(name) in kwargs:
                        stale.discard(name)
                    elif row[translation_field_name(name)] and row[name] != kwargs[name]:
                        stale.add(name)
                by_stale[tuple(sorted(stale))].append(row["pk"])
            count = super().update(**kwargs)
            for stale, pks in by_stale.items():
                self.model._base_manager.using(self.db).filter(pk__in=pks).update(
                    translation_stale=list(stale)
                )
        return count

    update.alters_data = True


class TranslationStatus(models.TextChoices):
    TRANSLATED = "translated", _("Translated")
    MISSING = "missing", _("Japanese missing")
    STALE = "stale", _("Japanese out of date")


class TranslatedFieldNamesField(models.JSONField):
    """A list of names of the model's translated fields, e.g. `["title", "body"]`."""

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        names = model_instance.translated_fields
        if not isinstance(value, list) or any(name not in names for name in value):
            raise ValidationError(
                _("Enter a list of some of these field names: %(names)s."),
                code="invalid",
                params={"names": ", ".join(names)},
            )


def translated_field_names(value, names):
    """The entries of `value` that name one of `names`; anything else is dropped."""
    if not isinstance(value, list):
        return []
    return [name for name in value if name in names]


class Translatable(models.Model):
    translation_stale = TranslatedFieldNamesField(
        _("Japanese out of date"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Fields whose English changed after their Japanese was last saved."),
    )

    translated_fields = ()

    class Meta:
        abstract = True

    def localized(self, field_name, language=None):
        """(text, language of the text) for a reader of `language` (default: active)."""
        language = language or get_language() or SOURCE_LANGUAGE
        if language.startswith(TRANSLATION_LANGUAGE):
            text = getattr(self, translation_field_name(field_name))
            if text:
                return text, TRANSLATION_LANGUAGE
        return getattr(self, field_name), SOURCE_LANGUAGE

    def translation_status(self):
        """{field: TranslationStatus} for each field that has a source text."""
        status = {}
        for name in self.translated_fields:
            if not getattr(self, name):
                continue
            if not getattr(self, translation_field_name(name)):
                status[name] = TranslationStatus.MISSING
            elif name in self.translation_stale:
                status[name] = TranslationStatus.STALE
            else:
                status[name] = TranslationStatus.TRANSLATED
        return status


def in_reader_language(obj, field_name):
    """(text, stand_in): the reader's text, and whether English stands in for it."""
    text, language = obj.localized(field_name)
    return text, bool(text) and language != (get_language() or language)


def english_only_note():
    return format_html('<span class="lang-note">{}</span>', gettext("English only"))


def localized_html(obj, field_name, note=True):
    """A content field in the reader's language, as HTML.

    English standing in for missing Japanese is wrapped in `<span lang="en">`
    and, unless `note` is off (breadcrumbs, parts of a sentence), followed by
    an "English only" note, so readers know what they are reading.
    """
    text, stand_in = in_reader_language(obj, field_name)
    if not stand_in:
        return text
    html = format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, text)
    return format_html("{} {}", html, english_only_note()) if note else html


@receiver(pre_save)
def track_translations(sender, instance, raw, **kwargs):
    """Keep `translation_stale` true, and never let a fixture erase Japanese text.

    A malformed `translation_stale` (not a list of translated fields' names) is
    read as far as it makes sense, never raised on: `full_clean()` reports it.
    """
    if not isinstance(instance, Translatable) or not sender.translated_fields:
        return
    names = sender.translated_fields
    japanese = [translation_field_name(name) for name in names]
    previous = None
    if instance.pk is not None:
        previous = (
            sender._base_manager.using(kwargs.get("using"))
            .filter(pk=instance.pk)
            .values(*names, *japanese, "translation_stale")
            .first()
        )
    if previous is None:
        # A new row: Japanese written with its source is current.
        instance.translation_stale = [
            name
            for name in translated_field_names(instance.translation_stale, names)
            if getattr(instance, translation_field_name(name))
        ]
        return

    stale = set(translated_field_names(previous["translation_stale"], names))
    for name, ja_name in zip(names, japanese, strict=True):
        text_ja = getattr(instance, ja_name)
        if raw and not text_ja and previous[ja_name]:
            # Reloading a fixture that has no Japanese: keep the editor's.
            text_ja = previous[ja_name]
            setattr(instance, ja_name, text_ja)
        if not text_ja:
            stale.discard(name)
        elif text_ja != previous[ja_name]:
            stale.discard(name)  # the Japanese was (re)written: it is current
        elif getattr(instance, name) != previous[name]:
            stale.add(name)  # the source moved on under an unchanged translation
    instance.translation_stale = sorted(stale)
