"""Rich text: what survives sanitising, and that no script ever reaches the
database or a page, whether typed in the admin or loaded from a fixture."""

import importlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from partnerships.models import Partner, Project
from partnerships.richtext import EDITOR_STYLE_HASH, plain_text, sanitize
from tests.factories import PartnerFactory, ProjectFactory
from tests.helpers import change_url, edit, visible_text

pytestmark = pytest.mark.django_db

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
RICH_FIELDS = ["introduction", "introduction_fr", "cooperation_text", "cooperation_text_fr"]
ALLOWED = {
    "p": set(),
    "h3": set(),
    "h4": set(),
    "ul": set(),
    "ol": set(),
    "li": set(),
    "br": set(),
    "strong": set(),
    "em": set(),
    "a": {"href", "rel"},
}
FORBIDDEN_ON_PAGES = {"script", "iframe", "object", "embed", "svg", "math", "style", "base"}
DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)

migration = importlib.import_module("partnerships.migrations.0011_rich_text")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags(html):
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def dangerous_link(value):
    # As a browser reads a URL: entities decoded (by the parser), then leading
    # spaces and controls and any tab or newline inside dropped.
    value = re.sub(r"[\t\n\r]", "", value or "")
    value = re.sub(r"^[\x00-\x20]+", "", value)
    return bool(DANGEROUS_SCHEME.match(value))


def assert_safe_fragment(stored):
    """Only the allowlist: tags, attributes and link schemes."""
    for tag, attrs in tags(stored):
        assert tag in ALLOWED, stored
        for name, value in attrs:
            assert name in ALLOWED[tag], stored
            assert not dangerous_link(value), stored
    for needle in ["<script", "<iframe", "<svg", "<math", "<object", "<embed", "<style"]:
        assert needle not in stored.lower(), stored
    assert not re.search(r"<[^>]*\son\w+\s*=", stored, re.IGNORECASE), stored


def assert_safe_page(html):
    """A public page (which has no script of its own, only its JSON-LD data
    block) carries none of the payload."""
    page_tags = tags(html)
    json_ld = ("script", [("type", "application/ld+json")])
    assert page_tags.count(json_ld) <= 1
    for tag, attrs in page_tags:
        if (tag, attrs) == json_ld:
            continue
        assert tag not in FORBIDDEN_ON_PAGES, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action", "formaction", "xlink:href", "srcdoc"}:
                assert not dangerous_link(value), (tag, name, value)
        assert "style" not in dict(attrs), tag


# What survives


def test_links_lists_bold_and_headings_survive_sanitising():
    html = (
        "<h3>Results</h3><p>Read <strong>the report</strong> and <em>the annex</em>: "
        '<a href="/en/partners/japan/">overview</a>, <a href="mailto:info@example.org">mail</a>.'
        "</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><p>a<br>b</p>"
    )
    assert sanitize(html) == html


def test_external_links_get_noopener_and_internal_ones_do_not():
    html = sanitize(
        '<p><a href="https://www.ilo.org/tokyo" target="_blank" rel="opener">ILO Tokyo</a> '
        '<a href="/en/">home</a></p>'
    )
    assert html == (
        '<p><a href="https://www.ilo.org/tokyo" rel="noopener noreferrer">ILO Tokyo</a> '
        '<a href="/en/">home</a></p>'
    )
    assert sanitize(html) == html  # idempotent: saving twice changes nothing


def test_disallowed_markup_is_reduced_to_its_text():
    assert sanitize('<h1 class="x">Title</h1><div><span style="color:red">red</span></div>') == (
        "Titlered"
    )


def test_inline_rich_text_keeps_only_links_bold_and_italic_in_one_run():
    assert sanitize("<p>Working <strong>closely</strong></p><p>with <em>all</em></p>", True) == (
        "Working <strong>closely</strong> with <em>all</em>"
    )


def test_plain_text_excerpt_keeps_the_words_apart():
    assert plain_text("<p>one &amp; two</p><ul><li>three</li></ul><p>four<br>five</p>") == (
        "one & two three four five"
    )


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("inline", [False, True])
def test_sanitize_removes_every_known_xss_payload(payload, inline):
    assert_safe_fragment(sanitize(payload, inline=inline))


# Through the admin and the fixture, stored and rendered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_through_the_admin_change_form_is_neither_stored_nor_rendered(admin_client, payload):
    partner = PartnerFactory(is_published=False)
    response = edit(admin_client, partner, **dict.fromkeys(RICH_FIELDS, f"<p>ok</p>{payload}"))
    assert response.status_code == 302
    partner.refresh_from_db()
    for name in RICH_FIELDS:
        assert "ok" in getattr(partner, name)
        assert_safe_fragment(getattr(partner, name))

    Partner.objects.filter(pk=partner.pk).update(is_published=True)
    for language in ["en", "fr", "es"]:
        response = Client().get(partner.get_absolute_url().replace("/en/", f"/{language}/"))
        assert response.status_code == 200
        assert_safe_page(response.content.decode())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_through_a_fixture_is_neither_stored_nor_rendered(client, tmp_path, payload):
    fixture = tmp_path / "evil.json"
    fields = {
        "name": "Evilland",
        "slug": "evilland",
        "title": "Partnerships with Evilland",
        "adjective": "Evil",
        "is_published": True,
        **dict.fromkeys(RICH_FIELDS, f"<p>ok</p>{payload}"),
    }
    fixture.write_text(json.dumps([{"model": "partnerships.partner", "fields": fields}]))
    call_command("loaddata", str(fixture), verbosity=0)

    partner = Partner.objects.get(slug="evilland")
    for name in RICH_FIELDS:
        assert_safe_fragment(getattr(partner, name))
    for language in ["en", "fr", "ja"]:
        response = client.get(partner.get_absolute_url().replace("/en/", f"/{language}/"))
        assert response.status_code == 200
        assert_safe_page(response.content.decode())


def test_rendering_sanitises_again_what_bypassed_saving(client):
    partner = PartnerFactory()
    Partner.objects.filter(pk=partner.pk).update(
        introduction='<p onclick="x()">hi</p><script>alert(1)</script>'
    )
    html = client.get(partner.get_absolute_url()).content.decode()
    assert "<p>hi</p>" in html
    assert_safe_page(html)


def test_an_external_link_typed_in_the_admin_opens_without_opener(admin_client):
    project = ProjectFactory(is_published=False)
    description = (
        '<p>See <a href="https://www.ilo.org/">the ILO</a>:</p>'
        "<ul><li><strong>one</strong></li></ul>"
    )
    edit(admin_client, project, description=description)
    project.refresh_from_db()
    assert project.description == (
        '<p>See <a href="https://www.ilo.org/" rel="noopener noreferrer">the ILO</a>:</p>'
        "<ul><li><strong>one</strong></li></ul>"
    )
    Project.objects.filter(pk=project.pk).update(is_published=True)
    html = Client().get(project.get_absolute_url()).content.decode()
    assert '<a href="https://www.ilo.org/" rel="noopener noreferrer">the ILO</a>' in html
    assert "<ul><li><strong>one</strong></li></ul>" in html


def test_excerpts_on_list_pages_have_no_tags(client):
    project = ProjectFactory(description="<p>First <strong>bold</strong> words.</p><p>More.</p>")
    html = client.get(project.partner.get_absolute_url() + "projects/").content.decode()
    assert "<p>First bold words. More.</p>" in html


def test_english_stand_in_for_rich_text_is_marked_and_noticed(client):
    partner = PartnerFactory(introduction="<p>Only in English.</p>")
    response = client.get(partner.get_absolute_url().replace("/en/", "/fr/"))
    html = response.content.decode()
    assert '<div lang="en"><p>Only in English.</p></div>' in html
    assert "en anglais" in visible_text(response)


# The editor in the admin


def test_the_admin_edits_rich_text_with_the_prose_editor_from_our_static(admin_client):
    partner = PartnerFactory()
    response = admin_client.get(change_url(partner))
    html = response.content.decode()
    assert html.count("data-django-prose-editor-configurable") >= 2 * 4  # every language
    assert "/static/django_prose_editor/editor.js" in html
    head = html.split("<body")[0]
    assert not re.search(r'(src|href)="(https?:)?//', head)  # nothing from another site


def test_the_editors_import_map_is_allowed_by_its_hash_only(admin_client):
    response = admin_client.get(change_url(PartnerFactory()))
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src[0] == "'self'"
    assert len(script_src) == 2 and script_src[1].startswith("'sha256-")
    style_src = re.search(r"style-src ([^;]*)", policy).group(1).split()
    assert style_src == ["'self'", EDITOR_STYLE_HASH]
    assert "unsafe-inline" not in policy


def test_pages_without_an_editor_keep_the_strict_policy(admin_client):
    response = admin_client.get("/admin/")
    assert re.search(r"script-src ([^;]*)", response["Content-Security-Policy"]).group(1) == (
        "'self'"
    )


# The data migration


def test_migration_turns_plain_text_into_paragraphs():
    text = 'First paragraph\nwith a line break.\n\nSecond: 1 < 2 & "quotes".\r\n\r\n\n  Third  '
    assert migration.plain_text_to_html(text) == (
        "<p>First paragraph<br>with a line break.</p>"
        '<p>Second: 1 &lt; 2 &amp; "quotes".</p>'
        "<p>Third</p>"
    )


def test_migration_keeps_inline_text_one_run_and_escaped():
    assert migration.plain_text_to_html("such as <b>\nand & so", inline=True) == (
        "such as &lt;b&gt; and &amp; so"
    )


def test_migration_output_is_what_sanitising_keeps_and_reverses_losslessly():
    text = "One & two\nthree\n\nFour < five"
    html = migration.plain_text_to_html(text)
    assert sanitize(html) == html
    assert migration.html_to_plain_text(html) == text
    assert migration.plain_text_to_html("") == ""
