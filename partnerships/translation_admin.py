"""The admin's side of translation: each language beside the English, and what needs work."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.db import connections
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import page_cache
from .translation import (
    STATE_FIELDS,
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
    # (item, admin URL, [(language name, [(status label, field names)])]): the first ones
    to_do: list = field(default_factory=list)
    # How many more items need work than `to_do` lists, and where an editor finds them
    more: int = 0
    more_url: str = ""

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

    def add(self, other):
        """Add `other`'s texts and counts to this one's (for the total)."""
        self.texts += other.texts
        for language, counts in other.counts.items():
            mine = self.counts.setdefault(language, {})
            for status, count in counts.items():
                mine[status] = mine.get(status, 0) + count


class StateCounts:
    """Counts of translation states over a queryset's rows, in the database.

    The rows are read as a derived table of the columns the states depend on:
    each field's English, its translations, and per language the JSON text of
    the out-of-date and to-review lists. Over it, each row gets per language
    one number that tallies its fields' states, as `translation_status`
    decides them (a CASE per field, its tests in that order):

        missing + 1,000 × out of date + 1,000,000 × to review

    (a model has far fewer than 1,000 translated fields), and the counts are
    sums of its digits. The SQL is written out: built from ORM lookups, the
    hundreds of conditions would take longer to build than to count.
    """

    STALE, REVIEW = 1_000, 1_000_000

    def __init__(self, queryset):
        self.names = queryset.model.translated_fields
        columns = {"row": F("pk")}
        for i, name in enumerate(self.names):
            columns[f"source_{i}"] = F(name)
            for language in TARGET_LANGUAGES:
                columns[f"target_{i}_{language}"] = F(translation_field_name(name, language))
        for status, state_field in STATE_FIELDS.items():
            for language in TARGET_LANGUAGES:
                columns[f"{status}_{language}"] = KeyTextTransform(language, state_field)
        self.queryset = queryset
        self.connection = connections[queryset.db]
        self.columns = columns

    def column(self, alias):
        return self.connection.ops.quote_name(alias)

    def listed(self, status, language, i):
        """The field's name is in the state's list for `language`: the list's
        JSON text holds the quoted name. Exact, for the states are kept as lists
        of field names by the pre_save handler (`TranslationStates`); a string
        where a list belongs is not matched, as `TranslationStates` ignores it
        too. instr() on SQLite, strpos() on PostgreSQL: a plain substring test,
        where LIKE would read the underscores of field names as wildcards.
        NULL where the row has no list for `language`: a CASE passes over it."""
        find = "strpos" if self.connection.vendor == "postgresql" else "instr"
        return f"{find}({self.column(f'{status}_{language}')}, %s) > 0", [f'"{self.names[i]}"']

    def states(self, *ordering):
        """(SQL, params): the columns the states depend on, as the derived table
        `states` (in `ordering`)."""
        rows = self.queryset.order_by(*ordering).values(**self.columns)
        sql, params = rows.query.get_compiler(using=self.queryset.db).as_sql()
        return f"({sql}) states", list(params)

    def tally(self, language):
        """(SQL, params) over `states`: a row's tally in `language`."""
        cases, params = [], []
        for i in range(len(self.names)):
            stale, stale_params = self.listed(TranslationStatus.STALE, language, i)
            review, review_params = self.listed(TranslationStatus.REVIEW, language, i)
            cases.append(
                f"CASE WHEN {self.column(f'source_{i}')} = '' THEN 0"
                f" WHEN {self.column(f'target_{i}_{language}')} = '' THEN 1"
                f" WHEN {stale} THEN {self.STALE} WHEN {review} THEN {self.REVIEW} ELSE 0 END"
            )
            params += stale_params + review_params
        return " + ".join(cases), params

    def count(self):
        """{"rows", "work" (rows needing work), "texts", (language, status)}: counts.

        Each row's tallies are worked out once, in a derived table that OFFSET 0
        keeps PostgreSQL from folding into the query that sums them (which
        would work each tally out once per use)."""
        texts = " + ".join(
            f"CASE WHEN {self.column(f'source_{i}')} <> '' THEN 1 ELSE 0 END"
            for i in range(len(self.names))
        )
        tallies, params = [f"{texts} AS {self.column('texts')}"], []
        for language in TARGET_LANGUAGES:
            sql, sql_params = self.tally(language)
            tallies.append(f"{sql} AS {self.column(f'tally_{language}')}")
            params += sql_params
        states, states_params = self.states()
        fence = " OFFSET 0" if self.connection.vendor == "postgresql" else ""
        tallied = f"SELECT {', '.join(tallies)} FROM {states}{fence}"
        params += states_params

        work = " OR ".join(f"{self.column(f'tally_{code}')} > 0" for code in TARGET_LANGUAGES)
        selected = [
            ("rows", "COUNT(*)"),
            ("work", f"SUM(CASE WHEN {work} THEN 1 ELSE 0 END)"),
            ("texts", f"SUM({self.column('texts')})"),
        ]
        for language in TARGET_LANGUAGES:
            tally = self.column(f"tally_{language}")
            selected += [
                # %% is the modulo operator: the query has parameters.
                ((language, TranslationStatus.MISSING), f"SUM({tally} %% {self.STALE})"),
                (
                    (language, TranslationStatus.STALE),
                    f"SUM(({tally} / {self.STALE}) %% {self.REVIEW // self.STALE})",
                ),
                ((language, TranslationStatus.REVIEW), f"SUM({tally} / {self.REVIEW})"),
            ]
        sql = f"SELECT {', '.join(sql for _key, sql in selected)} FROM ({tallied}) tallied"
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            values = cursor.fetchone()
        keys = [key for key, _sql in selected]
        return {key: int(value or 0) for key, value in zip(keys, values, strict=True)}

    def needing_work(self, limit=None):
        """The queryset's rows that need work, in its order; with `limit`, the
        first ones by key (the oldest), read in key order until that many are
        found."""
        parts, params = [], []
        for language in TARGET_LANGUAGES:
            sql, sql_params = self.tally(language)
            parts.append(f"({sql}) > 0")
            params += sql_params
        states, states_params = self.states("pk")
        row = self.column("row")
        sql = f"SELECT {row} FROM {states} WHERE {' OR '.join(parts)} ORDER BY {row}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.queryset.filter(pk__in=RawSQL(sql, states_params + params))


def needs_work(queryset, limit=None):
    """`queryset`'s rows that need translation work (the first `limit` by key)."""
    return StateCounts(queryset).needing_work(limit)


def count_statuses(queryset):
    """(texts, {language: {status: count}}, rows needing work) of a queryset of
    translated rows, counted by the database in one query."""
    totals = StateCounts(queryset).count()
    counts = {}
    for language in TARGET_LANGUAGES if totals["rows"] else []:
        by_status = {status: totals[language, status] for status in TO_DO}
        by_status[TranslationStatus.APPROVED] = totals["texts"] - sum(by_status.values())
        # As `translation_status` reports them: only the states that occur.
        counts[language] = {status: count for status, count in by_status.items() if count}
    return totals["texts"], counts, totals["work"]


def work_on(queryset, listed_items, scope=None):
    """(texts, counts, rows needing work, the first `listed_items` of them) of
    `queryset`, as `count_statuses` and `needs_work` give them.

    With `scope` (a partner's slug: `queryset` holds only its rows), the counts
    and the keys of the rows listed are kept in the cache under the tokens of
    its public pages, which every change to its content replaces
    (`partnerships.page_cache`): counting every row is for the first look
    after a change."""
    if scope is None or not settings.PAGE_CACHE_SECONDS:
        texts, counts, work = count_statuses(queryset)
        return texts, counts, work, list(needs_work(queryset, listed_items))
    tokens = page_cache.current_tokens(scope)
    query = f"{tokens} {queryset.query} {TARGET_LANGUAGES} {listed_items}"
    key = f"translation:{hashlib.sha256(query.encode()).hexdigest()}"
    kept = cache.get(key)
    if kept is None:
        texts, counts, work = count_statuses(queryset)
        keys = list(needs_work(queryset, listed_items).values_list("pk", flat=True))
        kept = (texts, counts, work, keys)
        cache.set(key, kept, settings.PAGE_CACHE_SECONDS)
    texts, counts, work, keys = kept
    listed = queryset.in_bulk(keys) if keys else {}
    return texts, counts, work, [listed[pk] for pk in keys if pk in listed]


def translation_overview(collections, partner=None, listed_items=20):
    """Per collection and language: texts, and how many are in each state; then the total.

    `collections` lists (queryset, parent): `parent` names the field holding the
    record that an editor opens to fix a row (an inline's), or is None. The
    database counts (once per change to `partner`'s content: `work_on`); of the
    rows that need work, the first `listed_items` of each collection (the
    oldest) are listed, then how many more there are and, where the kind has
    its own admin list, a link to them there (`partner`'s).
    """
    overview = []
    total = CollectionStatus(label=_("All content"))
    labels = dict(TranslationStatus.choices)
    scope = partner.slug if partner is not None else None
    for queryset, parent in collections:
        model = queryset.model
        row = CollectionStatus(label=model._meta.verbose_name_plural)
        row.texts, row.counts, work, listed = work_on(queryset, listed_items, scope)
        for item in listed:
            opened = getattr(item, parent) if parent else item
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
                        for code, by_status in work_by_language(item).items()
                    ],
                )
            )
        row.more = work - len(row.to_do)
        if row.more > 0:
            row.more_url = changelist_of_work(model, partner)
        total.add(row)
        overview.append(row)
    return overview, total


def changelist_of_work(model, partner=None):
    """The admin list of a kind of content filtered to its rows that need
    translation work (`partner`'s, if given and the kind has a partner), or ""
    for a kind edited only inside another's form (concerns, signatories)."""
    opts = model._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return ""
    query = {TranslationFilter.parameter_name: "needed"}
    if partner is not None and any(f.name == "partner" for f in opts.fields):
        query["partner__id__exact"] = partner.pk
    return f"{url}?{urlencode(query)}"


def admin_change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
