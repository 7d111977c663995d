import django_filters
from django.utils.translation import gettext_lazy as _

from burden.record_filters import RecordFilterSet

from .models import DataRequest


class DataRequestFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DataRequest.Kind.choices, empty_label=_("Any kind"))
    frequency = django_filters.ChoiceFilter(
        label=_("Frequency"), choices=DataRequest.Frequency.choices, empty_label=_("Any frequency")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=DataRequest.Channel.choices, empty_label=_("Any channel")
    )

    class Meta:
        model = DataRequest
        fields = ["q", "unit", "source_unit", "date_from", "date_to", "kind", "frequency", "channel"]
