"""Collections are declared once: a sixth one gets pages, sitemap entries and
admin from its declaration, model and templates alone (tests/sixth_collection)."""

import pytest
from django.urls import reverse

from partnerships.collections import COLLECTIONS
from tests.factories import PartnerFactory
from tests.helpers import sitemap_xml, visible_text
from tests.sixth_collection.collection import PUBLICATIONS
from tests.sixth_collection.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def sixth(settings):
    COLLECTIONS.register(PUBLICATIONS)
    settings.ROOT_URLCONF = "tests.sixth_collection.urls"
    yield PUBLICATIONS
    COLLECTIONS.unregister(PUBLICATIONS)


@pytest.fixture
def publication(db):
    return Publication.objects.create(
        partner=PartnerFactory(slug="japan", title="Partnerships with Japan"),
        slug="annual-report",
        title="Annual report",
        is_published=True,
    )


def test_sixth_collection_has_list_and_detail_pages(client, sixth, publication):
    assert publication.get_absolute_url() == "/en/partners/japan/publications/annual-report/"
    listing = client.get("/en/partners/japan/publications/")
    assert "Annual report" in visible_text(listing)
    detail = client.get(publication.get_absolute_url())
    assert detail.status_code == 200
    assert "Home Partnerships with Japan Publications Annual report" in visible_text(detail)


def test_sixth_collection_is_linked_from_the_overview(client, sixth, publication):
    html = client.get("/en/partners/japan/").content.decode()
    assert 'href="/en/partners/japan/publications/"' in html
    assert 'href="/en/partners/japan/publications/annual-report/"' in html


def test_sixth_collection_drafts_stay_hidden(client, sixth, publication):
    Publication.objects.filter(pk=publication.pk).update(is_published=False)
    assert client.get(publication.get_absolute_url()).status_code == 404


def test_sixth_collection_is_in_the_sitemap(client, sixth, publication):
    xml = sitemap_xml(client)
    assert "http://testserver/en/partners/japan/publications/</loc>" in xml
    assert "http://testserver/ja/partners/japan/publications/annual-report/</loc>" in xml


def test_sixth_collection_is_in_the_admin(admin_client, sixth, publication):
    changelist = admin_client.get(reverse("admin:sixth_collection_publication_changelist"))
    assert "Annual report" in visible_text(changelist)
    change = reverse("admin:sixth_collection_publication_change", args=[publication.pk])
    assert admin_client.get(change).status_code == 200


def test_sixth_collection_is_in_the_partners_feed(client, sixth, publication):
    feed = client.get("/fr/partners/japan/feed/").content.decode()
    assert "<title>Annual report</title>" in feed
    assert 'href="http://testserver/fr/partners/japan/publications/annual-report/"' in feed


def test_sixth_collection_has_downloads_and_an_api(client, sixth, publication):
    html = client.get("/en/partners/japan/publications/").content.decode()
    assert 'href="/en/partners/japan/publications/data.csv"' in html
    csv = client.get("/en/partners/japan/publications/data.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "slug,partner,title,title_fr,title_es,title_ja,url,updated_at"
    assert csv.splitlines()[1].startswith("annual-report,japan,Annual report,,,,")
    rows = client.get("/api/publications/", {"partner": "japan"}).json()["results"]
    assert [row["title"] for row in rows] == ["Annual report"]
    row = client.get("/api/publications/japan/annual-report/").json()
    assert row["url"] == "http://testserver/en/partners/japan/publications/annual-report/"
