import datetime

import factory
from factory.django import DjangoModelFactory

from partnerships.models import (
    Agreement,
    AgreementKind,
    Concern,
    ConstituentGroup,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
    Representative,
    ShareLink,
    Signatory,
)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Country {n}")
    slug = factory.Sequence(lambda n: f"country-{n}")
    title = factory.LazyAttribute(lambda o: f"Partnerships with {o.name}")
    adjective = factory.LazyAttribute(lambda o: f"{o.name}ese")
    development_heading = factory.LazyAttribute(lambda o: f"{o.name} and the ILO")
    introduction = "<p>A long-standing partnership.</p>"
    cooperation_text = "The funded projects respond to concerns such as"
    support_since_year = 1990
    annual_contribution_usd = 2_500_000
    member_states_lower_bound = 10
    is_published = True


class ConcernFactory(DjangoModelFactory):
    class Meta:
        model = Concern

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"concern {n}")
    position = factory.Sequence(int)


class RepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = Representative

    partner = factory.SubFactory(PartnerFactory)
    honorific = "Ms"
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"FAMILY{n}")
    slug = factory.Sequence(lambda n: f"representative-{n}")
    constituent_group = ConstituentGroup.WORKERS
    governing_body_role = "ILO GB Member"
    job_title = "Advisor"
    organisation = "A Confederation"
    is_published = True


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    partner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"Memorandum {n}")
    slug = factory.Sequence(lambda n: f"memorandum-{n}")
    kind = AgreementKind.MEMORANDUM_OF_COOPERATION
    headline = "Partner and ILO signed a memorandum"
    signed_on = datetime.date(2020, 3, 4)
    signed_in = "Geneva"
    visit_started_on = datetime.date(2020, 3, 3)
    visit_ended_on = datetime.date(2020, 3, 5)
    summary = "<p>A visit took place.</p>"
    body = "<p>The memorandum was signed.</p>"
    photo_caption = "Two signatories"
    photo_credit = "A ministry"
    is_published = True


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Signatory {n}")
    job_title = "Minister"
    party = "A Ministry"


class FundingChannelFactory(DjangoModelFactory):
    class Meta:
        model = FundingChannel

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    position = factory.Sequence(int)
    is_published = True


class ChannelFundedFactory(DjangoModelFactory):
    """Projects and activities, funded through a channel of their own partner."""

    class Meta:
        abstract = True

    partner = factory.SubFactory(PartnerFactory)
    funding_channel = factory.SubFactory(
        FundingChannelFactory, partner=factory.SelfAttribute("..partner")
    )
    is_published = True


class ProjectFactory(ChannelFundedFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    is_main_vehicle = True


class PrivateSupportActivityFactory(ChannelFundedFactory):
    class Meta:
        model = PrivateSupportActivity

    name = factory.Sequence(lambda n: f"Activity {n}")
    slug = factory.Sequence(lambda n: f"activity-{n}")


class ShareLinkFactory(DjangoModelFactory):
    """A link to a draft agreement; `link.path` is the address that opens it
    (made as the admin makes it: the token is not stored)."""

    class Meta:
        model = ShareLink

    record = factory.SubFactory(AgreementFactory, is_published=False)
    created_by = None

    @classmethod
    def _create(cls, model_class, record, created_by=None, **fields):
        link, path = model_class.create_for(record, created_by, **fields)
        link.path = path
        return link


# The factory of each model, for tests that go through every collection.
FACTORIES = {
    factory._meta.model: factory
    for factory in [
        PartnerFactory,
        ConcernFactory,
        RepresentativeFactory,
        AgreementFactory,
        SignatoryFactory,
        FundingChannelFactory,
        ProjectFactory,
        PrivateSupportActivityFactory,
    ]
}


def collection_factories():
    """The factory of each declared collection, in the declaration's order."""
    from partnerships.collections import COLLECTIONS

    return [FACTORIES[collection.model] for collection in COLLECTIONS]


def publishable_factories():
    """The factory of each kind of public content: partners, then the collections."""
    return [PartnerFactory, *collection_factories()]
