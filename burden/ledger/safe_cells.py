"""Spreadsheet cells that stay text: what people typed is never evaluated as a formula.

Excel, WPS and LibreOffice start a formula at ``=``, ``+``, ``-`` or ``@``, and a
leading tab or carriage return can hide one, so a meeting titled
``=HYPERLINK("http://x","y")`` would be a live link in everyone's export (CSV or
formula injection, OWASP). Every CSV and XLSX the product writes goes through these
helpers, and only text is changed: numbers, dates and booleans are written as they
are, so a negative number stays a number.

- CSV: such text gets a leading single quote, OWASP's advice; the spreadsheet shows
  it as text. ``csv_unescape`` takes exactly that quote off again on import.
- XLSX: such text is a string cell (openpyxl would otherwise store a text starting
  with ``=`` as a formula) marked ``quotePrefix``, which is what Excel itself stores
  when one types ``'=...``: shown as text, and still text after the cell is edited.
  The value is unchanged, so an XLSX reads back as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A quote the CSV writer added: one before a trigger, or before a run of quotes and a
# trigger (so text that a person began with ``'=`` comes back with its own quote).
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset([*TRIGGERS, "'"])


def is_formula_like(value) -> bool:
    """True for text that a spreadsheet would evaluate (or that hides a formula)."""
    return isinstance(value, str) and value.startswith(TRIGGERS)


# --- CSV ----------------------------------------------------------------------------------


def csv_value(value):
    """The value as a CSV field: a quote before text a spreadsheet would evaluate."""
    # The first character decides for almost every field, so a million-row export
    # runs the pattern only on the rare text that starts with a quote.
    if isinstance(value, str) and value[:1] in _FIRST and (value.startswith(TRIGGERS) or _QUOTED.match(value)):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_value(value) for value in values]


def csv_unescape(text: str) -> str:
    """A CSV field as it was typed: undoes ``csv_value`` and nothing else."""
    if text[:1] == "'" and _QUOTED.match(text):
        return text[1:]
    return text


# --- XLSX ---------------------------------------------------------------------------------


def xlsx_value(sheet, value):
    """The value for ``sheet.append``: formula-like text as a text cell, the rest as it is.

    Works for normal and write-only sheets alike (both accept cells of their own).
    """
    if not is_formula_like(value):
        return value
    from openpyxl.cell import Cell

    # A row and column of its own: the write-only sheet formats the cell's coordinate
    # before it takes the cell as given; append() then moves it into place.
    cell = Cell(sheet, row=1, column=1)
    return _as_text(cell, value)


def xlsx_row(sheet, values: Iterable) -> list:
    return [xlsx_value(sheet, value) for value in values]


def xlsx_set(cell, value):
    """Set one cell of a normal sheet (``sheet.cell(...)``) the same way."""
    if is_formula_like(value):
        return _as_text(cell, value)
    cell.value = value
    return cell


def _as_text(cell, value: str):
    cell.value = value
    # After the value: openpyxl decides a text starting with "=" is a formula.
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
