"""Share links: a draft or a held change shown to a reviewer without an
account, at a signed, expiring, revocable address."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import ShareLink
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    RepresentativeFactory,
    ShareLinkFactory,
)
from tests.helpers import MAX_QUERIES, populate, visible_text
from tests.test_workflow import edit

pytestmark = pytest.mark.django_db

BANNER = {"en": "Shared for review — not public", "ja": "レビュー用の共有ページ（非公開）"}


def in_language(path, language):
    return path.replace("/en/", f"/{language}/", 1)


def tampered(path, index):
    """`path` with one character of its signed token changed."""
    prefix, token = path.rstrip("/").rsplit("/", 1)
    characters = list(token)
    characters[index] = "A" if characters[index] != "A" else "B"
    return f"{prefix}/{''.join(characters)}/"


@pytest.fixture
def draft_agreement():
    return AgreementFactory(title="Draft Memorandum", slug="draft", is_published=False)


@pytest.fixture
def live_agreement():
    return AgreementFactory(title="Memorandum of Tokyo", slug="moc")


# The shared page.


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_share_link_shows_a_draft_to_a_visitor(client, draft_agreement, language):
    link = ShareLinkFactory(record=draft_agreement)
    assert client.get(in_language(draft_agreement.get_absolute_url(), language)).status_code == 404

    response = client.get(in_language(link.path, language))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Draft Memorandum" in text
    assert BANNER[language] in text
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_share_link_shows_a_held_change_while_the_public_sees_the_live_page(
    admin_client, client, live_agreement, language
):
    edit(admin_client, live_agreement, title="Memorandum of Osaka")
    link = ShareLinkFactory(record=live_agreement)

    shared = visible_text(client.get(in_language(link.path, language)))
    assert "Memorandum of Osaka" in shared
    assert "Memorandum of Tokyo" not in shared
    assert BANNER[language] in shared
    public = visible_text(client.get(in_language(live_agreement.get_absolute_url(), language)))
    assert "Memorandum of Tokyo" in public
    assert "Memorandum of Osaka" not in public


def test_a_share_link_shows_a_draft_partner_overview(client):
    partner = PartnerFactory(
        name="Atlantis", title="Partnerships with Atlantis", is_published=False
    )
    link = ShareLinkFactory(record=partner)
    assert "Partnerships with Atlantis" in visible_text(client.get(link.path))


def test_a_share_link_shows_a_draft_channel_page(client):
    channel = FundingChannelFactory(name="Draft channel", is_published=False)
    link = ShareLinkFactory(record=channel)
    assert "Draft channel" in visible_text(client.get(link.path))


def test_a_draft_under_a_draft_partner_is_shown_with_its_partner(client):
    partner = PartnerFactory(title="Partnerships with Atlantis", is_published=False)
    agreement = AgreementFactory(partner=partner, title="Draft Memorandum", is_published=False)
    text = visible_text(client.get(ShareLinkFactory(record=agreement).path))
    assert "Draft Memorandum" in text
    assert "Partnerships with Atlantis" in text


@pytest.mark.parametrize("opened_by", ["client", "staff_client"])
def test_the_shared_page_shows_no_other_draft(request, opened_by):
    client = request.getfixturevalue(opened_by)
    partner = PartnerFactory()
    AgreementFactory(partner=partner, title="Another draft", is_published=False)
    AgreementFactory(partner=partner, title="Public memorandum")
    edit(request.getfixturevalue("admin_client"), partner, title="Partnerships, revised")
    link = ShareLinkFactory(record=partner)

    text = visible_text(client.get(link.path))
    assert "Partnerships, revised" in text
    assert "Public memorandum" in text
    assert "Another draft" not in text


def test_a_staff_member_opening_a_link_sees_what_the_reviewer_sees(staff_client, draft_agreement):
    response = staff_client.get(ShareLinkFactory(record=draft_agreement).path)
    text = visible_text(response)
    assert BANNER["en"] in text
    assert "Draft — not public" not in text
    assert reverse("admin:index") not in response.content.decode()


def test_the_language_switcher_keeps_the_share_link(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    html = client.get(link.path).content.decode()
    assert f'href="{in_language(link.path, "ja")}"' in html
    assert 'rel="canonical"' not in html


def test_a_share_link_without_language_prefix_redirects_to_one(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    response = client.get(link.path.removeprefix("/en"), follow=True)
    assert response.status_code == 200
    assert "Draft Memorandum" in visible_text(response)


def test_the_shared_page_is_not_cached_or_indexed(client, draft_agreement):
    response = client.get(ShareLinkFactory(record=draft_agreement).path)
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_public_pages_stay_indexable(client, live_agreement):
    response = client.get(live_agreement.get_absolute_url())
    assert "X-Robots-Tag" not in response.headers
    assert 'name="robots"' not in response.content.decode()


def test_opening_a_link_records_when(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    assert link.last_opened_at is None
    before = timezone.now()
    client.get(link.path)
    link.refresh_from_db()
    assert link.last_opened_at >= before


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("shared", ["partner", "agreement", "channel"])
def test_a_shared_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, rows, shared
):
    partner = PartnerFactory()
    channel = populate(partner, rows)
    record = {
        "partner": partner,
        "agreement": partner.agreements.first(),
        "channel": channel,
    }[shared]
    type(record).objects.filter(pk=record.pk).update(is_published=False)
    link = ShareLinkFactory(record=record)
    # The link, its visit and the held change, then what the public page runs.
    with django_assert_max_num_queries(3 + MAX_QUERIES):
        assert client.get(link.path).status_code == 200


# Links that do not work.


@pytest.mark.parametrize("index", [0, 20, -1], ids=["token-start", "token-middle", "signature"])
def test_a_tampered_link_is_404_without_asking_the_database(
    client, django_assert_num_queries, draft_agreement, index
):
    link = ShareLinkFactory(record=draft_agreement)
    with django_assert_num_queries(0):
        assert client.get(tampered(link.path, index)).status_code == 404
    assert client.get(link.path).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "a:b:c", "%E2%9C%93", "x" * 500])
def test_a_malformed_link_is_404(client, token):
    assert client.get(f"/en/share/{token}/").status_code == 404


def test_an_unknown_link_is_404(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    ShareLink.objects.filter(pk=link.pk).delete()
    assert client.get(link.path).status_code == 404


def test_an_expired_link_is_404(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    link.save()
    assert client.get(link.path).status_code == 404


def test_a_revoked_link_is_404(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    link.revoked_at = timezone.now()
    link.save()
    assert client.get(link.path).status_code == 404


def test_a_link_to_a_deleted_record_is_404(client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    draft_agreement.delete()
    assert client.get(link.path).status_code == 404


def test_a_link_to_a_representative_is_404(client):
    link = ShareLinkFactory(record=RepresentativeFactory(is_published=False))
    assert client.get(link.path).status_code == 404


def test_a_new_link_expires_in_seven_days():
    link = ShareLinkFactory()
    assert link.expires_at - timezone.now() == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(minutes=1)
    )
