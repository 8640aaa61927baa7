"""The Django admin, as editors use it."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db.models import ProtectedError

from partnerships.models import Agreement, Partner, PrivateSupportActivity, Project
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
    ShareLinkFactory,
    SignatoryFactory,
    collection_factories,
    publishable_factories,
)
from tests.helpers import EXPIRES, GOES_LIVE, TICK, admin_url, visible_text
from tests.sixth_collection.models import Publication

pytestmark = pytest.mark.django_db

FACTORIES = {
    "partnerships.partner": PartnerFactory,
    "partnerships.representative": RepresentativeFactory,
    "partnerships.agreement": AgreementFactory,
    "partnerships.fundingchannel": FundingChannelFactory,
    "partnerships.project": ProjectFactory,
    "partnerships.privatesupportactivity": PrivateSupportActivityFactory,
    "partnerships.sharelink": ShareLinkFactory,
    "sixth_collection.publication": lambda: Publication.objects.create(
        partner=PartnerFactory(), slug="report", title="Report"
    ),
    "auth.user": lambda: User.objects.create_user("someone"),
    "auth.group": lambda: Group.objects.create(name="Translators"),
}
# Made by a changelist action on the record, never typed in: no add page.
NO_ADD_PAGE = {"partnerships.sharelink"}


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def test_anonymous_admin_redirects_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_every_registered_model_has_a_factory_here():
    assert {model._meta.label_lower for model in registered_models()} <= set(FACTORIES)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label_lower)
def test_superuser_opens_changelist_add_and_change_pages(admin_client, model):
    obj = FACTORIES[model._meta.label_lower]()
    for url in [
        admin_url(model, "changelist"),
        *([] if model._meta.label_lower in NO_ADD_PAGE else [admin_url(model, "add")]),
        admin_url(model, "change", obj.pk),
    ]:
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "factory", collection_factories(), ids=lambda factory: factory._meta.model.__name__
)
@pytest.mark.parametrize("rows", [1, 500])
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, factory, rows
):
    partner = PartnerFactory()
    model = factory._meta.model
    related = {"partner": partner}
    if any(field.name == "funding_channel" for field in model._meta.fields):
        related["funding_channel"] = FundingChannelFactory(partner=partner)
    model.objects.bulk_create(factory.build_batch(rows, **related))
    url = admin_url(model, "changelist")
    # Session, user, counts, rows, filters' choices: a fixed number, not one per row.
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert f"{rows} " in visible_text(response)


def test_publish_and_unpublish_actions(admin_client):
    projects = ProjectFactory.create_batch(3, is_published=False)
    url = admin_url(Project, "changelist")
    pks = [str(project.pk) for project in projects]

    response = admin_client.post(url, {"action": "publish", "_selected_action": pks}, follow=True)
    assert "3 items published." in visible_text(response)
    assert Project.objects.filter(is_published=True).count() == 3

    admin_client.post(url, {"action": "unpublish", "_selected_action": pks[:1]})
    assert Project.objects.filter(is_published=True).count() == 2


def test_editor_adds_an_agreement_with_signatories(admin_client):
    partner = PartnerFactory()
    response = admin_client.post(
        admin_url(Agreement, "add"),
        {
            "partner": partner.pk,
            "title": "Memorandum of Understanding",
            "slug": "mou-2024",
            "kind": "memorandum-of-understanding",
            "signed_on": "2024-06-10",
            "signed_in": "Geneva",
            "visit_started_on": "",
            "visit_ended_on": "",
            "is_published": "on",
            "signatories-TOTAL_FORMS": "1",
            "signatories-INITIAL_FORMS": "0",
            "signatories-0-name": "A Minister",
            "signatories-0-job_title": "Minister",
            "signatories-0-party": "A Ministry",
            "signatories-0-position": "1",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(slug="mou-2024")
    assert list(agreement.signatories.values_list("name", flat=True)) == ["A Minister"]


def test_visit_ending_before_it_begins_is_a_form_error(admin_client):
    agreement = AgreementFactory()
    response = admin_client.post(
        admin_url(Agreement, "change", agreement.pk),
        {
            "partner": agreement.partner.pk,
            "title": agreement.title,
            "slug": agreement.slug,
            "kind": agreement.kind,
            "signed_on": "2017-05-11",
            "visit_started_on": "2017-05-13",
            "visit_ended_on": "2017-05-10",
            "signatories-TOTAL_FORMS": "0",
            "signatories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot end before it begins" in visible_text(response)


def test_duplicate_slug_within_a_partner_is_a_form_error(admin_client):
    existing = ProjectFactory()
    response = admin_client.post(
        admin_url(Project, "add"),
        {
            "partner": existing.partner.pk,
            "funding_channel": existing.funding_channel.pk,
            "name": "Another",
            "slug": existing.slug,
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "already has an item with this slug" in visible_text(response)


def test_deleting_a_partner_with_content_is_refused(admin_client):
    project = ProjectFactory()
    partner = project.partner
    with pytest.raises(ProtectedError):
        partner.delete()
    response = admin_client.post(admin_url(Partner, "delete", partner.pk), {"post": "yes"})
    assert "Cannot delete" in visible_text(response)
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_autocomplete_finds_partners_by_name(admin_client):
    PartnerFactory(name="Japan")
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "Jap",
            "app_label": "partnerships",
            "model_name": "project",
            "field_name": "partner",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Japan"]


def test_change_page_links_to_the_public_page(admin_client):
    agreement = AgreementFactory()
    SignatoryFactory(agreement=agreement)
    html = admin_client.get(admin_url(Agreement, "change", agreement.pk)).content.decode()
    assert "View on site" in html


def test_translation_overview_needs_a_staff_login(client):
    partner = PartnerFactory()
    response = client.get(f"/admin/partnerships/partner/{partner.pk}/translation/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_translation_overview_of_an_unknown_partner_is_404(admin_client):
    for object_id in ["999999", "abc", "1%00", "1/2"]:
        url = f"/admin/partnerships/partner/{object_id}/translation/"
        assert admin_client.get(url).status_code == 404, object_id


def test_translation_overview_is_refused_to_staff_who_may_not_view_partners(
    client, django_user_model
):
    partner = PartnerFactory()
    user = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(user)
    response = client.get(f"/admin/partnerships/partner/{partner.pk}/translation/")
    assert response.status_code == 403


def project_form(project, **changes):
    return {
        "partner": project.partner.pk,
        "funding_channel": project.funding_channel.pk,
        "name": project.name,
        "slug": project.slug,
        "position": "0",
        "is_published": "on",
        **changes,
    }


def test_a_channel_of_another_partner_is_a_form_error(admin_client):
    project = ProjectFactory(partner__name="Japan")
    other = FundingChannelFactory(partner__name="Elsewhere", name="Their channel")
    response = admin_client.post(
        admin_url(Project, "change", project.pk),
        project_form(project, funding_channel=other.pk),
    )
    assert response.status_code == 200
    assert "Choose a funding channel of Japan: “Their channel” belongs to Elsewhere." in (
        visible_text(response)
    )
    project.refresh_from_db()
    assert project.funding_channel.partner == project.partner


def test_moving_a_project_to_another_partner_keeps_the_channel_check(admin_client):
    project = ProjectFactory()
    other_partner = PartnerFactory(name="Elsewhere")
    response = admin_client.post(
        admin_url(Project, "change", project.pk),
        project_form(project, partner=other_partner.pk),
    )
    assert response.status_code == 200
    assert "belongs to" in visible_text(response)
    project.refresh_from_db()
    assert project.partner != other_partner


def test_adding_an_activity_with_another_partners_channel_is_refused(admin_client):
    partner = PartnerFactory()
    other = FundingChannelFactory()
    response = admin_client.post(
        admin_url(PrivateSupportActivity, "add"),
        {
            "partner": partner.pk,
            "funding_channel": other.pk,
            "name": "Study tour",
            "slug": "study-tour",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "belongs to" in visible_text(response)
    assert not PrivateSupportActivity.objects.exists()


def autocomplete(admin_client, **params):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "", "app_label": "partnerships", "field_name": "funding_channel", **params},
    )
    return sorted(result["text"] for result in response.json()["results"])


def test_channel_autocomplete_offers_only_the_partners_channels(admin_client):
    project = ProjectFactory(funding_channel__name="Ours")
    FundingChannelFactory(name="Theirs")
    assert autocomplete(admin_client, model_name="project", partner=project.partner.pk) == ["Ours"]
    # The change form asks for exactly that.
    html = admin_client.get(admin_url(Project, "change", project.pk)).content.decode()
    assert f"/admin/autocomplete/?partner={project.partner.pk}" in html


def test_add_form_named_for_a_partner_offers_only_its_channels(admin_client):
    ours = FundingChannelFactory(name="Ours")
    FundingChannelFactory(name="Theirs")
    url = admin_url(PrivateSupportActivity, "add") + f"?partner={ours.partner.pk}"
    html = admin_client.get(url).content.decode()
    assert f"/admin/autocomplete/?partner={ours.partner.pk}" in html


PUBLISHABLE_FACTORIES = publishable_factories()


@pytest.mark.parametrize("factory", PUBLISHABLE_FACTORIES)
def test_change_form_has_the_schedule_beside_published(admin_client, factory):
    obj = factory()
    html = admin_client.get(admin_url(factory._meta.model, "change", obj.pk)).content.decode()
    published = html.index('name="is_published"')
    assert published < html.index('name="goes_live_at_0"') < html.index('name="expires_at_0"')


# The clock is set before the admin logs in (fixtures in order), so the session is current.
@pytest.mark.time_machine(GOES_LIVE, tick=False)
def test_editor_schedules_a_project(time_machine, admin_client):
    project = ProjectFactory()
    form = project_form(
        project,
        goes_live_at_0="2030-05-01",
        goes_live_at_1="08:30:00",
        expires_at_0="2030-06-01",
        expires_at_1="00:00:00",
        _publish="1",  # a live record: saved and published at once
    )
    response = admin_client.post(admin_url(Project, "change", project.pk), form)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.goes_live_at == datetime.datetime(2030, 5, 1, 8, 30, tzinfo=datetime.UTC)
    assert project.expires_at == datetime.datetime(2030, 6, 1, tzinfo=datetime.UTC)
    assert not Project.objects.published().exists()


def test_expiry_before_going_live_is_a_form_error(admin_client):
    project = ProjectFactory()
    form = project_form(
        project,
        goes_live_at_0="2030-05-01",
        goes_live_at_1="08:30:00",
        expires_at_0="2030-05-01",
        expires_at_1="08:00:00",
    )
    response = admin_client.post(admin_url(Project, "change", project.pk), form)
    assert response.status_code == 200
    assert "The expiry must come after the go-live time." in visible_text(response)
    project.refresh_from_db()
    assert project.goes_live_at is None


def schedule_rows():
    """A draft and one published project in each state, at GOES_LIVE."""
    return {
        "draft": ProjectFactory(name="Draft one", is_published=False, goes_live_at=EXPIRES),
        "live": ProjectFactory(name="Live one"),
        "live until": ProjectFactory(name="Live until one", expires_at=EXPIRES),
        "scheduled": ProjectFactory(name="Scheduled one", goes_live_at=GOES_LIVE + TICK),
        "expired": ProjectFactory(name="Expired one", expires_at=GOES_LIVE),
    }


@pytest.mark.time_machine(GOES_LIVE, tick=False)
@pytest.mark.parametrize(
    ("choice", "names"),
    [
        ("live", ["Live one", "Live until one"]),
        ("scheduled", ["Scheduled one"]),
        ("expired", ["Expired one"]),
        (None, ["Draft one", "Expired one", "Live one", "Live until one", "Scheduled one"]),
    ],
)
def test_schedule_filter_selects_live_scheduled_and_expired_rows(
    time_machine, admin_client, choice, names
):
    schedule_rows()
    response = admin_client.get(
        admin_url(Project, "changelist"), {"schedule": choice} if choice else {}
    )
    assert sorted(row.name for row in response.context["cl"].result_list) == names


@pytest.mark.time_machine(GOES_LIVE, tick=False)
def test_changelist_shows_each_rows_schedule(time_machine, admin_client):
    schedule_rows()
    text = visible_text(admin_client.get(admin_url(Project, "changelist")))
    for shown in [
        "Draft one",
        "Live one",
        "Live until one",
        "Live until 30 April 2030, 17:00",
        "Scheduled one",
        "Scheduled: goes live 1 April 2030, 09:00",
        "Expired one",
        "Expired 1 April 2030, 09:00",
    ]:
        assert shown in text
