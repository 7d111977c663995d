import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import Meeting


class MeetingFilterSet(RecordFilterSet):
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Meeting.Mode.choices, empty_label=_("Any mode"))
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Meeting.Category.choices, empty_label=_("Any category")
    )

    comprehensive = django_filters.BooleanFilter(
        label=_("Comprehensive work meeting"),
        widget=forms.Select(choices=[("", _("Either")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Meeting
        fields = ["q", "unit", "source_unit", "date_from", "date_to", "mode", "category", "comprehensive"]
