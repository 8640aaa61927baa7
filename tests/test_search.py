"""Site search (partnerships.search): every named thing of the document is
found from one word of its name, in English and in Japanese, on PostgreSQL
(full text) and on SQLite (substrings); nothing unpublished is ever found;
hostile input answers 200 or 400, escaped; a fixed number of queries."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from factory import Iterator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from partnerships.collections import COLLECTIONS
from partnerships.models import Project
from partnerships.search import (
    Search,
    create_search_indexes,
    highlighted,
    index_statements,
    searchables,
)
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
)
from tests.helpers import GOES_LIVE, public_urls, visible_text
from tests.test_filters import ATTRIBUTES, HOSTILE, TAGS
from tests.test_filters import assert_escaped as assert_list_escaped

pytestmark = pytest.mark.django_db

XSS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
    if line.strip()
]


def assert_escaped(response, value=None):
    """As on list pages (tests/test_filters.py), with the search page's own
    markup: its results' ordered list and the excerpts' marks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tests.test_filters.TAGS", TAGS | {"ol", "mark"})
        patch.setattr("tests.test_filters.ATTRIBUTES", ATTRIBUTES)
        assert_list_escaped(response, value)


def search_url(language="en"):
    with translation.override(language):
        return reverse("partnerships:search")


def search(client, q, language="en", **parameters):
    return client.get(search_url(language), {"q": q, **parameters})


def found(response):
    """[(address, heading text)] of the results, in order."""
    return [
        (url, " ".join(re.sub(r"<[^>]+>", "", title).split()))
        for url, title in re.findall(
            r'<h2 class="search-result__title"><a href="([^"]+)">(.*?)</a>',
            response.content.decode(),
            flags=re.S,
        )
    ]


def found_urls(response):
    return [url for url, _title in found(response)]


# What the document names, and a word (English) and a part of a name
# (Japanese) that finds each: (path under /<lang>/partners/japan/, en, ja).
DOCUMENT = [
    ("representatives/#atsuyuki-oike", "Oike", "尾池"),
    ("representatives/#akiko-gono", "Gono", "郷野"),
    ("representatives/#emiko-nagasawa", "Nagasawa", "長沢"),
    ("agreements/memorandum-of-cooperation-2017/", "Memorandum", "覚書"),
    ("funding-channels/japanese-government/", "government", "日本政府"),
    ("funding-channels/cooperation-through-un-funds/", "UN", "国連基金"),
    ("funding-channels/cooperation-with-eu-oecd/", "OECD", "欧州連合"),
    (
        "funding-channels/cooperation-through-workers-and-employers-organizations/",
        "employers",
        "使用者団体",
    ),
    ("funding-channels/public-private-partnerships/", "Public-Private", "官民"),
    ("projects/ilo-japan-multi-bilateral-programme/", "Multi-bilateral", "マルチ"),
    ("projects/un-trust-fund-for-human-security/", "Trust", "人間の安全保障"),
    ("private-support/african-cooperative-leaders-study-tour/", "African", "スタディツアー"),
    ("private-support/support-through-human-resources/", "resources", "人材"),
    ("private-support/financial-support-for-child-labour-projects/", "child", "児童労働"),
    (
        "private-support/donation-earthquake-recovery-central-java/",
        "earthquake",
        "中部ジャワ",
    ),
]


def test_the_document_lists_each_named_thing_once(japan):
    """DOCUMENT covers every published row of the fixture's collections."""
    rows = {
        collection.item_url(row).removeprefix("/en/partners/japan/")
        for collection in COLLECTIONS
        for row in collection.published_rows(japan)
    }
    assert rows == {path for path, _en, _ja in DOCUMENT}


@pytest.mark.parametrize(("path", "english", "japanese"), DOCUMENT, ids=[d[1] for d in DOCUMENT])
def test_each_named_thing_is_found_from_a_word_of_its_name(client, japan, path, english, japanese):
    for language, word in [("en", english), ("ja", japanese)]:
        response = search(client, word, language)
        assert response.status_code == 200
        assert f"/{language}/partners/japan/{path}" in found_urls(response), (language, word)


@pytest.mark.parametrize(
    ("language", "word", "path"),
    [
        ("fr", "mémorandum", "agreements/memorandum-of-cooperation-2017/"),
        ("es", "Multibilateral", "projects/ilo-japan-multi-bilateral-programme/"),
        ("ja", "Japan", "projects/ilo-japan-multi-bilateral-programme/"),  # the English source too
        ("ja", "bILATERAL", "projects/ilo-japan-multi-bilateral-programme/"),  # in any case
    ],
)
def test_each_language_finds_its_own_text_and_the_english(client, japan, language, word, path):
    assert f"/{language}/partners/japan/{path}" in found_urls(search(client, word, language))


def test_the_partner_itself_is_found(client, japan):
    assert "/en/partners/japan/" in found_urls(search(client, "Japan"))
    assert "/ja/partners/japan/" in found_urls(search(client, "日本", "ja"))


def test_a_result_is_headed_with_its_name_in_the_readers_language(client, japan):
    assert ("/ja/partners/japan/representatives/#atsuyuki-oike", "尾池 厚之") in found(
        search(client, "尾池", "ja")
    )
    assert (
        "/en/partners/japan/projects/ilo-japan-multi-bilateral-programme/",
        "ILO/Japan Multi-bilateral Programme",
    ) in found(search(client, "programme"))


# Nothing unpublished


@pytest.fixture
def partner():
    return PartnerFactory(name="Japan", slug="japan", title="Partnerships with Japan")


@pytest.mark.parametrize(
    "state",
    [
        {"is_published": False},
        {"goes_live_at": GOES_LIVE},
        {"expires_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
    ],
    ids=["draft", "scheduled", "expired"],
)
@pytest.mark.parametrize(
    "factory",
    [
        ProjectFactory,
        PrivateSupportActivityFactory,
        FundingChannelFactory,
        AgreementFactory,
        RepresentativeFactory,
    ],
    ids=lambda f: f._meta.model.__name__,
)
def test_an_unpublished_items_unique_word_is_never_found(client, partner, factory, state):
    name = "title" if factory is AgreementFactory else "name"
    if factory is RepresentativeFactory:
        name = "family_name"
    factory(partner=partner, **{name: "Zyxwvutsrq"}, **state)
    factory(partner=partner, **{name: "Zyxwvutsrq published"})
    for language in ("en", "ja"):
        response = search(client, "Zyxwvutsrq", language)
        assert response.status_code == 200
        assert len(found(response)) == 1, (language, found(response))


def test_an_unpublished_partners_items_are_never_found(client):
    hidden = PartnerFactory(name="Hidden", slug="hidden", is_published=False)
    ProjectFactory(partner=hidden, name="Zyxwvutsrq")
    assert found(search(client, "Zyxwvutsrq")) == []
    assert found(search(client, "Hidden")) == []


def test_a_representative_whose_term_ended_is_never_found(client, partner):
    RepresentativeFactory(
        partner=partner, family_name="Zyxwvutsrq", term_ends_on=datetime.date(2020, 1, 1)
    )
    assert found(search(client, "Zyxwvutsrq")) == []


def test_staff_who_preview_find_drafts_marked_as_such(staff_client, partner):
    ProjectFactory(partner=partner, name="Zyxwvutsrq", is_published=False)
    response = search(staff_client, "Zyxwvutsrq")
    assert len(found(response)) == 1
    assert "Draft" in visible_text(response)


# Results: ranked, labelled, counted by type, paginated, excerpted


def test_a_name_ranks_above_a_mention_in_a_description(client, partner):
    channel = FundingChannelFactory(partner=partner, name="Channel", description="<p>Kaizen</p>")
    project = ProjectFactory(partner=partner, funding_channel=channel, name="Kaizen")
    assert found_urls(search(client, "kaizen")) == [
        project.get_absolute_url(),
        channel.get_absolute_url(),
    ]


def test_a_part_of_a_japanese_name_ranks_above_the_same_part_in_a_description(client, partner):
    """Japanese has no spaces: a part of a word finds it, and where it is
    found (a name, or a description) orders the results as for a word."""
    channel = FundingChannelFactory(
        partner=partner, name="Channel", name_ja="経路", description_ja="<p>改善事業への支援</p>"
    )
    project = ProjectFactory(
        partner=partner, funding_channel=channel, name="Kaizen", name_ja="改善事業計画"
    )
    with translation.override("ja"):
        expected = [project.get_absolute_url(), channel.get_absolute_url()]
    assert found_urls(search(client, "改善", language="ja")) == expected


def test_results_are_labelled_and_counted_by_type_with_a_link_to_each(client, partner):
    channel = FundingChannelFactory(partner=partner, name="Kaizen channel")
    ProjectFactory.create_batch(2, partner=partner, funding_channel=channel, name="Kaizen")
    response = search(client, "kaizen")
    text = visible_text(response)
    assert "3 results for “kaizen”" in text
    assert "All types Funding channels (1) Projects and programmes (2)" in text
    assert text.count("Projects and programmes") == 3  # the link, and each result's label
    only = search(client, "kaizen", type="project")
    assert len(found(only)) == 2
    assert "2 results for “kaizen”" in visible_text(only)


def test_an_unknown_type_is_a_400_beside_the_form(client, partner):
    response = search(client, "kaizen", type="<b>nope</b>")
    assert response.status_code == 400
    assert "Select a valid choice" in visible_text(response)
    assert_escaped(response, "<b>nope</b>")


def test_results_are_paginated_and_a_page_beyond_them_is_a_404(client, partner):
    ProjectFactory.create_batch(25, partner=partner, name="Kaizen")
    first, second = search(client, "kaizen"), search(client, "kaizen", page=2)
    assert len(found(first)) == 20 and len(found(second)) == 5
    assert not set(found_urls(first)) & set(found_urls(second))
    assert "Page 1 of 2" in visible_text(first)
    assert 'href="?q=kaizen&amp;page=2"' in first.content.decode()
    for page in (3, 0, "x"):
        assert search(client, "kaizen", page=page).status_code == 404


def test_the_last_page_is_found_by_its_name_as_on_list_pages(client, partner):
    ProjectFactory.create_batch(25, partner=partner, name="Kaizen")
    ProjectFactory.create_batch(2, partner=partner, name="Kaizen circle")
    last = search(client, "kaizen", page="last")
    assert last.status_code == 200 and "Page 2 of 2" in visible_text(last)
    assert len(found(last)) == 7
    only = search(client, "circle", page="last")
    assert only.status_code == 200 and len(found(only)) == 2
    assert search(client, "zyxwvut", page="last").status_code == 200  # no results: page 1
    assert search(client, "", page="last").status_code == 200  # no query: what to search for


def test_the_excerpt_marks_the_word_and_escapes_the_rest(client, partner):
    ProjectFactory(
        partner=partner,
        name="Skills",
        description=(
            "<p>Training &lt;b&gt;kaizen&lt;/b&gt; &amp; <strong>safety</strong> at work</p>"
        ),
    )
    html = search(client, "kaizen").content.decode()
    excerpt = re.search(r'<p class="search-result__excerpt">(.*?)</p>', html).group(1)
    assert excerpt == "Training &lt;b&gt;<mark>kaizen</mark>&lt;/b&gt; &amp; safety at work"


def test_an_excerpt_is_cut_around_the_match():
    text = "a " * 300 + "kaizen " + "b " * 300
    excerpt = highlighted(text, ["kaizen"])
    assert "<mark>kaizen</mark>" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) < 300


def test_a_japanese_excerpt_marks_a_part_of_a_word(client, japan):
    html = search(client, "マルチ", "ja").content.decode()
    assert "<mark>マルチ</mark>" in html or "マルチ" in visible_text(search(client, "マルチ", "ja"))


def test_the_empty_page_says_what_to_try(client, partner):
    for response in (client.get(search_url()), search(client, ""), search(client, "zzzzqqq")):
        assert response.status_code == 200
        text = visible_text(response)
        assert "Try:" in text and "fewer words" in text
    assert "Nothing on the site matches “zzzzqqq”." in visible_text(search(client, "zzzzqqq"))


@pytest.mark.parametrize("language", ["fr", "es", "ja"])
def test_the_search_page_reads_in_the_readers_language(client, japan, language):
    text = visible_text(search(client, "zzzzqqq", language))
    assert "Try:" not in text and "Nothing on the site matches" not in text


def test_the_language_switcher_keeps_the_query(client, japan):
    html = search(client, "programme").content.decode()
    assert 'href="/fr/search/?q=programme"' in html


# Hostile input


@pytest.mark.parametrize("value", [*HOSTILE, *XSS, "a" * 201, "\x00" * 3, "-", "!", "'\"|&:*()"])
def test_hostile_queries_answer_200_or_400_escaped(client, japan, value):
    for language in ("en", "ja"):
        response = search(client, value, language)
        assert response.status_code in (200, 400)
        assert_escaped(response, value)


def test_a_query_too_long_or_with_nul_is_a_400_beside_the_form(client, partner):
    assert search(client, "a" * 10_000).status_code == 400
    response = search(client, "kai\x00zen")
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.text(max_size=300),
    language=st.sampled_from(["en", "fr", "ja"]),
    kind=st.sampled_from(["", "project", "x"]) | st.text(max_size=5),
    page=st.sampled_from(["", "1", "2", "-1"]) | st.text(max_size=5),
)
def test_any_query_answers_200_400_or_404_escaped(client, partner, q, language, kind, page):
    parameters = {"q": q, "type": kind, "page": page}
    response = client.get(search_url(language), {k: v for k, v in parameters.items() if v})
    assert response.status_code in (200, 400, 404)
    if response.status_code != 404:
        assert_escaped(response)


# Queries and the page cache


def queries_of(client, q, **parameters):
    with CaptureQueriesContext(connection) as queries:
        assert search(client, q, **parameters).status_code == 200
    return len(queries)


def test_a_search_runs_the_same_queries_at_1_and_100_matching_rows(client, partner, page_cache_off):
    """The page's keys with the counts per type, then the rows of each type on
    the page (one query per type, whatever the number of rows)."""
    channel = FundingChannelFactory(partner=partner, name="Channel")
    counts = []
    for added in (1, 99):  # 1 matching project, then 100
        ProjectFactory.create_batch(added, partner=partner, funding_channel=channel, name="Kaizen")
        counts.append([queries_of(client, "kaizen", **p) for p in ({}, {"type": "project"})])
    assert counts == [[2, 2], [2, 2]]
    # A page beyond the results: the one query that says so, then the 404.
    with CaptureQueriesContext(connection) as queries:
        assert search(client, "kaizen", page=6).status_code == 404
    assert len(queries) == 1


def test_each_type_on_the_page_is_one_query_whatever_its_rows(client, partner, page_cache_off):
    channel = FundingChannelFactory(partner=partner, name="Kaizen")
    counts = []
    for added in (1, 99):
        for factory in (ProjectFactory, PrivateSupportActivityFactory):
            factory.create_batch(added, partner=partner, funding_channel=channel, name="Kaizen")
        counts.append(queries_of(client, "kaizen"))
    # Three types on the first page at 1 row each; at 100, whichever rank first.
    assert counts[0] == 1 + 3
    assert counts[1] <= 1 + 3


def test_the_search_page_without_a_query_is_cached(client, partner, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client.get(search_url())
    assert client.get(search_url())["X-Page-Cache"] == "hit"


def test_a_search_is_answered_from_the_cache_until_the_content_changes(client, partner, settings):
    settings.PAGE_CACHE_SECONDS = 60
    ProjectFactory(partner=partner, name="Kaizen")
    assert search(client, "kaizen")["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "kaizen", type="project")
        assert response["X-Page-Cache"] == "miss"  # another search: another answer
        response = search(client, "kaizen")
    assert len(queries) == 2
    assert response["X-Page-Cache"] == "hit"
    assert [title for _url, title in found(response)] == ["Kaizen"]
    ProjectFactory(partner=partner, name="Kaizen two")
    response = search(client, "kaizen")
    assert response["X-Page-Cache"] == "miss"
    assert len(found(response)) == 2


def test_a_flood_of_searches_pushes_no_page_out_of_the_cache(client, partner, settings):
    """Any words make a search page, so their answers fill a cache of their own."""
    settings.PAGE_CACHE_SECONDS = 60
    small = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {
        "default": {**small, "LOCATION": "pages", "OPTIONS": {"MAX_ENTRIES": 10}},
        "pages": {**small, "LOCATION": "copies", "OPTIONS": {"MAX_ENTRIES": 10}},
        "search": {**small, "LOCATION": "searches", "OPTIONS": {"MAX_ENTRIES": 10}},
    }
    overview = partner.get_absolute_url()
    assert client.get(overview)["X-Page-Cache"] == "miss"
    for number in range(30):
        assert search(client, f"word{number}")["X-Page-Cache"] == "miss"
    assert search(client, "word29")["X-Page-Cache"] == "hit"
    assert client.get(overview)["X-Page-Cache"] == "hit"


# The search box


def test_the_search_box_is_on_every_public_page(client, japan):
    for url in [*public_urls(japan), search_url()]:
        html = client.get(url).content.decode()
        form = re.search(
            r'<form class="site-search" role="search" method="get" action="([^"]+)">', html
        )
        assert form, url
        assert form.group(1) == "/" + url.split("/")[1] + "/search/"
        assert '<label for="site-search-q" class="visually-hidden">' in html
        assert '<input id="site-search-q" type="search" name="q"' in html


def test_submitting_the_box_is_a_get_of_the_search_page(client, japan):
    """What a browser without JavaScript does: GET the form's action with q."""
    html = client.get(japan.get_absolute_url()).content.decode()
    action = re.search(r'role="search" method="get" action="([^"]+)"', html).group(1)
    response = client.get(action, {"q": "Memorandum"})
    assert response.status_code == 200
    assert "/en/partners/japan/agreements/memorandum-of-cooperation-2017/" in found_urls(response)


# One declaration: a new collection and a new language are searched


def test_every_collection_and_partners_are_searched():
    names = [s.name for s in searchables()]
    assert names == ["partner", *(c.name for c in COLLECTIONS)]


def test_a_sixth_collection_is_searched_from_its_declaration_alone(client, settings):
    from tests.sixth_collection.collection import PUBLICATIONS
    from tests.sixth_collection.models import Publication

    COLLECTIONS.register(PUBLICATIONS)
    settings.ROOT_URLCONF = "tests.sixth_collection.urls"
    try:
        partner = PartnerFactory(slug="japan")
        Publication.objects.create(
            partner=partner, slug="annual-report", title="Annual report", is_published=True
        )
        Publication.objects.create(
            partner=partner, slug="draft-report", title="Draft report", is_published=False
        )
        response = search(client, "report")
        assert found_urls(response) == ["/en/partners/japan/publications/annual-report/"]
        assert "Publications (1)" in visible_text(response)
    finally:
        COLLECTIONS.unregister(PUBLICATIONS)


def test_the_search_function_answers_as_the_page_does(japan):
    counts, results = Search("Multi-bilateral", user=AnonymousUser(), language="en").run(0, 20)
    # The programme by its name, then the channel whose description names it.
    assert counts["project"] == counts["funding-channel"] == 1 and sum(counts.values()) == 2
    assert [r.url for r in results] == [
        "/en/partners/japan/projects/ilo-japan-multi-bilateral-programme/",
        "/en/partners/japan/funding-channels/japanese-government/",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
@pytest.mark.parametrize(
    "language, query",
    [
        ("en", "Multi-bilateral"),  # the document, by words
        ("ja", "マルチ・バイ協力"),  # the text, by trigrams: a part of a word
    ],
)
def test_each_document_has_a_gin_index_that_the_search_uses(japan, language, query):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%%_search_%%'")
        indexes = [row[0] for row in cursor.fetchall()]
    assert len(index_statements(connection)) == len(indexes) == len(searchables()) * 4
    assert all("USING gin" in index for index in indexes)
    assert sum("gin_trgm_ops" in index for index in indexes) == len(searchables())  # Japanese
    # Enough rows, in every channel, that no other index is cheaper.
    channels = Iterator(japan.funding_channels.all())
    Project.objects.bulk_create(
        ProjectFactory.build_batch(2000, partner=japan, funding_channel=channels)
    )
    with connection.cursor() as cursor:
        # What VACUUM does: new rows into the index proper (the planner counts
        # a GIN index's pending list as a scan of it), then the statistics.
        cursor.execute(
            "SELECT gin_clean_pending_list(indexname::regclass) FROM pg_indexes "
            "WHERE indexname LIKE 'partnerships_project_search_%%'"
        )
        cursor.execute("ANALYZE partnerships_project")
        cursor.execute("SET enable_seqscan = off")
        with CaptureQueriesContext(connection) as queries:
            counts, _results = Search(query, user=AnonymousUser(), language=language).run(0, 20)
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert counts["project"] == 1
    assert f"Bitmap Index Scan on partnerships_project_search_{language}_" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_an_index_of_an_earlier_declaration_is_dropped_after_migrate(db):
    stale = "partnerships_project_search_en_00000000"  # an older expression's name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {stale} ON partnerships_project (name)")
        create_search_indexes(using=connection.alias)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_search_%%'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert indexes == set(index_statements(connection))


def test_search_reads_the_clock_as_published_does(client, partner, time_machine):
    time_machine.move_to(GOES_LIVE - datetime.timedelta(seconds=1), tick=False)
    ProjectFactory(partner=partner, name="Zyxwvutsrq", goes_live_at=GOES_LIVE)
    assert found(search(client, "Zyxwvutsrq")) == []
    time_machine.move_to(GOES_LIVE, tick=False)
    assert timezone.now() == GOES_LIVE
    assert len(found(search(client, "Zyxwvutsrq"))) == 1
