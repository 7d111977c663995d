"""The review queue's filters: flags by unit (with its subtree), source unit, rule, severity, status,
age, kind, date and case; cases by status, step, rule, source unit, month, overdue and "against us".

A flag's date is the burden's (``occurred_on``: the record's date), not the day the flag was found.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..insights.forms import MONTH_FORMAT, MonthInput
from ..models import Violation
from ..record_filters import DATE_INPUT, UnitFilterMethods
from ..rules import all_rules
from .models import Case
from .selectors import ACTIVE, ONE_DAY, day_start, due_between, kinds_by_code, overdue_q, own_unit_ids

ACTIVE_STATUSES, ANY_STATUS = "active", "any"


def rule_choices():
    # Titles only: an option cannot mark the rule's code as not to be translated.
    return [(rule.code, rule.title) for rule in all_rules()]


def kind_choices():
    return [(kind.code, kind.label_plural) for kind in kinds_by_code().values()]


def status_choices():
    return [(ACTIVE_STATUSES, _("Open or acknowledged")), (ANY_STATUS, _("Any status")), *Violation.Status.choices]


AGE_CHOICES = [
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 7 days")),
    ("new", _("First seen in the last 7 days")),
    ("older", _("First seen more than 30 days ago")),
]


class ViolationFilterSet(UnitFilterMethods, django_filters.FilterSet):
    """Needs ``deadlines`` and ``today`` for the age filter; status defaults to open or acknowledged."""

    unit = django_filters.CharFilter(
        label=_("Unit (name or code, with the units below it)"),
        method="filter_unit",
        widget=forms.TextInput(attrs={"list": "unit-options", "autocomplete": "off"}),
    )
    source_unit = django_filters.CharFilter(
        label=_("Source unit (name or code)"),
        method="filter_source_unit",
        widget=forms.TextInput(attrs={"list": "source-unit-options", "autocomplete": "off"}),
    )
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=rule_choices, empty_label=_("Any rule"))
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Violation.Severity.choices, empty_label=_("Any severity")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=status_choices, method="filter_status", empty_label=None
    )
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_CHOICES, method="filter_age", empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind of record"), choices=kind_choices, field_name="record_kind", empty_label=_("Any kind")
    )
    occurred_from = django_filters.DateFilter(
        label=_("Occurred from"), field_name="occurred_on", lookup_expr="gte", widget=DATE_INPUT
    )
    occurred_to = django_filters.DateFilter(
        label=_("Occurred to"), field_name="occurred_on", lookup_expr="lte", widget=DATE_INPUT
    )
    # The flags of one case, from the case's page ("all its flags"); no input of its own in the filter bar.
    case = django_filters.NumberFilter(label=_("Case"), field_name="case", widget=forms.HiddenInput)

    class Meta:
        model = Violation
        fields = [
            *("unit", "source_unit", "rule", "severity", "status", "age", "kind", "occurred_from", "occurred_to"),
            "case",
        ]

    def __init__(self, data=None, *args, deadlines, today: datetime.date | None = None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = ACTIVE_STATUSES
        super().__init__(data, *args, **kwargs)
        self.deadlines = deadlines
        self.today = today or timezone.localdate()

    def filter_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        if value == ACTIVE_STATUSES:
            return queryset.filter(ACTIVE)
        return queryset.filter(status=value)

    def filter_age(self, queryset, name, value):
        today = self.today
        if value == "overdue":
            return queryset.filter(overdue_q(self.deadlines, today))
        if value == "due_soon":
            return queryset.filter(ACTIVE & due_between(self.deadlines, today, today + 7 * ONE_DAY))
        if value == "new":
            return queryset.filter(first_seen__gte=day_start(today - 6 * ONE_DAY))
        return queryset.filter(first_seen__lt=day_start(today - 30 * ONE_DAY))


# --- Cases ------------------------------------------------------------------------------


def case_status_choices():
    return [(ACTIVE_STATUSES, _("Open or replied")), (ANY_STATUS, _("Any status")), *Case.Status.choices]


AGAINST_US = "us"


class CaseFilterSet(UnitFilterMethods, django_filters.FilterSet):
    """The queue's cases; status defaults to the active ones (open or replied).

    ``against=us`` keeps the cases against the viewer's own units (a department's
    staff: what they are asked to rectify). Needs ``request`` (FilterView passes it).
    """

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=case_status_choices, method="filter_status", empty_label=None
    )
    step = django_filters.ChoiceFilter(label=_("Step"), choices=Case.Step.choices, empty_label=_("Any step"))
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=rule_choices, empty_label=_("Any rule"))
    source_unit = django_filters.CharFilter(
        label=_("Source unit (name or code)"),
        method="filter_source_unit",
        widget=forms.TextInput(attrs={"list": "source-unit-options", "autocomplete": "off"}),
    )
    period = django_filters.DateFilter(
        label=_("Month"), method="filter_period", input_formats=[MONTH_FORMAT], widget=MonthInput()
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("Either")), ("true", _("Overdue only")), ("false", _("Not overdue"))]),
    )
    against = django_filters.ChoiceFilter(
        label=_("Cases against us"),
        choices=[(AGAINST_US, _("Cases against us"))],
        method="filter_against",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Case
        fields = ["status", "step", "rule", "source_unit", "period", "overdue", "against"]

    def __init__(self, data=None, *args, today: datetime.date | None = None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = ACTIVE_STATUSES
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        if value == ACTIVE_STATUSES:
            return queryset.active()
        return queryset.filter(status=value)

    def filter_period(self, queryset, name, value):
        first = value.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return queryset.filter(period__gte=first, period__lt=following)

    def filter_overdue(self, queryset, name, value):
        # ``Case.is_overdue`` in SQL: open (not replied) and past its deadline.
        overdue = Q(status=Case.Status.OPEN, deadline__lt=self.today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_against(self, queryset, name, value):
        return queryset.filter(source_unit_id__in=own_unit_ids(self.request.user))
