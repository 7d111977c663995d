from burden.record_forms import RecordForm

from .models import Lunch


class LunchForm(RecordForm):
    class Meta:
        model = Lunch
        fields = ["title", "date", "unit", "source_unit", "minutes", "people", "trace_requirements", "notes"]
