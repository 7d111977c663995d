from burden.record_views import RecordConfig

from .filters import LunchFilterSet
from .forms import LunchForm
from .models import Lunch

config = RecordConfig(
    model=Lunch,
    form_class=LunchForm,
    filterset_class=LunchFilterSet,
    columns=["date", "title", "unit", "source_unit", "people", "minutes"],
    sort_fields=["date", "title", "burden_hours"],
    estimate_fields=["minutes", "people"],
)
