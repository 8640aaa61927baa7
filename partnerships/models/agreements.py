"""Signed instruments and who signed them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from ..translation import Translatable, translated
from .photos import Illustrated
from .publishing import ContentQuerySet, PartnerScoped, WebAddressField, partner_key


class SignatoryManager(models.Manager.from_queryset(ContentQuerySet)):
    def get_by_natural_key(self, partner_slug, agreement_slug, name):
        return self.get(
            agreement__partner__slug=partner_slug, agreement__slug=agreement_slug, name=name
        )


class AgreementKind(models.TextChoices):
    MEMORANDUM_OF_COOPERATION = "memorandum-of-cooperation", _("Memorandum of Cooperation")
    MEMORANDUM_OF_UNDERSTANDING = "memorandum-of-understanding", _("Memorandum of Understanding")
    PARTNERSHIP_AGREEMENT = "partnership-agreement", _("Partnership agreement")
    JOINT_DECLARATION = "joint-declaration", _("Joint declaration")
    OTHER = "other", _("Other instrument")


@translated(
    "title",
    "headline",
    "signed_in",
    "summary",
    "body",
    "photo_alt",
    "photo_caption",
    "photo_credit",
)
class Agreement(Illustrated, PartnerScoped):
    """A signed instrument, such as the Memorandum of Cooperation of 2017."""

    display_field = "title"  # what headings and breadcrumbs show
    review_every_months = 24

    partner = partner_key("agreements")
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=40, choices=AgreementKind)
    headline = models.CharField(
        _("headline"),
        max_length=255,
        blank=True,
        help_text=_("The news headline, e.g. “Japan and ILO signed memorandum of cooperation”."),
    )
    signed_on = models.DateField(_("signed on"))
    signed_in = models.CharField(_("place of signing"), max_length=100, blank=True)
    visit_started_on = models.DateField(
        _("visit began on"),
        null=True,
        blank=True,
        help_text=_("The official visit during which it was signed, if any."),
    )
    visit_ended_on = models.DateField(_("visit ended on"), null=True, blank=True)
    summary = RichTextField(
        _("summary"), blank=True, help_text=_("What happened, in a paragraph or two.")
    )
    body = RichTextField(_("narrative"), blank=True)
    further_information_url = WebAddressField(
        _("further information (link)"),
        blank=True,
        help_text=_("Leave empty if there is no page to link to."),
    )

    class Meta(PartnerScoped.Meta):
        ordering = ["partner_id", "-signed_on", "title"]
        indexes = [
            *PartnerScoped.Meta.indexes,
            models.Index(fields=["partner", "-signed_on", "title"], name="agreement_order"),
            models.Index(fields=["partner", "kind"], name="agreement_kind"),
        ]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            *PartnerScoped.Meta.constraints,
            models.CheckConstraint(
                condition=Q(visit_started_on__isnull=True, visit_ended_on__isnull=True)
                | Q(
                    visit_started_on__isnull=False,
                    visit_ended_on__isnull=False,
                    visit_ended_on__gte=F("visit_started_on"),
                ),
                name="agreement_visit_dates_in_order",
                violation_error_message=_(
                    "A visit needs both dates, and it cannot end before it begins."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.signed_on:%Y})"


@translated("name", "job_title", "party")
class Signatory(Translatable):
    """A person who signed an agreement, and for whom."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(
        _("job title"), max_length=255, help_text=_("e.g. “Director-General”.")
    )
    party = models.CharField(
        _("signs for"),
        max_length=255,
        help_text=_("The party signing, e.g. “International Labour Organization (ILO)”."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SignatoryManager()

    class Meta:
        ordering = ["agreement_id", "position", "name"]
        indexes = [models.Index(fields=["agreement", "position", "name"], name="signatory_order")]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "name"],
                name="signatory_unique_per_agreement",
                violation_error_message=_("This person is already a signatory of the agreement."),
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.job_title}"

    def natural_key(self):
        return (*self.agreement.natural_key(), self.name)

    natural_key.dependencies = ["partnerships.agreement"]
