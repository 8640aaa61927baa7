"""The admin's side of translation: each language beside the English, and what needs work."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .translation import (
    TARGET_LANGUAGES,
    TranslationStates,
    TranslationStatus,
    language_name,
    translation_field_name,
)

# The states that leave work to do, in the order they are reported.
TO_DO = [TranslationStatus.MISSING, TranslationStatus.STALE, TranslationStatus.REVIEW]


def side_by_side(lines, translated_fields):
    """Fieldset lines with each translated field followed, on its row, by its translations."""
    result = []
    for line in lines:
        names = line if isinstance(line, list | tuple) else (line,)
        plain = [name for name in names if name not in translated_fields]
        if plain:
            result.append(tuple(plain) if len(plain) > 1 else plain[0])
        result += [
            (name, *(translation_field_name(name, code) for code in TARGET_LANGUAGES))
            for name in names
            if name in translated_fields
        ]
    return result


def work_by_language(obj):
    """{language: {status: [field verbose names]}} for the states that leave work to do."""
    work = {}
    for language in TARGET_LANGUAGES:
        by_status = {}
        for name, status in obj.translation_status(language).items():
            if status != TranslationStatus.APPROVED:
                by_status.setdefault(status, []).append(obj._meta.get_field(name).verbose_name)
        if by_status:
            work[language] = by_status
    return work


def count_label(status, count):
    labels = {
        TranslationStatus.MISSING: ngettext("%(count)d missing", "%(count)d missing", count),
        TranslationStatus.STALE: ngettext("%(count)d out of date", "%(count)d out of date", count),
        TranslationStatus.REVIEW: ngettext("%(count)d to review", "%(count)d to review", count),
    }
    return labels[status] % {"count": count}


class TranslationFilter(admin.SimpleListFilter):
    """Rows by translation state, in any language or in one."""

    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        choices = [("needed", _("Needs work (any language)"))]
        for language in TARGET_LANGUAGES:
            choices += [
                (f"{language}:{status}", f"{language_name(language)}: {label}")
                for status, label in TranslationStatus.choices
            ]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "needed":
            return queryset.needs_translation()
        language, _sep, status = (value or "").partition(":")
        if language in TARGET_LANGUAGES and status in TranslationStatus.values:
            return queryset.with_translation_status(status, language)
        return queryset


def approve_action(language=None):
    """An admin action that approves the selected rows' translations (in one language, or all)."""

    def approve(modeladmin, request, queryset):
        by_review = defaultdict(list)
        for pk, review in queryset.exclude(translation_review={}).values_list(
            "pk", "translation_review"
        ):
            kept = TranslationStates(review, queryset.model)
            for code in [language] if language else list(kept):
                kept.pop(code, None)
            if kept != review:
                by_review[kept.frozen()].append(pk)
        count = 0
        for review, pks in by_review.items():
            count += queryset.model._default_manager.filter(pk__in=pks).update(
                translation_review={code: list(names) for code, names in review}
            )
        modeladmin.message_user(
            request,
            ngettext(
                "Translations of %(count)d item approved.",
                "Translations of %(count)d items approved.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    approve.__name__ = f"approve_translations_{language}" if language else "approve_translations"
    approve.allowed_permissions = ["publish"]
    approve.short_description = (
        format_lazy(_("Approve the {language} translations"), language=language_name(language))
        if language
        else _("Approve the translations (every language)")
    )
    return approve


class TranslationAdminMixin:
    """For a ModelAdmin of a translated model: side-by-side fields, filter, status, approval."""

    class Media:
        css = {"all": ["admin/partnerships/translation.css"]}

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), TranslationFilter]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "translations"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_publish_permission(request):
            for language in [None, *TARGET_LANGUAGES]:
                action = approve_action(language)
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": side_by_side(options["fields"], self.translated_fields)})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.insert(0, (_("Translations"), {"fields": ["translation_report"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "translation_report"]

    @property
    def translated_fields(self):
        return self.model.translated_fields

    @admin.display(description=_("Translations"))
    def translations(self, obj):
        work = work_by_language(obj)
        if not work:
            return format_html('<span class="translation-ok">{}</span>', _("Approved"))
        return format_html_join(
            mark_safe("<br>"),
            '<span class="translation-todo"><abbr title="{}">{}</abbr> {}</span>',
            (
                (
                    language_name(language),
                    language,
                    ", ".join(
                        count_label(status, len(by_status[status]))
                        for status in TO_DO
                        if status in by_status
                    ),
                )
                for language, by_status in work.items()
            ),
        )

    @admin.display(description=_("Status"))
    def translation_report(self, obj):
        work = work_by_language(obj)
        if not work:
            return _("Every field with English text has a current, approved translation.")
        labels = dict(TranslationStatus.choices)
        rows = [
            (language_name(language), labels[status], ", ".join(str(name) for name in names))
            for language, by_status in work.items()
            for status in TO_DO
            if (names := by_status.get(status))
        ]
        return format_html_join(mark_safe("<br>"), "<strong>{} — {}:</strong> {}", rows)

    @admin.action(
        description=_("Mark translations as up to date with the English"), permissions=["change"]
    )
    def mark_translations_current(self, request, queryset):
        count = queryset.exclude(translation_stale={}).update(translation_stale={})
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
    """How much of one kind of content of a partner is translated, per language."""

    label: str
    texts: int = 0
    # {language: {status: count}}
    counts: dict = field(default_factory=dict)
    # (item, admin URL, [(language name, [(status label, field names)])])
    to_do: list = field(default_factory=list)

    def count(self, language, status):
        return self.counts.get(language, {}).get(status, 0)

    def by_language(self):
        """[(language name, [count per status], percent approved)] for the template."""
        return [
            (
                language_name(language),
                [self.count(language, status) for status, _label in TranslationStatus.choices],
                round(100 * self.count(language, TranslationStatus.APPROVED) / self.texts)
                if self.texts
                else 100,
            )
            for language in TARGET_LANGUAGES
        ]


def translation_overview(collections):
    """Per collection and language: texts, and how many are in each state; then the total.

    `collections` lists (queryset, parent): `parent` names the field holding the
    record that an editor opens to fix a row (an inline's), or is None.
    """
    overview = []
    total = CollectionStatus(label=_("All content"))
    for queryset, parent in collections:
        row = CollectionStatus(label=queryset.model._meta.verbose_name_plural)
        for item in queryset:
            for language in TARGET_LANGUAGES:
                status = item.translation_status(language)
                if language == TARGET_LANGUAGES[0]:
                    row.texts += len(status)
                    total.texts += len(status)
                for summary in (row, total):
                    counts = summary.counts.setdefault(language, {})
                    for state in status.values():
                        counts[state] = counts.get(state, 0) + 1
            work = work_by_language(item)
            if work:
                opened = getattr(item, parent) if parent else item
                labels = dict(TranslationStatus.choices)
                row.to_do.append(
                    (
                        item,
                        admin_change_url(opened),
                        [
                            (
                                language_name(code),
                                [
                                    (labels[status], by_status[status])
                                    for status in TO_DO
                                    if status in by_status
                                ],
                            )
                            for code, by_status in work.items()
                        ],
                    )
                )
        overview.append(row)
    return overview, total


def admin_change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
