"""The people on a partner page: members of the ILO Governing Body."""

from django.db import models
from django.db.models import Case, F, Min, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..translation import translated
from .photos import Illustrated
from .publishing import PartnerScoped, PartnerScopedManager, PublishableQuerySet, partner_key


class ConstituentGroup(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    WORKERS = "workers", _("Workers")
    EMPLOYERS = "employers", _("Employers")

    @classmethod
    def ordering(cls):
        """Government, Workers, Employers: the ILO's order, not the alphabet's."""
        whens = [When(constituent_group=value, then=i) for i, value in enumerate(cls.values)]
        return Case(*whens, output_field=models.IntegerField())


class Honorific(models.TextChoices):
    MR = "Mr", _("Mr")
    MS = "Ms", _("Ms")
    MRS = "Mrs", _("Mrs")
    DR = "Dr", _("Dr")
    PROF = "Prof", _("Prof")


def term_ended():
    return Q(term_ends_on__lt=timezone.localdate())


class RepresentativeQuerySet(PublishableQuerySet):
    def published(self):
        """…and not past the end of their term: a former member is never shown as current."""
        return super().published().exclude(term_ended())

    def term_ended(self):
        return self.filter(term_ended())

    def upcoming(self, now):
        """…and the end of the last day of a term, when its member leaves the page."""
        today = timezone.localdate(now)
        return {
            **super().upcoming(now),
            "term_ends": Min("term_ends_on", filter=Q(term_ends_on__gte=today)),
        }


class RepresentativeManager(PartnerScopedManager.from_queryset(RepresentativeQuerySet)):
    pass


@translated(
    "given_name",
    "family_name",
    "governing_body_role",
    "job_title",
    "organisation",
    "organisation_abbreviation",
    "photo_alt",
    "photo_caption",
    "photo_credit",
)
class Representative(Illustrated, PartnerScoped):
    """A member of the ILO Governing Body from the partner country."""

    partner = partner_key("representatives")
    honorific = models.CharField(_("honorific"), max_length=10, choices=Honorific, blank=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(
        _("family name"), max_length=100, help_text=_("As the organisation writes it, e.g. “OIKE”.")
    )
    constituent_group = models.CharField(
        _("constituent group"), max_length=20, choices=ConstituentGroup
    )
    governing_body_role = models.CharField(
        _("Governing Body role"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “ILO GB Member of Workers' organizations”."),
    )
    job_title = models.CharField(
        _("job title"), max_length=255, help_text=_("Job title(s), e.g. “Senior Advisor”.")
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    organisation_abbreviation = models.CharField(
        _("organisation abbreviation"), max_length=50, blank=True, help_text=_("e.g. “JTUC-RENGO”.")
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first within a group.")
    )
    term_started_on = models.DateField(_("term from"), null=True, blank=True)
    term_ends_on = models.DateField(
        _("term until"),
        null=True,
        blank=True,
        help_text=_("After this day the member is no longer shown on the public pages."),
    )

    objects = RepresentativeManager()

    class Meta(PartnerScoped.Meta):
        ordering = ["partner_id", "position", "family_name"]
        indexes = [
            *PartnerScoped.Meta.indexes,
            # The admin's order, and the public pages' (by group first).
            models.Index(
                fields=["partner", "position", "family_name"], name="representative_order"
            ),
            models.Index(
                F("partner"),
                ConstituentGroup.ordering(),
                F("position"),
                F("family_name"),
                name="representative_group_order",
            ),
            models.Index(fields=["partner", "constituent_group"], name="representative_group"),
            models.Index(
                fields=["term_ends_on"],
                condition=Q(term_ends_on__isnull=False),
                name="representative_term_ends",
            ),
        ]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            *PartnerScoped.Meta.constraints,
            models.CheckConstraint(
                condition=Q(term_started_on__isnull=True)
                | Q(term_ends_on__isnull=True)
                | Q(term_ends_on__gte=F("term_started_on")),
                name="representative_term_ends_after_it_starts",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]

    @property
    def term_has_ended(self):
        return self.term_ends_on is not None and self.term_ends_on < timezone.localdate()

    @property
    def is_public(self):
        return super().is_public and not self.term_has_ended

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(filter(None, [self.honorific, self.given_name, self.family_name]))
