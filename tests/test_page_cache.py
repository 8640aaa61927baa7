"""The page cache: anonymous readers get whole pages from the cache, with no
query; staff, previews and share links never do; and every change to what a
page shows reaches the next reader of that page, in every language."""

import datetime

import pytest
import reversion
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from partnerships import page_cache
from partnerships.collections import COLLECTIONS
from partnerships.models import (
    Agreement,
    Concern,
    Partner,
    Project,
    Representative,
    Signatory,
)
from partnerships.page_cache import forget, page_key, public_models
from partnerships.sitemaps import sitemaps
from tests.factories import PartnerFactory, ProjectFactory, ShareLinkFactory
from tests.helpers import admin_url, populate, public_urls, sitemap_xml
from tests.test_i18n import in_language

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
REDIS_FOR_TESTS = "redis://127.0.0.1:6379/14"  # the Redis test's own database, emptied


def every_page(partner):
    """Every public page of the partner in every language, and the sitemap."""
    return [
        *(in_language(url, code) for url in public_urls(partner) for code in LANGUAGES),
        "/sitemap.xml",
        *(reverse("sitemap-section", kwargs={"section": section}) for section in sitemaps),
    ]


def fresh(url):
    """The page as rendered now, past the cache (a message cookie bypasses it)."""
    reader = Client()
    reader.cookies["messages"] = "none"
    response = reader.get(url)
    assert response["X-Page-Cache"] == "bypass"
    return response


def read_all(client, urls):
    return {url: client.get(url) for url in urls}


def assert_every_page_is_current(client, urls, responses=None):
    """What readers get (`responses`, or the pages read now) is what a fresh
    rendering gives, page by page: a page rendered for them now is; one from
    the cache must equal a fresh one."""
    for url, response in (responses or read_all(client, urls)).items():
        if response.get("X-Page-Cache") == "hit":
            current = fresh(url)
            assert response.status_code == current.status_code, url
            assert response.content == current.content, url


def test_a_second_reader_gets_every_page_with_no_query(client, japan):
    urls = every_page(japan)
    first = read_all(client, urls)
    assert {r["X-Page-Cache"] for r in first.values()} == {"miss"}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url
        assert len(queries) == 0, (url, [q["sql"] for q in queries])
        assert response.content == first[url].content, url
        assert response["Content-Type"] == first[url]["Content-Type"]


def test_an_address_is_read_afresh_when_the_url_patterns_change(client, settings, japan):
    """Whether an address is a public page is kept per address (a hit resolves
    nothing), and read again under new URL patterns: a collection added."""
    from tests.sixth_collection.collection import PUBLICATIONS
    from tests.sixth_collection.models import Publication

    url = "/en/partners/japan/publications/annual-report/"
    assert client.get(url).status_code == 404  # no such collection yet
    COLLECTIONS.register(PUBLICATIONS)
    settings.ROOT_URLCONF = "tests.sixth_collection.urls"
    try:
        Publication.objects.create(
            partner=japan, slug="annual-report", title="Annual report", is_published=True
        )
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    finally:
        COLLECTIONS.unregister(PUBLICATIONS)


def test_a_page_from_the_cache_carries_every_header_of_the_fresh_page(client, japan):
    """The cache answers before the rest of the middleware runs: what it serves
    must still carry the security policies and the language the page had."""
    for url in [japan.get_absolute_url(), in_language(japan.get_absolute_url(), "ja")]:
        first = client.get(url)
        hit = client.get(url)
        assert hit["X-Page-Cache"] == "hit"
        expected = {k: v for k, v in first.items() if k != "X-Page-Cache"}
        assert {k: v for k, v in hit.items() if k != "X-Page-Cache"} == expected
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Language"):
            assert header in expected, (url, header)


def test_a_miss_costs_the_page_and_one_look_at_the_schedule(client, japan):
    """The first page after a change computes when the schedule next changes
    (one query per kind of content); the pages after it don't."""
    url = japan.get_absolute_url()
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    Project.objects.filter(partner=japan).update(name="Renamed")
    with CaptureQueriesContext(connection) as after_change:
        client.get(url)
    schedule = len(public_models())  # one query per kind of content with a schedule
    assert len(first) == len(after_change) + schedule


def test_staff_never_get_or_fill_the_cache(staff_client, japan):
    client = Client()
    draft = ProjectFactory(partner=japan, name="Unpublished programme", is_published=False)
    url = COLLECTIONS["project"].list_url(japan)
    # Staff see the draft, each time rendered for them.
    for _ in range(2):
        response = staff_client.get(url)
        assert response["X-Page-Cache"] == "bypass"
        assert "Unpublished programme" in response.content.decode()
        assert "private" in response["Cache-Control"]
    # A reader after them gets the public page, and fills the cache with it.
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert draft.name not in response.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    # Staff after the reader still get their own page.
    assert "Unpublished programme" in staff_client.get(url).content.decode()


def test_share_links_are_never_cached(client, japan):
    draft = ProjectFactory(partner=japan, name="Shared programme", is_published=False)
    link = ShareLinkFactory(record=draft)
    for _ in range(2):
        response = client.get(link.path)
        assert "Shared programme" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert "X-Page-Cache" not in response
    link.revoked_at = timezone.now()
    link.save()
    assert client.get(link.path).status_code == 404


def test_addresses_with_other_query_parameters_are_answered_but_not_cached(client, japan):
    url = COLLECTIONS["project"].list_url(japan)
    for _ in range(2):
        assert client.get(url, {"utm_source": "newsletter"})["X-Page-Cache"] == "bypass"
    client.get(url, {"page": "1"})
    assert client.get(url, {"page": "1"})["X-Page-Cache"] == "hit"
    channel = japan.funding_channels.first().get_absolute_url()
    client.get(channel, {"project_page": "1"})
    assert client.get(channel, {"project_page": "1"})["X-Page-Cache"] == "hit"
    client.get("/sitemap-project.xml", {"p": "1"})
    assert client.get("/sitemap-project.xml", {"p": "1"})["X-Page-Cache"] == "hit"


def test_readers_get_304_while_the_page_is_unchanged_and_200_after_an_edit(client, japan):
    url = japan.get_absolute_url()
    first = client.get(url)
    assert first["Vary"] and "Cookie" in first["Vary"]
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304

    japan.title = "Partnerships with Japan (updated)"
    japan.save()
    after = client.get(url, headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert "Partnerships with Japan (updated)" in after.content.decode()


def test_readers_keep_getting_cached_pages_while_the_database_is_down(client, japan):
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.utils import OperationalError

    url = japan.get_absolute_url()
    html = client.get(url).content
    connection.close()
    refuse = pytest.MonkeyPatch()
    refuse.setattr(
        BaseDatabaseWrapper,
        "ensure_connection",
        lambda self: (_ for _ in ()).throw(OperationalError("refused")),
    )
    try:
        assert client.get(url).content == html
        assert client.get(COLLECTIONS["project"].list_url(japan)).status_code == 503
    finally:
        refuse.undo()


# Each change a record goes through, made as the admin or the application makes it.


def change_text(record):
    """Saved with new text in every language."""
    field = getattr(record, "display_field", "family_name")  # a representative's
    for code in LANGUAGES:
        column = field if code == settings.LANGUAGE_CODE else f"{field}_{code}"
        setattr(record, column, f"Changed {code} {field}")
    record.save()


def unpublish(record):
    record.is_published = False
    record.save()


def publish_in_bulk(record):
    """The admin's publish action: an UPDATE, no save() and no signal."""
    type(record).objects.filter(pk=record.pk).update(is_published=True)


def delete(record):
    record.delete()


def revert(record):
    """Back to its first version, as the history page's revert does."""
    Version.objects.get_for_object(record).last().revision.revert()


CHANGES = [change_text, unpublish, delete, revert]


def records(partner):
    """One published record of every collection (the shipped content has each);
    the channel has nothing under it, so that it may be deleted."""
    rows = {c.name: c.model.objects.filter(partner=partner).first() for c in COLLECTIONS}
    rows["funding-channel"] = partner.funding_channels.get(slug="cooperation-with-eu-oecd")
    return rows


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
@pytest.mark.parametrize("collection", [c.name for c in COLLECTIONS])
def test_a_change_reaches_every_page_that_shows_the_record(client, japan, collection, change):
    record = records(japan)[collection]
    if change is revert:
        with reversion.create_revision():
            record.save()
        change_text(record)
    urls = every_page(japan)
    before = read_all(client, urls)
    assert all(r["X-Page-Cache"] == "hit" for r in read_all(client, urls).values())

    change(record)

    after = read_all(client, urls)
    assert any(after[url].content != before[url].content for url in urls)
    assert_every_page_is_current(client, urls, after)


def test_publishing_in_bulk_reaches_every_page(client, japan):
    draft = ProjectFactory(partner=japan, slug="new-programme", is_published=False)
    urls = every_page(japan)
    read_all(client, urls)
    publish_in_bulk(draft)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert "new-programme" in sitemap_xml(client)
    assert_every_page_is_current(client, urls)


@pytest.mark.parametrize(
    ("model", "field"),
    [(Signatory, "name"), (Concern, "name")],
    ids=["signatory", "concern"],
)
def test_a_change_to_a_part_of_a_record_reaches_its_pages(client, japan, model, field):
    part = model.objects.first()  # the shipped content has one partner
    urls = every_page(japan)
    read_all(client, urls)
    setattr(part, field, "Someone else entirely")
    part.save()
    assert any(
        "Someone else entirely" in r.content.decode() for r in read_all(client, urls).values()
    )
    assert_every_page_is_current(client, urls)


def test_translations_approved_in_bulk_reach_the_pages(client, japan, settings):
    settings.SHOW_UNREVIEWED_TRANSLATIONS = False  # (this setting's change empties the cache)
    url = in_language(japan.get_absolute_url(), "fr")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    Agreement.objects.filter(partner=japan).update(translation_review={})
    assert_every_page_is_current(client, [url])


def test_a_renamed_partner_leaves_no_page_at_its_old_address(client, japan):
    old = every_page(japan)
    read_all(client, old)
    japan.slug = "nippon"
    japan.save()
    for url in old:
        if "/partners/japan/" in url:
            assert client.get(url).status_code == 404, url


def test_a_change_to_one_partner_keeps_the_other_partners_pages(client, japan):
    other = PartnerFactory(slug="other-partner")
    populate(other, 1)
    theirs = [in_language(url, "en") for url in public_urls(other)[1:]]
    read_all(client, theirs)
    change_text(Project.objects.filter(partner=japan).first())
    assert {client.get(url)["X-Page-Cache"] for url in theirs} == {"hit"}
    # The home page lists every partner, so it is rendered again.
    assert client.get("/en/")["X-Page-Cache"] == "miss"


def test_a_representative_leaves_the_cached_pages_the_day_after_the_term_ends(
    client, japan, time_machine
):
    member = Representative.objects.filter(partner=japan).first()
    url = japan.get_absolute_url()
    client.get(url)  # the schedule is read while no term ends: nothing changes by itself
    today = timezone.localdate()
    member.term_ends_on = today
    member.save()
    assert member.family_name in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    time_machine.move_to(
        timezone.make_aware(datetime.datetime.combine(today, datetime.time.max)), tick=False
    )
    assert member.family_name in client.get(url).content.decode()
    time_machine.move_to(
        timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
        ),
        tick=False,
    )
    assert member.family_name not in client.get(url).content.decode()


def key_of(url):
    """The cache key a page at `url` is kept under."""
    return page_key(RequestFactory().get(url))


def keys_read(cache, monkeypatch):
    """The keys read from `cache` from now on (its get and get_many wrapped)."""
    keys = []
    get, get_many = cache.get, cache.get_many

    def reading_one(key, *args, **kwargs):
        keys.append(key)
        return get(key, *args, **kwargs)

    def reading_many(many, *args, **kwargs):
        keys.extend(many)
        return get_many(many, *args, **kwargs)

    monkeypatch.setattr(cache, "get", reading_one)
    monkeypatch.setattr(cache, "get_many", reading_many)
    return keys


def test_a_hit_reads_only_the_tokens_from_the_shared_cache(client, japan, monkeypatch):
    """Each process keeps a copy of the pages it serves: the shared cache (Redis
    for several app servers) answers with two small tokens, not the page."""
    url = japan.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    reads = keys_read(cache, monkeypatch)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert key_of(url) not in reads, reads
    assert any(key.startswith("pages:scope:") for key in reads), reads


def test_a_page_another_process_stored_is_served_and_then_kept_here(client, japan):
    """What another process rendered (here: this process's copies forgotten)
    is a hit from the shared cache, and copied for the next reader."""
    url = japan.get_absolute_url()
    first = client.get(url)
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert (response["X-Page-Cache"], len(queries)) == ("hit", 0)
    assert response.content == first.content
    cache.delete(key_of(url))  # the shared cache pushed it out…
    assert client.get(url)["X-Page-Cache"] == "hit"  # …and this process has it
    cache.clear()  # the shared cache emptied: the tokens are drawn anew, so a miss
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_a_copy_in_this_process_is_dropped_with_the_shared_tokens(client, japan):
    """Another app server saved a change: it deleted the partner's token in the
    shared cache, and this process's copy of the page is out of date with it."""
    url = japan.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    project = Project.objects.filter(partner=japan).first()
    with connection.cursor() as cursor:  # written by the other server: nothing here hears of it
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET name = %s WHERE id = %s",
            ["Renamed elsewhere", project.pk],
        )
    forget({japan.slug})  # what the other server's save did to the shared cache
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed elsewhere" in response.content.decode()


def test_a_process_keeps_no_copy_of_a_large_page(client, japan, monkeypatch):
    """A sitemap section can be hundreds of KB: each process copies pages up to
    LOCAL_COPY_MAX_BYTES only, and serves larger ones from the shared cache."""
    home, overview = "/en/", japan.get_absolute_url()
    small, large = client.get(home), client.get(overview)
    monkeypatch.setattr(page_cache, "LOCAL_COPY_MAX_BYTES", len(small.content))
    assert len(large.content) > page_cache.LOCAL_COPY_MAX_BYTES
    caches["pages"].clear()
    cache.clear()
    for url in (home, overview):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    copies = {url: caches["pages"].get(key_of(url)) for url in (home, overview)}
    assert copies[home] is not None and copies[overview] is None
    assert cache.get(key_of(overview)) is not None


def test_the_page_cache_can_be_turned_off(client, japan, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = japan.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Page-Cache"] == "bypass"
    assert len(queries) > 0


def test_admin_pages_are_not_public_pages(admin_client):
    response = admin_client.get(admin_url(Partner, "changelist"))
    assert "X-Page-Cache" not in response
    assert cache.get("pages:schedule") is None


def test_on_redis_readers_get_pages_with_no_query_and_an_edit_at_once(client, japan, settings):
    """The cache several app servers share (CACHE_URL=redis://…), through the
    backend that keeps one Redis client per connection pool."""
    import redis as redis_py

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": REDIS_FOR_TESTS},
    }
    from django.core.cache import cache as shared

    shared.clear()
    try:
        url = japan.get_absolute_url()
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert (response["X-Page-Cache"], len(queries)) == ("hit", 0)
        assert shared._cache.get_client() is shared._cache.get_client()  # one client reused

        change_text(Project.objects.filter(partner=japan).first())
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "Changed en name" in response.content.decode()
    except redis_py.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it).")
    finally:
        shared.clear()
