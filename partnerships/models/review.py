"""When each record's facts were last checked, and when they are due again.

Pages like a partner page go stale: a Governing Body member changes, an
agreement expires. Every public record has a "last reviewed on" date and an
interval (each kind's default, `review_every_months`, unless the record sets
its own); `review_due_on` is kept from them on every save, fixtures included,
so "overdue" is one indexed comparison on every database.
"""

import calendar
import datetime
from collections import defaultdict

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def add_months(day, months):
    """`day` plus `months` calendar months, on the month's last day if it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class ReviewQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Rows whose review date has passed."""
        return self.filter(review_due_on__lt=today or timezone.localdate())

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.filter(
            review_due_on__gte=today, review_due_on__lte=today + datetime.timedelta(days=days)
        )

    def mark_reviewed(self, today=None):
        """Reviewed today: each row's next review date moves on by its own interval."""
        today = today or timezone.localdate()
        by_interval = defaultdict(list)
        for pk, interval in self.values_list("pk", "review_interval_months"):
            by_interval[interval or self.model.review_every_months].append(pk)
        count = 0
        for interval, pks in by_interval.items():
            count += self.model._default_manager.filter(pk__in=pks).update(
                last_reviewed_on=today, review_due_on=add_months(today, interval)
            )
        return count

    mark_reviewed.alters_data = True


class Reviewable(models.Model):
    last_reviewed_on = models.DateField(
        _("last reviewed on"),
        null=True,
        blank=True,
        help_text=_("The day someone last checked that these facts are still true."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for this kind of content's default."),
    )
    review_due_on = models.DateField(_("review due on"), null=True, editable=False, db_index=True)

    # Each kind's default interval; a model may set its own.
    review_every_months = 12

    class Meta:
        abstract = True

    @property
    def review_interval(self):
        return self.review_interval_months or self.review_every_months

    @property
    def is_overdue(self):
        return self.review_due_on is not None and self.review_due_on < timezone.localdate()

    def next_review_on(self):
        """From the last review or, never reviewed, from the day the record was created."""
        created = self.created_at if isinstance(self.created_at, datetime.datetime) else None
        start = self.last_reviewed_on or (
            timezone.localdate(created) if created else timezone.localdate()
        )
        return add_months(start, self.review_interval)


@receiver(pre_save)
def keep_review_due_date(sender, instance, **kwargs):
    if isinstance(instance, Reviewable):
        instance.review_due_on = instance.next_review_on()
