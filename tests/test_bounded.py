"""Bounded pages: at 1 row per collection and at 200, every public page and
the admin translation overview runs the same number of queries and renders a
bounded number of rows; where it leaves rows out, it says how many and links
to them."""

import math
import re

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.collections import COLLECTIONS
from partnerships.models import Concern, Partner
from partnerships.sitemaps import PublishedSitemap
from partnerships.translation import TARGET_LANGUAGES
from partnerships.translation_admin import translation_overview
from tests.factories import AgreementFactory, PartnerFactory, SignatoryFactory
from tests.helpers import admin_url, populate, sitemap_locations, visible_text

pytestmark = pytest.mark.django_db

SMALL, LARGE = 1, 200
LANGUAGES = 4  # settings.LANGUAGES: en, fr, es, ja


@pytest.fixture(scope="module")
def partners(django_db_setup, django_db_blocker):
    """Two partners, one with 1 row of every model and one with 200, made once
    for the module (in a transaction rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        small, large = PartnerFactory(slug="small"), PartnerFactory(slug="large")
        channels = {small: populate(small, SMALL), large: populate(large, LARGE)}
        yield {SMALL: (small, channels[small]), LARGE: (large, channels[large])}
        transaction.set_rollback(True)


def rows_read(client, url):
    """How many rows of the app's models a request turns into objects."""
    made = []

    def count(sender, **kwargs):
        if sender._meta.app_label == "partnerships":
            made.append(sender)

    post_init.connect(count)
    try:
        assert client.get(url).status_code == 200
    finally:
        post_init.disconnect(count)
    return len(made)


def queries(client, url):
    """The queries `url` runs, once caches warmed by a first request are warm."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def same_queries(client, small_url, large_url):
    """(small page, large page), having checked that both ran the same queries."""
    small_count, small = queries(client, small_url)
    large_count, large = queries(client, large_url)
    assert small_count == large_count, (small_url, small_count, large_url, large_count)
    return small, large


def item_links(response, collection, partner):
    """The distinct addresses of `collection`'s item pages that a page links to
    (for representatives, who have none: the people it shows)."""
    html = response.content.decode()
    if not collection.has_detail_pages:
        return set(re.findall(r'<li class="person" id="([^"]+)"', html))
    prefix = re.escape(collection.list_url(partner))
    return set(re.findall(rf'href="({prefix}[^"/?#]+/)"', html))


def test_overview_runs_the_same_queries_and_shows_the_first_rows_of_each_collection(
    client, partners, page_cache_off
):
    (small, _), (large, _) = partners[SMALL], partners[LARGE]
    small_page, large_page = same_queries(
        client, small.get_absolute_url(), large.get_absolute_url()
    )
    for collection in COLLECTIONS:
        assert len(item_links(small_page, collection, small)) == SMALL, collection.name
        shown = len(item_links(large_page, collection, large))
        assert shown == collection.overview_limit, collection.name


def test_each_channels_first_projects_are_read_in_order_from_its_index_not_sorted(
    client, partners, page_cache_off
):
    """The overview numbers each channel's projects in the list's order: read
    in that order from an index, however many there are, not all sorted first.
    On PostgreSQL, each channel's walk stops at its third project, and those
    are read by their keys: the 200 projects of the first channel are not all
    read."""
    large, _channels = partners[LARGE]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(large.get_absolute_url()).status_code == 200
    if connection.vendor == "postgresql":
        marker = 'unnest(ARRAY(SELECT U0."id" AS "pk" FROM "partnerships_project" U0'
    else:
        marker = 'PARTITION BY "partnerships_project"."funding_channel_id"'
    [sql] = [query["sql"] for query in captured if marker in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics of the 200 rows
        if connection.vendor == "postgresql":
            # Whatever the planner prefers for a few rows: can it use the indexes?
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        # Each channel shown: a LIMIT over `project_channel`, in the list's order.
        walk = re.search(r"Limit \(actual[^)]*rows=(\d+) loops=(\d+)\)", plan)
        assert walk and "Index Scan using project_channel" in plan[walk.end() :], plan
        shown = COLLECTIONS["funding-channel"].overview_limit
        assert int(walk.group(1)) <= 3 and int(walk.group(2)) <= shown, plan
        # Then the projects found, by their keys; no project read otherwise.
        assert re.search(
            r"Index Scan using partnerships_project_pkey .*\n\s+Index Cond: \(id = ANY", plan
        ), plan
        assert "Seq Scan on partnerships_project " not in plan, plan
        assert "rows=200" not in plan, plan
    else:
        # The window's rows come in its order (`project_channel`, or the
        # partner's list order where the channel is one): no sort of them.
        window = plan.split("SCAN (subquery")[0]  # the co-routine numbering the rows
        assert "TEMP B-TREE" not in window


def test_overview_says_how_many_there_are_and_links_to_the_full_lists(
    client, partners, page_cache_off
):
    large = partners[LARGE][0]
    response = client.get(large.get_absolute_url())
    text = visible_text(response)
    html = response.content.decode()
    name, adjective = large.name, large.adjective
    all_activities = f"All 200 activities supported by {adjective} business and associations"
    for sentence, collection in [
        (f"All 200 social partners from {name}", "representative"),
        (f"All 200 agreements with {name}", "agreement"),
        (f"All 200 funding channels of {name}", "funding-channel"),
        ("195 other programmes", "project"),  # the main vehicles: 5 named, "and 195 other…"
        (all_activities, "private-support"),
    ]:
        assert sentence in text
        url = COLLECTIONS[collection].list_url(large)
        assert re.search(rf'<a href="{re.escape(url)}">[^<]*{re.escape(sentence)}', html), sentence


def test_overview_of_few_rows_counts_nothing_out(client, partners, page_cache_off):
    small = partners[SMALL][0]
    text = visible_text(client.get(small.get_absolute_url()))
    assert f"All social partners from {small.name}" in text
    assert not re.search(r"All \d", text)
    assert "other programme" not in text


def test_overview_names_the_first_concerns_as_examples(client, partners, page_cache_off):
    large = partners[LARGE][0]
    text = visible_text(client.get(large.get_absolute_url()))
    sentence = re.search(r"such as (.*?)\.", text).group(1)
    named = re.findall(r"concern \d+", sentence)
    assert len(named) == Concern.shown_on_overview
    assert named == [concern.name for concern in large.concerns.all()[: len(named)]]


def test_signatories_beyond_the_first_are_counted_on_the_overview_and_the_list(
    client, page_cache_off
):
    agreement = AgreementFactory(title="Big memorandum")
    SignatoryFactory.create_batch(15, agreement=agreement)
    limit = COLLECTIONS["agreement"].prefetch_limit
    pages = {
        "overview": agreement.partner.get_absolute_url(),
        "list": COLLECTIONS["agreement"].list_url(agreement.partner),
    }
    for page, url in pages.items():
        html = client.get(url).content.decode()
        assert len(set(re.findall(r"Signatory \d+", html))) == limit, page
        assert f"and {15 - limit} other signatories" in html, page
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert len(set(re.findall(r"Signatory \d+", detail))) == 15
    assert "other signatories" not in detail


@pytest.mark.parametrize("collection", list(COLLECTIONS), ids=lambda collection: collection.name)
def test_list_pages_run_the_same_queries_and_show_one_page(
    client, partners, page_cache_off, collection
):
    (small, _), (large, _) = partners[SMALL], partners[LARGE]
    small_page, large_page = same_queries(
        client, collection.list_url(small), collection.list_url(large)
    )
    assert len(item_links(small_page, collection, small)) == SMALL
    assert len(item_links(large_page, collection, large)) == min(LARGE, collection.paginate_by)
    pages = math.ceil(LARGE / collection.paginate_by)
    if pages > 1:
        assert f"Page 1 of {pages}" in visible_text(large_page)


def test_a_deep_list_page_runs_the_same_queries_as_the_first(client, partners, page_cache_off):
    large = partners[LARGE][0]
    url = COLLECTIONS["project"].list_url(large)
    last = math.ceil(LARGE / COLLECTIONS["project"].paginate_by)
    first, deep = same_queries(client, url, f"{url}?page={last}")
    assert f"Page {last} of {last}" in visible_text(deep)


@pytest.mark.parametrize(
    "collection",
    [c for c in COLLECTIONS if c.has_detail_pages],
    ids=lambda collection: collection.name,
)
def test_detail_pages_run_the_same_queries(client, partners, page_cache_off, collection):
    (small, _), (large, _) = partners[SMALL], partners[LARGE]
    first = {p: collection.model.objects.filter(partner=p).first() for p in (small, large)}
    same_queries(client, collection.item_url(first[small]), collection.item_url(first[large]))


def test_staff_previewing_drafts_run_the_same_queries_at_any_size(
    editor_client, partners, page_cache_off
):
    """Staff see every draft, with its badge, on the pages the public sees: with
    only the reader's columns read (`for_reader`), nothing a staff page shows
    may be read back a row at a time."""
    (small, small_channel), (large, large_channel) = partners[SMALL], partners[LARGE]
    for collection in COLLECTIONS:
        collection.model.objects.filter(partner__in=[small, large]).update(is_published=False)
    pages = [(small.get_absolute_url(), large.get_absolute_url())]
    pages.append((small_channel.get_absolute_url(), large_channel.get_absolute_url()))
    for collection in COLLECTIONS:
        pages.append((collection.list_url(small), collection.list_url(large)))
    for small_url, large_url in pages:
        small_page, large_page = same_queries(editor_client, small_url, large_url)
        assert "Draft" in visible_text(large_page), large_url
    representatives = COLLECTIONS["representative"]
    large_list = editor_client.get(representatives.list_url(large))
    assert len(item_links(large_list, representatives, large)) == representatives.paginate_by


def test_channel_page_runs_the_same_queries_and_shows_a_page_of_each_list(
    client, partners, page_cache_off
):
    (small, small_channel), (large, large_channel) = partners[SMALL], partners[LARGE]
    small_page, large_page = same_queries(
        client, small_channel.get_absolute_url(), large_channel.get_absolute_url()
    )
    for name in COLLECTIONS["funding-channel"].children:
        child = COLLECTIONS.of(type(large_channel)._meta.get_field(name).related_model)
        assert len(item_links(small_page, child, small)) == SMALL
        assert len(item_links(large_page, child, large)) == child.paginate_by
    pages = math.ceil(LARGE / 20)
    assert visible_text(large_page).count(f"Page 1 of {pages}") == 2


def test_channel_page_pages_through_each_list_without_leaving_the_other(
    client, partners, page_cache_off
):
    large, channel = partners[LARGE]
    projects, activities = COLLECTIONS["project"], COLLECTIONS["private-support"]
    url = channel.get_absolute_url()
    first = client.get(url)
    html = first.content.decode()
    assert 'href="?project_page=2#projects"' in html
    assert 'href="?private_support_page=2#private-support"' in html

    second = client.get(url, {"project_page": 2, "private_support_page": 3})
    html = second.content.decode()
    assert item_links(second, projects, large).isdisjoint(item_links(first, projects, large))
    assert "Page 2 of 10" in visible_text(second) and "Page 3 of 10" in visible_text(second)
    assert 'href="?project_page=3&amp;private_support_page=3#projects"' in html
    assert 'href="?project_page=2&amp;private_support_page=4#private-support"' in html
    assert len(item_links(second, activities, large)) == activities.paginate_by


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "", "9" * 40])
def test_odd_page_numbers_on_a_channel_page_never_give_a_500(client, partners, page):
    channel = partners[LARGE][1]
    response = client.get(channel.get_absolute_url(), {"project_page": page})
    assert response.status_code == 200


def test_home_runs_the_same_queries_and_shows_one_page_of_partners(
    client, partners, page_cache_off
):
    home = reverse("partnerships:partner-list")
    few_count, few = queries(client, home)
    PartnerFactory.create_batch(30)
    many_count, many = queries(client, home)
    assert few_count == many_count
    assert many.content.decode().count('<li class="partner-list__item">') == 20
    assert "Page 1 of 2" in visible_text(many)


def test_sitemap_index_runs_the_same_queries_and_lists_each_section_by_page(
    client, partners, page_cache_off
):
    large = partners[LARGE][0]
    large_count, index = queries(client, "/sitemap.xml")
    # Each record section holds both partners' rows: 201, on 3 pages.
    pages = math.ceil((SMALL + LARGE) / PublishedSitemap.items_per_page)
    assert pages > 1
    project = reverse("sitemap-section", kwargs={"section": "project"})
    locations = sitemap_locations(index.content)
    assert [location for location in locations if project in location] == [
        f"http://testserver{project}",
        *(f"http://testserver{project}?p={page}" for page in range(2, pages + 1)),
    ]
    records = [c for c in COLLECTIONS if c.has_detail_pages]
    assert len(locations) == 3 + len(records) * pages  # + home, partners, list pages

    Partner.objects.filter(pk=large.pk).update(is_published=False)
    small_count, index = queries(client, "/sitemap.xml")
    assert small_count == large_count
    assert len(sitemap_locations(index.content)) == 3 + len(records)


def test_sitemap_section_pages_run_the_same_queries_and_list_a_page_of_entries(
    client, partners, page_cache_off
):
    project = reverse("sitemap-section", kwargs={"section": "project"})
    first, last = same_queries(client, project, f"{project}?p=3")
    per_page = PublishedSitemap.items_per_page
    assert len(sitemap_locations(first.content)) == per_page * LANGUAGES
    assert len(sitemap_locations(last.content)) == (SMALL + LARGE - 2 * per_page) * LANGUAGES


def test_translation_overview_runs_the_same_queries_and_lists_the_first_rows_needing_work(
    admin_client, partners
):
    (small, _), (large, _) = partners[SMALL], partners[LARGE]
    url = "admin:partnerships_partner_translation"
    small_page, large_page = same_queries(
        admin_client, reverse(url, args=[small.pk]), reverse(url, args=[large.pk])
    )
    for row in large_page.context["overview"]:
        assert len(row.to_do) <= 20, row.label
    # The database counts: only the rows listed are read (20 of each kind at most).
    assert rows_read(admin_client, reverse(url, args=[large.pk])) <= 8 * 20 + 10
    projects = next(row for row in large_page.context["overview"] if row.label == "projects")
    assert len(projects.to_do) == 20
    assert projects.more == LARGE - 20
    html = large_page.content.decode()
    changelist = admin_url(COLLECTIONS["project"].model, "changelist")
    assert (
        f'<a href="{changelist}?translation=needed&amp;partner__id__exact={large.pk}">'
        f"and {LARGE - 20} more</a>"
    ) in html


def test_translation_overview_counts_every_row_not_only_those_it_lists(partners):
    large = partners[LARGE][0]
    overview, total = translation_overview([(large.projects.all(), None)], listed_items=5)
    (projects,) = overview
    name_and_description = 1  # the factory's projects have a name and no description
    assert projects.texts == LARGE * name_and_description
    assert len(projects.to_do) == 5 and projects.more == LARGE - 5


@pytest.mark.parametrize("language", ["en", "fr", "ja"])
def test_a_page_reads_its_readers_language_only_and_the_partner_once(
    client, partners, page_cache_off, language
):
    """Each row has a column per language and text field: a reader's page
    reads the English and the reader's own, and the partner's row once, not
    again beside each row of its collections."""
    large = partners[LARGE][0]
    others = [code for code in TARGET_LANGUAGES if code != language]
    other_column = re.compile(rf'\."[a-z_]+_({"|".join(others)})"')
    project = large.projects.first()
    for url in (
        large.get_absolute_url(),
        COLLECTIONS["project"].list_url(large),
        COLLECTIONS["agreement"].list_url(large),
        COLLECTIONS["project"].item_url(project),
        COLLECTIONS["funding_channel"].item_url(project.funding_channel),
        reverse("partnerships:search") + "?q=programme",
    ):
        url = url.replace("/en/", f"/{language}/", 1)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        sql = [query["sql"] for query in captured]
        assert not [s for s in sql if other_column.search(s)], url
        if language == "en":
            assert not [s for s in sql if '"translation_review"' in s], url
        if "/search/" not in url:  # (the search finds partners too)
            partner_reads = [s for s in sql if '"partnerships_partner"."title"' in s]
            assert len(partner_reads) == 1, url
