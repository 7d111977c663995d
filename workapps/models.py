"""Work apps and work groups a unit must use: the burden that lives in phones.

An app, a mini-program, a public account or a work group (政务APP、小程序、公众号、工作群)
that a source unit requires the unit to use, with the demands it makes of the people
who must be on it — daily check-ins, rankings, online time, photo uploads, 接龙, forms.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from burden import costs
from burden.fields import MultipleChoiceField
from burden.records import BaseRecord


def burden_hours_for_work_app(
    *, start: datetime.date, end: datetime.date, minutes_per_day: int, people_required: int
) -> Decimal:
    """Minutes a working day x the people who must be on it x the working days it is required."""
    minutes = Decimal((minutes_per_day or 0) * (people_required or 0))
    return costs.hours(costs.working_days(start, end) * minutes / costs.MINUTES_PER_HOUR)


def work_app_hours_by_month(
    *, start: datetime.date, end: datetime.date, minutes_per_day: int, people_required: int
) -> OrderedDict[datetime.date, Decimal]:
    """The same hours split into the calendar months they fall in (keyed by the 1st)."""
    months: OrderedDict[datetime.date, Decimal] = OrderedDict()
    month = start.replace(day=1)
    while month <= end:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        months[month] = burden_hours_for_work_app(
            start=max(start, month),
            end=min(end, following - datetime.timedelta(days=1)),
            minutes_per_day=minutes_per_day,
            people_required=people_required,
        )
        month = following
    return months


class Demand(models.TextChoices):
    """What an app or a group demands of the people on it (the values never contain one another)."""

    CHECKIN = "checkin", _("Daily check-in")
    RANKING = "ranking", _("Points or ranking")
    ONLINE_TIME = "online_time", _("Online time")
    FORCED_INSTALL = "forced_install", _("Forced install or registration")
    PHOTO_UPLOAD = "photo_upload", _("Photo or video uploads")
    LOCATION_UPLOAD = "location_upload", _("Location uploads")
    REPLY_CHAIN = "reply_chain", _("Reply chains")
    FORM_FILLING = "form_filling", _("Form filling and head counts")


class WorkApp(BaseRecord):
    """An app or a work group ``source_unit`` requires ``unit`` to use, from ``start_date`` to ``end_date``.

    Burden hours: ``minutes_per_day`` x ``people_required`` x the working days (Monday to
    Friday) from the start to the end — or, while it is still required (no end), to
    the day the record is saved. The hours spread over the months they fall in
    (``hours_span``, ``hours_per_span_day``), as a secondment's do.
    """

    class AppKind(models.TextChoices):
        APP = "app", _("App")
        MINI_PROGRAM = "mini_program", _("Mini-program")
        ACCOUNT = "account", _("Public account")
        GROUP = "group", _("Work group")

    name = models.CharField(_("name"), max_length=200)
    app_kind = models.CharField(_("app kind"), max_length=16, choices=AppKind.choices, default=AppKind.GROUP)
    start_date = models.DateField(_("required since"))
    end_date = models.DateField(
        _("required until"), null=True, blank=True, help_text=_("Leave empty while it is still required.")
    )
    people_required = models.PositiveIntegerField(
        _("people required"),
        default=1,
        # Bounded so that a century of a group's hours still fits the stored hours.
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text=_("The unit's people who must be on it."),
    )
    minutes_per_day = models.PositiveIntegerField(
        _("minutes a day per person"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],  # no more than a whole day
        help_text=_("Check-ins, replies, uploads and forms together, on a working day."),
    )
    demands = MultipleChoiceField(
        _("demands"),
        choices=Demand.choices,
        max_length=200,
        help_text=_("What it demands of the people on it."),
    )
    security_or_emergency = models.BooleanField(
        _("security or emergency use"),
        default=False,
        help_text=_("It serves public security or emergency response, where check-ins may be needed."),
    )
    matter = models.CharField(_("matter"), max_length=200, blank=True, help_text=_("The work or campaign it serves."))
    matter_ended_on = models.DateField(
        _("matter ended on"),
        null=True,
        blank=True,
        help_text=_("The day the work it serves was finished; a group kept after it is a zombie group."),
    )

    date_field = "start_date"
    record_kind = "work_app"

    class Meta(BaseRecord.Meta):
        ordering = ["-start_date", "-pk"]
        verbose_name = _("work app or group")
        verbose_name_plural = _("work apps and groups")
        indexes = [
            models.Index(fields=["unit", "start_date"]),
            models.Index(fields=["source_unit", "start_date"]),
        ]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="workapp_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workapps:workapp_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("It cannot stop being required before it starts.")})

    @property
    def required_until(self) -> datetime.date:
        """The last day it is required: its end, or today while it has none."""
        return self.end_date or timezone.localdate()

    def compute_burden_hours(self, params) -> Decimal:
        return burden_hours_for_work_app(
            start=self.start_date,
            end=self.required_until,
            minutes_per_day=self.minutes_per_day,
            people_required=self.people_required,
        )

    def hours_by_month(self, params) -> list[tuple[datetime.date, Decimal]]:
        """The burden hours split into the calendar months they fall in (first of the month, hours)."""
        return list(
            work_app_hours_by_month(
                start=self.start_date,
                end=self.required_until,
                minutes_per_day=self.minutes_per_day,
                people_required=self.people_required,
            ).items()
        )

    @classmethod
    def hours_refresh(cls, today: datetime.date) -> int:
        """The hours of the apps still required, counted up to ``today`` (the scheduled sweep calls it).

        One UPDATE per distinct (start, minutes, people) of the open-ended apps, the figure
        computed in Python so that it is exactly what a save would store.
        """
        still_required = cls.objects.filter(end_date__isnull=True, start_date__lte=today)
        shapes = still_required.order_by().values_list("start_date", "minutes_per_day", "people_required").distinct()
        changed = 0
        for start, minutes, people in shapes:
            hours = burden_hours_for_work_app(start=start, end=today, minutes_per_day=minutes, people_required=people)
            changed += (
                still_required.filter(start_date=start, minutes_per_day=minutes, people_required=people)
                .exclude(burden_hours=hours)
                .update(burden_hours=hours)
            )
        return changed

    @classmethod
    def hours_span(cls) -> tuple:
        """From the start to the end, or to today while it is still required."""
        return F("start_date"), Coalesce("end_date", Value(timezone.localdate()))

    @classmethod
    def hours_per_span_day(cls):
        """Minutes a day x people, in hours, on each working day of the span."""
        return Cast(F("minutes_per_day") * F("people_required"), FloatField()) / Value(60.0)
