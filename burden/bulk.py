"""Fast bulk insertion of records together with their "created" history rows.

Django's ``bulk_create`` compiles every value through the SQL compiler, which costs
hundreds of microseconds a row; imports and the demo write tens of thousands of rows.
Here the ids are reserved first (a sequence range on PostgreSQL; on SQLite the next
ids, safe because the caller holds the database's single write lock inside its
transaction), then the rows go out in one ``COPY`` on PostgreSQL or one
``executemany`` on SQLite, and the history rows the same way. Other databases fall
back to simple-history's ``bulk_create_with_history``.

The caller has already validated the records and set every field, burden hours
included; nothing here runs ``save()`` or signals.
"""

from __future__ import annotations

import io
import json

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .fields import MultipleChoiceField


def bulk_insert_with_history(model, records: list, *, user, batch_size: int = 5000) -> None:
    """Insert ``records`` (unsaved) and one "+" history row each, naming ``user``; sets their pks."""
    if not records:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        bulk_create_with_history(records, model, batch_size=batch_size, default_user=user)
        return
    now = timezone.now()
    for record in records:
        record.created_at = record.created_at or now
        record.updated_at = now
    _reserve_ids(model, records)
    fields = model._meta.concrete_fields
    _insert(model._meta.db_table, fields, [[getattr(r, f.attname) for f in fields] for r in records])

    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    stamp = [now, None, "+", user.pk if user else None]
    history_fields = tracked + [history._meta.get_field(name) for name in HISTORY_COLUMNS]
    _insert(history._meta.db_table, history_fields, [[getattr(r, f.attname) for f in tracked] + stamp for r in records])


HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user"]


def _reserve_ids(model, records: list) -> None:
    table = model._meta.db_table
    pk = model._meta.pk.column
    count = len(records)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
            ids = [row[0] for row in cursor.fetchall()]
        else:
            # AUTOINCREMENT never reuses an id, even a deleted one: start past both.
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # nosec B608 # names from the code and the models' metadata; values go as parameters
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            ids = range(start, start + count)
    for record, record_id in zip(records, ids, strict=True):
        record.pk = record_id


def _converter(field):
    """A function from a Python value to what the driver takes, decided once per field."""
    if isinstance(field, MultipleChoiceField):
        return lambda value: None if value is None else field.get_prep_value(value)
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value)
    return None  # strings, numbers, booleans, ids: as they are


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CONSTANTS = {None: r"\N", True: "t", False: "f"}


def _insert(table: str, fields: list, rows: list[list]) -> None:
    converters = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field))]
    for row in rows:
        for index, convert in converters:
            row[index] = convert(row[index])
    quoted = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            constants = COPY_CONSTANTS
            for row in rows:
                buffer.write(
                    "\t".join(
                        constants[value]
                        if value is None or value is True or value is False
                        else str(value).translate(COPY_ESCAPES)
                        for value in row
                    )
                )
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", rows)  # nosec B608 # names from the code and the models' metadata; values go as parameters
