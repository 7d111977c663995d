"""The unit-and-period filter every insights page shares, and the forms for targets and explanations."""

from __future__ import annotations

import datetime
import re

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import scoping
from ..models import Unit
from ..records import registry
from .models import ReductionTarget, ReportKind
from .periods import Period

MONTH_FORMAT = "%Y-%m"
MAX_MONTHS = 24
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=MONTH_FORMAT)


class InsightFilterForm(forms.Form):
    """Which unit (with everything below it) and which months a page looks at."""

    unit = forms.CharField(
        label=_("Unit (code)"),
        required=False,
        widget=forms.TextInput(attrs={"list": "insight-unit-options", "autocomplete": "off"}),
    )
    start = forms.DateField(label=_("From month"), required=False, input_formats=[MONTH_FORMAT], widget=MonthInput())
    end = forms.DateField(label=_("To month"), required=False, input_formats=[MONTH_FORMAT], widget=MonthInput())

    def clean(self):
        cleaned = super().clean()
        default = Period.this_year()
        start, end = cleaned.get("start"), cleaned.get("end")
        # One month given: from it to the same month (a start) or from January of its year (an end).
        if start is None:
            start = end.replace(month=1) if end else default.start
        if end is None:
            end = start if cleaned.get("start") else default.end
        start, end = start.replace(day=1), end.replace(day=1)
        if end < start:
            raise forms.ValidationError(_("The last month comes before the first."))
        if len(Period(start, end).months) > MAX_MONTHS:
            raise forms.ValidationError(
                _("Choose at most %(months)s months at a time.") % {"months": MAX_MONTHS}, code="too_long"
            )
        cleaned["period"] = Period(start, end)
        return cleaned

    @property
    def period(self) -> Period:
        if self.is_valid():
            return self.cleaned_data["period"]
        return Period.this_year()

    @property
    def unit_code(self) -> str:
        value = (self.data.get("unit") or "").strip()
        return value.split()[0] if value else ""


# --- reports: a month (monthly summary) or a quarter (quarterly briefing) ---------------------


def report_period(kind: str, value: str) -> Period:
    """The period ``value`` names: "2026-10" for a month; "2026-Q3" (or any month of it) for a quarter.

    Raises ``ValueError`` for anything else.
    """
    value = value.strip()
    quarter = QUARTER.match(value)
    if quarter:
        if kind != ReportKind.QUARTERLY:
            raise ValueError(value)
        start = datetime.date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
    else:
        start = datetime.datetime.strptime(value, MONTH_FORMAT).date()
    return _report_period(kind, start)


def report_period_default(kind: str, today: datetime.date | None = None) -> Period:
    """The last complete month or quarter before ``today``."""
    today = today or timezone.localdate()
    months = 3 if kind == ReportKind.QUARTERLY else 1
    return _report_period(kind, today.replace(day=1) - relativedelta(months=months))


def _report_period(kind: str, day: datetime.date) -> Period:
    if kind == ReportKind.QUARTERLY:
        start = day.replace(month=day.month - (day.month - 1) % 3, day=1)
        return Period(start, start + relativedelta(months=2))
    return Period(day.replace(day=1), day.replace(day=1))


def report_period_value(kind: str, period: Period) -> str:
    """How the query string names the period: "2026-10" or "2026-Q3"."""
    if kind == ReportKind.QUARTERLY:
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    return period.start.strftime(MONTH_FORMAT)


def report_period_label(kind: str, period: Period) -> str:
    """The period as a reader names it, in the page's language: "October 2026", "Q3 2026"."""
    if kind == ReportKind.QUARTERLY:
        return _("Q%(quarter)s %(year)s") % {"quarter": (period.start.month - 1) // 3 + 1, "year": period.start.year}
    return date_format(period.start, "YEAR_MONTH_FORMAT")


class ReportForm(forms.Form):
    """Which unit (with everything below it), which report and which month or quarter.

    Empty fields take the defaults: the viewer's top unit, the monthly summary, the
    last complete month (or quarter). A period not yet begun is refused.
    """

    unit = forms.CharField(
        label=_("Unit (code)"),
        required=False,
        widget=forms.TextInput(attrs={"list": "insight-unit-options", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices, required=False)
    period = forms.CharField(
        label=_("Month or quarter"),
        required=False,
        help_text=_("A month as 2026-10 for a monthly summary, a quarter as 2026-Q3 for a quarterly briefing."),
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or ReportKind.MONTHLY
        value = (cleaned.get("period") or "").strip()
        if not value:
            period = report_period_default(kind)
        else:
            try:
                period = report_period(kind, value)
            except ValueError:
                raise forms.ValidationError(
                    {"period": _("Write a month as 2026-10, or a quarter as 2026-Q3 for a quarterly briefing.")}
                ) from None
            if period.start > timezone.localdate():
                raise forms.ValidationError({"period": _("This period has not begun yet.")})
        cleaned["kind"], cleaned["period"] = kind, period
        return cleaned

    @property
    def chosen_kind(self) -> str:
        if self.is_valid():
            return self.cleaned_data["kind"]
        value = self.data.get("kind")
        return value if value in ReportKind.values else ReportKind.MONTHLY

    @property
    def chosen_period(self) -> Period:
        if self.is_valid():
            return self.cleaned_data["period"]
        return report_period_default(self.chosen_kind)

    @property
    def unit_code(self) -> str:
        value = (self.data.get("unit") or "").strip()
        return value.split()[0] if value else ""


class ReductionTargetForm(forms.Form):
    """An admin's target for one of the units they administer; setting it again replaces it."""

    unit = forms.CharField(
        label=_("Unit (code)"),
        help_text=_("The target applies to this unit and every unit below it."),
        widget=forms.TextInput(attrs={"list": "insight-unit-options", "autocomplete": "off"}),
    )
    record_kind = forms.ChoiceField(label=_("Kind of record"), choices=registry.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2099)
    measure = forms.ChoiceField(
        label=_("Measured by"), choices=ReductionTarget.Measure.choices, initial=ReductionTarget.Measure.RECORDS
    )
    reduction_percent = forms.IntegerField(
        label=_("Cut (%)"),
        min_value=1,
        max_value=100,
        help_text=_("How much less than the same months of the year before, in per cent."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = timezone.localdate().year

    def clean_unit(self):
        value = self.cleaned_data["unit"].strip()
        code = value.split()[0] if value else ""
        unit = Unit.objects.for_user(self.user, min_role=scoping.ADMIN).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Choose a unit you administer."))
        return unit


class IncreaseExplanationForm(forms.Form):
    """Why the department imposed more of a kind than the year before."""

    record_kind = forms.ChoiceField(label=_("Kind of record"), choices=registry.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2099)
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 5}))
