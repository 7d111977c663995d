"""The base every kind of burden record shares, written once for the five record apps.

A record says which unit bore the burden (``unit``), which unit imposed it
(``source_unit``), which traces it demanded, what it cost in hours (computed and
stored on every save) and who created and last changed it; its history is kept, and
its ``version`` refuses a save made from a stale read (``burden.concurrency``).
The record apps declare their own fields and one ``compute_burden_hours``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..concurrency import Versioned
from ..costs import cost
from ..fields import MultipleChoiceField
from ..models import CostParameters, Unit
from ..scoping import ScopedQuerySet

#: The dates a record may carry. Burden is logged for the present; a date far outside this
#: range is a typing slip (2206 for 2026), and month-by-month figures are kept for it.
FIRST_DATE, LAST_DATE = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def date_range_check(instance) -> None:
    """Refuse, as field errors, any date of ``instance`` outside ``FIRST_DATE``..``LAST_DATE``."""
    errors = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        in_range = FIRST_DATE <= value <= LAST_DATE if type(value) is datetime.date else True
        if isinstance(field, models.DateField) and not in_range:
            errors[field.name] = _("Enter a date between %(first)s and %(last)s.") % {
                "first": FIRST_DATE.isoformat(),
                "last": LAST_DATE.isoformat(),
            }
    if errors:
        raise ValidationError(errors)


class TraceRequirement(models.TextChoices):
    """The "trace keeping" the paper (4.1.3) asks to stop demanding."""

    PHOTO = "photo", _("Photos")
    CHECKIN = "checkin", _("Check-in")
    MATERIAL = "material", _("Written material")


class RecordQuerySet(ScopedQuerySet):
    unit_field = "unit"


class BaseRecord(Versioned):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_borne",
        help_text=_("The unit that bore the burden."),
    )
    source_unit = models.ForeignKey(
        Unit,
        verbose_name=_("source unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_imposed",
        help_text=_("The unit or department that imposed it."),
    )
    trace_requirements = MultipleChoiceField(
        _("trace requirements"),
        choices=TraceRequirement.choices,
        help_text=_("Traces demanded as proof of the work: photos, check-ins, written material."),
    )
    notes = models.TextField(_("notes"), blank=True)
    burden_hours = models.DecimalField(
        _("burden hours"), max_digits=12, decimal_places=2, default=Decimal(0), editable=False
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The row's id in your own ledger; importing the same id again updates the record."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])

    objects = RecordQuerySet.as_manager()

    #: The field that dates the record (lists, filters, roll-ups, the rules).
    date_field: ClassVar[str] = "date"
    #: Short kind name used by the API and the rules (``meeting``, ``document``...).
    record_kind: ClassVar[str] = ""

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(burden_hours__gte=0), name="%(app_label)s_%(class)s_hours_gte_0"),
        ]

    def save(self, *args, **kwargs):
        """Store the burden hours of the record as it is now (reads ``CostParameters`` once)."""
        self.burden_hours = self.compute_burden_hours(CostParameters.current())
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        date_range_check(self)

    @property
    def record_date(self):
        return getattr(self, self.date_field)

    # --- What a kind declares. Each is called directly by the core; the defaults suit a
    # kind whose hours are its own and fall in the month of its date. -----------------

    def compute_burden_hours(self, params: CostParameters) -> Decimal:
        """The record's burden hours under ``params`` (every kind must say: its Standard-Cost-Model formula).

        Called by ``save`` (with the parameters in force) and by ``compute_burden_hours_now``;
        pure: reads the record and ``params``, writes nothing.
        """
        raise NotImplementedError(f"{type(self).__name__} must compute its burden hours.")

    @classmethod
    def recompute_default_hours(cls, old: CostParameters, new: CostParameters) -> int:
        """Bring the stored hours in line after the cost parameters changed from ``old`` to ``new``.

        Called for every kind by ``burden.services.cost_parameters_update``, in its
        transaction; returns how many records changed (the roll-ups of a kind with any
        are rebuilt). A kind whose hours read a parameter (minutes per document, per data
        item, hours of a working day) overrides it with set-based UPDATEs; by default
        nothing depends on them and nothing changes.
        """
        return 0

    @classmethod
    def hours_span(cls) -> tuple | None:
        """The first and last day a record's hours fall on, as query expressions; ``None`` by default.

        ``None``: a record's hours fall in the month of its date. A kind whose hours spread
        over months (a secondment's working days away) returns the two expressions, and
        the roll-ups (``burden.insights.rollups``) spread its hours over the months they cover.
        """
        return None

    @classmethod
    def hours_refresh(cls, today: datetime.date) -> int:
        """Bring up to ``today`` the stored hours that grow with the calendar; how many records changed.

        Called for every kind by the scheduled sweep (``burden.rules.tasks.sweep_rules``),
        which then rebuilds the roll-ups of a kind with any. A kind whose records count
        their hours up to today while they have no end (a work group still required)
        overrides it with set-based UPDATEs; by default stored hours never age.
        """
        return 0

    @classmethod
    def hours_per_span_day(cls):
        """The hours a record bears on each working day of its ``hours_span``, as a query expression.

        ``None`` by default: a working day of ``CostParameters.hours_per_working_day`` (a
        seconded person is away all day). A kind whose records cost a part of a day,
        their own figure (a work group's minutes a day x its people), returns it, and
        the roll-ups spread that figure instead.
        """
        return None

    @classmethod
    def relabelled(cls):
        """A ``Q`` of the records whose label hides their kind; ``None`` (none can) by default.

        The 2024 regulation names the tricks used to escape counting: a document issued as
        白头 or 便笺, a check called 调研, a secondment called 抽调 or 挂职. Such a record is
        still of its kind for every rule and total; a kind whose records can be relabelled
        returns the filter that finds them, and the ledger shows them beside their kind, so
        a department's habit of relabelling is visible.
        """
        return None

    @classmethod
    def count_weight(cls):
        """How many a record counts for where records are counted, as an expression; ``None`` (one) by default.

        A document bundling several matters (多文合一) counts as each of them: the
        regulation names the trick as one used to keep the number of documents down. The
        roll-ups (``burden.insights.rollups``: dashboards, reports, reduction targets)
        add this up instead of counting rows when a kind declares it.
        """
        return None

    def compute_burden_hours_now(self) -> Decimal:
        """The hours under the cost parameters in force now (one query)."""
        return self.compute_burden_hours(CostParameters.current())

    def burden_cost_with(self, params: CostParameters, *, hours=None, level: str | None = None) -> Decimal:
        """Money: hours (the stored ones by default) x the hourly tariff of the unit's level."""
        hours = self.burden_hours if hours is None else hours
        return cost(hours, params.tariff_for(level or self.unit.level))
