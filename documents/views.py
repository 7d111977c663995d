from burden.record_views import RecordConfig

from .filters import DocumentFilterSet
from .forms import DocumentForm
from .models import Document

config = RecordConfig(
    model=Document,
    form_class=DocumentForm,
    filterset_class=DocumentFilterSet,
    columns=["received_on", "title", "number", "unit", "source_unit", "kind", "pages", "response_deadline"],
    sort_fields=["received_on", "title", "number", "pages", "response_deadline", "burden_hours"],
    estimate_fields=["handling_minutes", "kind"],
    icon="file-earmark-text",
)
