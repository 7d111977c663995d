from burden.record_views import RecordConfig

from .filters import DataRequestFilterSet
from .forms import DataRequestForm
from .ledger import ItemsColumn
from .models import DataRequest

config = RecordConfig(
    model=DataRequest,
    form_class=DataRequestForm,
    filterset_class=DataRequestFilterSet,
    columns=["date", "title", "unit", "source_unit", "kind", "frequency", "channel", "item_count", "deadline"],
    sort_fields=["date", "title", "item_count", "deadline", "burden_hours"],
    detail_extra_template="datarequests/items.html",
    estimate_fields=["filling_hours"],
    icon="table",
    ledger_extras=[ItemsColumn()],
)
