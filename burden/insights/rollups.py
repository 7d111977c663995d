"""Keeping the monthly roll-ups equal to the records, in SQL.

A roll-up cell is (unit, source unit, kind, month). Every write of a record goes
through ``burden.services`` or a ledger import; both name the cells the write touched
— where the record is now and where it was — in a :class:`Region`, and once the
transaction commits the region is recomputed (``rollups_refresh``): one DELETE of its
cells and one ``INSERT ... SELECT ... GROUP BY`` from the records, a few statements
whatever the number of rows. ``rollups_rebuild`` does the same for everything, one
INSERT per kind (``manage.py rollups_rebuild``).

A region is coarser than the cells it names: the months it names, for the units it
names, every source unit. Recomputing a cell that did not change is harmless, and a
record's old source unit then never needs to be known. A kind whose hours spread over
months (a secondment: ``Model.hours_span``) is recomputed for the whole unit, because
an extension moves its end without leaving the old end anywhere to read.

Flags change when the rules engine opens or clears violations, not when a record is
written; ``rollups_flags_refresh`` recounts them — the flagged records of the monthly
cells and the open flags by rule (``FlagRollup``) — for a record's unit after its
evaluation and for every unit after a sweep (``burden.rules.tasks``).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, Max, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncMonth

from ..models import CostParameters, Unit, Violation, ViolationRecord
from ..records.registry import record_models
from .models import FlagRollup, MonthlyRollup, WorkingDay

logger = logging.getLogger(__name__)

TRACES = ("photo", "checkin", "material")
MEASURES = ("r_hours", "r_records", "r_flagged", "r_photo", "r_checkin", "r_material")
COLUMNS = ("unit_id", "source_unit_id", "record_kind", "month", "hours", "records", "flagged", *TRACES)
# The migration fills the calendar for these years; spans outside them are added on demand.
CALENDAR_FIRST, CALENDAR_LAST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
# Unit ids per statement: well under SQLite's limit on parameters.
CHUNK = 2000


def spreads_hours(model) -> bool:
    """Whether the kind's hours fall in several months (its ``hours_span`` is not ``None``)."""
    return model.hours_span() is not None


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass
class Region:
    """Roll-up cells to recompute: for each kind, month -> unit ids (month ``None``: every month)."""

    cells: dict[str, dict[datetime.date | None, set[int]]] = field(default_factory=dict)

    def add(self, model, unit_id: int, day: datetime.date | None) -> None:
        month = None if spreads_hours(model) or day is None else day.replace(day=1)
        self.cells.setdefault(model.record_kind, {}).setdefault(month, set()).add(unit_id)

    def add_record(self, record) -> None:
        """The cells of ``record`` as it is now (call it before a change too, for the cells it leaves)."""
        if record.unit_id is not None:
            self.add(type(record), record.unit_id, record.record_date)

    def __bool__(self) -> bool:
        return bool(self.cells)

    def unit_ids(self) -> set[int]:
        return {unit for months in self.cells.values() for units in months.values() for unit in units}

    def to_json(self) -> list:
        """A form a Celery task can carry: ``[[kind, "YYYY-MM-01" or None, [unit ids]], ...]``."""
        return [
            [kind, month.isoformat() if month else None, sorted(units)]
            for kind, months in sorted(self.cells.items())
            for month, units in sorted(months.items(), key=lambda item: item[0] or datetime.date.min)
        ]

    @classmethod
    def from_json(cls, data: list) -> Region:
        region = cls()
        for kind, month, units in data:
            day = datetime.date.fromisoformat(month) if month else None
            region.cells.setdefault(kind, {}).setdefault(day, set()).update(units)
        return region


# --- queueing (called by the services and the importer) --------------------------------


def rollups_queue(record, *, before=None) -> None:
    """Have the cells of ``record`` (and of ``before``, the record as stored before the change)
    recomputed once the current transaction commits."""
    region = Region()
    region.add_record(record)
    if before is not None:
        region.add_record(before)
    rollups_queue_region(region)


def rollups_queue_region(region: Region) -> None:
    """Recompute ``region`` after the commit, through a Celery task (eager on the embedded default).

    Nothing to undo on a rollback: the callback is dropped with the transaction.
    """
    if not region:
        return
    payload = region.to_json()
    transaction.on_commit(lambda: rollups_dispatch(payload))


def rollups_dispatch(payload: list) -> None:
    from ..queueing import task_send
    from .tasks import refresh_rollups

    if not task_send(refresh_rollups, payload):
        # The broker is down: the cells are few, recompute them here rather than lose them.
        logger.warning("doing a roll-up refresh in this process")
        rollups_refresh(Region.from_json(payload))


# --- recomputing ------------------------------------------------------------------------


def rollups_refresh(region: Region) -> None:
    """Recompute the cells of ``region`` from the records (a DELETE and an INSERT per chunk)."""
    if not region:
        return
    models = record_models()
    with transaction.atomic():
        _lock_units(region.unit_ids())
        for kind, months in region.cells.items():
            model = models[kind]
            if spreads_hours(model):
                units = sorted(set().union(*months.values()))
                for start in range(0, len(units), CHUNK):
                    chunk = units[start : start + CHUNK]
                    _replace(kind, model, Q(unit_id__in=chunk), Q(unit_id__in=chunk))
                continue
            for chunk in _month_chunks(months):
                date = model.date_field
                records = Q(pk__in=[])
                cells = Q(pk__in=[])
                for month, units in chunk:
                    records |= Q(unit_id__in=units, **{f"{date}__gte": month, f"{date}__lt": next_month(month)})
                    cells |= Q(unit_id__in=units, month=month)
                _replace(kind, model, records, cells)


def rollups_rebuild(kinds: list[str] | None = None) -> dict[str, int]:
    """Every cell of ``kinds`` (default: all) recomputed: one DELETE and one INSERT ... SELECT per kind.

    Returns the number of cells of each kind. Concurrent refreshes wait for it (a table
    lock on PostgreSQL; SQLite has one writer anyway).
    """
    models = record_models()
    counts = {}
    with transaction.atomic():
        _lock_table(MonthlyRollup)
        _lock_table(FlagRollup)
        for kind, model in models.items():
            if kinds is not None and kind not in kinds:
                continue
            MonthlyRollup.objects.filter(record_kind=kind).delete()
            counts[kind] = _insert(kind, model, None)
        _flag_rollups_replace(kinds, None)
    return counts


def _replace(kind: str, model, records: Q, cells: Q) -> None:
    MonthlyRollup.objects.filter(cells, record_kind=kind).delete()
    _insert(kind, model, records)


def _insert(kind: str, model, where: Q | None) -> int:
    if spreads_hours(model):
        select, params = _spread_select(model, where)
    else:
        select, params = _cells_select(model, where)
    measures = ", ".join(f"c.{name}" for name in MEASURES)
    columns = ", ".join(connection.ops.quote_name(MonthlyRollup._meta.get_field(_name(c)).column) for c in COLUMNS)
    sql = (
        f"INSERT INTO {_table()} ({columns}) "
        f"SELECT c.unit_id, c.source_unit_id, %s, c.r_month, {measures} FROM ({select}) c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *params])
        return cursor.rowcount


def _name(column: str) -> str:
    return column.removesuffix("_id")


def _table(model=MonthlyRollup) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lock_table(model) -> None:
    """Make concurrent refreshes of ``model``'s table wait for this transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table(model)} IN SHARE ROW EXCLUSIVE MODE")


def _records(model, where: Q | None):
    records = model.objects.order_by()
    return records if where is None else records.filter(where)


def _month(model):
    return Cast(TruncMonth(model.date_field), DateField())


def _open_flag(model):
    """Whether a record takes part in an open flag: its own, or a group's that lists it."""
    return Exists(
        Violation.objects.filter(
            status__in=Violation.OPEN_STATUSES, record_kind=model.record_kind, record_id=OuterRef("pk")
        )
    ) | Exists(
        ViolationRecord.objects.filter(
            violation__status__in=Violation.OPEN_STATUSES, record_kind=model.record_kind, record_id=OuterRef("pk")
        )
    )


def _counted(model, condition: Q | Exists | None = None):
    """How many records (of those meeting ``condition``) a cell holds, as an aggregate.

    It adds up ``model.count_weight()`` where the kind declares one (a document bundling
    three matters counts three times), in every count alike, so that the flagged or
    traced share of a cell stays a share of the same total.
    """
    weight = model.count_weight()
    if weight is None:
        return Count("pk", filter=condition)
    return Coalesce(Sum(weight, filter=condition), 0)


def _cells_select(model, where: Q | None, *, hours: bool = True) -> tuple[str, tuple]:
    """SQL of the cells of ``where``'s records, grouped by unit, source unit and month of their date."""
    measures = {
        "r_hours": Sum("burden_hours") if hours else Value(0),
        "r_records": _counted(model),
        "r_flagged": _counted(model, _open_flag(model)),
        **{f"r_{trace}": _counted(model, Q(trace_requirements__contains=trace)) for trace in TRACES},
    }
    cells = (
        _records(model, where)
        .annotate(r_month=_month(model))
        .values("unit_id", "source_unit_id", "r_month")
        .annotate(**measures)
    )
    return cells.query.sql_with_params()


def _spread_select(model, where: Q | None) -> tuple[str, list]:
    """Like ``_cells_select``, but the hours spread over the working days of the record's span.

    Counts (records, flags, traces) stay in the month of the record's date; the hours
    are the working days of each month in the span x the hours of a working day, as
    ``secondments.models.secondment_hours_by_month`` counts a secondment's — or x the
    record's own hours a day, when its kind declares them (``Model.hours_per_span_day``).
    """
    first, last = model.hours_span()
    daily = model.hours_per_span_day()
    working_days_cover(model, where)
    spans = (
        _records(model, where)
        .annotate(r_first=first, r_last=last, **({} if daily is None else {"r_daily": daily}))
        .values("unit_id", "source_unit_id", "r_first", "r_last", *([] if daily is None else ["r_daily"]))
    )
    spans_sql, spans_params = spans.query.sql_with_params()
    counts_sql, counts_params = _cells_select(model, where, hours=False)
    # A day's hours: the kind's own figure per record, or else a working day of the cost parameters.
    if daily is None:
        day_hours, day_params = "COUNT(*) * %s", [CostParameters.current().hours_per_working_day]
    else:
        day_hours, day_params = "SUM(s.r_daily)", []
    zeros = ", ".join(f"0 AS {name}" for name in MEASURES[1:])
    counts = ", ".join(f"k.{name}" for name in MEASURES[1:])
    sums = ", ".join(f"SUM(u.{name}) AS {name}" for name in MEASURES)
    days = connection.ops.quote_name(WorkingDay._meta.db_table)
    sql = (
        f"SELECT u.unit_id, u.source_unit_id, u.r_month, {sums} FROM ("
        f"SELECT s.unit_id, s.source_unit_id, d.month AS r_month, {day_hours} AS r_hours, {zeros} "
        f"FROM ({spans_sql}) s INNER JOIN {days} d ON d.day >= s.r_first AND d.day <= s.r_last "
        f"GROUP BY s.unit_id, s.source_unit_id, d.month "
        f"UNION ALL SELECT k.unit_id, k.source_unit_id, k.r_month, 0, {counts} FROM ({counts_sql}) k"
        f") u GROUP BY u.unit_id, u.source_unit_id, u.r_month"
    )
    return sql, [*day_params, *spans_params, *counts_params]


def working_days_cover(model, where: Q | None) -> None:
    """Extend the calendar when a span reaches outside the years the migration filled (one query)."""
    first, last = model.hours_span()
    bounds = _records(model, where).aggregate(first=Min(first), last=Max(last))
    if bounds["first"] is None:
        return
    wanted = []
    if bounds["first"] < CALENDAR_FIRST:
        wanted.append((bounds["first"], min(bounds["last"], CALENDAR_FIRST - datetime.timedelta(days=1))))
    if bounds["last"] > CALENDAR_LAST:
        wanted.append((max(bounds["first"], CALENDAR_LAST + datetime.timedelta(days=1)), bounds["last"]))
    for start, end in wanted:
        days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
        WorkingDay.objects.bulk_create(
            [WorkingDay(day=day, month=day.replace(day=1)) for day in days if day.weekday() < 5],
            batch_size=5000,
            ignore_conflicts=True,
        )


def _month_chunks(months: dict) -> list[list[tuple[datetime.date, list[int]]]]:
    """(month, unit ids) pairs in chunks of at most ``CHUNK`` unit ids, to keep each statement small."""
    chunks, current, size = [], [], 0
    for month in sorted(months):
        units = sorted(months[month])
        for start in range(0, len(units), CHUNK):
            part = units[start : start + CHUNK]
            if current and size + len(part) > CHUNK:
                chunks.append(current)
                current, size = [], 0
            current.append((month, part))
            size += len(part)
    if current:
        chunks.append(current)
    return chunks


def _lock_units(unit_ids: set[int]) -> None:
    """Serialise refreshes of the same units (PostgreSQL).

    Two refreshes of one cell running side by side would each delete what they see
    and both insert: the cell would count twice. A row lock on the units, taken in
    id order, makes the second wait and then see the first's rows. ``FOR NO KEY
    UPDATE`` leaves the foreign-key checks of records being saved unblocked.
    """
    if not connection.features.has_select_for_no_key_update or not unit_ids:
        return
    ids = sorted(unit_ids)
    for start in range(0, len(ids), CHUNK):
        list(
            Unit.objects.select_for_update(no_key=True)
            .filter(pk__in=ids[start : start + CHUNK])
            .order_by("pk")
            .values_list("pk", flat=True)
        )


# --- flags ----------------------------------------------------------------------------


def rollups_flags_refresh(kinds: list[str] | None = None, unit_ids: set[int] | None = None) -> None:
    """Recount the flags of ``kinds`` on ``unit_ids`` (default: every kind, every unit).

    Two UPDATEs per kind for the monthly cells' flagged records (the first zeroes the
    cells that had flags, the second sets the count of those that have them now), then
    the open flags by rule (``FlagRollup``): one DELETE and one INSERT ... SELECT.
    """
    units = None if unit_ids is None else sorted(unit_ids)
    with transaction.atomic():
        if units is None:
            # The rebuild's order, so that the two wait for each other instead of deadlocking.
            _lock_table(MonthlyRollup)
            _lock_table(FlagRollup)
        else:
            _lock_units(set(units))
        for kind, model in record_models().items():
            if kinds is None or kind in kinds:
                _flagged_refresh(kind, model, units)
        _flag_rollups_replace(kinds, units)


def _flagged_refresh(kind: str, model, units: list[int] | None) -> None:
    cells = MonthlyRollup.objects.filter(record_kind=kind).exclude(flagged=0)
    records = model.objects.order_by()
    if units is not None:
        cells = cells.filter(unit_id__in=units)
        records = records.filter(unit_id__in=units)
    cells.update(flagged=0)
    flagged = (
        records.filter(_open_flag(model))
        .annotate(r_month=_month(model))
        .values("unit_id", "source_unit_id", "r_month")
        .annotate(r_flagged=_counted(model))
    )
    select, params = flagged.query.sql_with_params()
    table = _table()
    # COALESCE on both sides: a missing source unit matches itself, and the join stays an equi-join.
    sql = (
        f"UPDATE {table} SET flagged = f.r_flagged FROM ({select}) f "
        f"WHERE {table}.record_kind = %s AND {table}.unit_id = f.unit_id "
        f"AND COALESCE({table}.source_unit_id, 0) = COALESCE(f.source_unit_id, 0) "
        f"AND {table}.month = f.r_month"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, kind])


def _flag_rollups_replace(kinds: list[str] | None, units: list[int] | None) -> None:
    cells = FlagRollup.objects.all()
    flags = Violation.objects.open().order_by()
    if kinds is not None:
        cells, flags = cells.filter(record_kind__in=kinds), flags.filter(record_kind__in=kinds)
    if units is not None:
        cells, flags = cells.filter(unit_id__in=units), flags.filter(unit_id__in=units)
    cells.delete()
    select, params = (
        flags.values("unit_id", "rule", "record_kind").annotate(r_count=Count("pk")).query.sql_with_params()
    )
    columns = ", ".join(
        connection.ops.quote_name(FlagRollup._meta.get_field(name).column)
        for name in ("unit", "rule", "record_kind", "open_flags")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(FlagRollup)} ({columns}) "  # nosec B608 # names from the code and the models' metadata; values go as parameters
            f"SELECT f.unit_id, f.rule, f.record_kind, f.r_count FROM ({select}) f",
            params,
        )


def rollups_flags_refresh_for_record(kind: str, record_id: int) -> None:
    """After a record's evaluation: recount the flags of its unit, and of the unit it left.

    Every rule's ``related`` records share the record's unit, so no other unit's
    flags can have moved.
    """
    model = record_models()[kind]
    units = set(
        model.history.filter(id=record_id)
        .order_by("-history_date", "-history_id")
        .values_list("unit_id", flat=True)[:2]
    )
    if units:
        rollups_flags_refresh([kind], units)


def rollups_flags_queue(violations) -> None:
    """Recount, after the commit, the flags of the units and kinds of ``violations`` (people's reviews).

    For writers of violations outside the rules engine: a person acknowledging,
    resolving or waiving flags, a waiver expiring. Without it the counts catch up at
    the next sweep.
    """
    kinds = sorted({violation.record_kind for violation in violations})
    units = {violation.unit_id for violation in violations}
    if units:
        transaction.on_commit(lambda: rollups_flags_refresh(kinds, units))
