"""Model rules: what the public may see, and the invariants the database keeps."""

import datetime
import json

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from partnerships.models import (
    Agreement,
    ConstituentGroup,
    Partner,
    PrivateSupportActivity,
    Project,
    Representative,
)
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
)
from tests.helpers import EXPIRES, GOES_LIVE, SCHEDULE_BOUNDARIES, TICK

pytestmark = pytest.mark.django_db


def test_published_needs_the_partner_published_too():
    RepresentativeFactory(partner__is_published=False)
    assert not Representative.objects.published().exists()


def test_published_needs_the_funding_channel_published_too():
    ProjectFactory(funding_channel__is_published=False)
    assert not Project.objects.published().exists()


def test_activity_without_a_channel_can_be_public():
    activity = PrivateSupportActivityFactory(funding_channel=None)
    assert list(PrivateSupportActivity.objects.published()) == [activity]
    assert activity.is_public


def test_is_public_agrees_with_published():
    public = ProjectFactory()
    draft = ProjectFactory(is_published=False)
    draft_channel = ProjectFactory(funding_channel__is_published=False)
    assert [public.is_public, draft.is_public, draft_channel.is_public] == [True, False, False]
    assert list(Project.objects.published()) == [public]


@pytest.mark.parametrize(("moment", "public"), SCHEDULE_BOUNDARIES)
def test_scheduled_row_is_public_from_its_go_live_time_until_its_expiry(
    time_machine, moment, public
):
    project = ProjectFactory(goes_live_at=GOES_LIVE, expires_at=EXPIRES)
    time_machine.move_to(moment, tick=False)
    assert list(Project.objects.published()) == ([project] if public else [])
    assert project.is_public is public


@pytest.mark.parametrize(("moment", "public"), SCHEDULE_BOUNDARIES)
@pytest.mark.parametrize("parent", ["partner", "funding_channel"])
def test_a_parent_outside_its_schedule_hides_its_rows(time_machine, parent, moment, public):
    project = ProjectFactory(
        **{f"{parent}__goes_live_at": GOES_LIVE, f"{parent}__expires_at": EXPIRES}
    )
    time_machine.move_to(moment, tick=False)
    assert list(Project.objects.published()) == ([project] if public else [])
    assert Project.objects.get().is_public is public


@pytest.mark.parametrize(
    ("schedule", "state"),
    [
        ({}, "live"),
        ({"goes_live_at": GOES_LIVE + TICK}, "scheduled"),
        ({"expires_at": GOES_LIVE}, "expired"),
        ({"goes_live_at": GOES_LIVE - TICK, "expires_at": GOES_LIVE + TICK}, "live"),
        ({"is_published": False, "goes_live_at": GOES_LIVE - TICK}, None),
    ],
)
def test_schedule_state_agrees_with_the_schedule_querysets(time_machine, schedule, state):
    time_machine.move_to(GOES_LIVE, tick=False)
    agreement = AgreementFactory(**schedule)
    assert agreement.schedule_state == state
    selected = {
        name
        for name, rows in [
            ("live", Agreement.objects.live_now()),
            ("scheduled", Agreement.objects.scheduled()),
            ("expired", Agreement.objects.expired()),
        ]
        if agreement in rows
    }
    assert selected == ({state} if state else set())


def test_expiry_must_come_after_going_live():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(), goes_live_at=GOES_LIVE, expires_at=GOES_LIVE
    )
    with pytest.raises(ValidationError, match="expiry must come after the go-live time"):
        agreement.full_clean()


@pytest.mark.parametrize(
    "factory", [PartnerFactory, RepresentativeFactory, ProjectFactory, FundingChannelFactory]
)
def test_database_refuses_an_expiry_before_going_live(factory):
    with pytest.raises(IntegrityError):
        factory(goes_live_at=EXPIRES, expires_at=GOES_LIVE)


def test_staff_who_may_view_partners_see_drafts_visitors_do_not(django_user_model):
    from django.contrib.auth.models import AnonymousUser, Permission

    PartnerFactory(is_published=False)
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_partner"))
    assert Partner.objects.visible_to(staff).count() == 1
    assert Partner.objects.visible_to(AnonymousUser()).count() == 0


def test_staff_without_view_permission_see_only_the_public_set(django_user_model):
    from django.contrib.auth.models import Permission

    PartnerFactory(is_published=False)
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_project"))
    assert Partner.objects.visible_to(staff).count() == 0


def test_slug_is_unique_per_partner_not_globally():
    first = AgreementFactory(slug="moc")
    AgreementFactory(slug="moc")  # another partner: fine
    with pytest.raises(IntegrityError):
        AgreementFactory(slug="moc", partner=first.partner)


def test_visit_cannot_end_before_it_begins():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(),
        visit_started_on=datetime.date(2017, 5, 13),
        visit_ended_on=datetime.date(2017, 5, 10),
    )
    with pytest.raises(ValidationError, match="cannot end before it begins"):
        agreement.full_clean()


def test_visit_needs_both_dates():
    agreement = AgreementFactory.build(
        partner=PartnerFactory(), visit_started_on=datetime.date(2017, 5, 10), visit_ended_on=None
    )
    with pytest.raises(ValidationError, match="needs both dates"):
        agreement.full_clean()


def test_support_cannot_predate_the_ilo():
    partner = PartnerFactory.build(support_since_year=1900)
    with pytest.raises(ValidationError, match="1919"):
        partner.full_clean()


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.domain)", "data:text/html,hi", "ftp://example.org/a.pdf"]
)
def test_further_information_link_must_be_a_web_address(url):
    agreement = AgreementFactory.build(partner=PartnerFactory(), further_information_url=url)
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert error.value.message_dict == {
        "further_information_url": ["Enter a web address starting with http:// or https://."]
    }


def test_further_information_link_may_be_http_or_https():
    for url in ["http://www.ilo.org/tokyo", "https://www.ilo.org/tokyo"]:
        AgreementFactory.build(partner=PartnerFactory(), further_information_url=url).full_clean()


@pytest.mark.parametrize("field", ["translation_stale", "translation_review"])
@pytest.mark.parametrize(
    "states",
    [
        "not-a-dict",
        ["title"],  # the one-language form, before there were several
        {"ja": ["colour"]},
        {"xx": ["title"]},
        {"ja": "title"},
        {"ja": [["title"]]},
    ],
)
def test_translation_states_must_map_target_languages_to_translated_fields(field, states):
    partner = PartnerFactory.build(**{field: states})
    with pytest.raises(ValidationError) as error:
        partner.full_clean()
    assert list(error.value.message_dict) == [field]


@pytest.mark.parametrize("field", ["translation_stale", "translation_review"])
def test_translation_states_may_map_target_languages_to_translated_fields(field):
    PartnerFactory.build(**{field: {"fr": ["title", "introduction"], "ja": ["name"]}}).full_clean()


def test_constituent_groups_are_ordered_as_the_ilo_orders_them():
    partner = PartnerFactory()
    for group in [
        ConstituentGroup.EMPLOYERS,
        ConstituentGroup.WORKERS,
        ConstituentGroup.GOVERNMENT,
    ]:
        RepresentativeFactory(partner=partner, constituent_group=group)
    ordered = Representative.objects.order_by(ConstituentGroup.ordering())
    assert [r.constituent_group for r in ordered] == ["government", "workers", "employers"]


def test_timestamps_are_set_by_the_database_when_save_is_skipped():
    """loaddata saves raw rows: no field's pre_save runs, so only a database
    default can fill them (`auto_now` alone would leave them empty)."""
    partner = PartnerFactory()
    fields = {
        "partner": partner.pk,
        "slug": "oike",
        "given_name": "Atsuyuki",
        "family_name": "OIKE",
        "constituent_group": "government",
        "job_title": "Ambassador",
    }
    rows = serializers.deserialize(
        "json", json.dumps([{"model": "partnerships.representative", "fields": fields}])
    )
    for row in rows:
        row.save()
    representative = Representative.objects.get(slug="oike")
    assert representative.created_at is not None
    assert representative.updated_at is not None


def test_str_and_urls():
    agreement = AgreementFactory(title="Memorandum of Cooperation", slug="moc")
    partner = agreement.partner
    assert str(agreement) == "Memorandum of Cooperation (2020)"
    assert agreement.get_absolute_url() == f"/en/partners/{partner.slug}/agreements/moc/"
    representative = RepresentativeFactory(
        partner=partner, honorific="Mr", given_name="Atsuyuki", family_name="OIKE", slug="oike"
    )
    assert str(representative) == "Mr Atsuyuki OIKE"
    assert representative.get_absolute_url() == f"/en/partners/{partner.slug}/representatives/#oike"


def test_natural_keys_round_trip():
    agreement = AgreementFactory()
    assert Agreement.objects.get_by_natural_key(*agreement.natural_key()) == agreement


def test_a_channel_of_another_partner_fails_validation():
    project = ProjectFactory()
    project.funding_channel = FundingChannelFactory()
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "belongs to" in error.value.message_dict["funding_channel"][0]
    assert not project.is_public


def test_bulk_update_of_english_marks_existing_translations_out_of_date():
    translated = AgreementFactory(title="Old", title_fr="Ancien", title_ja="古い")
    untranslated = AgreementFactory(title="Old")
    Agreement.objects.filter(pk__in=[translated.pk, untranslated.pk]).update(title="New")
    translated.refresh_from_db()
    untranslated.refresh_from_db()
    assert translated.translation_stale == {"fr": ["title"], "ja": ["title"]}
    assert untranslated.translation_stale == {}


def test_bulk_update_of_a_translation_makes_it_current_and_approved():
    agreement = AgreementFactory(
        title="Old",
        title_fr="Ancien",
        title_ja="古い",
        translation_stale={"fr": ["title"], "ja": ["title"]},
        translation_review={"ja": ["title"]},
    )
    Agreement.objects.filter(pk=agreement.pk).update(title_ja="新しい")
    agreement.refresh_from_db()
    assert agreement.translation_stale == {"fr": ["title"]}
    assert agreement.translation_review == {}


@pytest.mark.parametrize(("started", "ended"), [(None, 2012), (2012, 2008)])
def test_private_support_years_must_be_in_order(started, ended):
    activity = PrivateSupportActivityFactory.build(
        partner=PartnerFactory(), started_year=started, ended_year=ended
    )
    activity.funding_channel = None
    with pytest.raises(ValidationError, match="cannot come before it"):
        activity.full_clean()
    with pytest.raises(IntegrityError):
        activity.save()
