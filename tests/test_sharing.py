"""Share links: a draft or a held change shown to a reviewer without an
account, at a signed, expiring, revocable address."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from partnerships.admin import FundingChannelAdmin
from partnerships.models import Agreement, ShareLink
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    ProjectFactory,
    RepresentativeFactory,
    ShareLinkFactory,
)
from tests.helpers import MAX_QUERIES, edit, populate, visible_text

pytestmark = pytest.mark.django_db

BANNER = {"en": "Shared for review — not public", "ja": "レビュー用の共有ページ（非公開）"}


def in_language(path, language):
    return path.replace("/en/", f"/{language}/", 1)


def offered_actions(response):
    action_form = response.context["action_form"]
    return dict(action_form.fields["action"].choices) if action_form else {}


def changelist(model):
    return reverse(f"admin:partnerships_{model._meta.model_name}_changelist")


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


@pytest.fixture
def staff_user(django_user_model):
    """Staff who may view content but not change or publish it."""

    def make(*codenames):
        user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="partnerships", codename__in=codenames
            )
        )
        return user

    return make


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


# Creating links in the admin.


def create_links(client, model, *records):
    return client.post(
        changelist(model),
        {"action": "create_share_link", "_selected_action": [r.pk for r in records]},
        follow=True,
    )


def test_the_admin_action_creates_a_link_and_shows_its_address(
    admin_client, admin_user, client, draft_agreement
):
    response = create_links(admin_client, Agreement, draft_agreement)
    link = ShareLink.objects.get()
    assert link.record == draft_agreement
    assert link.created_by == admin_user
    [message] = [str(m) for m in response.context["messages"]]
    url = message.split('href="', 1)[1].split('"', 1)[0]
    assert url.startswith("http://testserver/en/share/")
    assert "Draft Memorandum" in visible_text(client.get(url))


def test_the_admin_action_creates_a_link_for_a_held_change(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Osaka")
    create_links(admin_client, Agreement, live_agreement)
    assert ShareLink.objects.get().record == live_agreement


def test_the_admin_action_makes_no_link_to_a_public_page(admin_client, live_agreement):
    response = create_links(admin_client, Agreement, live_agreement)
    assert not ShareLink.objects.exists()
    assert "is public and has no pending changes" in visible_text(response)


def test_representatives_are_not_offered_share_links(admin_client):
    RepresentativeFactory(is_published=False)
    response = admin_client.get(changelist(RepresentativeFactory._meta.model))
    assert "create_share_link" not in offered_actions(response)
    assert "create_share_link" in offered_actions(admin_client.get(changelist(Agreement)))


def test_staff_who_may_not_publish_cannot_create_links(client, staff_user, draft_agreement):
    # Viewing is not publishing (nor, until roles land, is it changing).
    client.force_login(staff_user("view_agreement"))
    assert "create_share_link" not in offered_actions(client.get(changelist(Agreement)))
    response = create_links(client, Agreement, draft_agreement)
    assert response.status_code == 200
    assert not ShareLink.objects.exists()


# The list of links.


def test_the_list_shows_who_shared_what_and_when(admin_client, admin_user, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement, created_by=admin_user)
    text = visible_text(admin_client.get(changelist(ShareLink)))
    assert "Draft Memorandum" in text
    assert admin_user.username in text
    assert "Active" in text
    assert f"Share link for agreement {link.object_id}" in text


@pytest.mark.parametrize("status", ["active", "expired", "revoked"])
def test_the_list_filters_by_status(admin_client, status):
    links = {
        "active": ShareLinkFactory(),
        "expired": ShareLinkFactory(expires_at=timezone.now() - datetime.timedelta(days=1)),
        "revoked": ShareLinkFactory(revoked_at=timezone.now()),
    }
    response = admin_client.get(changelist(ShareLink), {"status": status})
    assert list(response.context["cl"].result_list) == [links[status]]


def test_the_list_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    partner = PartnerFactory(is_published=False)
    for record in [
        *AgreementFactory.create_batch(20, partner=partner),
        *FundingChannelFactory.create_batch(20, partner=partner),
        *ProjectFactory.create_batch(20, partner=partner),
    ]:
        ShareLinkFactory(record=record)
    # As any changelist, and one query per kind of record shown.
    with django_assert_max_num_queries(12):
        response = admin_client.get(changelist(ShareLink))
    assert response.status_code == 200
    assert "60 share links" in visible_text(response)


def test_links_are_not_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:partnerships_sharelink_add")).status_code == 403


def test_a_publisher_revokes_a_link(admin_client, client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    admin_client.post(changelist(ShareLink), {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(link.path).status_code == 404


def test_a_publisher_revokes_only_links_to_what_they_may_publish(admin_client, monkeypatch):
    monkeypatch.setattr(
        FundingChannelAdmin, "has_publish_permission", lambda self, request, obj=None: False
    )
    agreement_link = ShareLinkFactory()
    channel_link = ShareLinkFactory(record=FundingChannelFactory(is_published=False))
    response = admin_client.post(
        changelist(ShareLink),
        {"action": "revoke", "_selected_action": [agreement_link.pk, channel_link.pk]},
        follow=True,
    )
    assert ShareLink.objects.revoked().get() == agreement_link
    assert "1 share link was left alone" in visible_text(response)


def test_a_publisher_extends_a_link(admin_client, client, draft_agreement):
    link = ShareLinkFactory(record=draft_agreement)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    later = timezone.localtime() + datetime.timedelta(days=3)
    response = admin_client.post(
        reverse("admin:partnerships_sharelink_change", args=[link.pk]),
        {"expires_at_0": later.date().isoformat(), "expires_at_1": later.strftime("%H:%M:%S")},
    )
    assert response.status_code == 302
    assert client.get(link.path).status_code == 200


def test_staff_who_may_not_publish_see_links_but_cannot_revoke_them(
    client, staff_user, draft_agreement
):
    link = ShareLinkFactory(record=draft_agreement)
    client.force_login(staff_user("view_agreement"))
    assert "Draft Memorandum" in visible_text(client.get(changelist(ShareLink)))
    change = reverse("admin:partnerships_sharelink_change", args=[link.pk])
    assert client.get(change).status_code == 200

    assert "revoke" not in offered_actions(client.get(changelist(ShareLink)))
    client.post(changelist(ShareLink), {"action": "revoke", "_selected_action": [link.pk]})
    expires_at = link.expires_at
    client.post(change, {"expires_at_0": "2099-01-01", "expires_at_1": "00:00:00"})
    link.refresh_from_db()
    assert link.revoked_at is None
    assert link.expires_at == expires_at


def test_staff_who_may_view_no_content_do_not_see_links(client, staff_user):
    ShareLinkFactory()
    client.force_login(staff_user())
    assert client.get(changelist(ShareLink)).status_code == 403


def test_a_link_to_a_deleted_record_is_listed_as_deleted(admin_client, draft_agreement):
    ShareLinkFactory(record=draft_agreement)
    draft_agreement.delete()
    assert "(deleted)" in visible_text(admin_client.get(changelist(ShareLink)))
