import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import Inspection

#: The filter value for "no purpose stated" (the stored value, "", would mean "any").
NOT_STATED = "none"

YES_NO = forms.Select(choices=[("", _("Either")), ("true", _("Yes")), ("false", _("No"))])


class InspectionFilterSet(RecordFilterSet):
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"),
        choices=[(NOT_STATED, _("Not stated")), *Inspection.Purpose.choices[1:]],
        empty_label=_("Any purpose"),
        method="filter_purpose",
    )
    unannounced = django_filters.BooleanFilter(label=_("Unannounced"), widget=YES_NO)
    emergency = django_filters.BooleanFilter(label=_("Emergency check"), widget=YES_NO)
    comprehensive = django_filters.BooleanFilter(label=_("Comprehensive"), widget=YES_NO)

    class Meta:
        model = Inspection
        fields = [
            "q",
            "unit",
            "source_unit",
            "date_from",
            "date_to",
            "purpose",
            "unannounced",
            "emergency",
            "comprehensive",
        ]

    def filter_purpose(self, queryset, name, value):
        return queryset.filter(purpose="" if value == NOT_STATED else value)
