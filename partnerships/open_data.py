"""Open data: each collection of a partner as CSV and JSON, and the rows the API
gives, from one declaration.

A collection's `data_fields` (partnerships.collections) name what each row
gives; `serializer_for` turns them into a Django REST framework serializer,
which the downloads here and the API (partnerships.api) both use, so a value is
the same in the CSV, the JSON download and the API. The columns:

- `slug` and `partner` (the partner's slug) first, then the declared fields,
  then `url` (the public page, in the source language) and `updated_at`;
- a translated field gives a column per language, the source first:
  `title`, `title_fr`, `title_es`, `title_ja`. A translation column is empty
  where the pages show the English instead (no translation; with
  `SHOW_UNREVIEWED_TRANSLATIONS` off, one not yet approved). The names never
  depend on the reader's language: a download is the same file under /en/ and
  /ja/, and the API has no language;
- a choice gives its stored value (`workers`, not “Workers”), a foreign key
  its row's slug, a photo or a link its address (null where there is none),
  rich text its sanitised HTML;
- a `Nested` relation gives a list of objects (an agreement's signatories).

Only published rows are given, whoever asks: staff preview drafts on the
pages, never in data.
"""

import csv
import io
from functools import cache

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from .collections import PHOTO_FIELDS, Nested
from .models import Partner
from .richtext import RichTextField
from .translation import TARGET_LANGUAGES, language_name, translation_field_name

# The partner's own row (the API's /api/partners/), declared as a collection's are.
PARTNER_DATA_FIELDS = (
    "name",
    "title",
    "adjective",
    "introduction",
    "development_heading",
    "cooperation_text",
    "support_since_year",
    "annual_contribution_usd",
    "annual_contribution_is_approximate",
    "member_states_lower_bound",
    Nested("concerns", ("name", "position")),
    *PHOTO_FIELDS,
)


class RichTextColumn(serializers.CharField):
    """Rich text as the pages show it: sanitised again on the way out."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return self.model_field.sanitize_value(value)


class WebAddressColumn(serializers.URLField):
    """A link, or null where there is none (not "", which is no address)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(OpenApiTypes.STR)
class TranslationColumn(serializers.Field):
    """A translated field in one target language, or "" where the pages show
    the English in its place."""

    def __init__(self, model_field, language, **kwargs):
        self.model_field, self.language = model_field, language
        label = format_lazy("{} ({})", model_field.verbose_name, language_name(language))
        help_text = (
            f"“{model_field.name}” in {language_name(language)}; empty where it has "
            "no (approved) translation and the pages show the English."
        )
        super().__init__(source="*", read_only=True, label=label, help_text=help_text, **kwargs)

    def to_representation(self, row):
        text, language = row.localized(self.model_field.name, self.language)
        if language != self.language:
            return ""
        if isinstance(self.model_field, RichTextField):
            return self.model_field.sanitize_value(text)
        return text


@extend_schema_field(OpenApiTypes.URI)
class PageAddress(serializers.Field):
    """The row's public page (or its place in the list), in the source language."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row):
        with translation.override(settings.LANGUAGE_CODE):
            path = row.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def columns(model, fields):
    """{column: declared serializer field or None (left to ModelSerializer)} for
    `fields` of `model`, in order, each translated field followed by its
    translations."""
    declared = {}
    for spec in fields:
        if isinstance(spec, Nested):
            related = model._meta.get_field(spec.relation).related_model
            nested = serializer_for(related, spec.fields, top_level=False)
            declared[spec.relation] = nested(many=True, read_only=True)
            continue
        field = model._meta.get_field(spec)
        if field.many_to_one:
            declared[spec] = serializers.SlugRelatedField(
                slug_field="slug", read_only=True, allow_null=field.null, help_text=field.help_text
            )
        elif spec == "photo":
            declared[spec] = serializers.ImageField(
                read_only=True, allow_null=True, help_text="The photo's address, or null."
            )
        elif isinstance(field, models.URLField):
            declared[spec] = WebAddressColumn(help_text=field.help_text)
        elif isinstance(field, RichTextField):
            declared[spec] = RichTextColumn(field, help_text=field.help_text)
        else:
            declared[spec] = None
        if spec in getattr(model, "translated_fields", ()):
            for language in TARGET_LANGUAGES:
                declared[translation_field_name(spec, language)] = TranslationColumn(
                    field, language
                )
    return declared


@cache
def serializer_for(model, fields, top_level=True):
    """The serializer of `model`'s open data: its `fields` (a collection's
    `data_fields`) and, for a top-level row, `slug`, `partner` (if it has
    one), `url` and `updated_at`."""
    declared = columns(model, fields)
    if top_level:
        leading = {"slug": None}
        if any(f.name == "partner" for f in model._meta.concrete_fields):
            leading["partner"] = serializers.SlugRelatedField(
                slug_field="slug", read_only=True, help_text="The partner's slug."
            )
        declared = {
            **leading,
            **declared,
            "url": PageAddress(help_text="The public page (in the source language)."),
            "updated_at": None,
        }
    # Every field read-only: the API never writes.
    names = list(declared)
    meta = type("Meta", (), {"model": model, "fields": names, "read_only_fields": names})
    attributes = {name: field for name, field in declared.items() if field is not None}
    name = f"{model.__name__}Serializer"
    return type(
        name, (serializers.ModelSerializer,), {"Meta": meta, "__doc__": model.__doc__, **attributes}
    )


def collection_serializer(collection):
    data_fields = collection.data_fields or tuple(
        name for name in collection.model.translated_fields if name not in PHOTO_FIELDS
    )
    return serializer_for(collection.model, data_fields)


def partner_serializer():
    return serializer_for(Partner, PARTNER_DATA_FIELDS)


def column_names(serializer_class):
    return list(serializer_class().fields)


def csv_cell(value):
    """A value as a CSV cell: text as it is, nothing for null, anything else
    (numbers, true/false, a list of signatories) as its JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return JSONRenderer().render(value).decode()


def render_csv(names, rows):
    """RFC 4180 CSV in UTF-8, with a byte order mark: without it Excel reads a
    file opened from disk in the system's legacy code page (Windows-1252,
    Shift_JIS), and every accented or Japanese letter comes out garbled."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    writer.writerows([csv_cell(row[name]) for name in names] for row in rows)
    return "\ufeff".encode() + buffer.getvalue().encode()


class DataDownloadView(View):
    """A partner's whole collection, published rows only, as `data.csv` or
    `data.json` (`format`), saved under a name such as `japan-projects.csv`."""

    collection = None
    http_method_names = ["get", "head", "options"]

    def get(self, request, partner_slug, format):
        partner = get_object_or_404(Partner.objects.published(), slug=partner_slug)
        serializer_class = collection_serializer(self.collection)
        rows = serializer_class(
            self.collection.published_rows(partner), many=True, context={"request": request}
        ).data
        if format == "csv":
            content = render_csv(column_names(serializer_class), rows)
            content_type = "text/csv; charset=utf-8; header=present"
        else:
            data = {
                "partner": partner.slug,
                "collection": self.collection.segment,
                "count": len(rows),
                "results": rows,
            }
            content, content_type = JSONRenderer().render(data), "application/json"
        response = HttpResponse(content, content_type=content_type)
        filename = f"{partner.slug}-{self.collection.segment}.{format}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
