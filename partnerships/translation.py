"""Translatable content: English source fields, with a column per target language.

The languages are `settings.LANGUAGES`: the first (`LANGUAGE_CODE`, English)
is the source and stays in the plain field; every other one is a target. A
model lists its public text fields with `@translated("title", "body")`; each
gets a `<field>_<language>` column per target (`title_fr`, `title_ja`), so
adding a language is a settings change and the migration `makemigrations`
writes.

Each translation is in one of four states, per field and language:
missing (no text), out of date (the English changed after it was written),
needs review (written by someone outside the organisation, e.g. loaded from a
fixture, and not yet approved) or approved. `translation_stale` and
`translation_review` hold the second and third as `{language: [field, ...]}`;
a `pre_save` handler keeps them true, and a fixture that has no translation
for a field never erases the one an editor wrote.

A page shows the reader's language where there is a translation (one that
needs review only while `SHOW_UNREVIEWED_TRANSLATIONS` is on) and the English,
marked `lang="en"`, where there is none.
"""

import contextvars
import functools
from collections import defaultdict
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SOURCE_LANGUAGE = settings.LANGUAGE_CODE


def target_languages():
    """The codes of the languages content is translated into, in settings order."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


TARGET_LANGUAGES = target_languages()


def language_name(code):
    """A language's name as `settings.LANGUAGES` writes it (in the language itself)."""
    return dict(settings.LANGUAGES).get(code, code)


def translation_field_name(field_name, language):
    return f"{field_name}_{language.replace('-', '_')}"


def reader_target(language=None):
    """The target language a reader of `language` (default: active) reads, or None."""
    return _target_of(language or get_language() or SOURCE_LANGUAGE)


@functools.lru_cache(maxsize=64)
def _target_of(language):
    # Asked for each text a page shows: worked out once per language code.
    language = language.lower()
    for code in (language, language.split("-")[0]):
        if code in TARGET_LANGUAGES:
            return code
    return None


def translated(*field_names):
    """Class decorator: add a blank column per target language for each named source field."""

    def decorate(model):
        for name in field_names:
            source = model._meta.get_field(name)
            _name, _path, args, kwargs = source.deconstruct()
            for option in ("unique", "db_default", "default", "help_text", "verbose_name", "blank"):
                kwargs.pop(option, None)
            for language in TARGET_LANGUAGES:
                field = source.__class__(
                    *args,
                    **kwargs,
                    blank=True,
                    verbose_name=format_lazy(
                        "{} ({})", source.verbose_name, language_name(language)
                    ),
                )
                field.translation_of = (name, language)
                model.add_to_class(translation_field_name(name, language), field)
        model.translated_fields = tuple(field_names)
        return model

    return decorate


class TranslationStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    MISSING = "missing", _("Missing")
    STALE = "stale", _("Out of date")
    REVIEW = "review", _("Needs review")


# The states a translation that exists can be in, as kept on the row.
STATE_FIELDS = {
    TranslationStatus.STALE: "translation_stale",
    TranslationStatus.REVIEW: "translation_review",
}


class TranslatableQuerySet(models.QuerySet):
    def _missing(self, language):
        """Some field has a source text and no translation into `language`."""
        return reduce(
            or_,
            (
                Q(**{translation_field_name(name, language): ""}) & ~Q(**{name: ""})
                for name in self.model.translated_fields
            ),
        )

    def with_translation_status(self, status, language):
        """Rows with at least one field in `status` in `language`; for APPROVED,
        rows with every field that has an English text approved."""
        if status == TranslationStatus.MISSING:
            return self.filter(self._missing(language))
        if status in STATE_FIELDS:
            return self.filter(**{f"{STATE_FIELDS[status]}__has_key": language})
        return self.exclude(self._needs_work(language))

    def _needs_work(self, language):
        return (
            self._missing(language)
            | Q(translation_stale__has_key=language)
            | Q(translation_review__has_key=language)
        )

    def for_reader(self, language=None):
        """Only the text a reader of `language` (default: the active one) reads,
        here and in the rows `select_related` brings: the other languages'
        columns stay in the database (a row carries one per language and field)."""
        target = reader_target(language)
        return self.defer(*unread_columns(self.model, target, self.query.select_related))

    def needs_translation(self, language=None):
        """Rows with a translation missing, out of date or to review (in `language`, or any)."""
        languages = [language] if language else TARGET_LANGUAGES
        return self.filter(reduce(or_, (self._needs_work(code) for code in languages)))

    def update(self, **kwargs):
        """`update()` skips `save()` and so the pre_save handler: keep the states
        true here too (English changed under a translation: out of date; a
        translation rewritten: current and approved)."""
        names = [
            name
            for name in self.model.translated_fields
            if name in kwargs
            or any(translation_field_name(name, code) in kwargs for code in TARGET_LANGUAGES)
        ]
        if not names or set(STATE_FIELDS.values()) & set(kwargs):
            return super().update(**kwargs)
        columns = [
            translation_field_name(name, code) for name in names for code in TARGET_LANGUAGES
        ]
        with transaction.atomic(using=self.db, savepoint=False):
            by_state = defaultdict(list)
            for row in self.values("pk", *STATE_FIELDS.values(), *names, *columns):
                stale = TranslationStates(row["translation_stale"], self.model)
                review = TranslationStates(row["translation_review"], self.model)
                for name in names:
                    for code in TARGET_LANGUAGES:
                        column = translation_field_name(name, code)
                        if column in kwargs:
                            stale.discard(code, name)
                            review.discard(code, name)
                        elif name in kwargs and row[column] and row[name] != kwargs[name]:
                            stale.add(code, name)
                by_state[(stale.frozen(), review.frozen())].append(row["pk"])
            count = super().update(**kwargs)
            for (stale, review), pks in by_state.items():
                self.model._base_manager.using(self.db).filter(pk__in=pks).update(
                    translation_stale=dict(stale), translation_review=dict(review)
                )
        return count

    update.alters_data = True


def read_columns(field_name, target):
    """The columns a reader of the target language `target` (None: the source)
    reads for one field: the English, the translation and whether it needs
    review, as `Translatable.localized` reads them (what `unread_columns` leaves)."""
    if target is None:
        return [field_name]
    return [field_name, translation_field_name(field_name, target), "translation_review"]


def unread_columns(model, target, related=None, prefix=""):
    """The columns of `model` (and of the models `related`, a `select_related`
    tree, names) that a reader of the target language `target` (None: the
    source) never reads: other targets' translations, which are out of date
    and, where no target is read, which need review."""
    names = getattr(model, "translated_fields", ())
    columns = [
        prefix + translation_field_name(name, code)
        for name in names
        for code in TARGET_LANGUAGES
        if code != target
    ]
    if names:
        columns.append(prefix + "translation_stale")
        if target is None:
            columns.append(prefix + "translation_review")
    for name, subtree in (related or {}).items() if isinstance(related, dict) else ():
        field = model._meta.get_field(name)
        columns += unread_columns(field.related_model, target, subtree, f"{prefix}{name}__")
    return columns


class TranslationStates(dict):
    """`{language: sorted [field, ...]}` with only targets, fields and non-empty lists."""

    def __init__(self, value, model):
        super().__init__()
        self.model = model
        if isinstance(value, dict):
            for language, names in value.items():
                for name in names if isinstance(names, list) else []:
                    self.add(language, name)

    def add(self, language, name):
        if language in TARGET_LANGUAGES and name in self.model.translated_fields:
            self[language] = sorted({*self.get(language, []), name})

    def discard(self, language, name):
        names = [n for n in self.get(language, []) if n != name]
        if names:
            self[language] = names
        else:
            self.pop(language, None)

    def has(self, language, name):
        return name in self.get(language, [])

    def frozen(self):
        return tuple(sorted((language, tuple(names)) for language, names in self.items()))


class TranslationStatesField(models.JSONField):
    """`{language: [field name, ...]}`, e.g. `{"ja": ["title", "body"]}`."""

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        names = model_instance.translated_fields
        if not isinstance(value, dict) or any(
            language not in TARGET_LANGUAGES
            or not isinstance(fields, list)
            or any(name not in names for name in fields)
            for language, fields in value.items()
        ):
            raise ValidationError(
                _(
                    "Enter an object mapping languages (%(languages)s) to lists of "
                    "some of these field names: %(names)s."
                ),
                code="invalid",
                params={"languages": ", ".join(TARGET_LANGUAGES), "names": ", ".join(names)},
            )


class TranslatedFieldNamesField(models.JSONField):
    """`translation_stale` as it was with one target language (a list of field
    names); only the historical migrations use it."""


@functools.cache
def choice_labels(field):
    """{value: label} of a field with choices (its values are strings or numbers)."""
    return dict(field.flatchoices)


class Translatable(models.Model):
    translation_stale = TranslationStatesField(
        _("translations out of date"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Per language, the fields whose English changed after their translation."),
    )
    translation_review = TranslationStatesField(
        _("translations to review"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Per language, the fields whose translation no one has approved yet."),
    )

    translated_fields = ()

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        # What `get_<field>_display()` calls. Django's rebuilds a dict of every
        # choice on each call, translating each label to hash it: a list of 60
        # people asked it 240 times. The labels stay lazy: in the reader's language.
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(value, value), strings_only=True)

    def localized(self, field_name, language=None):
        """(text, language of the text) for a reader of `language` (default: active)."""
        target = reader_target(language)
        if target:
            text = getattr(self, translation_field_name(field_name, target))
            if text and (
                settings.SHOW_UNREVIEWED_TRANSLATIONS
                or not TranslationStates(self.translation_review, type(self)).has(
                    target, field_name
                )
            ):
                return text, target
        return getattr(self, field_name), SOURCE_LANGUAGE

    def translation_status(self, language):
        """{field: TranslationStatus} in `language` for each field that has a source text."""
        stale = TranslationStates(self.translation_stale, type(self))
        review = TranslationStates(self.translation_review, type(self))
        status = {}
        for name in self.translated_fields:
            if not getattr(self, name):
                continue
            if not getattr(self, translation_field_name(name, language)):
                status[name] = TranslationStatus.MISSING
            elif stale.has(language, name):
                status[name] = TranslationStatus.STALE
            elif review.has(language, name):
                status[name] = TranslationStatus.REVIEW
            else:
                status[name] = TranslationStatus.APPROVED
        return status


# The languages English stood in for while the current page was rendered; the
# FallbackNoticeMiddleware turns them into one notice where the page has the
# marker (`{% translation_notice %}`, near the top).
stood_in_for = contextvars.ContextVar("stood_in_for", default=None)
NOTICE_MARKER = "<!--translation-notice-->"


def record_stand_in(language):
    languages = stood_in_for.get()
    if languages is not None:
        languages.add(language)


def in_reader_language(obj, field_name):
    """(text, stand_in): the reader's text, and whether English stands in for it."""
    text, language = obj.localized(field_name)
    target = reader_target()
    stand_in = bool(text) and target is not None and language != target
    if stand_in:
        record_stand_in(target)
    return text, stand_in


def localized_html(obj, field_name):
    """A content field in the reader's language, as HTML: English standing in
    for a missing translation is wrapped in `<span lang="en">`, and the page
    says once, at the top, that parts of it are in English."""
    text, stand_in = in_reader_language(obj, field_name)
    if not stand_in:
        return text
    return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, text)


@receiver(pre_save)
def track_translations(sender, instance, raw, **kwargs):
    """Keep the translation states true, and never let a fixture erase a translation.

    A translation written with its row, or loaded (`raw`), keeps the states the
    data gives it (a fixture marks its translations as needing review); one an
    editor rewrites is current and approved. Malformed states are read as far
    as they make sense, never raised on: `full_clean()` reports them.
    """
    if not isinstance(instance, Translatable) or not sender.translated_fields:
        return
    names = sender.translated_fields
    given_stale = TranslationStates(instance.translation_stale, sender)
    given_review = TranslationStates(instance.translation_review, sender)
    columns = [translation_field_name(name, code) for name in names for code in TARGET_LANGUAGES]
    previous = None
    if instance.pk is not None:
        previous = (
            sender._base_manager.using(kwargs.get("using"))
            .filter(pk=instance.pk)
            .values(*names, *columns, *STATE_FIELDS.values())
            .first()
        )
    if previous is None:
        stale, review = given_stale, given_review
        for name in names:
            for code in TARGET_LANGUAGES:
                if not getattr(instance, translation_field_name(name, code)):
                    stale.discard(code, name)
                    review.discard(code, name)
    else:
        stale = TranslationStates(previous["translation_stale"], sender)
        review = TranslationStates(previous["translation_review"], sender)
        for name in names:
            for code in TARGET_LANGUAGES:
                column = translation_field_name(name, code)
                text = getattr(instance, column)
                if raw and not text and previous[column]:
                    # Reloading a fixture that has no translation: keep the editor's.
                    text = previous[column]
                    setattr(instance, column, text)
                if not text:
                    stale.discard(code, name)
                    review.discard(code, name)
                elif text != previous[column]:
                    # (Re)written: current; approved unless the loaded data says otherwise.
                    stale.discard(code, name)
                    if raw and given_review.has(code, name):
                        review.add(code, name)
                    else:
                        review.discard(code, name)
                elif getattr(instance, name) != previous[name]:
                    stale.add(code, name)  # the source moved on under an unchanged translation
    instance.translation_stale = dict(stale)
    instance.translation_review = dict(review)
