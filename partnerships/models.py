"""The content of a partner page: a Partner and the collections hung off it."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .translation import Translatable, TranslatableQuerySet, translated


class PublishableQuerySet(TranslatableQuerySet):
    """Answers "what may the public see?" once, for every publishable model."""

    def published(self):
        """Published rows whose parents (partner, channel) are published too.

        A parent of another partner (a row written past validation) hides the
        row: a public page never names or links to another partner's content.
        """
        condition = Q(is_published=True)
        for path in self.model.published_with:
            field = self.model._meta.get_field(path)
            parent_public = Q(**{f"{path}__is_published": True})
            if path in self.model.same_partner_links:
                parent_public &= Q(**{f"{path}__partner": F("partner")})
            if field.null:
                parent_public |= Q(**{f"{path}__isnull": True})
            condition &= parent_public
        return self.filter(condition)

    def visible_to(self, user):
        """Staff who may view this kind of content also see its drafts, to
        preview them; everyone else sees the public set."""
        opts = self.model._meta
        if (
            user.is_active
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        ):
            return self.all()
        return self.published()


class PartnerScopedManager(models.Manager.from_queryset(PublishableQuerySet)):
    """Rows are known by their partner's slug and their own (stable fixture keys)."""

    def get_by_natural_key(self, partner_slug, slug):
        return self.get(partner__slug=partner_slug, slug=slug)


class Publishable(Translatable):
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published items (of a published partner) are visible to the public."),
    )
    created_at = models.DateTimeField(_("created"), db_default=Now(), editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    # Foreign keys whose target must be published for this row to be public.
    published_with = ()
    # Foreign keys whose target must belong to this row's partner.
    same_partner_links = ()

    class Meta:
        abstract = True

    @property
    def is_public(self):
        """The Python twin of `published()`, for one loaded row (draft banners)."""
        if not self.is_published:
            return False
        for path in self.published_with:
            parent = getattr(self, path)
            if parent is None:
                continue
            if not parent.is_published:
                return False
            if path in self.same_partner_links and parent.partner_id != self.partner_id:
                return False
        return True

    def clean(self):
        super().clean()
        errors = {}
        for path in self.same_partner_links:
            try:
                parent = getattr(self, path)
            except ObjectDoesNotExist:
                continue  # the field's own validation names the missing row
            if parent is not None and self.partner_id and parent.partner_id != self.partner_id:
                field = self._meta.get_field(path)
                errors[path] = ValidationError(
                    _("Choose a %(field)s of %(partner)s: “%(parent)s” belongs to %(other)s."),
                    code="other_partner",
                    params={
                        "field": field.verbose_name,
                        "partner": self.partner,
                        "parent": parent,
                        "other": parent.partner,
                    },
                )
        if errors:
            raise ValidationError(errors)


class PartnerManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ConcernManager(models.Manager.from_queryset(TranslatableQuerySet)):
    def get_by_natural_key(self, partner_slug, name):
        return self.get(partner__slug=partner_slug, name=name)


class SignatoryManager(models.Manager.from_queryset(TranslatableQuerySet)):
    def get_by_natural_key(self, partner_slug, agreement_slug, name):
        return self.get(
            agreement__partner__slug=partner_slug, agreement__slug=agreement_slug, name=name
        )


@translated("name", "title", "adjective", "introduction", "development_heading", "cooperation_text")
class Partner(Publishable):
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
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_(
            "The opening of the development section. Separate paragraphs with a blank line."
        ),
    )
    development_heading = models.CharField(
        _("development section heading"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “Japan and the ILO: A partnership for development”."),
    )
    cooperation_text = models.TextField(
        _("cooperation text"),
        blank=True,
        help_text=_("How the funded work is done; it leads into the list of concerns below."),
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
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


def partner_key(related_name):
    """The link to the partner; PROTECT, so a partner with content cannot be deleted."""
    return models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name=related_name, verbose_name=_("partner")
    )


@translated("name")
class Concern(Translatable):
    """A national concern the partner's funded work responds to."""

    partner = partner_key("concerns")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ConcernManager()

    class Meta:
        ordering = ["partner", "position", "name"]
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


class PartnerScoped(Publishable):
    """Content that belongs to one partner and has a slug unique within it."""

    slug = models.SlugField(_("slug"), max_length=255)

    published_with = ("partner",)
    objects = PartnerScopedManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (*self.partner.natural_key(), self.slug)

    natural_key.dependencies = ["partnerships.partner"]

    def url_kwargs(self):
        return {"partner_slug": self.partner.slug, "slug": self.slug}


def slug_unique_per_partner(model_name):
    return models.UniqueConstraint(
        fields=["partner", "slug"],
        name=f"{model_name}_slug_unique_per_partner",
        violation_error_message=_("This partner already has an item with this slug."),
    )


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


@translated("governing_body_role", "position", "organisation", "organisation_abbreviation")
class Representative(PartnerScoped):
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
    position = models.CharField(_("position"), max_length=255, help_text=_("Job title(s)."))
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    organisation_abbreviation = models.CharField(
        _("organisation abbreviation"), max_length=50, blank=True, help_text=_("e.g. “JTUC-RENGO”.")
    )
    photo = models.ImageField(_("photo"), upload_to="representatives/", blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first within a group.")
    )

    class Meta:
        ordering = ["partner", "order", "family_name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [slug_unique_per_partner("representative")]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        url = reverse(
            "partnerships:representative-list", kwargs={"partner_slug": self.partner.slug}
        )
        return f"{url}#{self.slug}"

    @property
    def full_name(self):
        return " ".join(filter(None, [self.honorific, self.given_name, self.family_name]))


class WebAddressField(models.URLField):
    """A link for visitors to follow: http or https only (no javascript:, data:, ftp:)."""

    default_validators = [
        URLValidator(
            schemes=["http", "https"],
            message=_("Enter a web address starting with http:// or https://."),
        )
    ]


class AgreementKind(models.TextChoices):
    MEMORANDUM_OF_COOPERATION = "memorandum-of-cooperation", _("Memorandum of Cooperation")
    MEMORANDUM_OF_UNDERSTANDING = "memorandum-of-understanding", _("Memorandum of Understanding")
    PARTNERSHIP_AGREEMENT = "partnership-agreement", _("Partnership agreement")
    JOINT_DECLARATION = "joint-declaration", _("Joint declaration")
    OTHER = "other", _("Other instrument")


@translated("title", "headline", "signed_in", "summary", "body", "photo_caption", "photo_credit")
class Agreement(PartnerScoped):
    """A signed instrument, such as the Memorandum of Cooperation of 2017."""

    display_field = "title"  # what headings and breadcrumbs show

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
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What happened, in a paragraph or two.")
    )
    body = models.TextField(
        _("narrative"), blank=True, help_text=_("Separate paragraphs with a blank line.")
    )
    photo = models.ImageField(_("photo"), upload_to="agreements/", blank=True)
    photo_caption = models.CharField(_("photo caption"), max_length=500, blank=True)
    photo_credit = models.CharField(
        _("photo credit"), max_length=255, blank=True, help_text=_("Shown after a © sign.")
    )
    further_information_url = WebAddressField(
        _("further information (link)"),
        blank=True,
        help_text=_("Leave empty if there is no page to link to."),
    )

    class Meta:
        ordering = ["partner", "-signed_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            slug_unique_per_partner("agreement"),
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

    def get_absolute_url(self):
        return reverse("partnerships:agreement-detail", kwargs=self.url_kwargs())


@translated("position", "party")
class Signatory(Translatable):
    """A person who signed an agreement, and for whom."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=255, help_text=_("e.g. “Director-General”.")
    )
    party = models.CharField(
        _("signs for"),
        max_length=255,
        help_text=_("The party signing, e.g. “International Labour Organization (ILO)”."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SignatoryManager()

    class Meta:
        ordering = ["agreement", "order", "name"]
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
        return f"{self.name}, {self.position}"

    def natural_key(self):
        return (*self.agreement.natural_key(), self.name)

    natural_key.dependencies = ["partnerships.agreement"]


@translated("name", "description")
class FundingChannel(PartnerScoped):
    """One of the numbered ways the partner funds ILO work."""

    display_field = "name"  # what headings and breadcrumbs show

    partner = partner_key("funding_channels")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Channels are numbered in this order.")
    )

    class Meta:
        ordering = ["partner", "position", "name"]
        verbose_name = _("funding channel")
        verbose_name_plural = _("funding channels")
        constraints = [slug_unique_per_partner("fundingchannel")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:fundingchannel-detail", kwargs=self.url_kwargs())


@translated("name", "description")
class Project(PartnerScoped):
    """A programme or project funded through one of the partner's channels."""

    display_field = "name"  # what headings and breadcrumbs show

    partner = partner_key("projects")
    funding_channel = models.ForeignKey(
        FundingChannel,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("funding channel"),
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    is_main_vehicle = models.BooleanField(
        _("main vehicle today"),
        default=False,
        help_text=_(
            "Tick for the programmes through which the partner's projects are currently "
            "mainly implemented; the overview names them."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    published_with = ("partner", "funding_channel")
    same_partner_links = ("funding_channel",)

    class Meta:
        ordering = ["partner", "position", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [slug_unique_per_partner("project")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:project-detail", kwargs=self.url_kwargs())


@translated("name", "description")
class PrivateSupportActivity(PartnerScoped):
    """An ILO activity supported by the partner's businesses and associations."""

    display_field = "name"  # what headings and breadcrumbs show

    partner = partner_key("private_support_activities")
    funding_channel = models.ForeignKey(
        FundingChannel,
        on_delete=models.PROTECT,
        related_name="private_support_activities",
        null=True,
        blank=True,
        verbose_name=_("funding channel"),
        help_text=_("Normally the Public-Private Partnerships channel."),
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    published_with = ("partner", "funding_channel")
    same_partner_links = ("funding_channel",)

    class Meta:
        ordering = ["partner", "position", "name"]
        verbose_name = _("private support activity")
        verbose_name_plural = _("private support activities")
        constraints = [slug_unique_per_partner("privatesupportactivity")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:privatesupportactivity-detail", kwargs=self.url_kwargs())
