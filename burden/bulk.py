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

import datetime
import io
from decimal import Decimal

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
    rows = [[_db_value(f, getattr(r, f.attname)) for f in fields] for r in records]
    _insert(model._meta.db_table, [f.column for f in fields], rows)

    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    history_rows = [
        [_db_value(f, getattr(r, f.attname)) for f in tracked]
        + [_db_value(None, now), None, "+", user.pk if user else None]
        for r in records
    ]
    _insert(history._meta.db_table, [f.column for f in tracked] + extra, history_rows)


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
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            ids = range(start, start + count)
    for record, record_id in zip(records, ids, strict=True):
        record.pk = record_id


def _db_value(field, value):
    """The value as the database driver takes it (what Django's compiler would send)."""
    if value is None:
        return None
    if isinstance(field, MultipleChoiceField):
        return field.get_prep_value(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if field is not None and isinstance(field, models.JSONField):
        return field.get_db_prep_save(value, connection)
    return value


def _insert(table: str, columns: list[str], rows: list[list]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(value) for value in row))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", rows)


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
