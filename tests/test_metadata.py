"""What a page tells search engines and link previews: its canonical address
and language versions, Open Graph and Twitter card tags (with the record's
photo), and schema.org JSON-LD for the organisation, the agreements and the
people; none of it on pages that are not the public ones."""

import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AgreementFactory,
    PartnerFactory,
    ProjectFactory,
    ShareLinkFactory,
    SignatoryFactory,
)
from tests.helpers import public_urls
from tests.test_photos import upload

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
OG_LOCALES = {"en": "en_US", "fr": "fr_FR", "es": "es_ES", "ja": "ja_JP"}


class Head(HTMLParser):
    """The <meta>, <link> and JSON-LD <script> elements of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.json_ld = {}, [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs["content"])
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def one(self, key):
        [value] = self.meta[key]
        return value

    def link(self, rel):
        return [link["href"] for link in self.links if link.get("rel") == rel]

    def graph(self):
        """Every JSON-LD node of the page (parsing fails on invalid JSON)."""
        nodes = []
        for text in self.json_ld:
            data = json.loads(text)
            assert data["@context"] == "https://schema.org"
            nodes += data["@graph"]
        return nodes


def head(response):
    assert response.status_code == 200
    parser = Head()
    parser.feed(response.content.decode())
    return parser


def in_language(path, language):
    return path.replace("/en/", f"/{language}/", 1)


def of_type(nodes, kind):
    return [node for node in nodes if node["@type"] == kind]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_names_itself_absolutely_in_its_language(client, japan, language):
    paths = public_urls(japan)
    for path in paths:
        path = in_language(path, language)
        page = head(client.get(path))
        address = f"http://testserver{path}"
        assert page.link("canonical") == [address]
        assert page.one("og:url") == address
        assert page.one("og:locale") == OG_LOCALES[language]
        assert sorted(page.meta["og:locale:alternate"]) == sorted(
            OG_LOCALES[code] for code in LANGUAGES if code != language
        )
        assert page.one("og:title") and page.one("twitter:title") == page.one("og:title")
        assert page.one("og:description") == page.one("description")
        assert page.one("og:site_name") == settings.ORGANISATION_NAMES[language]
        is_item_page = len(path.strip("/").split("/")) == 5  # /<lang>/partners/<p>/<c>/<slug>/
        assert page.one("og:type") == ("article" if is_item_page else "website")
        assert page.one("twitter:card") == "summary"
        english = path.replace(f"/{language}/", "/en/", 1)
        versions = {code: f"http://testserver{in_language(english, code)}" for code in LANGUAGES}
        hreflang = {link["hreflang"]: link["href"] for link in page.links if "hreflang" in link}
        assert hreflang == {**versions, "x-default": versions[settings.LANGUAGE_CODE]}


def test_titles_and_descriptions_are_the_pages_in_the_readers_language(client, japan):
    memorandum = japan.agreements.get().get_absolute_url()
    page = head(client.get(in_language(memorandum, "ja")))
    assert page.one("og:title") == "協力覚書 · 日本とのパートナーシップ"
    assert page.one("og:description").startswith("ILOのガイ・ライダー事務局長は")
    english = head(client.get(memorandum))
    assert english.one("og:title") == "Memorandum of Cooperation · Partnerships with Japan"


def test_a_records_photo_is_the_preview_image_with_an_absolute_address(client):
    agreement = AgreementFactory(
        photo=upload(), photo_alt="Two people shake hands", photo_credit="ILO"
    )
    stem = agreement.photo.name.removesuffix(".jpg")

    page = head(client.get(agreement.get_absolute_url()))

    image = f"http://testserver/media/{stem}.w960.webp"
    assert page.one("og:image") == page.one("twitter:image") == image
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("960", "640")
    assert page.one("og:image:alt") == page.one("twitter:image:alt") == "Two people shake hands"
    assert page.one("twitter:card") == "summary_large_image"
    [node] = of_type(page.graph(), "CreativeWork")
    assert node["image"]["url"] == image


def test_a_list_page_is_previewed_with_its_partners_photo(client):
    partner = PartnerFactory(photo=upload(), photo_alt="Mount Fuji", photo_credit="ILO")
    ProjectFactory(partner=partner)
    with translation.override("fr"):
        projects = reverse("partnerships:project-list", args=[partner.slug])
    page = head(client.get(projects))
    assert page.one("og:image").startswith("http://testserver/media/photos/partner/")
    assert page.one("og:image:alt") == "Mount Fuji"


def test_a_page_without_a_photo_has_no_preview_image(client):
    page = head(client.get(ProjectFactory().get_absolute_url()))
    assert "og:image" not in page.meta
    assert "twitter:image" not in page.meta


# Schema.org JSON-LD.

SIGNED_IN = {"en": "Tokyo", "fr": "Tokyo", "es": "Tokio", "ja": "東京"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_json_ld_states_the_memorandums_date_place_and_signatories_as_the_document_does(
    client, japan, language
):
    # “… have signed the Memorandum of Cooperation in Tokyo on 11 May 2017”
    memorandum = japan.agreements.get()
    path = in_language(memorandum.get_absolute_url(), language)

    [node] = of_type(head(client.get(path)).graph(), "CreativeWork")

    assert node["url"] == node["@id"] == f"http://testserver{path}"
    assert node["dateCreated"] == "2017-05-11"
    assert node["locationCreated"] == {"@type": "Place", "name": SIGNED_IN[language]}
    assert node["inLanguage"] == language
    with translation.override(language):
        assert node["name"] == memorandum.localized("title")[0]
        assert [
            (p["@type"], p["name"], p["jobTitle"], p["worksFor"]["name"]) for p in node["creator"]
        ] == [
            ("Person", s.localized("name")[0], s.localized("job_title")[0], s.localized("party")[0])
            for s in memorandum.signatories.all()
        ]
    if language == "en":
        assert node["creator"][0]["name"] == "Guy Ryder"
        assert node["creator"][0]["jobTitle"] == "Director-General"
        assert node["creator"][1]["name"] == "Yasuhisa Shiozaki"
        assert node["creator"][1]["worksFor"]["name"] == "Ministry of Health, Labour and Welfare"


def test_json_ld_of_the_overview_names_the_organisation_its_people_and_its_agreement(client, japan):
    nodes = head(client.get(in_language(japan.get_absolute_url(), "fr"))).graph()

    [organisation] = of_type(nodes, "Organization")
    assert organisation["name"] == "Organisation internationale du Travail"
    assert organisation["alternateName"] == "OIT"
    assert organisation["url"] == "http://testserver/fr/"
    people = {person["familyName"]: person for person in of_type(nodes, "Person")}
    assert set(people) == {r.family_name_fr or r.family_name for r in japan.representatives.all()}
    [memorandum] = of_type(nodes, "CreativeWork")
    assert memorandum["dateCreated"] == "2017-05-11"


def test_json_ld_describes_each_representative_as_a_person_with_job_and_employer(client, japan):
    path = reverse("partnerships:representative-list", args=["japan"])
    people = of_type(head(client.get(path)).graph(), "Person")

    gono = next(person for person in people if person["familyName"] == "GONO")
    assert gono["givenName"] == "Akiko"
    assert gono["honorificPrefix"] == "Ms"
    assert gono["jobTitle"] == "Advisor on international affairs"
    assert gono["worksFor"] == {
        "@type": "Organization",
        "name": "Japanese Trade Union Confederation",
        "alternateName": "JTUC-RENGO",
    }
    assert gono["memberOf"]["roleName"] == "ILO GB Member of Workers' organizations"
    assert gono["memberOf"]["memberOf"] == {"@id": "http://testserver/#organisation"}
    assert gono["url"] == "http://testserver/en/partners/japan/representatives/#akiko-gono"
    assert len(people) == japan.representatives.count()


def test_json_ld_of_the_home_page_is_the_organisation_and_its_site(client, japan):
    nodes = head(client.get(reverse("partnerships:partner-list"))).graph()
    assert [node["@type"] for node in nodes] == ["Organization", "WebSite"]
    assert nodes[1]["publisher"] == {"@id": nodes[0]["@id"]}


def test_json_ld_cannot_end_its_script_element_whatever_the_text(client):
    title = '</script><script>alert("x")</script><!-- & “quoted”'
    agreement = AgreementFactory(title=title, signed_in="</SCRIPT >")
    SignatoryFactory(agreement=agreement, name="<b>Someone</b>")

    response = client.get(agreement.get_absolute_url())

    html = response.content.decode()
    assert '<script>alert("x")' not in html
    [node] = of_type(head(response).graph(), "CreativeWork")
    assert node["name"] == title
    assert node["locationCreated"]["name"] == "</SCRIPT >"
    assert node["creator"][0]["name"] == "<b>Someone</b>"


def test_pages_without_records_to_describe_have_no_json_ld(client):
    project = ProjectFactory()
    assert head(client.get(project.get_absolute_url())).json_ld == []


# Pages that are not the public ones.


@pytest.mark.parametrize("is_published", [False, True], ids=["draft", "live with changes"])
def test_a_share_link_is_not_indexed_and_names_no_address_or_record(client, is_published):
    record = AgreementFactory(is_published=is_published, photo=upload())
    link = ShareLinkFactory(record=record)
    page = head(client.get(link.path))
    assert page.one("robots") == "noindex"
    assert page.link("canonical") == []
    assert [link for link in page.links if "hreflang" in link] == []
    assert not [key for key in page.meta if key.startswith(("og:", "twitter:"))]
    assert page.json_ld == []


def test_staff_previewing_a_draft_get_a_page_that_is_not_indexed_and_names_no_address(
    staff_client,
):
    for draft in [
        AgreementFactory(is_published=False),
        PartnerFactory(is_published=False),
    ]:
        page = head(staff_client.get(draft.get_absolute_url()))
        assert page.one("robots") == "noindex"
        assert page.link("canonical") == []
        assert "og:url" not in page.meta
        assert page.json_ld == []
        assert "application/atom+xml" not in {link.get("type") for link in page.links}


def test_staff_previewing_a_live_page_see_its_public_metadata(staff_client):
    agreement = AgreementFactory()
    page = head(staff_client.get(agreement.get_absolute_url()))
    assert "robots" not in page.meta
    assert page.link("canonical") == [f"http://testserver{agreement.get_absolute_url()}"]
