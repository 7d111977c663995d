from burden.record_views import RecordConfig

from .filters import InspectionFilterSet
from .forms import InspectionForm
from .models import Inspection

config = RecordConfig(
    model=Inspection,
    form_class=InspectionForm,
    filterset_class=InspectionFilterSet,
    columns=["date", "title", "unit", "source_unit", "purpose", "plan", "unannounced", "emergency", "staff_involved"],
    sort_fields=["date", "title", "staff_involved", "burden_hours"],
    estimate_fields=["preparation_hours", "onsite_hours", "staff_involved"],
    list_related=["unit", "source_unit", "plan__inspecting_unit"],
    icon="clipboard-check",
)
