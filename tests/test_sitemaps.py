"""The sitemap as a crawler reads it: /sitemap.xml (an index) and each page of
each section it lists are well-formed XML in the sitemap protocol's shape, and
together list exactly the site's public pages, once each, in every language,
each naming its other languages and when it last changed. robots.txt lets
crawlers reach all of them and points to the index."""

import datetime
import re
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from partnerships.models import (
    Agreement,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
)
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    ProjectFactory,
    RepresentativeFactory,
)
from tests.helpers import sitemap_locations

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAST = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC)  # midday: the same day anywhere
# The protocol's limits (sitemaps.org): per file, and per address.
MAX_ENTRIES, MAX_BYTES, MAX_ADDRESS = 50_000, 50 * 1024 * 1024, 2048
# W3C Datetime, as the protocol asks: a date, or a date and time with its zone.
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z))?")


def get_xml(client, address):
    """The XML at an absolute address of this site, checked as a sitemap file."""
    parts = urlsplit(address)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), address
    response = client.get(parts.path, dict(p.split("=") for p in parts.query.split("&") if p))
    assert response.status_code == 200, address
    assert response["Content-Type"].startswith("application/xml")
    assert len(response.content) <= MAX_BYTES
    return ElementTree.fromstring(response.content)  # ParseError if not well-formed


def child_text(element, tag):
    [found] = element.findall(f"{SITEMAP}{tag}")
    return found.text


def check_address(address):
    assert len(address) <= MAX_ADDRESS
    assert address.startswith("http://testserver/"), address


def check_lastmod(text):
    assert W3C_DATETIME.fullmatch(text), text


def crawl(client):
    """{address: <url> element} of every entry of every section's every page,
    reached from the index as a crawler would; each file checked on the way."""
    index = get_xml(client, "http://testserver/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    entries = {}
    listed = 0
    for sitemap in index:
        assert sitemap.tag == f"{SITEMAP}sitemap"
        check_address(child_text(sitemap, "loc"))
        check_lastmod(child_text(sitemap, "lastmod"))
        section = get_xml(client, child_text(sitemap, "loc"))
        assert section.tag == f"{SITEMAP}urlset"
        assert 0 < len(section) <= MAX_ENTRIES
        for url in section:
            assert url.tag == f"{SITEMAP}url"
            # The protocol's order: <loc>, <lastmod>, then other namespaces' elements.
            assert [child.tag for child in url][:2] == [f"{SITEMAP}loc", f"{SITEMAP}lastmod"]
            entries[child_text(url, "loc")] = url
            listed += 1
    assert listed == len(entries), "an address is listed twice"
    return entries


def public_pages(language):
    """Every public page's address in `language`, from the published rows and
    the URL names alone (not the sitemap's code)."""
    with translation.override(language):
        pages = {reverse("partnerships:partner-list")}
        for partner in Partner.objects.published():
            kwargs = {"partner_slug": partner.slug}
            pages.add(reverse("partnerships:partner-detail", kwargs=kwargs))
            for name in ["representative", "agreement", "funding-channel", "project"]:
                pages.add(reverse(f"partnerships:{name}-list", kwargs=kwargs))
            pages.add(reverse("partnerships:private-support-list", kwargs=kwargs))
        for model, name in [
            (Agreement, "agreement"),
            (FundingChannel, "funding-channel"),
            (Project, "project"),
            (PrivateSupportActivity, "private-support"),
        ]:
            for item in model.objects.published().select_related("partner"):
                kwargs = {"partner_slug": item.partner.slug, "slug": item.slug}
                pages.add(reverse(f"partnerships:{name}-detail", kwargs=kwargs))
    return {f"http://testserver{page}" for page in pages}


@pytest.fixture
def site_with_drafts(japan):
    """The Japan content, and beside it what the public must not see: a draft,
    a scheduled and an expired item, an item under a draft channel, and a
    draft partner whose items are published."""
    future = timezone.now() + datetime.timedelta(days=30)
    AgreementFactory(partner=japan, slug="draft-memorandum", is_published=False)
    AgreementFactory(partner=japan, slug="scheduled-memorandum", goes_live_at=future)
    FundingChannelFactory(partner=japan, slug="expired-channel", expires_at=PAST)
    draft_channel = FundingChannelFactory(partner=japan, slug="draft-channel", is_published=False)
    ProjectFactory(partner=japan, funding_channel=draft_channel, slug="under-draft-channel")
    draft_partner = PartnerFactory(slug="draft-partner", is_published=False)
    ProjectFactory(partner=draft_partner, slug="draft-partners-programme")
    return japan


HIDDEN = [
    "draft-memorandum",
    "scheduled-memorandum",
    "expired-channel",
    "draft-channel",
    "under-draft-channel",
    "draft-partner",
]


def test_sitemap_lists_exactly_the_public_pages_in_every_language(client, site_with_drafts):
    listed = set(crawl(client))

    expected = set().union(*(public_pages(language) for language in LANGUAGES))
    assert listed == expected
    # Japan: home, overview, 5 lists, 1 agreement, 5 channels, 2 projects, 4 activities.
    assert len(expected) == 19 * len(LANGUAGES)
    assert [a for a in listed if any(f"/{slug}/" in a for slug in HIDDEN)] == []


def test_a_scheduled_item_joins_the_sitemap_when_it_goes_live(client, japan):
    future = timezone.now() + datetime.timedelta(days=30)
    agreement = AgreementFactory(partner=japan, slug="scheduled", goes_live_at=future)
    address = f"http://testserver{agreement.get_absolute_url()}"
    assert address not in crawl(client)

    Agreement.objects.filter(pk=agreement.pk).update(goes_live_at=PAST)

    assert address in crawl(client)


def test_every_entry_names_its_language_versions_and_the_default(client, japan):
    entries = crawl(client)
    for address, url in entries.items():
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in url.findall(f"{XHTML}link")
            if link.get("rel") == "alternate"
        }
        assert set(alternates) == {*LANGUAGES, "x-default"}, address
        language = urlsplit(address).path.split("/")[1]
        assert alternates[language] == address
        for code in LANGUAGES:
            assert alternates[code] == address.replace(f"/{language}/", f"/{code}/", 1)
            assert alternates[code] in entries
        # The same default as the pages' own hreflang links: the default language's page.
        assert alternates["x-default"] == alternates[settings.LANGUAGE_CODE]


def test_every_entry_says_when_its_page_last_changed(client, japan, time_machine):
    day = datetime.date(2031, 5, 6)
    Partner.objects.filter(pk=japan.pk).update(updated_at=PAST)
    for model in (Agreement, FundingChannel, Project, PrivateSupportActivity):
        model.objects.update(updated_at=PAST)
    japan.representatives.update(updated_at=PAST)
    project = Project.objects.first()
    # A project's page, and the list that shows it, changed when it went live.
    Project.objects.filter(pk=project.pk).update(
        goes_live_at=datetime.datetime(2031, 5, 6, 9, tzinfo=datetime.UTC)
    )
    time_machine.move_to(datetime.datetime(2032, 1, 1, tzinfo=datetime.UTC), tick=False)
    entries = crawl(client)

    lastmod = {address: child_text(url, "lastmod") for address, url in entries.items()}
    for language in LANGUAGES:
        with translation.override(language):
            projects = f"http://testserver{reverse('partnerships:project-list', args=['japan'])}"
            channels = projects.replace("/projects/", "/funding-channels/")
            home = f"http://testserver{reverse('partnerships:partner-list')}"
        assert lastmod[projects] == day.isoformat()
        assert lastmod[channels] == PAST.date().isoformat()
        assert lastmod[home] == PAST.date().isoformat()


def test_robots_txt_lets_crawlers_reach_every_page_of_the_sitemap_but_not_the_admin(client, japan):
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    for address in crawl(client):
        assert robots.can_fetch("*", address), address
    with translation.override("ja"):
        feed = reverse("partnerships:partner-feed", args=["japan"])
    assert robots.can_fetch("*", f"http://testserver{feed}")
    assert not robots.can_fetch("*", "http://testserver/admin/")


def test_a_representatives_anchor_is_not_a_page_of_its_own(client, japan):
    RepresentativeFactory(partner=japan, slug="new-member")
    assert not [address for address in crawl(client) if "#" in address]
    assert "new-member" not in "".join(sitemap_locations(client.get("/sitemap.xml").content))
