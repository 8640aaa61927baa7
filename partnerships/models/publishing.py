"""What every piece of published content shares: publication state and
schedule, review dates, the one "what may the public see?" rule, and belonging
to a partner."""

import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce, Greatest, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..page_cache import InvalidatingQuerySet, day_after
from ..richtext import RichTextField
from ..translation import Translatable, TranslatableQuerySet
from .review import Reviewable, ReviewQuerySet


def may_preview(user, model):
    """Staff who may view a kind of content preview its drafts and held changes."""
    opts = model._meta
    return (
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


def live(now, path=""):
    """The condition for a row (or, through `path`, its parent) to be live at
    `now`: published, past its go-live time, not yet at its expiry."""
    prefix = f"{path}__" if path else ""
    return (
        Q(**{f"{prefix}is_published": True})
        & (Q(**{f"{prefix}goes_live_at__isnull": True}) | Q(**{f"{prefix}goes_live_at__lte": now}))
        & (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now}))
    )


def public_change():
    """When a live row last changed on the public pages, as far as its columns
    tell: its last save, or its go-live time when that came later (going live
    shows it with no save). For feeds and sitemaps' `lastmod`; meaningful for
    `published()` rows only. Coalesce: on SQLite, GREATEST of a NULL is NULL."""
    return Greatest("updated_at", Coalesce("goes_live_at", "updated_at"))


class ContentQuerySet(InvalidatingQuerySet, TranslatableQuerySet):
    """Rows public pages show: `update()` forgets the cached pages showing them."""


class PublishableQuerySet(ReviewQuerySet, ContentQuerySet):
    """Answers "what may the public see?" once, for every publishable model."""

    def published(self):
        """Live rows (published, within their schedule) whose parents (partner,
        channel) are live too.

        A parent of another partner (a row written past validation) hides the
        row: a public page never names or links to another partner's content.

        The schedule is compared with the application's clock, passed to the
        database as a value, not with the database's `Now()`: on PostgreSQL
        `Now()` is the transaction's start on the server's clock, which a test
        cannot freeze, and Python's clock is the one `is_public` reads. No cron
        job is needed: a scheduled row appears at its go-live time and
        disappears at its expiry by this filter alone.
        """
        now = timezone.now()
        condition = live(now)
        for path in self.model.published_with:
            field = self.model._meta.get_field(path)
            parent_public = live(now, path)
            if path in self.model.same_partner_links:
                parent_public &= Q(**{f"{path}__partner": F("partner")})
            if field.null:
                parent_public |= Q(**{f"{path}__isnull": True})
            condition &= parent_public
        return self.filter(condition)

    def visible_to(self, user):
        """Staff who may view this kind of content also see its drafts, to
        preview them; everyone else sees the public set."""
        return self.all() if may_preview(user, self.model) else self.published()

    def upcoming(self, now):
        """{name: aggregate} of the first moment after `now` at which a row
        changes on the public pages by itself: here, going live and expiring."""
        return {
            "goes_live": Min("goes_live_at", filter=Q(goes_live_at__gt=now)),
            "expires": Min("expires_at", filter=Q(expires_at__gt=now)),
        }

    def next_change(self, now):
        """When the published rows next change by themselves (so cached pages
        showing them must be rendered again), or None: in one query."""
        found = self.filter(is_published=True).aggregate(**self.upcoming(now))
        moments = [
            value if isinstance(value, datetime.datetime) else day_after(value)
            for value in found.values()
            if value is not None
        ]
        return min(moments, default=None)

    # The schedule of each row itself (its parents aside), for the admin.
    def live_now(self):
        return self.filter(live(timezone.now()))

    def scheduled(self):
        """Published, waiting for its go-live time."""
        return self.filter(is_published=True, goes_live_at__gt=timezone.now())

    def expired(self):
        """Published, past its expiry."""
        return self.filter(is_published=True, expires_at__lte=timezone.now())


class PartnerScopedManager(models.Manager.from_queryset(PublishableQuerySet)):
    """Rows are known by their partner's slug and their own (stable fixture keys)."""

    def get_by_natural_key(self, partner_slug, slug):
        return self.get(partner__slug=partner_slug, slug=slug)


class Publishable(Reviewable, Translatable):
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published items (of a published partner) are visible to the public."),
    )
    goes_live_at = models.DateTimeField(
        _("goes live at"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. A published item stays hidden from the public until this date and "
            "time, then appears by itself. Leave empty to show it as soon as it is published."
        ),
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. At this date and time the item disappears from the public pages by "
            "itself (it stays here, in the admin). Leave empty to keep it public."
        ),
    )
    # Deleting a record deletes its held changes (no column: a generic relation).
    pending_changes = GenericRelation("partnerships.PendingChange")
    created_at = models.DateTimeField(_("created"), db_default=Now(), editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    # Foreign keys whose target must be live for this row to be public.
    published_with = ()
    # Foreign keys whose target must belong to this row's partner.
    same_partner_links = ()

    class Meta:
        abstract = True
        # Django's four, plus "publish": `publish_<model>`, "Can publish <model>",
        # the permission to publish and unpublish (the Publishers group has it).
        # Subclasses keep it by deriving their Meta from this one.
        default_permissions = ("add", "change", "delete", "view", "publish")
        # The schedule: what goes live or expires when (the admin's filters,
        # the page cache's next change). Most rows have neither: partial indexes.
        indexes = [
            models.Index(
                fields=["goes_live_at"],
                condition=Q(goes_live_at__isnull=False),
                name="%(class)s_live",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(expires_at__isnull=False),
                name="%(class)s_exp",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(goes_live_at__isnull=True)
                | Q(expires_at__isnull=True)
                | Q(expires_at__gt=F("goes_live_at")),
                name="%(class)s_expires_after_going_live",
                violation_error_message=_("The expiry must come after the go-live time."),
            ),
        ]

    @property
    def schedule_state(self):
        """The row's own schedule, parents aside: for a published row "scheduled",
        "expired" or "live" (as `scheduled()`, `expired()` and `live_now()`
        select), None for a draft."""
        if not self.is_published:
            return None
        now = timezone.now()
        if self.goes_live_at is not None and self.goes_live_at > now:
            return "scheduled"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "live"

    @property
    def is_public(self):
        """The Python twin of `published()`, for one loaded row (draft banners)."""
        if self.schedule_state != "live":
            return False
        for path in self.published_with:
            parent = getattr(self, path)
            if parent is None:
                continue
            if parent.schedule_state != "live":
                return False
            if path in self.same_partner_links and parent.partner_id != self.partner_id:
                return False
        return True

    def publication_errors(self):
        """{field: ValidationError} for what keeps this row from being published
        (a photo without alt text or credit, `Illustrated`); checked by `clean()`
        when the row is published, and by the publish action row by row."""
        return {}

    def clean(self):
        super().clean()
        errors = self.publication_errors() if self.is_published else {}
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


class WebAddressField(models.URLField):
    """A link for visitors to follow: http or https only (no javascript:, data:, ftp:)."""

    default_validators = [
        URLValidator(
            schemes=["http", "https"],
            message=_("Enter a web address starting with http:// or https://."),
        )
    ]


def partner_key(related_name):
    """The link to the partner; PROTECT, so a partner with content cannot be deleted."""
    return models.ForeignKey(
        "partnerships.Partner",
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=_("partner"),
    )


class PartnerScoped(Publishable):
    """Content that belongs to one partner and has a slug unique within it.

    Each collection of a partner (partnerships.collections) is one of these.
    """

    slug = models.SlugField(_("slug"), max_length=255)

    published_with = ("partner",)
    objects = PartnerScopedManager()

    class Meta(Publishable.Meta):
        abstract = True
        indexes = [
            *Publishable.Meta.indexes,
            # A partner's drafts (the admin's "draft" filter): few, among many published.
            models.Index(
                fields=["partner"], condition=Q(is_published=False), name="%(class)s_drafts"
            ),
            # A partner's rows by their last public change, newest first: the
            # feed's newest entries and a list's lastmod, without a sort of them all.
            models.Index(
                F("partner"), public_change().desc(), F("id").desc(), name="%(class)s_changed"
            ),
        ]
        constraints = [
            *Publishable.Meta.constraints,
            models.UniqueConstraint(
                fields=["partner", "slug"],
                name="%(class)s_slug_unique_per_partner",
                violation_error_message=_("This partner already has an item with this slug."),
            ),
        ]

    def natural_key(self):
        return (*self.partner.natural_key(), self.slug)

    natural_key.dependencies = ["partnerships.partner"]

    def get_absolute_url(self):
        from ..collections import COLLECTIONS

        return COLLECTIONS.of(self).item_url(self)


class NamedItem(PartnerScoped):
    """A named, described, manually ordered item: a channel, project or activity."""

    display_field = "name"  # what headings and breadcrumbs show

    name = models.CharField(_("name"), max_length=255)
    description = RichTextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(PartnerScoped.Meta):
        abstract = True
        # By the partner's key, not its name: one index serves a partner's
        # list, its overview and the admin's list in this order.
        ordering = ["partner_id", "position", "name"]
        indexes = [
            *PartnerScoped.Meta.indexes,
            models.Index(fields=["partner", "position", "name"], name="%(class)s_order"),
        ]

    def __str__(self):
        return self.name
