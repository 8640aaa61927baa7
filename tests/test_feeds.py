"""The Atom feed of each partner (/<lang>/partners/<slug>/feed/): well-formed
Atom with what RFC 4287 requires, exactly the partner's published items in the
reader's language, newest first, bounded, cached and dropped with the partner's
pages, and announced in the head of the partner's pages."""

import datetime
import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from partnerships.collections import COLLECTIONS
from partnerships.feeds import PartnerFeed
from partnerships.models import (
    Agreement,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
    Representative,
)
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
    SignatoryFactory,
)
from tests.helpers import populate, public_urls

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAST = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def feed_path(partner, language="en"):
    with translation.override(language):
        return reverse("partnerships:partner-feed", kwargs={"partner_slug": partner.slug})


def one(element, tag):
    """The one child `tag` of `element` (RFC 4287 allows exactly one)."""
    found = element.findall(f"{ATOM}{tag}")
    assert len(found) == 1, (tag, len(found))
    return found[0]


def link(element, rel):
    [found] = [e for e in element.findall(f"{ATOM}link") if e.get("rel") == rel]
    return found.get("href")


def timestamp(element, tag):
    """An Atom date (RFC 3339, with its offset) as an aware datetime."""
    text = one(element, tag).text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", text), text
    return datetime.datetime.fromisoformat(text)


def absolute(url):
    return url.startswith("http://testserver/")


def read_feed(client, path):
    """The feed at `path`, parsed as XML and checked against what RFC 4287
    requires of a feed and of each entry."""
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ElementTree.fromstring(response.content)  # ParseError if not well-formed
    assert feed.tag == f"{ATOM}feed"
    assert one(feed, "title").text
    assert link(feed, "self") == one(feed, "id").text == f"http://testserver{path}"
    assert absolute(link(feed, "alternate"))
    assert one(one(feed, "author"), "name").text
    updated = timestamp(feed, "updated")
    ids = [one(entry, "id").text for entry in entries(feed)]
    assert len(ids) == len(set(ids))
    for entry in entries(feed):
        assert one(entry, "title").text
        assert absolute(link(entry, "alternate"))
        assert timestamp(entry, "updated") <= updated
    return feed


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def entry_links(feed):
    return [link(entry, "alternate") for entry in entries(feed)]


def published_addresses(partner, language):
    """Every published item's address, from the models and the URL names (not
    the feed's code): item pages, and the list's anchor of each representative."""
    with translation.override(language):
        kwargs = {"partner_slug": partner.slug}
        representatives = reverse("partnerships:representative-list", kwargs=kwargs)
        addresses = {
            f"{representatives}#{r.slug}"
            for r in Representative.objects.published().filter(partner=partner)
        }
        for model, name in [
            (Agreement, "agreement"),
            (FundingChannel, "funding-channel"),
            (Project, "project"),
            (PrivateSupportActivity, "private-support"),
        ]:
            addresses |= {
                reverse(f"partnerships:{name}-detail", kwargs={**kwargs, "slug": item.slug})
                for item in model.objects.published().filter(partner=partner)
            }
    return {f"http://testserver{address}" for address in addresses}


@pytest.fixture
def partner_with_drafts():
    """A partner with a published item of each kind and, beside them, items the
    public must not see: drafts, scheduled, expired, under a draft channel,
    past the end of a term, and another partner's."""
    partner = PartnerFactory(slug="japan")
    channel = FundingChannelFactory(partner=partner, slug="channel")
    RepresentativeFactory(partner=partner, slug="member")
    agreement = AgreementFactory(partner=partner, slug="memorandum")
    SignatoryFactory(agreement=agreement, name="Guy Ryder", job_title="Director-General")
    ProjectFactory(partner=partner, funding_channel=channel, slug="programme")
    PrivateSupportActivityFactory(partner=partner, funding_channel=channel, slug="activity")

    future = timezone.now() + datetime.timedelta(days=30)
    AgreementFactory(partner=partner, slug="draft-memorandum", is_published=False)
    AgreementFactory(partner=partner, slug="scheduled-memorandum", goes_live_at=future)
    FundingChannelFactory(partner=partner, slug="expired-channel", expires_at=PAST)
    draft_channel = FundingChannelFactory(partner=partner, slug="draft-channel", is_published=False)
    ProjectFactory(partner=partner, funding_channel=draft_channel, slug="under-draft-channel")
    RepresentativeFactory(partner=partner, slug="former-member", term_ends_on=PAST.date())
    ProjectFactory(slug="other-partners-programme")
    return partner


HIDDEN = [
    "draft-memorandum",
    "scheduled-memorandum",
    "expired-channel",
    "draft-channel",
    "under-draft-channel",
    "former-member",
    "other-partners-programme",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_feed_lists_exactly_the_published_items_in_every_language(
    client, partner_with_drafts, language
):
    feed = read_feed(client, feed_path(partner_with_drafts, language))

    links = entry_links(feed)
    assert sorted(links) == sorted(published_addresses(partner_with_drafts, language))
    assert len(links) == 5
    assert all(f"/{language}/partners/japan/" in address for address in links)
    assert not [slug for slug in HIDDEN if any(slug in address for address in links)]
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language


def test_feed_leaves_out_what_staff_may_preview(staff_client, partner_with_drafts):
    feed = read_feed(staff_client, feed_path(partner_with_drafts))
    assert sorted(entry_links(feed)) == sorted(published_addresses(partner_with_drafts, "en"))


def test_feed_speaks_the_readers_language(client, japan):
    feed = read_feed(client, feed_path(japan, "ja"))
    assert one(feed, "title").text == "日本とのパートナーシップ · 国際労働機関"
    assert one(one(feed, "author"), "name").text == "国際労働機関"
    assert (
        one(feed, "subtitle").text
        == "このパートナーのページに新たに掲載された合意文書、プログラム、人物。"
    )
    titles = {one(entry, "title").text for entry in entries(feed)}
    assert {"協力覚書", "尾池 厚之", "ILO/日本マルチ・バイ協力事業"} <= titles
    [memorandum] = [e for e in entries(feed) if one(e, "title").text == "協力覚書"]
    summary = one(memorandum, "summary")
    assert summary.get("type") == "html"
    assert "2017年5月11日" in summary.text
    assert "東京" in summary.text
    assert [c.get("term") for c in memorandum.findall(f"{ATOM}category")] == ["合意文書"]


def test_titles_are_text_not_escaped_twice(client):
    partner = PartnerFactory()
    ProjectFactory(partner=partner, name="R&D <Programme> “Decent work”")
    feed = read_feed(client, feed_path(partner))
    assert [one(e, "title").text for e in entries(feed)][0] == "R&D <Programme> “Decent work”"


def test_feed_keeps_the_newest_entries_newest_first(client):
    partner = PartnerFactory()
    channel = FundingChannelFactory(partner=partner)
    projects = ProjectFactory.create_batch(
        PartnerFeed.limit + 5, partner=partner, funding_channel=channel
    )
    for day, project in enumerate(projects, start=1):
        moment = PAST + datetime.timedelta(days=day)
        Project.objects.filter(pk=project.pk).update(updated_at=moment)
    # Saved first of all, but it went live after every other save: it is the newest.
    latecomer = projects[0]
    went_live = PAST + datetime.timedelta(days=100)
    Project.objects.filter(pk=latecomer.pk).update(goes_live_at=went_live)
    FundingChannel.objects.filter(pk=channel.pk).update(updated_at=PAST)  # older still
    Partner.objects.filter(pk=partner.pk).update(updated_at=PAST)
    Project.objects.filter(pk=projects[1].pk).update(is_published=False)

    feed = read_feed(client, feed_path(partner))

    shown = entries(feed)
    assert len(shown) == PartnerFeed.limit
    dates = [timestamp(entry, "updated") for entry in shown]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == went_live
    assert link(shown[0], "alternate").endswith(latecomer.get_absolute_url())
    newest_others = projects[:1:-1][: PartnerFeed.limit - 1]  # the draft left out
    assert [link(e, "alternate") for e in shown[1:]] == [
        f"http://testserver{project.get_absolute_url()}" for project in newest_others
    ]
    assert timestamp(feed, "updated") == went_live


def test_an_empty_feed_is_dated_by_its_partner_not_by_the_clock(client):
    partner = PartnerFactory()
    Partner.objects.filter(pk=partner.pk).update(updated_at=PAST)
    feed = read_feed(client, feed_path(partner))
    assert entries(feed) == []
    assert timestamp(feed, "updated") == PAST


@pytest.mark.parametrize("slug", ["draft", "nowhere"])
def test_feed_of_a_draft_or_unknown_partner_is_404(client, slug):
    PartnerFactory(slug="draft", is_published=False)
    assert client.get(f"/en/partners/{slug}/feed/").status_code == 404


@pytest.mark.parametrize("rows", [1, 100])
def test_feed_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, page_cache_off, rows
):
    partner = PartnerFactory()
    populate(partner, rows)
    # The partner, each collection's newest rows, the agreements' signatories.
    with django_assert_num_queries(7):
        response = client.get(feed_path(partner))
    assert len(entries(ElementTree.fromstring(response.content))) == min(5 * rows, 20)


def test_feed_is_cached_and_dropped_when_its_partner_changes(client):
    partner = PartnerFactory()
    AgreementFactory(partner=partner, title="First memorandum")
    path = feed_path(partner)
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"

    AgreementFactory(partner=partner, title="Second memorandum")

    response = client.get(path)
    assert response["X-Page-Cache"] == "miss"
    assert "Second memorandum" in response.content.decode()


def test_a_scheduled_item_joins_the_cached_feed_when_it_goes_live(client, time_machine):
    goes_live = datetime.datetime(2030, 4, 1, 9, tzinfo=datetime.UTC)
    # Sooner than the cached page would expire anyway (PAGE_CACHE_SECONDS).
    time_machine.move_to(goes_live - datetime.timedelta(minutes=5), tick=False)
    partner = PartnerFactory()
    AgreementFactory(partner=partner, title="Scheduled memorandum", goes_live_at=goes_live)
    path = feed_path(partner)
    assert "Scheduled memorandum" not in client.get(path).content.decode()
    assert client.get(path)["X-Page-Cache"] == "hit"

    time_machine.move_to(goes_live, tick=False)

    feed = read_feed(client, path)
    [entry] = entries(feed)
    assert one(entry, "title").text == "Scheduled memorandum"
    assert timestamp(entry, "updated") == goes_live


def test_every_page_of_a_partner_links_to_its_feed_in_the_same_language(client, japan):
    paths = public_urls(japan)[1:]  # in English; the home page is no partner's
    for language in LANGUAGES:
        feed = f"http://testserver{feed_path(japan, language)}"
        tag = re.compile(
            rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{feed}">'
        )
        for path in paths:
            path = path.replace("/en/", f"/{language}/", 1)
            assert tag.search(client.get(path).content.decode()), path
        assert client.get(feed_path(japan, language)).status_code == 200
    home = client.get(reverse("partnerships:partner-list")).content.decode()
    assert "application/atom+xml" not in home


@pytest.mark.parametrize("collection", list(COLLECTIONS), ids=lambda c: c.name)
def test_each_collections_newest_rows_are_read_from_its_index_not_sorted(collection):
    """However many rows, the feed reads the newest from `<model>_changed`
    (partnerships.models.publishing), stopping after `limit`: no sort of all."""
    from django.db import connection

    partner = PartnerFactory()
    rows = PartnerFeed().newest(collection, partner)
    index = f"{collection.model._meta.model_name}_changed"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Whatever the planner prefers for a few test rows: can it use the index?
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        plan = rows.explain()
    assert index in plan
    assert "TEMP B-TREE" not in plan  # SQLite's sort
    assert not re.search(r"^\s*(->\s*)?Sort ", plan, re.MULTILINE)  # PostgreSQL's
