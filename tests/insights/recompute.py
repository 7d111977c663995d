"""The roll-ups as they should be, recomputed in Python from the records, one record at a time.

Independent of the SQL in ``burden.insights.rollups``: hours from the stored burden
hours (a secondment's spread with ``Secondment.hours_by_month``), flags from the
violations, traces from the record's own list.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Value

from burden.insights.models import FlagRollup, MonthlyRollup
from burden.models import CostParameters, Violation
from burden.record_views import record_configs

FIELDS = ("hours", "records", "flagged", "photo", "checkin", "material")


def cells_from_records() -> dict:
    params = CostParameters.current()
    flagged = set(Violation.objects.open().values_list("record_kind", "record_id"))
    cells = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for config in record_configs():
        model = config.model
        kind = model.record_kind
        # A kind that weighs its records (a document's matters) has every count weighed.
        records = model.objects.annotate(weight=model.count_weight() or Value(1))
        for record in records.prefetch_related("extensions") if kind == "secondment" else records:
            key = (record.unit_id, record.source_unit_id, kind, record.record_date.replace(day=1))
            cell = cells[key]
            cell["records"] += record.weight
            cell["flagged"] += record.weight if (kind, record.pk) in flagged else 0
            for trace in record.trace_requirements:
                cell[trace] += record.weight
            if model.hours_span() is not None:  # hours spread over months: a secondment's, a work app's
                for month, hours in record.hours_by_month(params):
                    cells[(record.unit_id, record.source_unit_id, kind, month)]["hours"] += hours
            else:
                cell["hours"] += record.burden_hours
    return {key: _normalised(cell) for key, cell in cells.items() if any(cell.values())}


def cells_in_rollups() -> dict:
    rows = MonthlyRollup.objects.values_list("unit_id", "source_unit_id", "record_kind", "month", *FIELDS)
    cells = {}
    for row in rows:
        key, values = row[:4], dict(zip(FIELDS, row[4:], strict=True))
        assert key not in cells, f"the cell {key} is stored twice"
        if any(values.values()):
            cells[key] = _normalised(values)
    return cells


def _normalised(cell: dict) -> dict:
    return {**cell, "hours": Decimal(cell["hours"]).quantize(Decimal("0.01"))}


def flags_from_violations() -> dict:
    flags = defaultdict(int)
    for unit_id, rule, kind in Violation.objects.open().values_list("unit_id", "rule", "record_kind"):
        flags[(unit_id, rule, kind)] += 1
    return dict(flags)


def flags_in_rollups() -> dict:
    return {
        (unit_id, rule, kind): count
        for unit_id, rule, kind, count in FlagRollup.objects.values_list("unit_id", "rule", "record_kind", "open_flags")
        if count
    }
