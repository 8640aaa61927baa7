"""Every language of settings.LANGUAGES: one set of records, honest about what is translated.

The tests that exercise the machinery run for every target language in the
settings (and so for a language added only in test settings: see
test_extra_language.py); those about the shipped catalogues and content run
for French, Spanish and Japanese.
"""

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, translate_url
from django.utils import translation

from partnerships.models import Agreement, Partner, Project, Representative, Signatory
from partnerships.translation import target_languages, translation_field_name
from partnerships.translation_admin import count_statuses, needs_work, work_by_language
from tests.factories import AgreementFactory, PartnerFactory, ProjectFactory
from tests.helpers import (
    MAX_QUERIES,
    _VisibleText,
    normalize,
    populate,
    public_urls,
    sitemap_xml,
    visible_text,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "japan.json"
TARGETS = target_languages()
# The languages this project ships catalogues and content translations for.
SHIPPED = [code for code in ["fr", "es", "ja"] if code in TARGETS]


def catalogue(language):
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def in_language(url, language):
    """The same page in `language`; the URL resolves only in its own language."""
    with translation.override(url.split("/")[1]):
        return translate_url(url, language)


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


def english_fragments(language):
    """Phrases of the English interface whose translation differs: none may show
    on a page in `language`."""
    fragments = set()
    for entry in polib.pofile(str(catalogue(language))):
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        if translated == entry.msgid:
            continue
        for part in re.split(r"%\(\w+\)[sd]|\{\w+\}", entry.msgid):
            part = part.strip(" .,:;—-–()“”")
            long_enough = len(part.split()) >= 2 or (len(part) >= 6 and part.isalpha())
            if long_enough and part not in translated:  # a name kept in the translation
                fragments.add(part)
    return fragments


def english_content(language):
    """The fixture's English texts that read differently in `language`."""
    texts = set()
    for record in json.loads(FIXTURE.read_text()):
        fields = record["fields"]
        for name, english in fields.items():
            translated = fields.get(translation_field_name(name, language))
            if translated and translated != english and len(english) >= 4:
                texts.add(normalize(english))
    return texts


@pytest.mark.parametrize("language", TARGETS)
def test_every_public_page_is_served_in_every_language(client, japan, language):
    for url in public_urls(japan):
        response = client.get(in_language(url, language))
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", SHIPPED)
def test_pages_show_no_english_interface_text(client, japan, language):
    fragments = english_fragments(language)
    assert len(fragments) > 50  # the check really compares against the catalogue
    for url in public_urls(japan):
        text = interface_text(client.get(in_language(url, language)))
        leaked = sorted(fragment for fragment in fragments if fragment in text)
        assert leaked == [], url


@pytest.mark.parametrize("language", SHIPPED)
def test_pages_show_no_english_content_with_the_fixture(client, japan, language):
    english = english_content(language)
    assert len(english) > 40
    for url in public_urls(japan):
        response = client.get(in_language(url, language))
        text = visible_text(response)
        leaked = sorted(phrase for phrase in english if phrase in text)
        assert leaked == [], url
        assert "translation-notice" not in response.content.decode(), url


# Every fact of the document, as the overview in each language states it; the
# five funding channels in the document's order.
FACTS = {
    "en": {
        "facts": [
            "Mr Atsuyuki OIKE",
            "Ms Akiko GONO",
            "Ms Emiko NAGASAWA",
            "Japanese Trade Union Confederation (JTUC-RENGO)",
            "Japan Business Federation (KEIDANREN)",
            "11 May 2017",
            "10–13 May 2017",
            "Tokyo",
            "1974",
            "about US$4 million per year",
            "more than 20 ILO member States",
            "Guy Ryder",
            "Yasuhisa Shiozaki",
        ],
        "channels": [
            "Japanese government",
            "Cooperation through UN Funds",
            "Cooperation with European Union (EU) / Organisation for Economic Co-operation "
            "and Development (OECD)",
            "Cooperation through workers' and employers' organizations",
            "Public-Private Partnerships",
        ],
    },
    "fr": {
        "facts": [
            "M. Atsuyuki OIKE",
            "Mme Akiko GONO",
            "Mme Emiko NAGASAWA",
            "Confédération japonaise des syndicats (JTUC-RENGO)",
            "Fédération des entreprises du Japon (KEIDANREN)",
            "11 mai 2017",
            "du 10 au 13 mai 2017",
            "Tokyo",
            "1974",
            "environ 4 millions de dollars É.-U. par an",
            "plus de 20 États Membres de l’OIT",
            "Guy Ryder",
            "Yasuhisa Shiozaki",
        ],
        "channels": [
            "Gouvernement japonais",
            "Coopération par l’intermédiaire des fonds des Nations Unies",
            "Coopération avec l’Union européenne (UE) / l’Organisation de coopération et de "
            "développement économiques (OCDE)",
            "Coopération par l’intermédiaire des organisations de travailleurs et d’employeurs",
            "Partenariats public-privé",
        ],
    },
    "es": {
        "facts": [
            "Sr. Atsuyuki OIKE",
            "Sra. Akiko GONO",
            "Sra. Emiko NAGASAWA",
            "Confederación Japonesa de Sindicatos (JTUC-RENGO)",
            "Federación Empresarial del Japón (KEIDANREN)",
            "11 de mayo de 2017",
            "del 10 al 13 de mayo de 2017",
            "Tokio",
            "1974",
            "alrededor de 4 millones de dólares de los Estados Unidos al año",
            "más de 20 Estados Miembros de la OIT",
            "Guy Ryder",
            "Yasuhisa Shiozaki",
        ],
        "channels": [
            "Gobierno japonés",
            "Cooperación a través de fondos de las Naciones Unidas",
            "Cooperación con la Unión Europea (UE) / la Organización para la Cooperación y el "
            "Desarrollo Económicos (OCDE)",
            "Cooperación a través de las organizaciones de trabajadores y de empleadores",
            "Alianzas público-privadas",
        ],
    },
    "ja": {
        "facts": [
            "尾池 厚之",
            "郷野 晶子",
            "長沢 恵美子",
            "日本労働組合総連合会（連合）",
            "一般社団法人 日本経済団体連合会（経団連）",
            "2017年5月11日",
            "2017年5月10日～13日",
            "東京",
            "1974",
            "年間約400万米ドル",
            "20を超えるILO加盟国",
            "ガイ・ライダー",
            "塩崎恭久",
        ],
        "channels": [
            "日本政府",
            "国連基金を通じた協力",
            "欧州連合（EU）／経済協力開発機構（OECD）との協力",
            "労働者団体・使用者団体を通じた協力",
            "官民パートナーシップ",
        ],
    },
}


@pytest.mark.parametrize("language", ["en", *SHIPPED])
def test_overview_states_every_fact_of_the_document(client, japan, language):
    text = visible_text(client.get(in_language(japan.get_absolute_url(), language)))
    missing = [fact for fact in FACTS[language]["facts"] if normalize(fact) not in text]
    assert missing == []
    channels = [normalize(name) for name in FACTS[language]["channels"]]
    assert all(name in text for name in channels), channels
    assert [text.index(name) for name in channels] == sorted(text.index(n) for n in channels)


def test_a_choices_label_is_in_the_readers_language_each_time_it_is_asked():
    person = Representative(honorific="Ms", constituent_group="government")
    for language, honorific, group in [
        ("en", "Ms", "Government"),
        ("fr", "Mme", "Gouvernement"),
        ("es", "Sra.", "Gobierno"),
        ("ja", "Ms", "政府"),
        ("en", "Ms", "Government"),
    ]:
        with translation.override(language):
            assert person.get_honorific_display() == honorific
            assert person.get_constituent_group_display() == group
    # A value outside the choices (or none) is shown as it is, as Django shows it.
    assert Representative(honorific="Sir").get_honorific_display() == "Sir"
    assert Representative(honorific="").get_honorific_display() == ""


def test_html_lang_canonical_and_hreflang_alternates(client, japan):
    url = japan.agreements.get().get_absolute_url()
    for language in TARGETS:
        html = client.get(in_language(url, language)).content.decode()
        assert f'<html lang="{language}">' in html
        assert (
            f'<link rel="canonical" href="http://testserver{in_language(url, language)}">' in html
        )
        for code, _name in settings.LANGUAGES:
            alternate = f"http://testserver{in_language(url, code)}"
            assert f'<link rel="alternate" hreflang="{code}" href="{alternate}">' in html
        assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{url}">' in html


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


@pytest.mark.parametrize(
    "source, target", [pair for code in TARGETS for pair in (("en", code), (code, "en"))]
)
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
    for language in TARGETS:
        assert f'href="{in_language(url, language)}?page=2"' in html


@pytest.mark.parametrize("language", TARGETS)
def test_a_translation_is_shown_where_there_is_one(client, language):
    project = ProjectFactory(
        name="Skills for green jobs", **{f"name_{language}": f"Skills ({language})"}
    )
    response = client.get(in_language(project.get_absolute_url(), language))
    html = response.content.decode()
    assert f"Skills ({language})" in visible_text(response)
    assert "Skills for green jobs" not in visible_text(response)
    assert '<h1><span lang="en">' not in html


@pytest.mark.parametrize("language", TARGETS)
def test_english_stands_in_for_a_missing_translation_with_one_notice(client, language):
    project = ProjectFactory(name="Skills for green jobs", description="<p>A first paragraph.</p>")
    response = client.get(in_language(project.get_absolute_url(), language))
    html = response.content.decode()
    assert '<h1><span lang="en">Skills for green jobs</span></h1>' in html
    assert '<div lang="en"><p>A first paragraph.</p></div>' in html
    assert html.count('class="translation-notice"') == 1
    assert html.index('class="translation-notice"') < html.index("<h1>")
    assert "English only" not in html and "lang-note" not in html


@pytest.mark.parametrize("language", SHIPPED)
def test_with_one_translation_deleted_the_overview_says_so_once(client, japan, language):
    overview = in_language(japan.get_absolute_url(), language)
    assert "translation-notice" not in client.get(overview).content.decode()
    Partner.objects.filter(pk=japan.pk).update(**{f"introduction_{language}": ""})

    response = client.get(overview)
    html = response.content.decode()
    assert html.count('class="translation-notice"') == 1
    notice = {
        "fr": "Certaines parties de cette page ne sont pas encore disponibles en français",
        "es": "Algunas partes de esta página aún no están disponibles en español",
        "ja": "このページの一部はまだ日本語で提供されていないため、英語で表示しています。",
    }[language]
    assert notice in visible_text(response)
    assert '<div lang="en"><p>The Government of Japan and the ILO in Asia' in html
    assert "lang-note" not in html and "English only" not in html


@pytest.mark.parametrize("language", SHIPPED)
def test_no_sentence_frames_an_untranslated_partner_name(client, japan, language):
    Partner.objects.filter(pk=japan.pk).update(
        **{f"name_{language}": "", f"adjective_{language}": ""}
    )
    response = client.get(in_language(japan.get_absolute_url(), language))
    html = response.content.decode()
    # Each sentence around the name or adjective is wholly English, marked so...
    assert '<span lang="en">Japan’s financial contribution to ILO project work is' in html
    assert '<span lang="en">ILO activities supported by Japanese business and associations' in html
    # ...and the translated frames appear nowhere with the English words in them.
    text = interface_text(response)
    assert "Japan" not in text and "Japanese" not in text
    assert html.count('class="translation-notice"') == 1


def test_english_pages_carry_no_notice(client, japan):
    for url in public_urls(japan):
        html = client.get(url).content.decode()
        assert "translation-notice" not in html, url
        assert "<!--translation-notice-->" not in html, url


@pytest.mark.parametrize("language", TARGETS)
@pytest.mark.parametrize("rows", [1, 50])
def test_pages_run_a_fixed_number_of_queries_in_every_language(
    client, django_assert_max_num_queries, page_cache_off, rows, language
):
    partner = PartnerFactory()
    populate(partner, rows)
    for url in public_urls(partner):
        with django_assert_max_num_queries(MAX_QUERIES, info=url):
            assert client.get(in_language(url, language)).status_code == 200


def test_editing_the_english_marks_each_translation_out_of_date():
    agreement = AgreementFactory(
        title="Memorandum", **{f"title_{code}": f"Memorandum ({code})" for code in TARGETS}
    )
    assert agreement.translation_stale == {}

    agreement.title = "Memorandum of Cooperation"
    agreement.save()
    assert agreement.translation_stale == {code: ["title"] for code in TARGETS}
    assert list(Agreement.objects.needs_translation(TARGETS[-1])) == [agreement]
    assert agreement.translation_status(TARGETS[-1])["title"] == "stale"

    setattr(agreement, f"title_{TARGETS[-1]}", "Rewritten")
    agreement.save()
    assert agreement.translation_stale == {code: ["title"] for code in TARGETS[:-1]}
    assert agreement.translation_status(TARGETS[-1])["title"] == "approved"


def test_the_fixture_loads_its_translations_as_needing_review(japan):
    assert japan.translation_review == {
        code: [
            "adjective",
            "cooperation_text",
            "development_heading",
            "introduction",
            "name",
            "title",
        ]
        for code in SHIPPED
    }
    for code in SHIPPED:
        assert set(japan.translation_status(code).values()) == {"review"}


def test_unreviewed_translations_are_shown_unless_the_setting_is_off(client, japan, settings):
    overview = in_language(japan.get_absolute_url(), SHIPPED[-1])
    title = getattr(japan, f"title_{SHIPPED[-1]}")
    assert title in visible_text(client.get(overview))

    settings.SHOW_UNREVIEWED_TRANSLATIONS = False
    response = client.get(overview)
    assert title not in visible_text(response)
    assert '<span lang="en">Partnerships with Japan</span>' in response.content.decode()
    assert response.content.decode().count('class="translation-notice"') == 1

    Partner.objects.filter(pk=japan.pk).update(translation_review={})
    assert title in visible_text(client.get(overview))


def test_rewriting_a_translation_in_the_admin_approves_it(japan):
    language = SHIPPED[0]
    setattr(japan, f"title_{language}", "Partenariats avec le Japon (révisé)")
    japan.save()
    assert "title" not in japan.translation_review[language]
    assert "name" in japan.translation_review[language]


def changelist(client, model, **params):
    response = client.get(f"/admin/partnerships/{model}/", params)
    return {row.pk for row in response.context["cl"].result_list}


def test_translation_filter_finds_each_state_in_each_language(admin_client):
    first, last = TARGETS[0], TARGETS[-1]
    stale = ProjectFactory(
        name="Old name", description="", **{f"name_{code}": "Old" for code in TARGETS}
    )
    stale.name = "New name"
    stale.save()
    missing = ProjectFactory(name="Untranslated", description="")
    review = ProjectFactory(
        description="",
        translation_review={last: ["name"]},
        **{f"name_{code}": "Loaded" for code in TARGETS},
    )
    approved = ProjectFactory(description="", **{f"name_{code}": "Done" for code in TARGETS})

    assert changelist(admin_client, "project", translation="needed") == {
        stale.pk,
        missing.pk,
        review.pk,
    }
    assert changelist(admin_client, "project", translation=f"{first}:stale") == {stale.pk}
    assert changelist(admin_client, "project", translation=f"{first}:missing") == {missing.pk}
    assert changelist(admin_client, "project", translation=f"{last}:review") == {review.pk}
    assert changelist(admin_client, "project", translation=f"{first}:review") == set()
    assert changelist(admin_client, "project", translation=f"{first}:approved") == {
        review.pk,
        approved.pk,
    }
    assert changelist(admin_client, "project", translation=f"{last}:approved") == {approved.pk}


def test_approving_one_language_leaves_the_others_to_review(publisher_client, japan):
    response = publisher_client.post(
        "/admin/partnerships/partner/",
        {"action": f"approve_translations_{SHIPPED[0]}", "_selected_action": [japan.pk]},
        follow=True,
    )
    assert "Translations of 1 item approved." in visible_text(response)
    japan.refresh_from_db()
    assert set(japan.translation_review) == set(SHIPPED[1:])
    assert set(japan.translation_status(SHIPPED[0]).values()) == {"approved"}

    publisher_client.post(
        "/admin/partnerships/partner/",
        {"action": "approve_translations", "_selected_action": [japan.pk]},
    )
    japan.refresh_from_db()
    assert japan.translation_review == {}


def test_editors_may_not_approve_translations(editor_client, japan):
    response = editor_client.get("/admin/partnerships/partner/")
    offered = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert not {name for name in offered if name.startswith("approve_translations")}
    editor_client.post(
        "/admin/partnerships/partner/",
        {"action": "approve_translations", "_selected_action": [japan.pk]},
    )
    japan.refresh_from_db()
    assert japan.translation_review != {}


def test_mark_translations_current_action_clears_out_of_date(admin_client):
    project = ProjectFactory(name="Old name", **{f"name_{code}": "Old" for code in TARGETS})
    project.name = "New name"
    project.save()
    assert project.translation_stale
    admin_client.post(
        "/admin/partnerships/project/",
        {"action": "mark_translations_current", "_selected_action": [project.pk]},
    )
    project.refresh_from_db()
    assert project.translation_stale == {}


def test_admin_edits_every_language_beside_the_english(admin_client):
    agreement = AgreementFactory()
    html = admin_client.get(f"/admin/partnerships/agreement/{agreement.pk}/change/").content
    html = html.decode()
    row = " ".join(["field-title", *(f"field-title_{code}" for code in TARGETS)])
    assert f'class="form-row {row}"' in html
    for code in TARGETS:
        assert f'name="summary_{code}"' in html
        assert f'name="signatories-__prefix__-party_{code}"' in html


def test_changelist_shows_each_languages_work(admin_client, japan):
    Partner.objects.filter(pk=japan.pk).update(**{f"title_{SHIPPED[0]}": ""})
    text = visible_text(admin_client.get("/admin/partnerships/partner/"))
    assert f"{SHIPPED[0]} 1 missing, 5 to review" in text
    assert f"{SHIPPED[-1]} 6 to review" in text


def test_reloading_a_fixture_without_a_translation_keeps_the_editors(japan, tmp_path):
    project = Project.objects.get(slug="un-trust-fund-for-human-security")
    Project.objects.filter(pk=project.pk).update(name_ja="編集者の訳")
    fixture = tmp_path / "english-only.json"
    english_only = [
        {
            "model": "partnerships.project",
            "fields": {
                key: value
                for key, value in record["fields"].items()
                if key not in {f"{name}_{code}" for name in ["name"] for code in TARGETS}
            },
        }
        for record in json.loads(FIXTURE.read_text())
        if record["model"] == "partnerships.project"
        and record["fields"]["slug"] == "un-trust-fund-for-human-security"
    ]
    fixture.write_text(json.dumps(english_only))

    call_command("loaddata", str(fixture), verbosity=0)

    project.refresh_from_db()
    assert project.name_ja == "編集者の訳"
    assert "ja" not in project.translation_stale


def test_reloading_a_fixture_with_new_english_marks_the_translations_stale(japan, tmp_path):
    record = next(
        r
        for r in json.loads(FIXTURE.read_text())
        if r["model"] == "partnerships.project"
        and r["fields"]["slug"] == "un-trust-fund-for-human-security"
    )
    for code in TARGETS:
        record["fields"].pop(f"name_{code}", None)
    record["fields"]["name"] = "A newer English name"
    fixture = tmp_path / "new-english.json"
    fixture.write_text(json.dumps([record]))

    call_command("loaddata", str(fixture), verbosity=0)

    project = Project.objects.get(slug="un-trust-fund-for-human-security")
    assert project.name == "A newer English name"
    assert project.translation_stale == {code: ["name"] for code in SHIPPED}


@pytest.mark.parametrize(
    "stale", ["not-a-dict", ["name"], {"ja": ["colour", "name"], "xx": ["name"]}, None]
)
def test_saving_malformed_states_keeps_only_what_makes_sense(stale):
    project = ProjectFactory.build(name_ja="国連人間の安全保障基金", translation_stale=stale)
    project.partner.save()
    project.funding_channel.save()
    project.save()  # unvalidated, as code or a raw fixture save may do

    project.refresh_from_db()
    assert project.translation_stale == ({"ja": ["name"]} if isinstance(stale, dict) else {})


def test_saving_over_malformed_states_in_the_database_works():
    project = ProjectFactory(name_ja="国連人間の安全保障基金")
    Project.objects.filter(pk=project.pk).update(translation_stale="not-a-dict")
    project.name = "A new English name"
    project.save()

    project.refresh_from_db()
    assert project.translation_stale == {"ja": ["name"]}


def test_translation_overview_counts_each_language_and_state(admin_client, japan):
    url = f"/admin/partnerships/partner/{japan.pk}/translation/"
    response = admin_client.get(url)
    totals = response.context["totals"]
    texts = totals.texts
    assert texts == 57  # 52, and the five funding channels' descriptions
    for code in SHIPPED:
        assert totals.counts[code] == {"review": texts}

    Partner.objects.filter(pk=japan.pk).update(**{f"title_{SHIPPED[0]}": ""})
    admin_client.post(
        "/admin/partnerships/partner/",
        {"action": f"approve_translations_{SHIPPED[-1]}", "_selected_action": [japan.pk]},
    )
    response = admin_client.get(url)
    totals = response.context["totals"]
    assert totals.counts[SHIPPED[0]] == {"missing": 1, "review": texts - 1}
    assert totals.counts[SHIPPED[-1]] == {"approved": 6, "review": texts - 6}
    text = visible_text(response)
    assert "All content: 57 texts" in text


def test_translation_overview_counts_once_per_change_to_the_partners_content(admin_client, japan):
    """The counts are kept until the partner's content changes: a second look
    counts nothing; a save of one signatory shows on the next."""
    url = f"/admin/partnerships/partner/{japan.pk}/translation/"
    with CaptureQueriesContext(connection) as first:
        admin_client.get(url)
    with CaptureQueriesContext(connection) as again:
        texts = admin_client.get(url).context["totals"].texts
    counting = [q for q in first if "CASE WHEN" in q["sql"]]
    assert len(counting) >= 8
    assert not [q for q in again if "CASE WHEN" in q["sql"]]

    signatory = Signatory.objects.filter(agreement__partner=japan).first()
    setattr(signatory, translation_field_name("job_title", SHIPPED[0]), "")
    signatory.save()
    totals = admin_client.get(url).context["totals"]
    assert totals.counts[SHIPPED[0]] == {"missing": 1, "review": texts - 1}


def states_as_each_row_reports_them(queryset):
    """What the translation overview counted before the database did: each
    row's own `translation_status`, in Python."""
    texts, counts, work = 0, {}, []
    for item in queryset:
        for language in TARGETS:
            status = item.translation_status(language)
            texts += len(status) if language == TARGETS[0] else 0
            by_status = counts.setdefault(language, {})
            for state in status.values():
                by_status[state] = by_status.get(state, 0) + 1
        if work_by_language(item):
            work.append(item.pk)
    return texts, counts, work


def test_translation_overview_counts_in_the_database_as_each_row_reports_itself():
    """Every combination of English, translation, out of date and to review,
    and states written past the pre_save handler that make no sense, counted by
    the database as `translation_status` reports them row by row."""
    code, other = TARGETS[0], TARGETS[-1]
    cases = [
        {},
        {"states": ({code: ["name"]}, {})},
        {"states": ({}, {code: ["name"]})},
        {"states": ({code: ["name"]}, {code: ["name", "description"]})},
        {"states": ({other: ["description"]}, {code: ["description"]})},
        {"states": ({code: "name"}, {code: "name"})},
        {"states": ("not-a-dict", ["name"])},
        {"states": ({code: ["name"]}, {code: ["name"]}), "translation": ""},
        {"states": ({code: ["colour"]}, {"xx": ["name"]})},
        {"description": "", "states": ({code: ["description"]}, {code: ["description"]})},
    ]
    partner = PartnerFactory()
    for case in cases:
        project = ProjectFactory(
            partner=partner,
            description=case.get("description", "<p>English.</p>"),
            **{
                translation_field_name(name, language): case.get(
                    "translation", f"{name} {language}"
                )
                for name in ["name", "description"]
                for language in TARGETS
            },
        )
        stale, review = case.get("states", ({}, {}))
        Project.objects.filter(pk=project.pk).update(
            translation_stale=stale, translation_review=review
        )
    queryset = partner.projects.all()

    texts, counts, work = count_statuses(queryset)

    assert (texts, counts) == states_as_each_row_reports_them(queryset)[:2]
    assert work == len(states_as_each_row_reports_them(queryset)[2])
    listed = list(needs_work(queryset).values_list("pk", flat=True))
    assert listed == states_as_each_row_reports_them(queryset)[2]


def test_admin_speaks_japanese_to_japanese_editors(admin_client):
    AgreementFactory()
    response = admin_client.get("/admin/partnerships/agreement/", headers={"accept-language": "ja"})
    text = visible_text(response)
    assert "合意文書" in text
    assert "要確認" in text or "未翻訳" in text


def test_sitemap_lists_each_language_with_alternates(client, japan):
    xml = sitemap_xml(client)
    url = japan.agreements.get().get_absolute_url()
    for code, _name in settings.LANGUAGES:
        assert f"<loc>http://testserver{in_language(url, code)}</loc>" in xml
        assert f'hreflang="{code}" href="http://testserver{in_language(url, code)}"' in xml
        with translation.override(code):
            assert reverse("partnerships:representative-list", args=["japan"]) in xml


def test_sitemap_leaves_drafts_out(client):
    draft = ProjectFactory(is_published=False)
    assert draft.slug not in sitemap_xml(client)


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


def test_reloading_the_fixture_keeps_approvals_and_marks_replaced_text_for_review(japan):
    language = SHIPPED[0]
    Partner.objects.filter(pk=japan.pk).update(translation_review={})
    Partner.objects.filter(pk=japan.pk).update(**{f"title_{language}": "Un titre de l’éditeur"})

    call_command("loaddata", "japan", verbosity=0)

    japan.refresh_from_db()
    assert getattr(japan, f"title_{language}") == "Partenariats avec le Japon"
    # The fixture's text replaced the editor's: to review. The rest was approved
    # and is unchanged: still approved.
    assert japan.translation_review == {language: ["title"]}
