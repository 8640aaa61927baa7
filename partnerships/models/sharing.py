"""Share links: a draft or a held change shown to a reviewer without an account."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a new link works unless the publisher changes it.
LIFETIME = datetime.timedelta(days=7)

# Signatures made for share links are good for nothing else.
_signer = signing.Signer(salt="partnerships.sharelink")


def default_expiry():
    return timezone.now() + LIFETIME


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(revoked_at__isnull=True, expires_at__lte=timezone.now())

    def revoked(self):
        return self.filter(revoked_at__isnull=False)

    def opened(self, signed):
        """The active link a signed token from a URL names, or None.

        A token whose signature does not match (tampered, truncated, or signed
        for something else) is refused before the database is asked."""
        try:
            token = _signer.unsign(signed)
        except signing.BadSignature:
            return None
        links = self.active().select_related("content_type")
        return links.filter(token_hash=_digest(token)).first()


class ShareLink(models.Model):
    """A signed, expiring, revocable address at which one record's page can
    be read as staff preview it: its draft, or its held changes.

    Only a digest of the token is stored: the address is shown once, to the
    publisher who creates it."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(
        _("expires"),
        default=default_expiry,
        help_text=_(
            "After this the link opens nothing. Set a later time to give reviewers longer."
        ),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), db_default=Now(), editable=False)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True, editable=False)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return _("Share link for %(kind)s %(id)s") % {
            "kind": self.content_type.name,
            "id": self.object_id,
        }

    @classmethod
    def create_for(cls, record, user, **fields):
        """A new link to `record` and the path that opens it (the only time
        the path can be had: the token itself is not stored)."""
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
            object_id=record.pk,
            token_hash=_digest(token),
            created_by=user if user and user.is_authenticated else None,
            **fields,
        )
        return link, reverse("partnerships:shared-page", kwargs={"token": _signer.sign(token)})

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def mark_opened(self):
        """Record the visit in one query, without saving the rest of the row."""
        ShareLink.objects.filter(pk=self.pk).update(last_opened_at=timezone.now())
