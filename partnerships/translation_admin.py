"""The admin's side of translation: Japanese beside English, and what needs work."""

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .translation import TranslationStatus, translation_field_name


def side_by_side(lines, translated_fields):
    """Fieldset lines with each translated field followed, on its row, by its Japanese."""
    result = []
    for line in lines:
        names = line if isinstance(line, list | tuple) else (line,)
        plain = [name for name in names if name not in translated_fields]
        if plain:
            result.append(tuple(plain) if len(plain) > 1 else plain[0])
        result += [
            (name, translation_field_name(name)) for name in names if name in translated_fields
        ]
    return result


def describe_status(obj, status=None):
    """The names of the fields whose Japanese is missing, and of those out of date."""
    status = obj.translation_status() if status is None else status
    missing = [obj._meta.get_field(n).verbose_name for n, s in status.items() if s == "missing"]
    stale = [obj._meta.get_field(n).verbose_name for n, s in status.items() if s == "stale"]
    return missing, stale


class NeedsTranslationFilter(admin.SimpleListFilter):
    title = _("Japanese translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("needed", _("Needs translation")),
            (TranslationStatus.MISSING, TranslationStatus.MISSING.label),
            (TranslationStatus.STALE, TranslationStatus.STALE.label),
            (TranslationStatus.TRANSLATED, _("Fully translated")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "needed":
                return queryset.needs_translation()
            case TranslationStatus.MISSING:
                return queryset.translation_missing()
            case TranslationStatus.STALE:
                return queryset.translation_stale()
            case TranslationStatus.TRANSLATED:
                return queryset.exclude(pk__in=queryset.needs_translation().values("pk"))
        return queryset


class TranslationAdminMixin:
    """For a ModelAdmin of a translated model: side-by-side fields, filter, status."""

    class Media:
        css = {"all": ["admin/partnerships/translation.css"]}

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), NeedsTranslationFilter]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "japanese"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": side_by_side(options["fields"], self.translated_fields)})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.insert(0, (_("Japanese translation"), {"fields": ["translation_report"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "translation_report"]

    @property
    def translated_fields(self):
        return self.model.translated_fields

    @admin.display(description=_("Japanese"))
    def japanese(self, obj):
        missing, stale = describe_status(obj)
        if not missing and not stale:
            return format_html('<span class="translation-ok">{}</span>', _("Translated"))
        parts = []
        if missing:
            parts.append(
                ngettext("%(count)d missing", "%(count)d missing", len(missing))
                % {"count": len(missing)}
            )
        if stale:
            parts.append(
                ngettext("%(count)d out of date", "%(count)d out of date", len(stale))
                % {"count": len(stale)}
            )
        return format_html('<span class="translation-todo">{}</span>', ", ".join(parts))

    @admin.display(description=_("Status"))
    def translation_report(self, obj):
        missing, stale = describe_status(obj)
        if not missing and not stale:
            return _("Every field with English text has a current Japanese translation.")
        rows = []
        if missing:
            rows.append((_("Japanese missing"), ", ".join(str(name) for name in missing)))
        if stale:
            rows.append(
                (
                    _("English changed after the Japanese was saved"),
                    ", ".join(str(name) for name in stale),
                )
            )
        return format_html_join(mark_safe("<br>"), "<strong>{}:</strong> {}", rows)

    @admin.action(
        description=_("Mark Japanese as up to date with the English"), permissions=["change"]
    )
    def mark_japanese_current(self, request, queryset):
        count = queryset.exclude(translation_stale=[]).update(translation_stale=[])
        self.message_user(
            request,
            ngettext(
                "%(count)d item marked up to date.", "%(count)d items marked up to date.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


class TranslationInlineMixin:
    """Inlines show each translated column beside its English one."""

    def get_fields(self, request, obj=None):
        return side_by_side(super().get_fields(request, obj), self.model.translated_fields)


@dataclass
class CollectionStatus:
    """How much of one kind of content of a partner is translated."""

    label: str
    texts: int = 0
    translated: int = 0
    missing: int = 0
    stale: int = 0
    to_do: list = field(default_factory=list)  # (item, admin URL, missing, stale)

    @property
    def percent(self):
        return round(100 * self.translated / self.texts) if self.texts else 100


def translation_overview(collections):
    """Per collection: texts, translated, missing, stale and what to fix; then the total.

    `collections` lists (queryset, parent): `parent` names the field holding the
    record that an editor opens to fix a row (an inline's), or is None.
    """
    overview = []
    for queryset, parent in collections:
        row = CollectionStatus(label=queryset.model._meta.verbose_name_plural)
        for item in queryset:
            status = item.translation_status()
            missing, stale = describe_status(item, status)
            row.texts += len(status)
            row.translated += sum(s == TranslationStatus.TRANSLATED for s in status.values())
            row.missing += len(missing)
            row.stale += len(stale)
            if missing or stale:
                opened = getattr(item, parent) if parent else item
                row.to_do.append((item, admin_change_url(opened), missing, stale))
        overview.append(row)
    total = CollectionStatus(
        label=_("All content"),
        **{
            key: sum(getattr(row, key) for row in overview)
            for key in ["texts", "translated", "missing", "stale"]
        },
    )
    return overview, total


def admin_change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
