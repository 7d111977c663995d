"""Inspections, evaluations and checks the unit had to prepare for, and the approved plans."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from burden import costs
from burden.models import Unit
from burden.records import BaseRecord
from burden.scoping import ScopedQuerySet


def burden_hours_for_inspection(*, preparation_hours, onsite_hours, staff_involved: int) -> Decimal:
    """Preparation (person-hours, as logged) + time on site x the staff who had to be there."""
    return costs.hours(Decimal(preparation_hours or 0) + Decimal(onsite_hours or 0) * (staff_involved or 0))


class InspectionPlanQuerySet(ScopedQuerySet):
    unit_field = "inspecting_unit"


class InspectionPlan(models.Model):
    """An inspecting unit's approved plan for one year, with the number of inspections it allows.

    Everyone may read plans (a form offers them); admins of the inspecting unit manage
    them in the Django admin.
    """

    inspecting_unit = models.ForeignKey(
        Unit, verbose_name=_("inspecting unit"), on_delete=models.PROTECT, related_name="inspection_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    approved_on = models.DateField(_("approved on"))
    quota = models.PositiveIntegerField(_("quota"), help_text=_("Inspections the plan allows in the year."))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "inspecting_unit__path"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.UniqueConstraint(fields=["inspecting_unit", "year"], name="inspection_plan_one_per_unit_and_year")
        ]

    def __str__(self) -> str:
        return gettext("%(unit)s, plan for %(year)s") % {"unit": self.inspecting_unit, "year": self.year}


NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class Inspection(BaseRecord):
    """An inspection, evaluation or check a unit had to host; ``source_unit`` is the inspecting unit.

    Burden hours: preparation hours (person-hours, as logged) + on-site hours x the
    unit's staff involved.
    """

    class Purpose(models.TextChoices):
        NOT_STATED = "", _("Not stated")
        SUPERVISION = "supervision", _("Supervision")
        EVALUATION = "evaluation", _("Evaluation")
        GUIDANCE = "guidance", _("Guidance")
        # 调研: a visit to study, not to check. One that demands materials or the principal
        # behaves as an inspection (INS-DISGUISED), and counts as one for every rule.
        RESEARCH = "research", _("Research visit")

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, blank=True, default="")
    unannounced = models.BooleanField(_("unannounced"), default=False)
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("approved plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
        help_text=_("The inspecting unit's approved plan for the year that includes this inspection."),
    )
    emergency = models.BooleanField(
        _("emergency check"), default=False, help_text=_("An emergency safety or quality check.")
    )
    comprehensive = models.BooleanField(
        _("comprehensive"),
        default=False,
        help_text=_("A comprehensive inspection, check or assessment of the unit's work, not of one task."),
    )
    principal_required = models.BooleanField(
        _("principal required"),
        default=False,
        help_text=_("The inspecting unit asked for the unit's principal to be there."),
    )
    tables_demanded = models.PositiveIntegerField(_("tables demanded"), default=0)
    reports_demanded = models.PositiveIntegerField(_("report materials demanded"), default=0)
    data_already_held = models.BooleanField(
        _("data already held"),
        default=False,
        help_text=_("The inspection demanded data that the system already holds."),
    )
    staff_involved = models.PositiveIntegerField(
        _("staff involved"), default=1, help_text=_("The unit's staff who had to be there on site.")
    )
    preparation_hours = models.DecimalField(
        _("preparation (person-hours)"),
        max_digits=8,
        decimal_places=1,
        default=Decimal(0),
        validators=NON_NEGATIVE,
        help_text=_("Everyone's preparation time added up."),
    )
    onsite_hours = models.DecimalField(
        _("time on site (hours)"), max_digits=8, decimal_places=1, default=Decimal(0), validators=NON_NEGATIVE
    )

    record_kind = "inspection"

    class Meta(BaseRecord.Meta):
        ordering = ["-date", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["source_unit", "date"])]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(preparation_hours__gte=0), name="inspection_preparation_gte_0"),
            models.CheckConstraint(condition=Q(onsite_hours__gte=0), name="inspection_onsite_gte_0"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.plan_id is None:
            return
        plan = self.plan
        if plan.inspecting_unit_id != self.source_unit_id:
            message = _("This plan belongs to %(unit)s, not to the inspecting unit.") % {"unit": plan.inspecting_unit}
            raise ValidationError({"plan": message})
        if self.date and plan.year != self.date.year:
            message = _("This plan is for %(plan_year)s; the inspection took place in %(year)s.") % {
                "plan_year": plan.year,
                "year": self.date.year,
            }
            raise ValidationError({"plan": message})

    @classmethod
    def relabelled(cls):
        """Research visits (调研): a check called research is still an inspection for every rule and total."""
        return Q(purpose=cls.Purpose.RESEARCH)

    def compute_burden_hours(self, params):
        return burden_hours_for_inspection(
            preparation_hours=self.preparation_hours,
            onsite_hours=self.onsite_hours,
            staff_involved=self.staff_involved,
        )
