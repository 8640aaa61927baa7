"""Public pages: what visitors and staff see, and what it costs in queries."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from partnerships.collections import COLLECTIONS
from partnerships.models import Project
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
    collection_factories,
)
from tests.helpers import (
    EXPIRES,
    GOES_LIVE,
    MAX_QUERIES,
    SCHEDULE_BOUNDARIES,
    populate,
    public_list_urls,
    public_urls,
    sitemap_pages,
    sitemap_xml,
    visible_text,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 50])
def test_every_public_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, page_cache_off, rows
):
    partner = PartnerFactory()
    populate(partner, rows)
    for url in public_urls(partner):
        with django_assert_max_num_queries(MAX_QUERIES, info=url):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_staff_previews_run_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries, rows
):
    partner = PartnerFactory(is_published=False)
    populate(partner, rows)
    # The held-change lookup finds each model's content type once per process:
    # not a cost of the page (on a cold cache, the first preview failed alone).
    ContentType.objects.get_for_models(*apps.get_app_config("partnerships").get_models())
    # Session, user, permission (user's and groups') and held-change lookups
    # come on top of what a visitor costs.
    for url in public_urls(partner):
        with django_assert_max_num_queries(MAX_QUERIES + 5, info=url):
            assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "factory",
    [AgreementFactory, FundingChannelFactory, ProjectFactory, PrivateSupportActivityFactory],
)
def test_draft_detail_is_404_for_visitors(client, factory):
    item = factory(is_published=False)
    assert client.get(item.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "factory",
    [
        AgreementFactory,
        FundingChannelFactory,
        ProjectFactory,
        PrivateSupportActivityFactory,
        RepresentativeFactory,
    ],
)
def test_draft_appears_in_no_list_and_not_on_the_overview(client, factory):
    draft = factory(is_published=False, slug="the-draft")
    published = factory(partner=draft.partner, slug="the-published-one")
    name = getattr(draft, "title", None) or str(draft)
    urls = [draft.partner.get_absolute_url(), *public_list_urls(draft.partner)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert name not in visible_text(response), url
        assert "the-draft" not in response.content.decode(), url
    shown = getattr(published, "title", None) or str(published)
    assert shown in visible_text(client.get(draft.partner.get_absolute_url()))


def test_unpublished_partner_hides_everything_under_it(client):
    partner = PartnerFactory(is_published=False)
    populate(partner, 1)
    assert partner.title not in visible_text(client.get("/", follow=True))
    for url in public_urls(partner)[1:]:
        assert client.get(url).status_code == 404, url


def test_project_of_a_draft_channel_is_not_public(client):
    project = ProjectFactory(funding_channel__is_published=False)
    assert client.get(project.get_absolute_url()).status_code == 404
    assert project.name not in visible_text(client.get(project.partner.get_absolute_url()))


@pytest.mark.parametrize("factory", [ProjectFactory, PrivateSupportActivityFactory])
def test_row_pointing_at_another_partners_channel_is_never_shown(client, factory):
    """The leak: a published Japan row whose channel belongs to a draft partner,
    written past validation (`update()`), must not name or link that partner."""
    partner = PartnerFactory(slug="japan")
    populate(partner, 1)
    row = factory(partner=partner, name="Our programme")
    theirs = FundingChannelFactory(
        partner__slug="draft-partner", partner__is_published=False, name="Their channel"
    )
    type(row).objects.filter(pk=row.pk).update(funding_channel=theirs)

    urls = [url for url in public_urls(row.partner) if url != row.get_absolute_url()]
    pages = {url: client.get(url) for url in urls}
    assert all(response.status_code == 200 for response in pages.values())
    texts = {url: response.content.decode() for url, response in pages.items()}
    for url, html in {**texts, **sitemap_pages(client)}.items():
        assert "draft-partner" not in html, url
        assert "Their channel" not in html, url
        assert "Our programme" not in html, url
    assert client.get(row.get_absolute_url()).status_code == 404
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_staff_without_view_permission_get_a_draft_as_404(client, django_user_model):
    from django.contrib.auth.models import Permission

    agreement = AgreementFactory(is_published=False)
    user = django_user_model.objects.create_user("clerk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(user)
    assert client.get(agreement.get_absolute_url()).status_code == 404


def test_staff_see_a_banner_on_a_list_that_shows_drafts(staff_client):
    project = ProjectFactory(is_published=False)
    response = staff_client.get(reverse("partnerships:project-list", args=[project.partner.slug]))
    assert "Includes drafts — not public" in visible_text(response)


def test_list_of_a_draft_partner_carries_the_draft_banner(staff_client):
    partner = PartnerFactory(is_published=False)
    response = staff_client.get(reverse("partnerships:agreement-list", args=[partner.slug]))
    assert "Draft — not public" in visible_text(response)


def test_list_of_published_rows_has_no_draft_banner_for_staff(staff_client):
    project = ProjectFactory()
    text = visible_text(
        staff_client.get(reverse("partnerships:project-list", args=[project.partner.slug]))
    )
    assert "not public" not in text


def test_staff_see_a_draft_with_a_banner(staff_client):
    agreement = AgreementFactory(is_published=False)
    response = staff_client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    assert "Draft — not public" in visible_text(response)


def test_published_page_has_no_draft_banner_for_staff(staff_client):
    agreement = AgreementFactory()
    assert "Draft — not public" not in visible_text(staff_client.get(agreement.get_absolute_url()))


def test_staff_see_drafts_marked_in_lists(staff_client):
    project = ProjectFactory(is_published=False)
    response = staff_client.get(reverse("partnerships:project-list", args=[project.partner.slug]))
    assert f"{project.name} Draft" in visible_text(response)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "factory", collection_factories(), ids=lambda factory: factory._meta.model.__name__
)
def test_scheduled_item_is_on_every_page_from_go_live_until_expiry(
    client, time_machine, factory, language
):
    time_machine.move_to(GOES_LIVE - datetime.timedelta(days=1), tick=False)
    partner = PartnerFactory()
    channel = FundingChannelFactory(partner=partner)
    funded = factory in (ProjectFactory, PrivateSupportActivityFactory)
    item = factory(
        partner=partner,
        slug="the-scheduled-one",
        goes_live_at=GOES_LIVE,
        expires_at=EXPIRES,
        **({"funding_channel": channel} if funded else {}),
    )
    collection = COLLECTIONS.of(item)
    with translation.override(language):
        listings = [
            partner.get_absolute_url(),
            collection.list_url(partner),
            *([channel.get_absolute_url()] if funded else []),
        ]
        detail = collection.item_url(item) if collection.has_detail_pages else None

    for moment, public in SCHEDULE_BOUNDARIES:
        time_machine.move_to(moment, tick=False)
        for url in listings:
            response = client.get(url)
            assert response.status_code == 200, url
            shown = "the-scheduled-one" in response.content.decode()
            assert shown is public, (url, moment)
        sitemap = sitemap_xml(client)
        if detail:
            assert client.get(detail).status_code == (200 if public else 404), moment
            assert (f"http://testserver{detail}<" in sitemap) is public, moment


@pytest.mark.parametrize("language", ["en", "ja"])
def test_scheduled_partner_and_everything_under_it_appear_at_go_live_until_expiry(
    client, time_machine, language
):
    time_machine.move_to(GOES_LIVE - datetime.timedelta(days=1), tick=False)
    partner = PartnerFactory(slug="scheduled-partner", goes_live_at=GOES_LIVE, expires_at=EXPIRES)
    populate(partner, 1)
    with translation.override(language):
        home = reverse("partnerships:partner-list")
        pages = public_urls(partner)[1:]

    for moment, public in SCHEDULE_BOUNDARIES:
        time_machine.move_to(moment, tick=False)
        assert ("scheduled-partner" in client.get(home).content.decode()) is public, moment
        for url in pages:
            assert client.get(url).status_code == (200 if public else 404), (url, moment)
        sitemap = sitemap_xml(client)
        assert ("/scheduled-partner/" in sitemap) is public, moment


# The clock is set before staff log in (fixtures in order), so their session is current.
@pytest.mark.time_machine(GOES_LIVE - datetime.timedelta(days=1), tick=False)
def test_staff_preview_a_scheduled_item_under_a_banner_saying_when_it_goes_live(
    time_machine, staff_client
):
    agreement = AgreementFactory(goes_live_at=GOES_LIVE)
    response = staff_client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    assert "Scheduled — goes live on 1 April 2030, 09:00" in visible_text(response)
    overview = visible_text(staff_client.get(agreement.partner.get_absolute_url()))
    assert f"{agreement.title} Scheduled — goes live on 1 April 2030, 09:00" in overview
    with translation.override("ja"):
        japanese = visible_text(staff_client.get(agreement.get_absolute_url()))
    assert "公開予定 — 2030年4月1日9:00に公開されます" in japanese


@pytest.mark.time_machine(EXPIRES, tick=False)
def test_staff_preview_an_expired_item_marked_expired(time_machine, staff_client):
    project = ProjectFactory(expires_at=EXPIRES)
    assert "Expired — not public" in visible_text(staff_client.get(project.get_absolute_url()))
    listing = staff_client.get(reverse("partnerships:project-list", args=[project.partner.slug]))
    assert f"{project.name} Expired" in visible_text(listing)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "1.5", "", "%00", "9" * 40])
def test_odd_page_numbers_never_give_a_500(client, page):
    partner = PartnerFactory()
    populate(partner, 1)
    for url in [reverse("partnerships:partner-list"), *public_list_urls(partner)]:
        assert client.get(f"{url}?page={page}").status_code in {200, 404}


def test_pagination_links_keep_other_parameters(client):
    partner = PartnerFactory()
    ProjectFactory.create_batch(25, partner=partner)
    url = reverse("partnerships:project-list", args=[partner.slug])
    first = client.get(url, {"page": 1, "utm_source": "newsletter"})
    assert "Page 1 of 2" in visible_text(first)
    assert 'href="?page=2&amp;utm_source=newsletter"' in first.content.decode()
    second = client.get(url, {"utm_source": "newsletter", "page": 2})
    assert len(second.context["object_list"]) == 5
    assert 'href="?utm_source=newsletter&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "path",
    [
        "/partners/nowhere/",
        "/partners/nowhere/agreements/",
        "/partners/{partner}/agreements/nowhere/",
        "/partners/{partner}/projects/" + "x" * 500 + "/",
        "/partners/" + "y" * 1000 + "/",
        "/partners/{partner}/funding-channels/%E6%97%A5%E6%9C%AC/",
        "/partners/{partner}/unknown-collection/",
        "/no-such-page/",
    ],
)
def test_unknown_or_overlong_addresses_are_a_friendly_404(client, path, language):
    partner = PartnerFactory()
    response = client.get(f"/{language}" + path.format(partner=partner.slug))
    assert response.status_code == 404
    assert response.content.decode().count("<h1") == 1
    assert f'lang="{language}"' in response.content.decode()


def test_unknown_address_without_a_language_is_a_404():
    from django.test import Client

    assert Client().get("/no-such-page/").status_code == 404


def test_addresses_without_a_language_redirect_to_english(client):
    partner = PartnerFactory()
    response = client.get(f"/partners/{partner.slug}/")
    assert response.status_code == 302
    assert response.url == f"/en/partners/{partner.slug}/"


def test_home_lists_partners_with_headline_figures(client):
    PartnerFactory(
        name="Japan",
        title="Partnerships with Japan",
        support_since_year=1974,
        annual_contribution_usd=4_000_000,
        member_states_lower_bound=20,
    )
    text = visible_text(client.get("/", follow=True))
    assert "Partnerships with Japan" in text
    assert "Support since 1974" in text
    assert "about US$4 million per year" in text
    assert "more than 20 ILO member States" in text


@pytest.mark.parametrize(
    ("usd", "shown"),
    [(2_500_000, "US$2.5 million"), (40_000_000, "US$40 million"), (1_250_000, "US$1.25 million")],
)
def test_contribution_shows_decimals_only_when_needed(client, usd, shown):
    partner = PartnerFactory(annual_contribution_usd=usd)
    assert f"about {shown} per year" in visible_text(client.get(partner.get_absolute_url()))


def test_page_has_one_h1_landmarks_and_a_skip_link(client, japan):
    html = client.get(japan.get_absolute_url()).content.decode()
    assert html.count("<h1") == 1
    for landmark in ["<header", "<nav", "<main", "<footer"]:
        assert landmark in html
    assert 'href="#content"' in html and 'id="content"' in html
    assert 'lang="en"' in html


def test_pages_load_nothing_from_other_sites(client, japan):
    for url in public_urls(japan):
        html = client.get(url).content.decode()
        for attribute in ['src="http', "src='http", 'href="//', "@import"]:
            assert attribute not in html, url
        assert 'rel="stylesheet" href="/static/' in html


def test_breadcrumbs_lead_back_to_the_partner(client, japan):
    agreement = japan.agreements.get()
    text = visible_text(client.get(agreement.get_absolute_url()))
    assert "Home Partnerships with Japan Agreements Memorandum of Cooperation" in text


def test_server_error_page_is_friendly(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_home_without_a_language_follows_the_readers_preference(client):
    assert client.get("/", headers={"accept-language": "ja"}).url == "/ja/"
    assert client.get("/", headers={"accept-language": "fr-CH, fr;q=0.9"}).url == "/fr/"
    assert client.get("/", headers={"accept-language": "de"}).url == "/en/"


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_further_information_link_names_its_subject_not_click_here(client):
    agreement = AgreementFactory(
        title="Memorandum of Cooperation", further_information_url="https://www.ilo.org/moc"
    )
    html = client.get(agreement.get_absolute_url()).content.decode()
    assert (
        '<a href="https://www.ilo.org/moc" rel="external">'
        "Further information on the Memorandum of Cooperation</a>"
    ) in html
    assert "click here" not in html.lower()


def test_agreement_without_a_further_information_address_has_no_dead_link(client, japan):
    html = client.get(japan.agreements.get().get_absolute_url()).content.decode()
    assert "Further information" not in html
    assert "click here" not in html.lower()


def test_liveness_check_answers_without_the_database(client, django_db_blocker):
    with django_db_blocker.block():  # any database access fails the test
        response = client.get("/healthz")  # one address, whatever the language
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_agreement_list_names_the_signatories(client, japan):
    url = reverse("partnerships:agreement-list", args=[japan.slug])
    assert "Signatories: Guy Ryder, Yasuhisa Shiozaki" in visible_text(client.get(url))
    assert "署名者：ガイ・ライダー、塩崎恭久" in visible_text(
        client.get(url.replace("/en/", "/ja/"))
    )


# The design (issue 13): what each page shows a reader.


def test_header_names_the_organisation_and_links_to_its_main_site(client, japan, settings):
    settings.ORGANISATION_URL = "https://www.example.org/labour/"
    html = client.get(japan.get_absolute_url()).content.decode()
    assert '<a class="org-link" href="https://www.example.org/labour/">' in html
    assert "International Labour Organization" in visible_text(client.get(japan.get_absolute_url()))


def test_all_partners_is_not_a_link_on_the_page_it_names(client, japan):
    home = reverse("partnerships:partner-list")
    html = client.get(home).content.decode()
    assert f'href="{home}"' not in html
    assert '<span aria-current="page">All partners</span>' in html
    assert (
        f'<a href="{home}">All partners</a>'
        in client.get(japan.get_absolute_url()).content.decode()
    )


def test_footer_links_the_partners_sitemap_open_data_and_languages(client, japan):
    html = client.get(japan.get_absolute_url()).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for link in ['href="/sitemap.xml"', f'href="{reverse("api:docs")}"', 'lang="ja"']:
        assert link in footer
    assert f'href="{japan.get_absolute_url()}"' in footer


def test_overview_shows_a_single_agreement_once_under_its_headline(client, japan):
    html = client.get(japan.get_absolute_url()).content.decode()
    section = html[html.index('id="agreements"') : html.index('id="development"')]
    assert "Japan and ILO signed memorandum of cooperation</h2>" in section
    assert "<h3" not in section  # no “Memorandum of Cooperation” sub-heading under it
    agreement = japan.agreements.get()
    # …and its title as the link to its page.
    assert f'href="{agreement.get_absolute_url()}">Memorandum of Cooperation</a>' in section


def test_overview_shows_each_channel_with_its_description_and_projects(client, japan):
    text = visible_text(client.get(japan.get_absolute_url()))
    assert (
        "1. Japanese government Funding from the Government of Japan for ILO projects, including "
        "the ILO/Japan Multi-bilateral Programme. ILO/Japan Multi-bilateral Programme "
        "2. Cooperation through UN Funds"
    ) in text


def channel_projects_on_overview(client, partner):
    """{channel name: [the project names listed under it]} on the overview."""
    html = client.get(partner.get_absolute_url()).content.decode()
    listed = {}
    for block in html.split('<li class="channel">')[1:]:
        name = re.search(r'<p class="channel__name">.*?<a href="[^"]+">([^<]+)</a>', block).group(1)
        projects = block.split("</ul>")[0] if 'class="channel__projects"' in block else ""
        listed[name] = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', projects)
    return listed


def test_overview_names_each_channels_first_projects_in_the_lists_order(
    client, editor_client, page_cache_off
):
    """However many projects a channel has: the first three the project list
    shows, in its order; none that readers may not see."""
    partner = PartnerFactory()
    many, one, none = (
        FundingChannelFactory(partner=partner, name=name, position=position)
        for position, name in enumerate(["Many", "One", "None"])
    )
    for position, name in [(4, "E"), (2, "C"), (9, "F"), (1, "B"), (3, "D")]:
        ProjectFactory(partner=partner, funding_channel=many, name=name, position=position)
    ProjectFactory(
        partner=partner, funding_channel=many, name="A draft", position=0, is_published=False
    )
    ProjectFactory(partner=partner, funding_channel=one, name="Alone", position=7)
    theirs = ProjectFactory(partner=partner, funding_channel=one, name="Theirs", position=0)
    Project.objects.filter(pk=theirs.pk).update(partner=PartnerFactory())  # past validation

    assert channel_projects_on_overview(client, partner) == {
        "Many": ["B", "C", "D"],
        "One": ["Alone"],
        "None": [],
    }
    # Staff previewing see the draft in its place.
    assert channel_projects_on_overview(editor_client, partner)["Many"] == ["A draft", "B", "C"]


def test_overview_has_a_way_back_to_the_top_after_each_section(client, japan):
    html = client.get(japan.get_absolute_url()).content.decode()
    assert 'id="top"' in html
    assert html.count('<p class="back-to-top"><a href="#top">Back to top</a></p>') == 3


def test_channel_without_projects_says_what_it_is_and_links_onward(client, japan):
    channel = japan.funding_channels.get(slug="cooperation-with-eu-oecd")
    response = client.get(channel.get_absolute_url())
    text = visible_text(response)
    assert "No projects are listed" not in text
    assert "One of the ways in which Japan funds the work of the ILO." in text
    assert "Japanese cooperation with the ILO carried out together with the European Union" in text
    html = response.content.decode()
    assert f'href="{japan.get_absolute_url()}#development"' in html
    assert 'href="{}"'.format(reverse("partnerships:project-list", args=[japan.slug])) in html
    assert "Other funding channels" in text
    assert (
        'href="{}"'.format(
            japan.funding_channels.get(slug="japanese-government").get_absolute_url()
        )
        in html
    )


def test_channel_lists_its_projects_with_their_descriptions(client, japan):
    channel = japan.funding_channels.get(slug="japanese-government")
    ProjectFactory(
        partner=japan,
        funding_channel=channel,
        name="Skills for green jobs",
        description="<p>Green.</p>",
        is_main_vehicle=False,
    )
    text = visible_text(client.get(channel.get_absolute_url()))
    assert "ILO/Japan Multi-bilateral Programme A main vehicle today" in text
    assert "Skills for green jobs Green." in text


def test_private_support_page_shows_supporter_years_and_related_link(client, japan):
    activity = japan.private_support_activities.get(slug="support-through-human-resources")
    text = visible_text(client.get(activity.get_absolute_url()))
    # Not recorded in the document: the page says who supports such activities.
    assert "Supported by Japanese business and associations" in text
    assert "Funding channel Public-Private Partnerships" in text
    assert "Other activities African Cooperative Leaders' Study Tour" in text

    activity.supporter = "Japan Business Federation (KEIDANREN)"
    activity.started_year, activity.ended_year = 2008, 2012
    activity.related_url = "https://www.example.org/activity"
    activity.save()
    response = client.get(activity.get_absolute_url())
    text = visible_text(response)
    assert "Supported by Japan Business Federation (KEIDANREN)" in text
    assert "Years 2008–2012" in text
    assert 'href="https://www.example.org/activity" rel="external">More about this activity' in (
        response.content.decode()
    )

    activity.ended_year = None
    activity.save()
    assert "Since 2008" in visible_text(client.get(activity.get_absolute_url()))


def test_agreement_without_a_photo_shows_its_caption_with_no_photo_label(client, japan):
    agreement = japan.agreements.get()
    assert not agreement.photo
    text = visible_text(client.get(agreement.get_absolute_url()))
    assert "Photo:" not in text
    assert "Guy Ryder, Director-General of the ILO (L), with Yasuhisa Shiozaki" in text


def test_home_introduces_the_programme_and_gives_each_partner_a_line(client, japan):
    PartnerFactory.create_batch(19, support_since_year=1990)
    response = client.get(reverse("partnerships:partner-list"))
    text = visible_text(response)
    assert "Each partner has its own page" in text
    assert (
        "Partnerships with Japan Support since 1974 · about US$4 million per year · "
        "projects in more than 20 ILO member States"
    ) in text
    html = response.content.decode()
    assert html.count('<li class="partner-list__item">') == 20  # a list, not one card each
    assert html.count("Support since 1990") == 19
