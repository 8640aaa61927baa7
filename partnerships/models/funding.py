"""How the partner funds ILO work: channels, and the projects and privately
supported activities funded through them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..translation import translated
from .photos import Illustrated
from .publishing import NamedItem, partner_key


@translated("name", "description", "photo_alt", "photo_caption", "photo_credit")
class FundingChannel(Illustrated, NamedItem):
    """One of the numbered ways the partner funds ILO work."""

    partner = partner_key("funding_channels")
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Channels are numbered in this order.")
    )

    class Meta(NamedItem.Meta):
        verbose_name = _("funding channel")
        verbose_name_plural = _("funding channels")


def funding_channel_key(related_name, **options):
    """The channel an item is funded through; it must be one of the item's partner's."""
    return models.ForeignKey(
        FundingChannel,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=_("funding channel"),
        **options,
    )


class ChannelFunded(NamedItem):
    """An item funded through one of its partner's channels, and public only
    while that channel is."""

    published_with = ("partner", "funding_channel")
    same_partner_links = ("funding_channel",)

    class Meta(NamedItem.Meta):
        abstract = True


@translated("name", "description", "photo_alt", "photo_caption", "photo_credit")
class Project(Illustrated, ChannelFunded):
    """A programme or project funded through one of the partner's channels."""

    partner = partner_key("projects")
    funding_channel = funding_channel_key("projects")
    is_main_vehicle = models.BooleanField(
        _("main vehicle today"),
        default=False,
        help_text=_(
            "Tick for the programmes through which the partner's projects are currently "
            "mainly implemented; the overview names them."
        ),
    )

    class Meta(ChannelFunded.Meta):
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            *ChannelFunded.Meta.indexes,
            # The overview's main vehicles: a few among many, in the list's order.
            models.Index(
                fields=["partner", "position", "name"],
                condition=Q(is_main_vehicle=True),
                name="project_main_vehicles",
            ),
        ]


@translated("name", "description", "photo_alt", "photo_caption", "photo_credit")
class PrivateSupportActivity(Illustrated, ChannelFunded):
    """An ILO activity supported by the partner's businesses and associations."""

    partner = partner_key("private_support_activities")
    funding_channel = funding_channel_key(
        "private_support_activities",
        null=True,
        blank=True,
        help_text=_("Normally the Public-Private Partnerships channel."),
    )

    class Meta(ChannelFunded.Meta):
        verbose_name = _("private support activity")
        verbose_name_plural = _("private support activities")
