"""Importing a ledger: validate every row, then write all of it or nothing.

The file is read twice, streaming both times: the first pass converts and validates
every row and collects every error (row, column, message); only when there is none
does the second pass write, in one transaction, in batches. A row whose ``id`` (from
an export) or ``external_id`` (from the unit's own ledger) names an existing record
updates it, and only if something changed, so importing the same file twice changes
nothing. Rows are held to the rules of the form: the same field validators, the same
``Model.clean()``, the same unit scoping; burden hours come from the same function.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ..bulk import bulk_insert_with_history
from ..insights.rollups import Region, rollups_queue_region
from ..models import CostParameters
from ..services import writable_units
from .columns import (
    EXTERNAL_ID,
    ID_COLUMN,
    READ_ONLY_COLUMNS,
    CellError,
    Column,
    Converters,
    columns_for,
    normalise_header,
)
from .readers import LedgerFileError, iter_rows

BATCH = 2000
MAX_ERRORS_KEPT = 1000


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))


Progress = Callable[[str, int], None]


class LedgerImport:
    """One import of one file by one person into one kind of record."""

    def __init__(self, config, *, user, open_file: Callable[[], IO[bytes]], progress: Progress | None = None):
        self.config = config
        self.model = config.model
        self.user = user
        self.open_file = open_file
        self.progress = progress or (lambda phase, done: None)
        self.columns = columns_for(config)
        self.extras = [column for column in self.columns if column.extra is not None]
        self._defaults = [
            (field.attname, field.get_default) for field in self.model._meta.concrete_fields if not field.primary_key
        ] + [(self.model._meta.pk.attname, lambda: None)]
        self.converters = Converters.for_user(user, writable_units(user))
        self.result = ImportResult()
        # The roll-up cells the written rows leave or land in, recomputed after the commit.
        self.touched = Region()

    # --- header -------------------------------------------------------------------------

    def _map_header(self, header: list) -> list[Column | str | None]:
        """For each position: a Column, ``"id"``, ``None`` (read-only, skipped) — or errors."""
        by_alias = {alias: column for column in self.columns for alias in column.aliases()}
        id_aliases = {normalise_header(name) for name in (ID_COLUMN, "ID", "编号")}
        read_only = {normalise_header(name) for name in READ_ONLY_COLUMNS} | self._read_only_labels()
        mapping: list[Column | str | None] = []
        seen: set[str] = set()
        for cell in header:
            key = normalise_header(cell)
            if key in id_aliases:
                mapping.append(ID_COLUMN)
                continue
            column = by_alias.get(key) or by_alias.get(normalise_header(str(cell).split("/")[0]))
            if column is None:
                if key in read_only or not key:
                    mapping.append(None)
                    continue
                self.result.add_error(1, str(cell), _("Unknown column. Use the headers of the template."))
                mapping.append(None)
                continue
            if column.name in seen:
                self.result.add_error(1, str(cell), _("This column appears twice."))
            seen.add(column.name)
            mapping.append(column)
        for column in self.columns:
            if column.required and column.name not in seen:
                self.result.add_error(1, column.header, _("This required column is missing."))
        return mapping

    def _read_only_labels(self) -> set[str]:
        from .exporter import read_only_headers

        return {normalise_header(header) for header in read_only_headers(self.model)}

    # --- rows -------------------------------------------------------------------------------

    def _rows(self) -> Iterator[tuple[int, list]]:
        stream = self.open_file()
        try:
            header, rows = iter_rows(stream)
            self.mapping = self._map_header(header)
            yield from rows
        finally:
            stream.close()

    def _convert(self, number: int, cells: list) -> tuple[dict, int | None, bool]:
        """The row's field values, its ``id`` if any, and whether it was free of errors."""
        values: dict = {}
        record_id = None
        ok = True
        for position, target in enumerate(self.mapping):
            if target is None:
                continue
            raw = cells[position] if position < len(cells) else None
            if target == ID_COLUMN:
                if raw not in (None, ""):
                    try:
                        record_id = int(float(raw))
                    except (TypeError, ValueError):
                        self.result.add_error(number, "id", _("“%(value)s” is not a record id.") % {"value": raw})
                        ok = False
                continue
            try:
                values[target.name] = self.converters.convert(target, raw)
            except CellError as error:
                self.result.add_error(number, target.header, str(error))
                ok = False
        return values, record_id, ok

    def _instance(self, values: dict):
        """An unsaved record holding the row's values.

        Built the way Django builds rows read from the database (no ``__init__``,
        which costs more than the rest of the row's work); every field starts at its
        default, so the record is what ``Model()`` would give.
        """
        record = self.model.__new__(self.model)
        record._state = ModelState()
        state = record.__dict__
        for attname, default in self._defaults:
            state[attname] = default()
        self._assign(record, values)
        return record

    def _assign(self, record, values: dict) -> bool:
        """Set the row's values on ``record``; True when that changed anything."""
        changed = False
        extras = {column.name: column.extra for column in self.extras}
        for name, value in values.items():
            if name in extras:
                if record.pk is None or extras[name].current(record) != value:
                    extras[name].apply(record, value)
                    changed = True
                continue
            attname = self.model._meta.get_field(name).attname
            if getattr(record, attname) != value:
                setattr(record, attname, value)
                changed = True
        return changed

    def _clean(self, number: int, record) -> bool:
        try:
            record.clean()
        except ValidationError as error:
            headers = {column.name: column.header for column in self.columns}
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.result.add_error(number, headers.get(name, ""), message)
            return False
        return True

    # --- passes -----------------------------------------------------------------------------

    def validate(self) -> ImportResult:
        """First pass: every row converted and checked; nothing is written.

        While no error has turned up, the converted rows are spooled to a temporary
        file in batches, so the second pass reads them back instead of converting
        the file again.
        """
        keys: set[int] = set()
        ids: dict[int, int] = {}
        pending_ids: dict[int, int] = {}
        batch: list[tuple[dict, int | None]] = []
        self._spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by write())
        rows = self._rows()
        for number, cells in rows:
            self.result.rows += 1
            values, record_id, ok = self._convert(number, cells)
            if self.result.ok:
                batch.append((values, record_id))
                if len(batch) >= BATCH:
                    pickle.dump(batch, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
                    batch = []
            if ok:
                ok = self._clean(number, self._instance(values))
            external = values.get(EXTERNAL_ID)
            if external:
                key = hash((values.get("unit"), external))
                if key in keys:
                    self.result.add_error(number, EXTERNAL_ID, _("This external id appears twice in the file."))
                keys.add(key)
            if record_id is not None:
                if record_id in ids:
                    self.result.add_error(number, "id", _("This record id appears twice in the file."))
                ids[record_id] = number
                pending_ids[record_id] = number
                if len(pending_ids) >= BATCH:
                    self._check_ids(pending_ids)
            if self.result.rows % BATCH == 0:
                self.progress("validating", self.result.rows)
        self._check_ids(pending_ids)
        if batch and self.result.ok:
            pickle.dump(batch, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        if self.result.rows == 0 and self.result.ok:
            self.result.add_error(2, "", _("The file has a header but no rows."))
        self.progress("validating", self.result.rows)
        return self.result

    def _check_ids(self, pending: dict[int, int]) -> None:
        found = set(self.model.objects.for_user(self.user).filter(pk__in=pending).values_list("pk", flat=True))
        for record_id, number in pending.items():
            if record_id not in found:
                self.result.add_error(
                    number, "id", _("There is no record with the id %(id)s in your units.") % {"id": record_id}
                )
        pending.clear()

    def write(self) -> ImportResult:
        """Second pass, only after a clean first pass: create or update, all in one transaction."""
        params = CostParameters.current()
        done = 0
        with transaction.atomic():
            for batch in self._spooled():
                self._write_batch(batch, params)
                done += len(batch)
                self.progress("importing", done)
            rollups_queue_region(self.touched)
        return self.result

    def _spooled(self):
        spool, self._spool = self._spool, None
        try:
            spool.seek(0)
            while True:
                try:
                    yield pickle.load(spool)  # nosec B301 # our own anonymous temporary file, written by validate()
                except EOFError:
                    return
        finally:
            spool.close()

    def run(self) -> ImportResult:
        """Validate, then write if and only if every row is valid."""
        try:
            self.validate()
        except LedgerFileError as error:
            self.result.add_error(1, "", str(error))
        if self.result.ok:
            self.write()
        return self.result

    def _write_batch(self, batch: list[tuple[dict, int | None]], params) -> None:
        existing = self._existing(batch)
        now = timezone.now()
        to_create, to_update = [], []
        fields = [column.name for column in self.columns]
        for values, record_id in batch:
            key = record_id if record_id is not None else (values.get("unit"), values.get(EXTERNAL_ID) or None)
            current = existing.get(key)
            if current is not None:
                self.touched.add_record(current)  # where it was, before the row changes it
            if current is None:
                record = self._instance(values)
                record.created_by = record.updated_by = self.user
                record.burden_hours = record.compute_burden_hours(params)
                to_create.append((record, values))
            elif self._assign(current, values):
                current.updated_by = self.user
                current.updated_at = now
                # A row that changes what people typed makes an open form of the record stale, as a save does.
                current.version += 1
                current.burden_hours = current.compute_burden_hours(params)
                to_update.append((current, values))
            else:
                self.result.unchanged += 1
        if to_create:
            bulk_insert_with_history(self.model, [record for record, _values in to_create], user=self.user)
            self.result.created += len(to_create)
        if to_update:
            update_fields = [
                self.model._meta.get_field(name).attname for name in fields if name not in self._extra_names
            ]
            update_fields += ["burden_hours", "updated_by", "updated_at", "version", *self._extra_fields]
            records = [record for record, _values in to_update]
            bulk_update_with_history(records, self.model, update_fields, batch_size=BATCH, default_user=self.user)
            self.result.updated += len(to_update)
        for column in self.extras:
            column.extra.write([(record, values[column.name]) for record, values in to_create + to_update])
        for record, _values in to_create + to_update:
            self.touched.add_record(record)

    @property
    def _extra_names(self) -> set[str]:
        return {column.name for column in self.extras}

    @property
    def _extra_fields(self) -> list[str]:
        """Model fields an extra column derives (a data request's item count)."""
        return [name for column in self.extras for name in column.extra.derived_fields]

    def _existing(self, batch) -> dict:
        """Records the batch names, by id or by (unit, external id), in one or two queries.

        Locked until the import commits, so a form saved meanwhile cannot slip between
        the read and the write and have its version (and its change) overwritten.
        """
        scoped = self.model.objects.for_user(self.user).select_for_update(of=("self",))
        prefetch = [name for column in self.extras for name in column.extra.prefetch]
        if prefetch:
            scoped = scoped.prefetch_related(*prefetch)
        ids = [record_id for _values, record_id in batch if record_id is not None]
        externals = {
            (values["unit"], values[EXTERNAL_ID])
            for values, record_id in batch
            if record_id is None and values.get(EXTERNAL_ID)
        }
        found: dict = {}
        if ids:
            found.update(scoped.in_bulk(ids))
        if externals:
            units = {unit for unit, _external in externals}
            names = {external for _unit, external in externals}
            for record in scoped.filter(unit_id__in=units, external_id__in=names):
                found[(record.unit_id, record.external_id)] = record
        return found
