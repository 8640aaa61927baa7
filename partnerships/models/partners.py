"""The partner a page is about, and the concerns its funded work responds to."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from ..translation import Translatable, translated
from .photos import Illustrated
from .publishing import ContentQuerySet, Publishable, PublishableQuerySet, partner_key


class PartnerManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ConcernManager(models.Manager.from_queryset(ContentQuerySet)):
    def get_by_natural_key(self, partner_slug, name):
        return self.get(partner__slug=partner_slug, name=name)


@translated(
    "name",
    "title",
    "adjective",
    "introduction",
    "development_heading",
    "cooperation_text",
    "photo_alt",
    "photo_caption",
    "photo_credit",
)
class Partner(Illustrated, Publishable):
    """The country or organisation a partnership page is about."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(
        _("page title"),
        max_length=255,
        help_text=_("The heading of the partner's page, e.g. “Partnerships with Japan”."),
    )
    adjective = models.CharField(
        _("adjective"),
        max_length=100,
        help_text=_("As in “Japanese-supported projects”: e.g. “Japanese”."),
    )
    introduction = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("The opening of the development section."),
    )
    development_heading = models.CharField(
        _("development section heading"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “Japan and the ILO: A partnership for development”."),
    )
    cooperation_text = RichTextField(
        _("cooperation text"),
        blank=True,
        inline=True,
        help_text=_(
            "How the funded work is done; it leads into the list of concerns below, in one "
            "sentence (links, bold and italic only)."
        ),
    )
    support_since_year = models.PositiveSmallIntegerField(
        _("support since (year)"),
        null=True,
        blank=True,
        help_text=_("The year the partner's support for the ILO began."),
    )
    annual_contribution_usd = models.PositiveBigIntegerField(
        _("annual contribution (US$)"),
        null=True,
        blank=True,
        help_text=_("The financial contribution to ILO project work per year, in US dollars."),
    )
    annual_contribution_is_approximate = models.BooleanField(
        _("contribution is approximate"),
        default=True,
        help_text=_("Shown as “about US$…”."),
    )
    member_states_lower_bound = models.PositiveSmallIntegerField(
        _("member States covered (more than)"),
        null=True,
        blank=True,
        help_text=_("Shown as “more than N ILO member States”."),
    )

    objects = PartnerManager()

    class Meta(Publishable.Meta):
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(support_since_year__isnull=True) | Q(support_since_year__gte=1919),
                name="partner_support_since_ilo_founding",
                violation_error_message=_("Support cannot predate the ILO's founding in 1919."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:partner-detail", kwargs={"partner_slug": self.slug})

    def natural_key(self):
        return (self.slug,)


@translated("name")
class Concern(Translatable):
    """A national concern the partner's funded work responds to."""

    partner = partner_key("concerns")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_(
            "Lower numbers come first. The overview names the first few concerns, in this "
            "order, as examples."
        ),
    )

    # How many the overview names (“…such as a, b and c”).
    shown_on_overview = 10

    objects = ConcernManager()

    class Meta:
        ordering = ["partner_id", "position", "name"]
        indexes = [models.Index(fields=["partner", "position", "name"], name="concern_order")]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "name"],
                name="concern_name_unique_per_partner",
                violation_error_message=_("This partner already lists that concern."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.partner.natural_key(), self.name)

    natural_key.dependencies = ["partnerships.partner"]
