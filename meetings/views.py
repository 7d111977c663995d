from burden.record_views import RecordConfig

from .filters import MeetingFilterSet
from .forms import MeetingForm
from .models import Meeting

config = RecordConfig(
    model=Meeting,
    form_class=MeetingForm,
    filterset_class=MeetingFilterSet,
    columns=["date", "title", "unit", "source_unit", "category", "mode", "attendees", "duration_minutes"],
    sort_fields=["date", "title", "attendees", "duration_minutes", "burden_hours"],
    estimate_fields=["duration_minutes", "travel_minutes", "attendees"],
    icon="people",
)
