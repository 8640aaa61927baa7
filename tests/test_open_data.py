"""Open data: every collection of a partner as CSV and JSON from its list page,
and the same rows with the same values in the API; never a draft."""

import codecs
import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from partnerships.collections import COLLECTIONS
from partnerships.models import Agreement, FundingChannel, Representative
from tests.factories import (
    FACTORIES,
    PartnerFactory,
    SignatoryFactory,
)
from tests.helpers import edit, populate

pytestmark = pytest.mark.django_db

COLLECTION_IDS = [collection.name for collection in COLLECTIONS]


def collections():
    return pytest.mark.parametrize("collection", list(COLLECTIONS), ids=COLLECTION_IDS)


def csv_rows(response):
    """The rows of a CSV download, as a spreadsheet reads them: {column: text}."""
    assert response.status_code == 200
    assert response.content.startswith(codecs.BOM_UTF8)
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_rows(response):
    assert response.status_code == 200
    return response.json()["results"]


def api_rows(client, collection, partner, **filters):
    """Every row the API lists for `partner`, page after page."""
    rows = []
    url = reverse(f"api:{collection.name}-list")
    query = {"partner": partner.slug, "page_size": 100, **filters}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url, query = response.json()["next"], None
    return rows


def downloads(client, collection, partner):
    urls = collection.data_urls(partner)
    return csv_rows(client.get(urls["csv"])), json_rows(client.get(urls["json"]))


def assert_same_in_csv(csv_row, json_row):
    """A CSV cell holds a JSON value's text as it is, nothing for null, and
    anything else as its JSON (numbers, true/false, a list of signatories)."""
    assert list(csv_row) == list(json_row)
    for column, value in json_row.items():
        if value is None:
            assert csv_row[column] == "", column
        elif isinstance(value, str):
            assert csv_row[column] == value, column
        else:
            assert json.loads(csv_row[column]) == value, column


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue())


def name_field(model):
    return {Representative: "family_name", Agreement: "title"}.get(model, "name")


@pytest.fixture
def content(japan):
    """The Japan content, and one more row of each collection with a photo and
    a French title only."""
    for collection in COLLECTIONS:
        name = name_field(collection.model)
        FACTORIES[collection.model](
            partner=japan,
            photo=photo(),
            photo_alt="A photo",
            photo_credit="A photographer",
            **{name: f"Illustrated {collection.name}", f"{name}_fr": "Illustré"},
        )
    return japan


@collections()
def test_every_published_row_is_in_the_csv_the_json_download_and_the_api_with_the_same_values(
    client, content, collection
):
    published = collection.model.objects.published().filter(partner=content)
    expected = set(published.values_list("slug", flat=True))
    assert len(expected) >= 2
    from_csv, from_json = downloads(client, collection, content)
    from_api = api_rows(client, collection, content)
    assert {row["slug"] for row in from_json} == expected
    assert from_api == from_json  # the same rows, in the same order, with the same values
    assert len(from_csv) == len(from_json)
    for csv_row, json_row in zip(from_csv, from_json, strict=True):
        assert_same_in_csv(csv_row, json_row)
    for row in from_json:
        detail = reverse(
            f"api:{collection.name}-detail",
            kwargs={"partner_slug": row["partner"], "slug": row["slug"]},
        )
        assert client.get(detail).json() == row


def test_partners_in_the_api_have_the_same_values_in_the_list_and_their_own_address(
    client, content
):
    partners = client.get(reverse("api:partner-list")).json()["results"]
    assert [partner["slug"] for partner in partners] == ["japan"]
    detail = client.get(reverse("api:partner-detail", kwargs={"partner_slug": "japan"}))
    assert detail.json() == partners[0]
    assert partners[0]["title_ja"] == content.title_ja
    assert [c["name"] for c in partners[0]["concerns"]] == [c.name for c in content.concerns.all()]


def test_values_are_the_stored_ones_in_every_language(client, content):
    memorandum = Agreement.objects.get(slug="memorandum-of-cooperation-2017")
    _csv, rows = downloads(client, COLLECTIONS["agreement"], content)
    row = next(row for row in rows if row["slug"] == memorandum.slug)
    assert row["partner"] == "japan"
    assert row["title"] == "Memorandum of Cooperation"
    for language in ("fr", "es", "ja"):
        assert row[f"title_{language}"] == getattr(memorandum, f"title_{language}") != ""
    assert row["kind"] == "memorandum-of-cooperation"  # the stored value, in no language
    assert row["signed_on"] == "2017-05-11"
    assert row["signed_in_ja"] == "東京"
    assert [s["name"] for s in row["signatories"]] == [s.name for s in memorandum.signatories.all()]
    assert set(row["signatories"][0]) == {
        *(
            f"{field}{suffix}"
            for field in ("name", "job_title", "party")
            for suffix in ("", "_fr", "_es", "_ja")
        ),
        "position",
    }
    assert row["url"] == f"http://testserver{memorandum.get_absolute_url()}"
    assert row["photo"] is None


def test_a_photo_is_given_by_its_address_and_a_missing_translation_is_empty(client, content):
    channel = FundingChannel.objects.get(name="Illustrated funding-channel")
    _csv, rows = downloads(client, COLLECTIONS["funding-channel"], content)
    row = next(row for row in rows if row["slug"] == channel.slug)
    assert row["photo"] == f"http://testserver{channel.photo.url}"
    assert row["name_fr"] == "Illustré"
    assert row["name_es"] == row["name_ja"] == ""  # the pages show the English there
    assert row["photo_alt"] == "A photo"


def test_with_unreviewed_translations_hidden_the_data_hides_them_as_the_pages_do(
    client, content, settings
):
    settings.SHOW_UNREVIEWED_TRANSLATIONS = False
    memorandum = Agreement.objects.get(slug="memorandum-of-cooperation-2017")
    assert memorandum.translation_review  # the fixture's translations await review
    from_csv, from_json = downloads(client, COLLECTIONS["agreement"], content)
    row = next(row for row in from_json if row["slug"] == memorandum.slug)
    assert row["title_ja"] == ""
    assert next(r for r in from_csv if r["slug"] == memorandum.slug)["title_ja"] == ""


def test_the_csv_is_utf8_with_a_byte_order_mark_and_named_after_partner_and_collection(
    client, content
):
    response = client.get("/ja/partners/japan/private-support/data.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="japan-private-support.csv"'
    assert response.content.startswith(codecs.BOM_UTF8 + b"slug,partner,name,name_fr,")
    assert "アフリカ".encode() in response.content or "日本".encode() in response.content
    json_response = client.get("/ja/partners/japan/private-support/data.json")
    assert json_response["Content-Type"] == "application/json"
    assert json_response["Content-Disposition"] == (
        'attachment; filename="japan-private-support.json"'
    )
    data = json_response.json()
    assert (data["partner"], data["collection"], data["count"]) == (
        "japan",
        "private-support",
        len(data["results"]),
    )


@collections()
def test_a_download_is_the_same_file_in_every_language(client, content, collection):
    urls = collection.data_urls(content)
    for format, url in urls.items():
        english = client.get(url).content
        for language in ("fr", "es", "ja"):
            assert client.get(url.replace("/en/", f"/{language}/", 1)).content == english, format


# The columns are the downloads' and the API's contract: a change here is a
# change for everyone who reads them (README "Open data and API").
TRANSLATED = ("", "_fr", "_es", "_ja")
PHOTO = (
    "photo",
    *(f"{f}{s}" for f in ("photo_alt", "photo_caption", "photo_credit") for s in TRANSLATED),
)


def translated(*names):
    return [f"{name}{suffix}" for name in names for suffix in TRANSLATED]


STABLE_COLUMNS = {
    "representative": [
        "slug", "partner", "honorific", *translated("given_name", "family_name"),
        "constituent_group",
        *translated("governing_body_role", "job_title"),
        *translated("organisation", "organisation_abbreviation"),
        "position", "term_started_on", "term_ends_on", *PHOTO, "url", "updated_at",
    ],
    "agreement": [
        "slug", "partner", *translated("title"), "kind", *translated("headline"), "signed_on",
        *translated("signed_in"), "visit_started_on", "visit_ended_on",
        *translated("summary", "body"), "further_information_url", "signatories", *PHOTO,
        "url", "updated_at",
    ],
    "funding-channel": [
        "slug", "partner", *translated("name", "description"), "position", *PHOTO, "url",
        "updated_at",
    ],
    "project": [
        "slug", "partner", *translated("name"), "funding_channel", "is_main_vehicle",
        *translated("description"), "position", *PHOTO, "url", "updated_at",
    ],
    "private-support": [
        "slug", "partner", *translated("name"), "funding_channel", *translated("description"),
        *translated("supporter"), "started_year", "ended_year", "related_url",
        "position", *PHOTO, "url", "updated_at",
    ],
}  # fmt: skip


@collections()
def test_columns_are_stable_english_snake_case_names(client, content, collection):
    response = client.get(collection.data_urls(content)["csv"])
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == STABLE_COLUMNS[collection.name]


def test_an_empty_collection_downloads_its_header_and_no_rows(client):
    partner = PartnerFactory()
    for collection in COLLECTIONS:
        urls = collection.data_urls(partner)
        response = client.get(urls["csv"])
        assert response.content.decode("utf-8-sig").splitlines() == [
            ",".join(STABLE_COLUMNS[collection.name])
        ]
        assert client.get(urls["json"]).json()["results"] == []


@collections()
def test_each_list_page_links_to_its_downloads_in_every_language(client, content, collection):
    for language in ("en", "fr", "es", "ja"):
        url = collection.list_url(content).replace("/en/", f"/{language}/", 1)
        html = client.get(url).content.decode()
        for download in collection.data_urls(content).values():
            assert f'href="{download.replace("/en/", f"/{language}/", 1)}"' in html
        assert f'href="{reverse("api:docs")}"' in html


def test_unknown_partner_or_format_is_a_404(client, content):
    assert client.get("/en/partners/nowhere/projects/data.csv").status_code == 404
    assert client.get("/en/partners/japan/projects/data.xml").status_code == 404
    assert client.get("/en/partners/japan/projects/data.").status_code == 404


# Drafts: every way a row can be kept from the public, each named with a word
# that appears nowhere else.
HIDDEN = "zyxwv"


@pytest.fixture
def drafts(content, admin_client):
    """Rows the public may not see, of every collection: unpublished, scheduled,
    expired, of a draft partner, funded through a draft channel, a former
    member; a draft partner; a held (unpublished) change to a live agreement."""
    now = timezone.now()
    draft_partner = PartnerFactory(
        name=f"{HIDDEN} country", slug=f"{HIDDEN}-country", is_published=False
    )
    draft_channel = FACTORIES[FundingChannel](
        partner=content, name=f"{HIDDEN} draft channel", is_published=False
    )
    count = 0
    for collection in COLLECTIONS:
        factory = FACTORIES[collection.model]
        ways = [
            {"is_published": False},
            {"goes_live_at": now + datetime.timedelta(days=1)},
            {"expires_at": now - datetime.timedelta(seconds=1)},
            {"partner": draft_partner},
        ]
        if "funding_channel" in collection.data_fields:
            ways.append({"funding_channel": draft_channel})
        if collection.model is Representative:
            ways.append({"term_ends_on": timezone.localdate() - datetime.timedelta(days=1)})
        for way in ways:
            count += 1
            fields = {
                "partner": content,
                name_field(collection.model): f"{HIDDEN} {count}",
                f"{name_field(collection.model)}_ja": f"{HIDDEN} ja {count}",
                "slug": f"{HIDDEN}-{count}",
                **way,
            }
            if "funding_channel" in collection.data_fields and "funding_channel" not in way:
                fields["funding_channel"] = FundingChannel.objects.filter(
                    partner=fields["partner"]
                ).first() or FACTORIES[FundingChannel](partner=fields["partner"])
            row = factory(**fields)
            if collection.model is Agreement:
                SignatoryFactory(agreement=row, name=f"{HIDDEN} signatory {count}")
    live = Agreement.objects.get(slug="memorandum-of-cooperation-2017")
    assert edit(admin_client, live, title=f"{HIDDEN} held title").status_code == 302
    return draft_partner


def every_open_data_response(client, partner_slugs):
    """Every download of each partner and every API list and detail."""
    for slug in partner_slugs:
        for collection in COLLECTIONS:
            for format in ("csv", "json"):
                url = collection.data_urls(slug)[format]
                yield url, client.get(url)
    yield "partners", client.get(reverse("api:partner-list"), {"page_size": 100})
    for slug in partner_slugs:
        yield slug, client.get(reverse("api:partner-detail", kwargs={"partner_slug": slug}))
    for collection in COLLECTIONS:
        model = collection.model
        yield (
            collection.name,
            client.get(reverse(f"api:{collection.name}-list"), {"page_size": 100}),
        )
        for row in model.objects.filter(slug__startswith=HIDDEN).select_related("partner"):
            url = reverse(
                f"api:{collection.name}-detail",
                kwargs={"partner_slug": row.partner.slug, "slug": row.slug},
            )
            yield url, client.get(url)


@pytest.mark.parametrize("reader", ["visitor", "staff"])
def test_no_draft_is_ever_in_a_download_or_the_api(staff_client, drafts, reader):
    """Not for visitors, and not for staff who preview drafts on the pages."""
    reader_client = staff_client if reader == "staff" else Client()
    read, not_found = 0, 0
    for url, response in every_open_data_response(reader_client, ["japan", drafts.slug]):
        if HIDDEN in url:  # a draft's own address: not found (the page may echo the address)
            assert response.status_code == 404, url
            not_found += 1
            continue
        assert response.status_code == 200, url
        assert HIDDEN not in response.content.decode("utf-8-sig").lower(), url
        read += 1
    collections = len(list(COLLECTIONS))
    assert read == 3 * collections + 2  # downloads, API lists, partners list and detail
    hidden_rows = sum(c.model.objects.filter(slug__startswith=HIDDEN).count() for c in COLLECTIONS)
    assert not_found == 2 * collections + 1 + hidden_rows
    # The staff reader does see the drafts on the pages: the words are there to be found.
    if reader == "staff":
        html = staff_client.get(COLLECTIONS["project"].list_url("japan")).content.decode()
        assert HIDDEN in html


def test_a_draft_partners_downloads_are_404(staff_client, drafts):
    for reader in (Client(), staff_client):
        for collection in COLLECTIONS:
            for url in collection.data_urls(drafts).values():
                assert reader.get(url).status_code == 404, url


# Query counts, at 1 and 100 rows of every collection (as tests/test_bounded.py).
SMALL, LARGE = 1, 100


@pytest.fixture(scope="module")
def sized_partners(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        small, large = PartnerFactory(slug="small"), PartnerFactory(slug="large")
        populate(small, SMALL)
        populate(large, LARGE)
        yield {SMALL: small, LARGE: large}
        transaction.set_rollback(True)


def rows_given(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if url.endswith(".csv"):
        return len(csv_rows(response))
    data = response.json()
    return len(data["results"]) if "results" in data else 1


def assert_queries(client, url, rows, expected, django_assert_num_queries):
    """`url` gives `rows` rows in `expected` queries (read once before, so
    that what a first request warms up is not counted)."""
    client.get(url)
    with django_assert_num_queries(expected):
        assert rows_given(client, url) == rows, url


@collections()
def test_downloads_run_the_same_queries_at_1_and_100_rows(
    client, sized_partners, page_cache_off, collection, django_assert_num_queries
):
    # The partner, the rows, and each prefetched relation (an agreement's signatories).
    expected = 2 + len(collection.prefetch)
    for size, partner in sized_partners.items():
        for url in collection.data_urls(partner).values():
            assert_queries(client, url, size, expected, django_assert_num_queries)


@collections()
def test_api_lists_and_rows_run_the_same_queries_at_1_and_100_rows(
    client, sized_partners, page_cache_off, collection, django_assert_num_queries
):
    list_url = reverse(f"api:{collection.name}-list")
    for size, partner in sized_partners.items():
        # The partner (that it is published), the count, the page's rows, each
        # prefetched relation.
        url = f"{list_url}?partner={partner.slug}&page_size=100"
        assert_queries(client, url, size, 3 + len(collection.prefetch), django_assert_num_queries)
        row = collection.model.objects.filter(partner=partner).first()
        detail = reverse(
            f"api:{collection.name}-detail",
            kwargs={"partner_slug": partner.slug, "slug": row.slug},
        )
        assert_queries(client, detail, 1, 1 + len(collection.prefetch), django_assert_num_queries)


def test_the_api_partner_list_runs_the_same_queries_whatever_the_rows(
    client, sized_partners, page_cache_off, django_assert_num_queries
):
    # The count, the partners, their concerns.
    url = f"{reverse('api:partner-list')}?page_size=100"
    assert_queries(client, url, 2, 3, django_assert_num_queries)


# Caching: the page cache keeps downloads like pages, per partner.
def test_a_download_is_cached_revalidated_and_renewed_when_a_row_changes(client, content):
    url = COLLECTIONS["project"].data_urls(content)["csv"]
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert first["Cache-Control"] == "public, no-cache"
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit" and len(captured) == 0
    assert second.content == first.content
    unchanged = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    project = content.projects.first()
    project.name = "A renamed programme"
    project.save()
    renewed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert renewed.status_code == 200
    assert "A renamed programme" in renewed.content.decode("utf-8-sig")
