"""Changes to live content held until a publisher publishes them."""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _


def followed(obj):
    """The child rows edited with a record (an agreement's signatories, a
    partner's concerns): `reversion`'s follow set, so history and held changes
    cover the same rows."""
    from reversion.revisions import _get_options, is_registered

    if not is_registered(type(obj)):
        return {}
    return {name: list(getattr(obj, name).all()) for name in _get_options(type(obj)).follow}


def snapshot(obj):
    """The record and its children as they stand in the database, serialised."""
    children = followed(obj)
    rows = [obj, *(child for rows in children.values() for child in rows)]
    return serializers.serialize("json", rows)


def same_content(first, second):
    """Do two snapshots hold the same content (whatever their timestamps)?"""

    def content(data):
        rows = json.loads(data)
        for row in rows:
            row["fields"].pop("updated_at", None)
        return rows

    return content(first) == content(second)


class PendingChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
        )

    def preview(self, record):
        """`record` as staff preview it: with its held changes, if it has any."""
        pending = self.for_object(record).first()
        return pending.preview(record) if pending else record

    def of_records(self, queryset):
        """The held changes of the rows of `queryset`."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id__in=queryset.values("pk"),
        )

    def exists_for(self, model):
        """An `Exists()` for annotating a queryset of `model` with "has pending changes"."""
        return Exists(
            self.filter(
                content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
            )
        )


class PendingChange(models.Model):
    """A saved edit of a published record (and its children), not yet public.

    The public keeps seeing the live rows; staff previews show this version;
    a publisher publishes it (written to the live rows) or discards it.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(help_text="The record and its children, serialised.")
    # Child rows that were live when the change was held: any other child in
    # `data` is new (its id was only lent by the rolled-back save).
    live_children = models.JSONField(default=dict)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["-changed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="pendingchange_one_per_record"
            ),
        ]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id}"

    @classmethod
    def hold(cls, obj, data, live_children, user, comment=""):
        pending, _created = cls.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
            defaults={
                "data": data,
                "live_children": live_children,
                "changed_by": user if user and user.is_authenticated else None,
                "comment": comment,
            },
        )
        return pending

    def rows(self):
        """(record, {accessor: [children]}) as held, unsaved."""
        objects = [row.object for row in serializers.deserialize("json", self.data)]
        record, children = objects[0], objects[1:]
        by_accessor = {}
        for name, live in followed(record).items():
            model = type(live[0]) if live else record._meta.get_field(name).related_model
            by_accessor[name] = [child for child in children if isinstance(child, model)]
        return record, by_accessor

    def preview(self, live):
        """The record as held, for staff previews: its held children in place
        of the live ones, and what `live` had fetched with it kept where the
        held version still points at the same rows."""
        record, children = self.rows()
        fetched = live._state.fields_cache
        for field in record._meta.concrete_fields:
            # Keys only: `live` may have been read for one reader's language
            # (`for_reader`), and reading a column it left out is a query.
            if not (field.is_relation and field.name in fetched):
                continue
            if getattr(record, field.attname) == getattr(live, field.attname):
                record._state.fields_cache[field.name] = fetched[field.name]
        prefetched = getattr(live, "_prefetched_objects_cache", {})
        record._prefetched_objects_cache = {**prefetched, **children}
        record.has_pending_changes = True
        return record

    @transaction.atomic
    def apply(self):
        """Write the held version to the live rows: the record, its children
        (new ones inserted, removed ones deleted)."""
        record, children = self.rows()
        record.save()
        for name, rows in children.items():
            live = set(self.live_children.get(name, []))
            kept = set()
            for child in rows:
                if child.pk not in live:
                    child.pk = None  # new in this change: insert it
                child.save()
                kept.add(child.pk)
            getattr(record, name).exclude(pk__in=kept).delete()
        return record

    def publish(self):
        with transaction.atomic():
            record = self.apply()
            self.delete()
        return record
