from burden.record_filters import RecordFilterSet

from .models import Lunch


class LunchFilterSet(RecordFilterSet):
    class Meta:
        model = Lunch
        fields = ["q", "unit", "source_unit", "date_from", "date_to"]
