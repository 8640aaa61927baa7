"""Site search: every public record, in the reader's language, from one form.

What is searched is declared once per collection (`Collection.search_fields`:
(field, weight) pairs, "A" for names and titles down to "D"), and once here
for partners; a collection that declares nothing is found by its display
field ("A") and its other translated text ("B"). The rows are those
`visible_to(user)` returns: `published()` for the public.

Each field is searched in the reader's language (its translation column) and
in English, the source every translation falls back to.

- PostgreSQL: full-text search. The document of a row is a weighted tsvector
  of those columns, each in its language's text search configuration
  (`TEXT_SEARCH_CONFIGS`; "simple" for a language PostgreSQL has none for);
  rows are ranked by `SearchRank`, the excerpt is a `SearchHeadline`. A GIN
  index of each model's document in each language is created after `migrate`
  (`create_search_indexes`), from the same expression the search uses, so a
  new collection or language gets its indexes from its declaration. In a
  language without word boundaries (Japanese) or without a configuration,
  words cannot be told apart: each word of the query is found as a part of
  the row's text (its columns in one text), which a GIN trigram index of
  that text serves (pg_trgm: migration 0015), ranked by the weight of the
  fields it is found in.
- SQLite: the same part-of-a-word search in every language: the same results
  for plain words.

A search is a fixed number of queries: one for the page of (type, key, rank)
and the counts per type, then one per type on the page for its rows.
"""

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import add, or_

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections, router
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Contains, IContains
from django.db.models.sql import Query
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .collections import COLLECTIONS
from .models import Partner
from .translation import SOURCE_LANGUAGE, in_reader_language, reader_target, translation_field_name

# PostgreSQL's built-in text search configurations, by language code; any
# other language is searched with "simple" (no stemming) and by substring.
TEXT_SEARCH_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
SIMPLE = "simple"
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}  # as PostgreSQL's ts_rank weighs them
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words of a query searched as substrings; the rest are ignored
EXCERPT_WORDS = 30  # of a headline (PostgreSQL)
EXCERPT_CHARACTERS = 240  # of any excerpt
# Marks of a matched word inside an excerpt until it is escaped: private-use
# characters, which neither the text's markup nor escaping touch.
START, STOP = "\ue000", "\ue001"


def text_search_config(language):
    """PostgreSQL's configuration for `language`, or None if it has none."""
    return TEXT_SEARCH_CONFIGS.get(language.lower().split("-")[0])


@dataclass(frozen=True)
class Searchable:
    """One type of record the search finds: a collection, or partners."""

    name: str  # the `type` parameter's value
    label: str = field(compare=False)  # translated: the heading of its results
    model: type
    fields: tuple  # ((field name, weight), ...)
    related: tuple = ()  # forward keys a result shows (`Collection.related`)

    def rows(self, user):
        """What `user` may find: `published()` for the public."""
        return self.model.objects.visible_to(user)

    def shown(self, user):
        """…with the parents a result shows or links to (its partner, its
        channel: `is_public` reads them), in the same query."""
        related = dict.fromkeys([*self.model.published_with, *self.related])
        rows = self.rows(user)
        return rows.select_related(*related) if related else rows

    def url(self, row):
        collection = COLLECTIONS.find(row)
        return collection.item_url(row) if collection else row.get_absolute_url()

    @property
    def title_field(self):
        """The field a result's heading shows (a person's name is their names)."""
        return getattr(self.model, "display_field", None) or self.fields[0][0]

    @property
    def excerpt_field(self):
        """The text an excerpt is cut from: the first field that is not a name."""
        return next((name for name, weight in self.fields if weight != "A"), self.fields[0][0])

    def columns(self, name, language):
        """The columns field `name` is searched in for a reader of `language`:
        [(column, language of its text)], the reader's translation first."""
        columns = []
        target = reader_target(language)
        if target and name in self.model.translated_fields:
            columns.append((translation_field_name(name, target), target))
        columns.append((name, SOURCE_LANGUAGE))
        return columns


def collection_fields(collection):
    """A collection's `search_fields`, or its display field at "A" and its
    other translated text (not the photo's) at "B"."""
    if collection.search_fields:
        return tuple(collection.search_fields)
    model = collection.model
    display = getattr(model, "display_field", None) or model.translated_fields[0]
    others = [
        name
        for name in model.translated_fields
        if name != display and not name.startswith("photo_")
    ]
    return ((display, "A"), *((name, "B") for name in others))


def searchables():
    """Every type of record the search finds, partners first, then the
    declared collections in their order (one registered later included)."""
    partners = Searchable(
        "partner",
        _("Partners"),
        Partner,
        (("title", "A"), ("name", "A"), ("introduction", "B"), ("cooperation_text", "C")),
    )
    return [
        partners,
        *(
            Searchable(c.name, c.title, c.model, collection_fields(c), c.related)
            for c in COLLECTIONS
        ),
    ]


def terms(query):
    """The words of a query, at most MAX_TERMS, quotes and operators dropped."""
    words = re.sub(r'["()|&!:*<>\\]', " ", query).split()
    return [word.strip("-'") for word in words if word.strip("-'")][:MAX_TERMS]


def uses_full_text(using):
    return connections[using].vendor == "postgresql"


# PostgreSQL


def document(searchable, language, weight=None):
    """The weighted tsvector of a row for a reader of `language` (of the fields
    of `weight`, or of every field)."""
    vectors = []
    for name, field_weight in searchable.fields:
        if weight not in (None, field_weight):
            continue
        for column, text_language in searchable.columns(name, language):
            config = text_search_config(text_language) or SIMPLE
            vectors.append(SearchVector(column, config=config, weight=field_weight))
    return reduce(add, vectors)


def full_text_query(query, language):
    """The query in the reader's language's configuration, or in English's."""
    configs = dict.fromkeys([text_search_config(language) or SIMPLE, "english"])
    return reduce(or_, (SearchQuery(query, config=c, search_type="websearch") for c in configs))


def without_word_boundaries(language):
    return text_search_config(language) is None


# Both databases


def substring_columns(searchable, language, weight=None):
    """The columns searched by substring (of the fields of `weight`, or of any)."""
    return [
        column
        for name, field_weight in searchable.fields
        if weight in (None, field_weight)
        for column, _language in searchable.columns(name, language)
    ]


def substring_text(searchable, language, weight=None):
    """A row's columns (of the fields of `weight`, or of all) in one text, a
    space between them: a word (which holds no space) is in some column when
    it is in this text. On PostgreSQL a GIN trigram index of it serves
    `part_of`."""
    columns = substring_columns(searchable, language, weight)
    # Flat `a || ' ' || b || …`: `Concat` nests a pair per column, deeper than
    # SQLite's parser takes for a model of many translated fields.
    return Func(
        *(Coalesce(F(column), Value(""), output_field=TextField()) for column in columns),
        template="(%(expressions)s)",
        arg_joiner=" || ' ' || ",
        output_field=TextField(),
    )


class ContainsIgnoringCase(Contains):
    """`text ILIKE '%word%'` (PostgreSQL): `__icontains` without its UPPER()
    of each row's text, so that a trigram index of the text serves it."""

    def get_rhs_op(self, connection, rhs):
        return f"ILIKE {rhs}"


def part_of(text, word, using):
    """`word` is in `text`, in any case. On PostgreSQL a word without case
    (Japanese) is compared as it is, which costs a third of comparing in any
    case where no index serves it (a word of fewer than three characters);
    SQLite's LIKE (`__icontains`) ignores case itself."""
    if not uses_full_text(using):
        return IContains(text, word)
    if word.lower() == word.upper():
        return Contains(text, word)
    return ContainsIgnoringCase(text, word)


def substring_rank(searchable, found_in):
    """The sum of the weights whose fields hold every word: `found_in(weight)`,
    the condition that they do."""
    weights = sorted({weight for _name, weight in searchable.fields})
    return reduce(
        add,
        (Case(When(found_in(w), then=Value(WEIGHTS[w])), default=Value(0.0)) for w in weights),
    )


@cache
def compiled(searchable, language, using, kind, weight=None, qualified=True):
    """(SQL, params) of a row's `document` or `substring_text` (`kind`) for a
    reader of `language` (of the fields of `weight`, or of all), compiled once:
    they depend on the declaration alone, and building and compiling their
    expressions anew cost more than the database's answer to a search. The
    GIN indexes are made from the same SQL (its columns not `qualified` by
    their table's name)."""
    connection = connections[using]
    query = Query(searchable.model, alias_cols=qualified)
    build = document if kind == "document" else substring_text
    expression = build(searchable, language, weight).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler(connection=connection), connection)
    return sql, tuple(params)


def compiled_expression(searchable, language, using, kind, weight=None, qualified=True):
    sql, params = compiled(searchable, language, using, kind, weight, qualified)
    output_field = SearchVectorField() if kind == "document" else TextField()
    return RawSQL(sql, list(params), output_field=output_field)


def matches(searchable, query, user, language, using):
    """The rows of `searchable` that `user` may see and `query` finds, as
    (type, key, rank) values."""
    rows = searchable.rows(user).using(using)
    words = terms(query)
    if uses_full_text(using) and not without_word_boundaries(language):
        vector = compiled_expression(searchable, language, using, "document")
        tsquery = full_text_query(query, language)
        # Ranked by the names and titles ("A") alone, then by key: a row
        # found by its name comes first. The rank reads the text again (the
        # index holds no document), and names are short: bounded work per row,
        # where the whole document's rank cost a few times more.
        names = compiled_expression(searchable, language, using, "document", "A")
        rank = SearchRank(names, tsquery)
        rows = rows.alias(search_document=vector).filter(search_document=tsquery)
    else:
        # Each word as a part of the row's text (on PostgreSQL, the trigram
        # index), ranked by the weight of the fields it is in: a name found
        # by a part of a word comes before a description.
        text = compiled_expression(searchable, language, using, "text")
        rows = (
            rows.filter(*(part_of(text, word, using) for word in words)) if words else rows.none()
        )

        def found_in(weight):
            text = compiled_expression(searchable, language, using, "text", weight)
            return Q(*(part_of(text, word, using) for word in words))

        rank = substring_rank(searchable, found_in)
    return (
        rows.annotate(search_type=Value(searchable.name), search_rank=rank)
        .order_by()
        .values_list("search_type", "pk", "search_rank")
    )


@dataclass
class Result:
    searchable: Searchable
    object: object
    rank: float
    url: str
    excerpt: str


class Search:
    """A query's results for `user` in `language`, optionally of one type
    (`only`): `run(start, stop)` answers how many rows each type finds and the
    results from `start` to `stop`, in order of rank."""

    def __init__(self, query, user, language=None, only=None, using=None):
        self.query, self.user = query, user
        self.language = language or get_language() or SOURCE_LANGUAGE
        self.searchables = searchables()
        self.only = only
        self.using = using or router.db_for_read(self.searchables[0].model)

    def run(self, start, stop):
        """({type: how many rows it finds}, [Result] from `start` to `stop`).

        One query for both: the matching (type, key, rank) of every type, once
        (a CTE), then the page of them and the count of each type; then one
        query per type on the page for its rows. A query without a word
        (punctuation only) finds nothing, and asks nothing.
        """
        counts = dict.fromkeys((s.name for s in self.searchables), 0)
        if not terms(self.query):
            return counts, []
        keys = []
        for name, pk, rank, count in self._keys_and_counts(start, stop):
            if count is None:
                keys.append((name, pk, rank))
            else:
                counts[name] = count
        return counts, self._results(keys)

    def _keys_and_counts(self, start, stop):
        found = [
            matches(s, self.query, self.user, self.language, self.using) for s in self.searchables
        ]
        union = found[0].union(*found[1:], all=True) if len(found) > 1 else found[0]
        sql, params = union.query.get_compiler(self.using).as_sql()
        only, only_params = ("WHERE search_type = %s", [self.only]) if self.only else ("", [])
        statement = (
            f"WITH found (search_type, pk, search_rank) AS ({sql}) "
            "SELECT * FROM (SELECT search_type, pk, search_rank, CAST(NULL AS bigint) FROM found "
            f"{only} ORDER BY search_rank DESC, search_type, pk LIMIT %s OFFSET %s) page "
            "UNION ALL "
            "SELECT search_type, NULL, NULL, COUNT(*) FROM found GROUP BY search_type"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(statement, [*params, *only_params, stop - start, start])
            return cursor.fetchall()

    def _results(self, keys):
        by_type = {}
        for name, pk, _rank in keys:
            by_type.setdefault(name, []).append(pk)
        rows = {}
        for searchable in self.searchables:
            if searchable.name in by_type:
                for row in self._rows(searchable, by_type[searchable.name]):
                    rows[searchable.name, row.pk] = (searchable, row)
        results = []
        for name, pk, rank in keys:
            if (name, pk) in rows:
                searchable, row = rows[name, pk]
                url, excerpt = searchable.url(row), self._excerpt(searchable, row)
                results.append(Result(searchable, row, rank, url, excerpt))
        return results

    def _rows(self, searchable, pks):
        # No ORDER BY: the results take the order of `keys` (their rank).
        rows = (
            searchable.shown(self.user)
            .for_reader(self.language)
            .using(self.using)
            .filter(pk__in=pks)
            .order_by()
        )
        if uses_full_text(self.using) and not without_word_boundaries(self.language):
            field = searchable.excerpt_field
            text = Coalesce(
                *(NullIf(F(c), Value("")) for c, _l in searchable.columns(field, self.language)),
                Value(""),
            )
            rows = rows.annotate(
                search_headline=SearchHeadline(
                    text,
                    full_text_query(self.query, self.language),
                    config=text_search_config(self.language) or SIMPLE,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=EXCERPT_WORDS,
                    min_words=EXCERPT_WORDS // 2,
                )
            )
        return rows

    def _excerpt(self, searchable, row):
        field = searchable.excerpt_field
        text = getattr(row, "search_headline", None)
        if text is None:
            text = in_reader_language(row, field)[0]
        return highlighted(text, terms(self.query))


def highlighted(text, words, limit=None):
    """An excerpt as safe HTML: the text of `text` (markup dropped, escaped)
    with the matched words in <mark>, at most `limit` characters around the
    first one. Marked by the database (`START`/`STOP`), or else here: each of
    `words` wherever it occurs (a part of a word too, as in Japanese)."""
    limit = limit or EXCERPT_CHARACTERS
    text = " ".join(html.unescape(strip_tags(text or "")).split())
    if START not in text and words:
        pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        text = re.sub(pattern, lambda m: f"{START}{m.group(0)}{STOP}", text, flags=re.I)
    if len(text) > limit:
        first = max(text.find(START), 0)
        begin = max(0, min(first - limit // 3, len(text) - limit))
        if begin and " " in text[begin:first]:
            begin = text.index(" ", begin) + 1  # not in the middle of a word
        end = begin + limit
        if end < len(text) and " " in text[first:end]:
            end = text.rindex(" ", first, end)
        text = f"{'…' if begin else ''}{text[begin:end]}{'…' if end < len(text) else ''}"
    escaped = re.sub(f"{START}(.*?){STOP}", r"<mark>\1</mark>", escape(text))
    return mark_safe(escaped.replace(START, "").replace(STOP, ""))  # escaped just now


# The GIN indexes


def index_expression(searchable, language, connection):
    """SQL of what a search in `language` looks up in `searchable`'s rows, and
    the GIN operator class that indexes it: the document (full-text search), or
    the text (trigrams: `part_of`)."""
    query = Query(searchable.model, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    if without_word_boundaries(language):
        text = compiled_expression(searchable, language, connection.alias, "text", qualified=False)
        sql, params = (
            part_of(text, "", connection.alias)
            .resolve_expression(query)
            .process_lhs(compiler, connection)
        )
        return connection.ops.compose_sql(sql, params), "gin_trgm_ops"
    sql, params = compiled(searchable, language, connection.alias, "document", qualified=False)
    return connection.ops.compose_sql(sql, list(params)), ""


def index_statements(connection):
    """{name: CREATE INDEX statement} for what each searchable model is
    searched by, in each language."""
    from django.conf import settings

    statements = {}
    for searchable in searchables():
        table = searchable.model._meta.db_table
        for language, _name in settings.LANGUAGES:
            sql, operator_class = index_expression(searchable, language, connection)
            # Named after its expression: a changed declaration gets a new index.
            digest = hashlib.sha256(f"{sql} {operator_class}".encode()).hexdigest()[:8]
            name = f"{index_prefix(table)}{language.replace('-', '_')[:8]}_{digest}"
            statements[name] = (
                f"CREATE INDEX IF NOT EXISTS {connection.ops.quote_name(name)} "
                f"ON {connection.ops.quote_name(table)} USING gin (({sql}) {operator_class})"
            )
    return statements


def index_prefix(table):
    return f"{table[:36]}_search_"


def create_search_indexes(using="default", **kwargs):
    """After `migrate` on PostgreSQL: the GIN indexes of `index_statements`,
    and none left from an earlier declaration (a no-op elsewhere)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    statements = index_statements(connection)
    tables = {s.model._meta.db_table for s in searchables()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)]
        )
        for table, name in cursor.fetchall():
            if name.startswith(index_prefix(table)) and name not in statements:
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        for statement in statements.values():
            cursor.execute(statement)
