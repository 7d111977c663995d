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
#: A filter by a name many units bear covers this many of them at most.
MEANT_MAX = 200


class UnitFilterMethods:
    """``unit`` (with the units below it) and ``source_unit``, by code or by name, for any filter set.

    A value may be typed as a code, as "CODE name" (the suggestions show both) or as a
    name; a name several units bear (every street's 党政办) means all of them.
    """

    def filter_unit(self, queryset, name, value):
        units = Unit.objects.meant_by(value, limit=MEANT_MAX)
        if not units:
            return queryset.none()
        # Intersected with the already-scoped queryset: never wider than the viewer's units.
        return queryset.filter(reduce(or_, (Q(unit__path__startswith=unit.path) for unit in units)))

    def filter_source_unit(self, queryset, name, value):
        return queryset.filter(source_unit__in=[unit.pk for unit in Unit.objects.meant_by(value, limit=MEANT_MAX)])


class RecordFilterSet(UnitFilterMethods, django_filters.FilterSet):
    """Search, unit (with its subtree), source unit and a date range over ``Model.date_field``."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
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
