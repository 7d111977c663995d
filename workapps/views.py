from burden.record_views import RecordConfig

from .filters import WorkAppFilterSet
from .forms import WorkAppForm
from .models import WorkApp

config = RecordConfig(
    model=WorkApp,
    form_class=WorkAppForm,
    filterset_class=WorkAppFilterSet,
    columns=["start_date", "name", "app_kind", "unit", "source_unit", "demands", "people_required", "end_date"],
    sort_fields=["start_date", "name", "people_required", "end_date", "burden_hours"],
    estimate_fields=["start_date", "end_date", "people_required", "minutes_per_day"],
    icon="phone",
)
