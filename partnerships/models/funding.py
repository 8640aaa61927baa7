"""How the partner funds ILO work: channels, and the projects and privately
supported activities funded through them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..translation import translated
from .photos import Illustrated
from .publishing import NamedItem, WebAddressField, partner_key


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
        # No index of its own: `ChannelFunded`'s (channel, position, name) serves
        # every lookup by channel, and in the order the pages show.
        db_index=False,
        **options,
    )


class ChannelFunded(NamedItem):
    """An item funded through one of its partner's channels, and public only
    while that channel is."""

    published_with = ("partner", "funding_channel")
    same_partner_links = ("funding_channel",)

    class Meta(NamedItem.Meta):
        abstract = True
        indexes = [
            *NamedItem.Meta.indexes,
            # A channel's items in the list's order: its page, and its first
            # items on the overview (a row number within each channel), read
            # in order instead of sorting every item of every channel.
            models.Index(fields=["funding_channel", "position", "name"], name="%(class)s_channel"),
        ]


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


@translated("name", "description", "supporter", "photo_alt", "photo_caption", "photo_credit")
class PrivateSupportActivity(Illustrated, ChannelFunded):
    """An ILO activity supported by the partner's businesses and associations."""

    partner = partner_key("private_support_activities")
    funding_channel = funding_channel_key(
        "private_support_activities",
        null=True,
        blank=True,
        help_text=_("Normally the Public-Private Partnerships channel."),
    )
    supporter = models.CharField(
        _("supported by"),
        max_length=255,
        blank=True,
        help_text=_(
            "The company or association that supports the activity, as it names itself. "
            "Leave empty when it is not known: the page then says “business and associations”."
        ),
    )
    started_year = models.PositiveSmallIntegerField(
        _("from (year)"), null=True, blank=True, help_text=_("The year the support began.")
    )
    ended_year = models.PositiveSmallIntegerField(
        _("until (year)"),
        null=True,
        blank=True,
        help_text=_("The year it ended; empty while it goes on, or for a single year."),
    )
    related_url = WebAddressField(
        _("related link"),
        max_length=500,
        blank=True,
        help_text=_("A page with more about the activity, e.g. on the organisation's site."),
    )

    class Meta(ChannelFunded.Meta):
        verbose_name = _("private support activity")
        verbose_name_plural = _("private support activities")
        constraints = [
            *ChannelFunded.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ended_year__isnull=True)
                | (Q(started_year__isnull=False) & Q(ended_year__gte=F("started_year"))),
                name="privatesupportactivity_years_in_order",
                violation_error_message=_(
                    "The year it ended needs the year it began, and cannot come before it."
                ),
            ),
        ]

    @property
    def period(self):
        """(first year, last year or None) of the support, or None when not recorded."""
        if self.started_year is None:
            return None
        return (self.started_year, self.ended_year)
