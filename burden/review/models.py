"""The review's own tables: deadlines per severity, and each person's notification preferences.

Imported by ``burden.models`` so that they belong to the ``burden`` app.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_DAYS = {"low": 30, "medium": 14, "high": 7}


def _days_field(label, severity: str):
    return models.PositiveSmallIntegerField(
        label,
        default=DEFAULT_DAYS[severity],
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Days from when a flag is first seen until it should be resolved."),
    )


class ReviewDeadlines(models.Model):
    """Days to resolve a flag, by its severity; one row, edited by admins, every change in its history.

    A flag that is still open or acknowledged after its deadline (the day it was first
    seen plus these days) is overdue. Nothing is stored per flag: the deadline is
    computed in SQL when read, so a change here applies to every flag at once.
    """

    days_low = _days_field(_("days to resolve a low-severity flag"), "low")
    days_medium = _days_field(_("days to resolve a medium-severity flag"), "medium")
    days_high = _days_field(_("days to resolve a high-severity flag"), "high")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The reason is part of the audit and may be long: a text column, not the default 100 characters.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("review deadlines")
        verbose_name_plural = _("review deadlines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_low__gte=1, days_medium__gte=1, days_high__gte=1),
                name="review_deadlines_at_least_one_day",
            )
        ]

    def __str__(self) -> str:
        return str(_("Review deadlines"))

    @classmethod
    def current(cls) -> ReviewDeadlines:
        """The one row, or the defaults (unsaved) until an admin first changes them; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def days(self) -> dict[str, int]:
        """Days to resolve, by severity."""
        return {"low": self.days_low, "medium": self.days_medium, "high": self.days_high}

    def due_on(self, violation) -> datetime.date:
        """The day by which ``violation`` should be resolved (for display; filters use SQL)."""
        from django.utils import timezone

        first_seen = timezone.localdate(violation.first_seen)
        return first_seen + datetime.timedelta(days=self.days.get(violation.severity, DEFAULT_DAYS["medium"]))


class NotificationPreference(models.Model):
    """What one person wants to hear about, in which language, and when they last looked.

    Without a row a person gets every notification in the bell and no e-mail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="review_preferences",
    )
    notify_new_flags = models.BooleanField(_("new flags on my units"), default=True)
    notify_expiring_waivers = models.BooleanField(_("waivers expiring within 7 days"), default=True)
    notify_overdue = models.BooleanField(_("overdue flags"), default=True)
    notify_deadlines = models.BooleanField(_("deadlines in 7 days and in 1 day"), default=True)
    email_digest = models.BooleanField(
        _("send me a daily e-mail digest"), default=False, help_text=_("Sent in the morning when there is news.")
    )
    language = models.CharField(
        _("language of my e-mails"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    last_seen_at = models.DateTimeField(_("notifications last seen"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def wanted(self) -> set[str]:
        """The notification categories this person wants (see ``burden.review.selectors``)."""
        flags = {
            "new": self.notify_new_flags,
            "expiring": self.notify_expiring_waivers,
            "overdue": self.notify_overdue,
            "due_soon": self.notify_deadlines,
        }
        return {category for category, wanted in flags.items() if wanted}
