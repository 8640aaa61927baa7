"""English and Japanese: one set of records, two languages, honest about what is translated."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse, translate_url
from django.utils import translation

from partnerships.models import Agreement, Project
from tests.factories import AgreementFactory, PartnerFactory, ProjectFactory
from tests.helpers import MAX_QUERIES, _VisibleText, normalize, populate, public_urls, visible_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def in_language(url, language):
    """The same page in `language`; the URL resolves only in its own language."""
    with translation.override(url.split("/")[1]):
        return translate_url(url, language)


def japanese(url):
    return in_language(url, "ja")


class _InterfaceText(_VisibleText):
    """Visible text minus content shown in English (lang="en") and names (translate="no")."""

    def __init__(self):
        super().__init__()
        self.stack = []  # for each open element: does it start excluded content?
        self.excluded = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        starts = tag != "html" and (attrs.get("lang") == "en" or attrs.get("translate") == "no")
        if tag not in {"br", "img", "input", "link", "meta"}:
            self.stack.append(starts)
            self.excluded += starts
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in {"br", "img", "input", "link", "meta"} and self.stack:
            self.excluded -= self.stack.pop()
        super().handle_endtag(tag)

    def handle_data(self, data):
        if not self.excluded:
            super().handle_data(data)


def interface_text(response):
    parser = _InterfaceText()
    parser.feed(response.content.decode())
    return normalize("".join(parser.parts))


def english_fragments():
    """Phrases of the English interface whose Japanese differs: none may show on /ja/."""
    fragments = set()
    for entry in polib.pofile(str(CATALOGUE)):
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        if translated == entry.msgid:
            continue
        for part in re.split(r"%\(\w+\)[sd]|\{\w+\}", entry.msgid):
            part = part.strip(" .,:;—-–()“”")
            if len(part.split()) >= 2 or (len(part) >= 6 and part.isalpha()):
                fragments.add(part)
    return fragments


def test_every_public_page_is_served_in_both_languages_with_the_same_facts(client, japan):
    for url in public_urls(japan):
        english, japanese_page = client.get(url), client.get(japanese(url))
        assert english.status_code == japanese_page.status_code == 200, url
        for fact in ["Guy Ryder", "Yasuhisa Shiozaki", "Atsuyuki OIKE"]:
            assert (fact in visible_text(english)) == (fact in visible_text(japanese_page)), url


def test_japanese_pages_show_no_english_interface_text(client, japan):
    fragments = english_fragments()
    assert len(fragments) > 50  # the check really compares against the catalogue
    for url in public_urls(japan):
        text = interface_text(client.get(japanese(url)))
        leaked = sorted(fragment for fragment in fragments if fragment in text)
        assert leaked == [], url


def test_overview_formats_dates_numbers_and_money_per_language(client, japan):
    english = visible_text(client.get(japan.get_absolute_url()))
    for shown in [
        "11 May 2017",
        "10–13 May 2017",
        "about US$4 million per year",
        "more than 20 ILO member States",
    ]:
        assert shown in english
    japanese_text = visible_text(client.get(japanese(japan.get_absolute_url())))
    for shown in [
        "2017年5月11日",
        "2017年5月10日～13日",
        "年間約400万米ドル",
        "20を超えるILO加盟国",
    ]:
        assert shown in japanese_text


def test_html_lang_canonical_and_hreflang_alternates(client, japan):
    url = japan.agreements.get().get_absolute_url()
    html = client.get(japanese(url)).content.decode()
    assert '<html lang="ja">' in html
    assert f'<link rel="canonical" href="http://testserver{japanese(url)}">' in html
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{url}">' in html
    assert f'<link rel="alternate" hreflang="ja" href="http://testserver{japanese(url)}">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{url}">' in html


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


@pytest.mark.parametrize("source, target", [("en", "ja"), ("ja", "en")])
def test_language_switcher_leads_to_the_same_object(client, japan, source, target):
    for url in public_urls(japan):
        url = in_language(url, source)
        parser = _Links()
        parser.feed(client.get(url).content.decode())
        switch = [link for link in parser.links if link.get("hreflang") == target]
        assert len(switch) == 1, url
        assert switch[0]["href"] == in_language(url, target)
        assert switch[0]["lang"] == target
        assert client.get(switch[0]["href"]).status_code == 200


def test_switcher_keeps_the_page_number(client):
    partner = PartnerFactory()
    ProjectFactory.create_batch(25, partner=partner)
    url = reverse("partnerships:project-list", args=[partner.slug])
    html = client.get(url, {"page": 2}).content.decode()
    assert f'href="{japanese(url)}?page=2"' in html


def test_japanese_text_is_shown_where_there_is_one(client):
    project = ProjectFactory(name="Skills for green jobs", name_ja="グリーン・ジョブのための技能")
    html = client.get(japanese(project.get_absolute_url())).content.decode()
    text = visible_text(client.get(japanese(project.get_absolute_url())))
    assert "グリーン・ジョブのための技能" in text
    assert "Skills for green jobs" not in text
    assert '<h1><span lang="en">' not in html


def test_english_stands_in_for_missing_japanese_marked_as_such(client):
    project = ProjectFactory(name="Skills for green jobs", name_ja="")
    response = client.get(japanese(project.get_absolute_url()))
    html = response.content.decode()
    assert (
        '<h1><span lang="en">Skills for green jobs</span> <span class="lang-note">英語のみ' in html
    )
    assert "Skills for green jobs" in visible_text(response)


def test_english_pages_carry_no_english_only_notes(client, japan):
    for url in public_urls(japan):
        html = client.get(url).content.decode()
        assert 'lang="en"><span' not in html
        assert "English only" not in html, url


def test_untranslated_paragraphs_are_marked_as_a_block(client, japan):
    agreement = japan.agreements.get()
    html = client.get(japanese(agreement.get_absolute_url())).content.decode()
    assert '<div lang="en" class="untranslated">' in html


@pytest.mark.parametrize("rows", [1, 50])
def test_japanese_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries, rows):
    partner = PartnerFactory()
    populate(partner, rows)
    for url in public_urls(partner):
        with django_assert_max_num_queries(MAX_QUERIES, info=url):
            assert client.get(japanese(url)).status_code == 200


def test_editing_the_english_marks_the_japanese_stale():
    agreement = AgreementFactory(title="Memorandum", title_ja="覚書")
    assert agreement.translation_stale == []

    agreement.title = "Memorandum of Cooperation"
    agreement.save()
    assert agreement.translation_stale == ["title"]
    assert list(Agreement.objects.needs_translation()) == [agreement]
    assert agreement.translation_status()["title"] == "stale"

    agreement.title_ja = "協力覚書"
    agreement.save()
    assert agreement.translation_stale == []


def test_needs_translation_filter_lists_stale_and_missing_rows(admin_client):
    stale = ProjectFactory(name="Old name", name_ja="旧名称", description="")
    stale.name = "New name"
    stale.save()
    missing = ProjectFactory(name="Untranslated", name_ja="", description="")
    done = ProjectFactory(name="Translated one", name_ja="翻訳済み", description="")

    def listed(value):
        response = admin_client.get("/admin/partnerships/project/", {"translation": value})
        return {project.pk for project in response.context["cl"].result_list}

    assert listed("needed") == {stale.pk, missing.pk}
    assert listed("stale") == {stale.pk}
    assert listed("missing") == {missing.pk}
    assert listed("translated") == {done.pk}


def test_mark_japanese_current_action_clears_stale(admin_client):
    project = ProjectFactory(name="Old name", name_ja="旧名称")
    project.name = "New name"
    project.save()
    admin_client.post(
        "/admin/partnerships/project/",
        {"action": "mark_japanese_current", "_selected_action": [project.pk]},
    )
    project.refresh_from_db()
    assert project.translation_stale == []


def test_admin_edits_japanese_beside_english(admin_client):
    agreement = AgreementFactory()
    html = admin_client.get(f"/admin/partnerships/agreement/{agreement.pk}/change/").content
    html = html.decode()
    assert 'class="form-row field-title field-title_ja"' in html
    assert 'name="summary_ja"' in html
    assert 'name="signatories-__prefix__-party_ja"' in html


def test_reloading_the_fixture_keeps_an_editors_japanese(japan):
    project = Project.objects.get(slug="un-trust-fund-for-human-security")
    project.name_ja = "国連人間の安全保障基金"
    project.save()

    call_command("loaddata", "japan", verbosity=0)

    project.refresh_from_db()
    assert project.name_ja == "国連人間の安全保障基金"
    assert project.translation_stale == []


def test_reloading_a_fixture_with_new_english_marks_the_japanese_stale(japan):
    project = Project.objects.get(slug="un-trust-fund-for-human-security")
    project.name = "An older English name"
    project.name_ja = "国連人間の安全保障基金"
    project.save()

    call_command("loaddata", "japan", verbosity=0)

    project.refresh_from_db()
    assert project.name == "UN Trust Fund for Human Security"
    assert project.name_ja == "国連人間の安全保障基金"
    assert project.translation_stale == ["name"]


@pytest.mark.parametrize("stale", ["not-a-list", ["colour", "name"], None])
def test_saving_a_malformed_stale_list_keeps_only_translated_field_names(stale):
    project = ProjectFactory.build(name_ja="国連人間の安全保障基金", translation_stale=stale)
    project.partner.save()
    project.funding_channel.save()
    project.save()  # unvalidated, as code or a raw fixture save may do

    project.refresh_from_db()
    assert project.translation_stale == (["name"] if isinstance(stale, list) else [])


def test_saving_over_a_malformed_stale_list_in_the_database_works():
    project = ProjectFactory(name_ja="国連人間の安全保障基金")
    Project.objects.filter(pk=project.pk).update(translation_stale="not-a-list")
    project.name = "A new English name"
    project.save()

    project.refresh_from_db()
    assert project.translation_stale == ["name"]


def test_translation_overview_counts_the_fixture(admin_client, japan):
    response = admin_client.get(f"/admin/partnerships/partner/{japan.pk}/translation/")
    text = visible_text(response)
    assert "0 of 44 texts have a current Japanese translation (0%)" in text
    assert "Missing: 44. Out of date: 0." in text


def test_admin_speaks_japanese_to_japanese_editors(admin_client):
    AgreementFactory()
    response = admin_client.get("/admin/partnerships/agreement/", headers={"accept-language": "ja"})
    text = visible_text(response)
    assert "合意文書" in text
    assert "翻訳が必要" in text


def test_sitemap_lists_each_language_with_alternates(client, japan):
    xml = client.get("/sitemap.xml").content.decode()
    url = japan.agreements.get().get_absolute_url()
    assert f"<loc>http://testserver{url}</loc>" in xml
    assert f"<loc>http://testserver{japanese(url)}</loc>" in xml
    assert f'hreflang="ja" href="http://testserver{japanese(url)}"' in xml
    with translation.override("ja"):
        assert "/ja/partners/japan/representatives/" in xml


def test_sitemap_leaves_drafts_out(client):
    draft = ProjectFactory(is_published=False)
    assert draft.slug not in client.get("/sitemap.xml").content.decode()


LANGUAGES_IN_LOCALE = sorted(path.name for path in (ROOT / "locale").iterdir() if path.is_dir())


def test_every_catalogue_is_checked():
    assert {"ja", "fr", "es"} <= set(LANGUAGES_IN_LOCALE)


@pytest.mark.parametrize("language", LANGUAGES_IN_LOCALE)
def test_catalogue_is_complete_after_makemessages(tmp_path, language):
    """What `make messages` would write for `language` has no untranslated or fuzzy entry."""
    for name in ["manage.py", "config", "partnerships", "templates", "locale", "tests"]:
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", language, "--no-location"],
        cwd=tmp_path,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    catalogue = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
    for option in ["--untranslated", "--only-fuzzy"]:
        result = subprocess.run(
            ["msgattrib", option, "--no-obsolete", str(catalogue)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == "", result.stdout
