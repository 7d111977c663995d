"""The roll-up table the dashboards read, the working-day calendar it is built with, and reduction targets.

Imported by ``burden.models``, so these belong to the ``burden`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..progress import ProgressMixin
from ..records.registry import title_for, validate_code
from ..scoping import ScopedQuerySet
from .periods import Period


class MonthlyRollupQuerySet(ScopedQuerySet):
    unit_field = "unit"


class MonthlyRollup(models.Model):
    """The burden one source unit put on one unit in one month, for one kind of record.

    One row per (unit, source unit, kind, month) that has anything. ``records``,
    ``flagged`` (records with an open or acknowledged flag) and the trace counts count
    records by the month of their date; ``hours`` are the burden hours of that month —
    the same thing, except for a secondment, whose hours fall in the months the person
    is away (``secondment_hours_by_month``). Kept current by ``burden.insights.rollups``;
    never edited by hand.
    """

    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    source_unit = models.ForeignKey(
        "burden.Unit",
        verbose_name=_("source unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    record_kind = models.CharField(_("kind of record"), max_length=32, validators=[validate_code])
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    hours = models.DecimalField(_("burden hours"), max_digits=14, decimal_places=2, default=0)
    records = models.PositiveIntegerField(_("records"), default=0)
    flagged = models.PositiveIntegerField(_("flagged records"), default=0)
    photo = models.PositiveIntegerField(_("photos demanded"), default=0)
    checkin = models.PositiveIntegerField(_("check-ins demanded"), default=0)
    material = models.PositiveIntegerField(_("written material demanded"), default=0)

    objects = MonthlyRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly roll-up")
        verbose_name_plural = _("monthly roll-ups")
        indexes = [
            models.Index(fields=["unit", "month"], name="rollup_unit_month"),
            models.Index(fields=["source_unit", "month"], name="rollup_source_month"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.source_unit_id} · {self.record_kind} · {self.month:%Y-%m}"


class FlagRollupQuerySet(ScopedQuerySet):
    unit_field = "unit"


class FlagRollup(models.Model):
    """How many open (or acknowledged) flags one rule has on one unit's records of one kind, now.

    What the dashboard's "open flags by rule" reads, so that it costs the same with a
    thousand flags or a million. Recounted with the flagged counts of the monthly
    roll-ups (``burden.insights.rollups.rollups_flags_refresh``).
    """

    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("rule"), max_length=32)
    record_kind = models.CharField(_("kind of record"), max_length=32, validators=[validate_code])
    open_flags = models.PositiveIntegerField(_("open flags"), default=0)

    objects = FlagRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("open flags by rule")
        verbose_name_plural = _("open flags by rule")
        indexes = [models.Index(fields=["unit", "record_kind"], name="flag_rollup_unit_kind")]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.rule} · {self.record_kind}: {self.open_flags}"


class WorkingDay(models.Model):
    """One Monday-to-Friday day and its month: what a secondment's hours are spread over, in SQL.

    Filled by the migration for 2000-2099 and extended on demand
    (``burden.insights.rollups.working_days_cover``). Like ``burden.costs.working_days``,
    it ignores public holidays.
    """

    day = models.DateField(primary_key=True)
    month = models.DateField()

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class ReductionTargetQuerySet(ScopedQuerySet):
    unit_field = "unit"


class ReductionTarget(models.Model):
    """A cut an admin sets for a unit and everything below it: e.g. documents -30 % against last year.

    The nearest target wins: one set on a street overrides the district's for the
    street's units. Progress compares the dashboard's period with the same months a
    year earlier.
    """

    class Measure(models.TextChoices):
        RECORDS = "records", _("Number of records")
        HOURS = "hours", _("Burden hours")

    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    record_kind = models.CharField(_("kind of record"), max_length=32, validators=[validate_code])
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2099)],
        help_text=_("The year to reach it in."),
    )
    measure = models.CharField(_("measured by"), max_length=16, choices=Measure.choices, default=Measure.RECORDS)
    reduction_percent = models.PositiveSmallIntegerField(
        _("cut (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How much less than the same months of the year before, in per cent."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    objects = ReductionTargetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "record_kind"]
        verbose_name = _("reduction target")
        verbose_name_plural = _("reduction targets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "record_kind", "year"], name="reduction_target_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.record_kind} · {self.year} · -{self.reduction_percent}%"

    @property
    def record_kind_title(self) -> str:
        return title_for(self.record_kind)


class IncreaseExplanationQuerySet(ScopedQuerySet):
    unit_field = "source_unit"


class IncreaseExplanation(models.Model):
    """Why a department imposed more of a kind than the year before ("只减不增", 2024).

    Written by the department (or those above it) once per kind and year; the burden
    ledger shows it beside the mark.
    """

    source_unit = models.ForeignKey(
        "burden.Unit", verbose_name=_("source unit"), on_delete=models.CASCADE, related_name="+"
    )
    record_kind = models.CharField(_("kind of record"), max_length=32, validators=[validate_code])
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2099)])
    explanation = models.TextField(_("explanation"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"), auto_now=True)

    objects = IncreaseExplanationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "record_kind"]
        verbose_name = _("explanation of an increase")
        verbose_name_plural = _("explanations of increases")
        constraints = [
            models.UniqueConstraint(
                fields=["source_unit", "record_kind", "year"], name="increase_explanation_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_unit_id} · {self.record_kind} · {self.year}"


class ReportKind(models.TextChoices):
    """The two routine reports of the paper (4.3.3: 月汇总、季通报)."""

    MONTHLY = "monthly", _("Monthly summary")
    QUARTERLY = "quarterly", _("Quarterly briefing")


class ReportJobQuerySet(ScopedQuerySet):
    unit_field = "unit"

    def of(self, user):
        """The jobs ``user`` started, on units they may still see: the only ones they may open.

        A job's file holds what its requester's scope saw of the unit, so it is theirs alone.
        """
        return self.for_user(user).filter(user=user)


class ReportJob(ProgressMixin, models.Model):
    """A report's spreadsheet built in the background, for a unit whose subtree is large.

    Created (queued) by the page; the task claims it, moves ``steps_done`` on as it
    reads each section and writes each sheet, and stores the file under MEDIA_ROOT
    (``burden.insights.report_jobs``). The file is served only through the job's page.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("burden.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("first month"))
    period_end = models.DateField(_("last month"))
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report spreadsheet")
        verbose_name_plural = _("report spreadsheets")

    def __str__(self) -> str:
        return f"{self.kind} · {self.unit_id} · {self.period_start:%Y-%m}"

    @property
    def period(self):
        return Period(self.period_start, self.period_end)
