"""Staff lent out to task forces and upper units, with their terms and extensions."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Max, OuterRef, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from burden import costs
from burden.records import BaseRecord, date_range_check
from burden.scoping import ScopedQuerySet

# The paper (4.2.1): a first term of at most 3 months, extensions adding at most 3 more.


def burden_hours_for_secondment(*, start: datetime.date, end: datetime.date, hours_per_day: Decimal) -> Decimal:
    """Working days the person is away x the hours of a working day."""
    return costs.hours(costs.working_days(start, end) * Decimal(hours_per_day))


def secondment_hours_by_month(
    *, start: datetime.date, end: datetime.date, hours_per_day: Decimal
) -> OrderedDict[datetime.date, Decimal]:
    """The same hours split into the calendar months they fall in (keyed by the 1st)."""
    months: OrderedDict[datetime.date, Decimal] = OrderedDict()
    month = start.replace(day=1)
    while month <= end:
        next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        first = max(start, month)
        last = min(end, next_month - datetime.timedelta(days=1))
        months[month] = burden_hours_for_secondment(start=first, end=last, hours_per_day=hours_per_day)
        month = next_month
    return months


class Secondment(BaseRecord):
    """A person of ``unit`` (the home unit) lent to ``source_unit`` (the borrowing unit).

    The term runs from ``start_date`` to ``planned_end_date``, moved later by each
    :class:`Extension`. Burden hours: the working days (Monday to Friday) from the
    start to the day the person is back, or is due back (``away_until``), x
    ``CostParameters.hours_per_working_day``. Adding or removing an extension re-saves
    the secondment (``secondments.services``) so the stored hours follow.
    """

    class Arrangement(models.TextChoices):
        """What the borrowing unit called the loan: whatever the name, it is a secondment for every rule."""

        SECONDMENT = "secondment", _("Secondment")
        TRANSFER = "transfer", _("Temporary transfer")
        SHADOWING = "shadowing", _("Shadowing")
        ATTACHMENT = "attachment", _("Attachment post")

    person_name = models.CharField(_("person"), max_length=100)
    arrangement = models.CharField(
        _("arrangement"),
        max_length=16,
        choices=Arrangement.choices,
        default=Arrangement.SECONDMENT,
        help_text=_("What the borrowing unit called it; each counts as a secondment."),
    )
    host_name = models.CharField(
        _("host"), max_length=200, help_text=_("The task force or upper-level unit the person works for.")
    )
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"))
    returned_on = models.DateField(
        _("returned on"), null=True, blank=True, help_text=_("Leave empty while the person is still away.")
    )
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    hr_filed_on = models.DateField(_("filed with HR on"), null=True, blank=True)
    specially_approved = models.BooleanField(
        _("specially approved"),
        default=False,
        help_text=_("Borrowed from a county-level or lower unit with the special approval that requires."),
    )

    date_field = "start_date"
    record_kind = "secondment"

    class Meta(BaseRecord.Meta):
        ordering = ["-start_date", "-pk"]
        verbose_name = _("secondment")
        verbose_name_plural = _("secondments")
        indexes = [models.Index(fields=["unit", "start_date"]), models.Index(fields=["source_unit", "start_date"])]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=F("start_date")), name="secondment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("start_date")),
                name="secondment_return_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.host_name}"

    @classmethod
    def recompute_default_hours(cls, old, new) -> int:
        """Working days x hours a day: a new working day scales every stored figure.

        One UPDATE per distinct stored figure (one per length of stay, not per row),
        computed in Python so that the arithmetic is exact on every database.
        """
        if new.hours_per_working_day == old.hours_per_working_day:
            return 0
        changed = 0
        stored = cls.objects.order_by().values_list("burden_hours", flat=True).distinct()
        # Scaling down, the smallest first (and up, the largest first), so that no row
        # that was just scaled matches a later group and is scaled twice.
        for hours in sorted(stored, reverse=new.hours_per_working_day > old.hours_per_working_day):
            days = Decimal(hours) / Decimal(old.hours_per_working_day)
            scaled = (days * Decimal(new.hours_per_working_day)).quantize(Decimal("0.01"))
            changed += cls.objects.filter(burden_hours=hours).update(burden_hours=scaled)
        return changed

    @classmethod
    def relabelled(cls):
        """Loans called a transfer (抽调), shadowing (跟班学习) or an attachment post (挂职): secondments still."""
        return ~Q(arrangement=cls.Arrangement.SECONDMENT)

    def get_absolute_url(self) -> str:
        return reverse("secondments:secondment_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.planned_end_date and self.planned_end_date <= self.start_date:
            errors["planned_end_date"] = _("The planned end must be after the start.")
        if self.start_date and self.returned_on and self.returned_on < self.start_date:
            errors["returned_on"] = _("The person cannot return before the secondment starts.")
        if errors:
            raise ValidationError(errors)

    def compute_burden_hours(self, params) -> Decimal:
        return burden_hours_for_secondment(
            start=self.start_date, end=self.away_until, hours_per_day=params.hours_per_working_day
        )

    def hours_by_month(self, params) -> list[tuple[datetime.date, Decimal]]:
        """The burden hours split into the calendar months they fall in (first of the month, hours)."""
        return list(
            secondment_hours_by_month(
                start=self.start_date, end=self.away_until, hours_per_day=params.hours_per_working_day
            ).items()
        )

    @property
    def effective_end_date(self) -> datetime.date:
        """The end of the term: the planned end, or the latest extension's new end."""
        # An unsaved secondment (a form being filled in) has no extensions to read.
        extended = [extension.new_end_date for extension in self.extensions.all()] if self.pk else []
        return max([self.planned_end_date, *extended])

    @property
    def away_until(self) -> datetime.date:
        """The last day away: the day the person returned, or the end of the term."""
        return self.returned_on or self.effective_end_date

    @classmethod
    def hours_span(cls) -> tuple:
        """The first and last day the hours fall on, as query expressions (``start_date``, ``away_until``).

        For set-based reads that spread the hours over the months (the roll-ups); one
        correlated subquery for the latest extension, no Python per row.
        """
        latest_extension = (
            Extension.objects.filter(secondment=OuterRef("pk"))
            .order_by()
            .values("secondment")
            .annotate(latest=Max("new_end_date"))
            .values("latest")
        )
        effective_end = Greatest("planned_end_date", Coalesce(Subquery(latest_extension), "planned_end_date"))
        return F("start_date"), Coalesce("returned_on", effective_end)

    @property
    def latest_allowed_end(self) -> datetime.date:
        """The start + the longest first term, then + the longest extension (month by month, as the paper counts).

        The limits are SEC-TERM's and SEC-EXTENSION's as they apply to the secondment's unit
        (an admin's threshold or an override), so the clock never disagrees with the flags.
        """
        from burden.rules.engine import rule_params_for

        term = rule_params_for("SEC-TERM", self.unit)["max_months"]
        extension = rule_params_for("SEC-EXTENSION", self.unit)["max_extension_months"]
        return self.start_date + relativedelta(months=term) + relativedelta(months=extension)

    def days_served(self, today: datetime.date) -> int:
        """Calendar days away so far, the start and ``today`` (or the return day) included."""
        last = min(today, self.returned_on) if self.returned_on else today
        return max(0, (last - self.start_date).days + 1)

    def days_left(self, today: datetime.date) -> int:
        """Calendar days from ``today`` to the end of the term; 0 once past it or back home."""
        if self.returned_on and self.returned_on <= today:
            return 0
        return max(0, (self.effective_end_date - today).days)

    def clock(self, today: datetime.date) -> SecondmentClock:
        """Where the secondment stands on ``today`` (reads the extensions once)."""
        prefetch_related_objects([self], "extensions")
        end = self.effective_end_date
        return SecondmentClock(
            today=today,
            start=self.start_date,
            end=end,
            returned_on=self.returned_on,
            days_served=self.days_served(today),
            days_left=self.days_left(today),
            latest_allowed_end=self.latest_allowed_end,
            extensions=list(self.extensions.all()),
        )


@dataclass(frozen=True)
class SecondmentClock:
    """A secondment's term as the detail page's clock shows it."""

    today: datetime.date
    start: datetime.date
    end: datetime.date
    returned_on: datetime.date | None
    days_served: int
    days_left: int
    latest_allowed_end: datetime.date
    extensions: list[Extension]

    @property
    def term_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def percent_served(self) -> int:
        return min(100, round(100 * self.days_served / self.term_days))

    @property
    def overdue_days(self) -> int:
        """Days past the end of the term without a return (0 when back or not yet due)."""
        if self.returned_on is not None:
            return max(0, (self.returned_on - self.end).days)
        return max(0, (self.today - self.end).days)

    @property
    def beyond_allowed_end(self) -> bool:
        return self.end > self.latest_allowed_end


class ExtensionQuerySet(ScopedQuerySet):
    unit_field = "secondment__unit"


class Extension(models.Model):
    """A re-approved extension of a secondment's term to ``new_end_date``.

    Written through ``secondments.services`` (``secondment_extend``, ``extension_delete``),
    which re-save the secondment so its burden hours follow the new end.
    """

    secondment = models.ForeignKey(
        Secondment, verbose_name=_("secondment"), on_delete=models.CASCADE, related_name="extensions"
    )
    new_end_date = models.DateField(_("new end date"))
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        ordering = ["new_end_date", "pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return str(_("Extended to %(date)s") % {"date": date_format(self.new_end_date)})

    def clean(self):
        super().clean()
        date_range_check(self)
        if self.secondment_id is None or self.new_end_date is None:
            return
        # Read from the database, not the secondment's cached extensions, which may be stale.
        others = Extension.objects.filter(secondment_id=self.secondment_id).exclude(pk=self.pk)
        latest = others.aggregate(latest=Max("new_end_date"))["latest"]
        current_end = max(d for d in (self.secondment.planned_end_date, latest) if d is not None)
        if self.new_end_date <= current_end:
            raise ValidationError(
                {
                    "new_end_date": _(
                        "An extension must move the end later than the current end, %(end)s; this one does not extend."
                    )
                    % {"end": date_format(current_end)}
                }
            )
