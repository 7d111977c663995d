"""The filters every record list offers; each app's FilterSet adds its own choices."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Unit, Violation
from .record_forms import DatePicker

DATE_INPUT = DatePicker()


class UnitFilterMethods:
    """``unit`` (a code, with the units below it) and ``source_unit`` (a code), for any filter set.

    A value may be typed as "CODE name" (the suggestions show both); the code is its first word.
    """

    def filter_unit(self, queryset, name, value):
        code = value.strip().split()[0] if value.strip() else ""
        path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        # Intersected with the already-scoped queryset: never wider than the viewer's units.
        return queryset.filter(unit__path__startswith=path)

    def filter_source_unit(self, queryset, name, value):
        code = value.strip().split()[0] if value.strip() else ""
        return queryset.filter(source_unit__code=code)


class RecordFilterSet(UnitFilterMethods, django_filters.FilterSet):
    """Search, unit (with its subtree), source unit and a date range over ``Model.date_field``."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    unit = django_filters.CharFilter(
        label=_("Unit (code, with the units below it)"),
        method="filter_unit",
        widget=forms.TextInput(attrs={"list": "unit-options", "autocomplete": "off"}),
    )
    source_unit = django_filters.CharFilter(
        label=_("Source unit (code)"),
        method="filter_source_unit",
        widget=forms.TextInput(attrs={"list": "source-unit-options", "autocomplete": "off"}),
    )
    date_from = django_filters.DateFilter(label=_("From"), method="filter_date_from", widget=DATE_INPUT)
    date_to = django_filters.DateFilter(label=_("To"), method="filter_date_to", widget=DATE_INPUT)
    flagged = django_filters.BooleanFilter(
        label=_("Flagged"),
        method="filter_flagged",
        widget=forms.Select(choices=[("", _("Either")), ("true", _("With open flags")), ("false", _("Without"))]),
    )

    search_fields = ["title", "notes"]

    @property
    def date_field(self) -> str:
        return self.queryset.model.date_field

    def filter_search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in self.search_fields)))
        return queryset

    def filter_flagged(self, queryset, name, value):
        flags = Violation.objects.open().filter(record_kind=queryset.model.record_kind, record_id=OuterRef("pk"))
        return queryset.filter(Exists(flags)) if value else queryset.exclude(Exists(flags))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})
