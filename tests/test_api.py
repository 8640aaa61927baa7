"""The read-only JSON API under /api/: lists and rows per collection and
partner, filters, bounded pages, conditional GET, CORS for anonymous reads
only, no writes; its OpenAPI schema and documentation page."""

import base64
import datetime

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.collections import COLLECTIONS
from partnerships.models import AgreementKind
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    ProjectFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


# Lists, rows, filters, pages.
def test_the_root_names_every_list_the_schema_and_the_docs(client):
    links = client.get("/api/").json()
    assert links["partner"] == "http://testserver/api/partners/"
    for collection in COLLECTIONS:
        assert links[collection.name] == f"http://testserver/api/{collection.segment}/"
    assert links["schema"] == "http://testserver/api/schema/"
    assert links["docs"] == "http://testserver/api/docs/"


def test_lists_are_filtered_by_partner(client):
    japan, other = PartnerFactory(slug="japan"), PartnerFactory(slug="other")
    AgreementFactory(partner=japan, slug="moc")
    AgreementFactory(partner=other, slug="elsewhere")
    url = reverse("api:agreement-list")
    assert sorted(slugs(client.get(url))) == ["elsewhere", "moc"]
    assert slugs(client.get(url, {"partner": "japan"})) == ["moc"]
    draft = PartnerFactory(slug="draft", is_published=False)
    AgreementFactory(partner=draft, slug="hidden")
    for unknown in ("nowhere", "draft"):  # no published partner: nothing to list
        assert client.get(url, {"partner": unknown}).status_code == 404


def test_lists_are_filtered_by_type_as_the_list_pages_are(client):
    """By the list page's own filters (Collection.filters), under the same names."""
    partner = PartnerFactory()
    AgreementFactory(partner=partner, slug="moc", kind=AgreementKind.MEMORANDUM_OF_COOPERATION)
    AgreementFactory(
        partner=partner,
        slug="decl",
        kind=AgreementKind.JOINT_DECLARATION,
        signed_on=datetime.date(2015, 6, 1),
        visit_started_on=None,
        visit_ended_on=None,
    )
    first, second = FundingChannelFactory.create_batch(2, partner=partner)
    ProjectFactory(partner=partner, funding_channel=first, slug="one", is_main_vehicle=True)
    ProjectFactory(partner=partner, funding_channel=second, slug="two", is_main_vehicle=False)
    assert slugs(client.get("/api/agreements/", {"kind": "joint-declaration"})) == ["decl"]
    assert slugs(client.get("/api/agreements/", {"year": "2020"})) == ["moc"]
    assert slugs(client.get("/api/projects/", {"channel": second.slug})) == ["two"]
    assert slugs(client.get("/api/projects/", {"main": "yes"})) == ["one"]
    both = {"partner": partner.slug, "kind": "memorandum-of-cooperation", "year": "2020"}
    assert slugs(client.get("/api/agreements/", both)) == ["moc"]
    assert slugs(client.get("/api/agreements/", {"year": "1999"})) == []
    draft = FundingChannelFactory(partner=partner, is_published=False)
    for unknown in ("nowhere", draft.slug):
        assert client.get("/api/projects/", {"channel": unknown}).status_code == 404


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/agreements/", {"kind": "treaty"}),
        ("/api/agreements/", {"kind": ""}),
        ("/api/agreements/", {"year": "20"}),
        ("/api/projects/", {"main": "true"}),
        ("/api/projects/", {"channel": "not a slug"}),
        ("/api/projects/", {"partner": "japan\x00"}),
        ("/api/projects/", {"partner": "<script>"}),
        ("/api/projects/", {"partner": ""}),
        ("/api/partners/", {"page_size": "0"}),
        ("/api/partners/", {"page_size": "101"}),
        ("/api/partners/", {"page_size": "ten"}),
        ("/api/partners/", {"page_size": "-5"}),
        ("/api/partners/", {"page_size": "010"}),
        ("/api/agreements/", {"kind": ["other", "other"]}),
        ("/api/partners/japan/", {"page": ["1", "2"]}),
    ],
)
def test_a_parameter_that_cannot_be_one_is_a_400_that_says_why(client, url, query):
    PartnerFactory(slug="japan")
    response = client.get(url, query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_pages_are_bounded_and_linked(client):
    partner = PartnerFactory()
    RepresentativeFactory.create_batch(130, partner=partner)
    url = reverse("api:representative-list")
    first = client.get(url).json()
    assert first["count"] == 130
    assert len(first["results"]) == 20  # the default
    big = client.get(url, {"page_size": 100}).json()
    assert len(big["results"]) == 100  # the most a page holds
    assert big["next"] == "http://testserver/api/representatives/?page=2&page_size=100"
    last = client.get(big["next"]).json()
    assert len(last["results"]) == 30 and last["next"] is None
    everyone = {row["slug"] for row in big["results"] + last["results"]}
    assert len(everyone) == 130  # no row twice, none left out


@pytest.mark.parametrize("page", ["999", "0", "-1", "x", "", "last", "007", "1" * 5000])
def test_a_page_that_does_not_exist_is_a_404(client, page):
    RepresentativeFactory()
    response = client.get("/api/representatives/", {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_row_is_known_by_its_partner_and_slug(client):
    agreement = AgreementFactory(slug="moc")
    url = f"/api/agreements/{agreement.partner.slug}/moc/"
    assert client.get(url).json()["slug"] == "moc"
    for missing in [
        "/api/agreements/elsewhere/moc/",
        "/api/partners/nowhere/",
        "/api/agreements/not a slug/moc/",  # no URL pattern takes it: a JSON 404 all the same
        "/api/agreements/a/b/c/",
        "/api/nothing-here/",
    ]:
        response = client.get(missing)
        assert response.status_code == 404, missing
        assert response.json() == {"detail": "Not found."}, missing
    # Without its final slash, an address is redirected as everywhere on the site.
    assert client.get("/api/agreements").status_code == 301


# Read-only, and the same for everyone.
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "staff"])
def test_write_methods_are_not_allowed(client, admin_client, method, logged_in):
    agreement = AgreementFactory(slug="moc")
    reader = admin_client if logged_in else client
    for url in ["/api/agreements/", f"/api/agreements/{agreement.partner.slug}/moc/"]:
        response = getattr(reader, method)(
            url, {"title": "Changed"}, content_type="application/json"
        )
        assert response.status_code == 405, url
        assert "GET" in response["Allow"] and "POST" not in response["Allow"]
    agreement.refresh_from_db()
    assert agreement.title != "Changed"


def test_a_logged_in_editor_reads_the_public_rows_only(staff_client):
    AgreementFactory(slug="live")
    draft = AgreementFactory(slug="draft", is_published=False)
    assert slugs(staff_client.get("/api/agreements/")) == ["live"]
    url = f"/api/agreements/{draft.partner.slug}/draft/"
    assert staff_client.get(url).status_code == 404
    # The same editor previews the draft on its page.
    assert staff_client.get(draft.get_absolute_url()).status_code == 200


def test_credentials_in_an_authorization_header_are_not_read(client, django_user_model):
    django_user_model.objects.create_superuser("boss", password="pw")
    AgreementFactory(slug="draft", is_published=False)
    basic = base64.b64encode(b"boss:pw").decode()
    response = client.get("/api/agreements/", headers={"Authorization": f"Basic {basic}"})
    assert slugs(response) == []


# Caching: ETag, Last-Modified, 304, Cache-Control.
def test_an_unchanged_answer_is_a_304_and_a_changed_one_is_renewed(client):
    agreement = AgreementFactory(slug="moc", title="First title")
    url = "/api/agreements/"
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache"
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url)["X-Page-Cache"] == "hit"
    unchanged = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    agreement.title = "Second title"
    agreement.save()
    renewed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert renewed.status_code == 200
    assert renewed.json()["results"][0]["title"] == "Second title"


def test_filtered_lists_and_rows_are_cached_like_pages(client):
    agreement = AgreementFactory()
    for url in [
        f"/api/agreements/?partner={agreement.partner.slug}&kind=memorandum-of-cooperation",
        "/api/agreements/?year=2020&page_size=5&page=1",
        f"/api/agreements/{agreement.partner.slug}/{agreement.slug}/",
        f"/api/partners/{agreement.partner.slug}/",
    ]:
        assert client.get(url)["X-Page-Cache"] == "miss", url
        assert client.get(url)["X-Page-Cache"] == "hit", url
    # A parameter the API does not take: answered, not kept.
    assert client.get("/api/agreements/?utm_source=x")["X-Page-Cache"] == "bypass"


def test_staff_answers_are_private(admin_client):
    response = admin_client.get("/api/agreements/")
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]


# CORS: any site's scripts may read anonymously; nothing with credentials.
OPEN_DATA = [
    "/api/",
    "/api/agreements/",
    "/api/partners/",
    "/api/schema/",
    "/en/partners/japan/agreements/data.csv",
    "/ja/partners/japan/agreements/data.json",
]


@pytest.mark.parametrize("url", OPEN_DATA)
def test_anonymous_reads_are_open_to_other_sites(client, url):
    PartnerFactory(slug="japan")
    for method in ("get", "head"):
        response = getattr(client, method)(url, headers={"Origin": "https://example.org"})
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "credentials",
    [{"Cookie": "sessionid=abc"}, {"Authorization": "Basic Ym9zczpwdw=="}],
    ids=["cookie", "authorization"],
)
@pytest.mark.parametrize("url", OPEN_DATA)
def test_requests_with_credentials_get_no_cors_header(url, credentials):
    PartnerFactory(slug="japan")
    client = Client(headers={"Origin": "https://example.org", **credentials})
    response = client.get(url)
    assert response.status_code == 200, url
    assert "Access-Control-Allow-Origin" not in response
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]


@pytest.mark.parametrize("url", ["/api/agreements/", "/en/partners/japan/agreements/data.csv"])
def test_a_cached_answer_gets_the_cors_header_as_each_request_says(client, url):
    """The page cache keeps one answer for everyone; the header follows each
    request's credentials, on a hit and on a 304 too."""
    PartnerFactory(slug="japan")
    origin = {"Origin": "https://example.org"}
    first = client.get(url, headers=origin)
    assert first["X-Page-Cache"] == "miss"
    assert first["Access-Control-Allow-Origin"] == "*"
    for credentials in [{"Authorization": "Bearer x"}, {"Cookie": "theme=dark"}]:
        hit = Client(headers={**origin, **credentials}).get(url)
        assert hit["X-Page-Cache"] == "hit"
        assert "Access-Control-Allow-Origin" not in hit, credentials
    again = client.get(url, headers={**origin, "If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_a_logged_in_readers_answer_has_no_cors_header(admin_client):
    response = admin_client.get("/api/agreements/", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_is_answered_for_anonymous_reads_only(client):
    headers = {
        "Origin": "https://example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
    }
    response = client.options("/api/agreements/", headers=headers)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    posted = client.post("/api/agreements/", headers={"Origin": "https://example.org"})
    assert posted.status_code == 405
    assert "Access-Control-Allow-Origin" not in posted


def test_pages_and_the_admin_are_not_open_to_other_sites(client):
    partner = PartnerFactory()
    for url in [partner.get_absolute_url(), "/admin/login/", "/api/docs/"]:
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert "Access-Control-Allow-Origin" not in response, url


# The schema and its documentation page.
def test_the_schema_is_openapi_3_at_one_address_in_one_language(client):
    english = client.get("/api/schema/")
    assert english.status_code == 200
    assert english["Content-Type"] == "application/json"
    schema = english.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/partners/", "/api/partners/{partner_slug}/"} <= paths
    for collection in COLLECTIONS:
        assert f"/api/{collection.segment}/" in paths
        assert f"/api/{collection.segment}/{{partner_slug}}/{{slug}}/" in paths
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
    japanese = Client(headers={"Accept-Language": "ja"}).get("/api/schema/")
    assert japanese.content == english.content


def test_the_docs_page_is_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "://" not in html  # nothing from another host
    assert (
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">'
        in html
    )
    assert '<a href="/api/schema/">' in html  # in <noscript>: the schema, without JavaScript
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css"]:
        url = f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert b"".join(client.get(url).streaming_content), url
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert 'url: "/api/schema/"' in script.content.decode()


def test_only_the_docs_page_allows_data_images_and_nothing_allows_inline_code(client):
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    assert "img-src 'self' data:" in docs
    assert "unsafe-inline" not in docs
    api = client.get("/api/")["Content-Security-Policy"]
    assert "data:" not in api
