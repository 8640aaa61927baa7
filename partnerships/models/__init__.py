"""The content of a partner page: a Partner and the collections hung off it."""

from .agreements import Agreement, AgreementKind, Signatory
from .funding import FundingChannel, PrivateSupportActivity, Project
from .partners import Concern, Partner
from .people import ConstituentGroup, Honorific, Representative
from .photos import Illustrated
from .publishing import (
    NamedItem,
    PartnerScoped,
    Publishable,
    PublishableQuerySet,
    WebAddressField,
)
from .sharing import ShareLink
from .workflow import PendingChange

__all__ = [
    "Agreement",
    "AgreementKind",
    "Concern",
    "ConstituentGroup",
    "FundingChannel",
    "Honorific",
    "Illustrated",
    "NamedItem",
    "Partner",
    "PendingChange",
    "PartnerScoped",
    "PrivateSupportActivity",
    "Project",
    "Publishable",
    "PublishableQuerySet",
    "Representative",
    "ShareLink",
    "Signatory",
    "WebAddressField",
]
