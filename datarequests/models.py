"""Data and report requests: items asked, frequency, channel and deadline; and the approved data list."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from burden import costs
from burden.models import Unit
from burden.records import BaseRecord
from burden.scoping import ScopedQuerySet


def burden_hours_for_data_request(*, filling_hours, item_count: int, minutes_per_item: Decimal) -> Decimal:
    """The filling time logged, or the number of items x the minutes one item takes."""
    if filling_hours is not None:
        return costs.hours(filling_hours)
    return costs.hours(Decimal(item_count) * minutes_per_item / costs.MINUTES_PER_HOUR)


class CatalogueItemQuerySet(ScopedQuerySet):
    unit_field = "owner_unit"


class CatalogueItem(models.Model):
    """An item of the approved data list (paper 4.2.2): data a unit already holds.

    A data request that asks for it names its code, so departments can read the data
    from ``owner_unit`` instead of asking grassroots units for it again. Admins keep
    the list in the Django admin.
    """

    code = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        # Codes sit in item lists split by commas, 、 and line breaks: keep those out.
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Use only letters, digits, dots, hyphens and underscores."))
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="catalogue_items",
        help_text=_("The unit that holds the data."),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = CatalogueItemQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("data catalogue")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DataRequest(BaseRecord):
    """A request for data or a report that ``source_unit`` (the requesting unit) sent to ``unit``.

    Burden hours, per request: the filling time logged (``filling_hours``) or, when none
    was logged, the number of items asked x ``CostParameters.minutes_per_data_item``.
    The items are written with the request by ``datarequests.services.data_request_save``,
    which keeps ``item_count`` equal to their number.
    """

    class Kind(models.TextChoices):
        DATA = "data", _("Data")
        REPORT = "report", _("Report")

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    class Channel(models.TextChoices):
        PAPER = "paper", _("Paper")
        SPREADSHEET = "spreadsheet", _("Spreadsheet")
        WORK_APP = "work_app", _("Work app")
        SYSTEM = "system", _("System")

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), help_text=_("The day the request arrived."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DATA)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.ONCE)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    approved_on = models.DateField(
        _("approved on"), null=True, blank=True, help_text=_("When the request was approved, if it was.")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.SPREADSHEET)
    filling_hours = models.DecimalField(
        _("filling time (hours)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Person-hours spent filling it in. Leave empty to estimate from the number of items."),
    )
    core_share_percent = models.PositiveSmallIntegerField(
        _("core content (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("For a report: how much of it is its core content (the situation, the problems, the measures)."),
    )
    item_count = models.PositiveIntegerField(_("items"), default=0, editable=False)

    date_field = "date"
    record_kind = "data_request"

    class Meta(BaseRecord.Meta):
        ordering = ["-date", "-pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["source_unit", "date"])]
        constraints = [
            *BaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("date")),
                name="data_request_deadline_not_before_date",
            ),
            models.CheckConstraint(
                condition=Q(filling_hours__isnull=True) | Q(filling_hours__gte=0),
                name="data_request_filling_hours_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(core_share_percent__isnull=True) | Q(core_share_percent__lte=100),
                name="data_request_core_share_lte_100",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def recompute_default_hours(cls, old, new) -> int:
        """Requests without a logged filling time: items x the new minutes per item.

        One UPDATE per distinct number of items (a handful), computed in Python so
        that the rounding is the cost function's own on every database.
        """
        if new.minutes_per_data_item == old.minutes_per_data_item:
            return 0
        relying = cls.objects.filter(filling_hours__isnull=True)
        changed = 0
        for count in relying.order_by().values_list("item_count", flat=True).distinct():
            hours = burden_hours_for_data_request(
                filling_hours=None, item_count=count, minutes_per_item=new.minutes_per_data_item
            )
            changed += relying.filter(item_count=count).update(burden_hours=hours)
        return changed

    def get_absolute_url(self) -> str:
        return reverse("datarequests:datarequest_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.date and self.deadline and self.deadline < self.date:
            raise ValidationError({"deadline": _("The deadline cannot be before the request arrived.")})
        if self.core_share_percent is not None and self.kind != self.Kind.REPORT:
            raise ValidationError({"core_share_percent": _("Only a report has a share of core content.")})

    def compute_burden_hours(self, params) -> Decimal:
        return burden_hours_for_data_request(
            filling_hours=self.filling_hours,
            item_count=self.item_count,
            minutes_per_item=params.minutes_per_data_item,
        )

    def item_rows(self):
        """The items in order, each with its catalogue item and that item's owner (one query)."""
        return self.items.select_related("catalogue_item__owner_unit")

    def item_values(self) -> list[str]:
        """The items as the API and the form give them: a catalogue code, or the free-text name."""
        return [item.value for item in self.item_rows()]

    def changes_since(self, version: int):
        """The fields that changed since ``version`` and, the items keeping no history, the items.

        A newer save that changed no field changed the items (every save writes them),
        so it is a conflict too, showing the items as they are now.
        """
        from burden.concurrency import Change
        from burden.record_display import list_separator

        changes = super().changes_since(version)
        if changes != []:
            return changes
        latest = self.history.filter(version__gt=version).select_related("history_user").order_by("-version").first()
        return [
            Change(
                name="items",
                label=str(self._meta.get_field("item_count").verbose_name).capitalize(),
                value=list_separator().join(item.value for item in self.items.all()),
                changed_by=latest.history_user if latest else None,
            )
        ]


class DataRequestItem(models.Model):
    """One item a data request asks for: an item of the catalogue, or free text that is not on it."""

    request = models.ForeignKey(
        DataRequest, verbose_name=_("data request"), on_delete=models.CASCADE, related_name="items"
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem,
        verbose_name=_("catalogue item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested",
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("item asked")
        verbose_name_plural = _("items asked")

    def __str__(self) -> str:
        return self.name

    @property
    def value(self) -> str:
        return self.catalogue_item.code if self.catalogue_item_id else self.name
