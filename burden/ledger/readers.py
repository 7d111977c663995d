"""Streaming readers for uploaded ledgers: XLSX, and CSV in UTF-8, UTF-8 with BOM or GBK/GB18030.

Both yield ``(row_number, cells)`` one row at a time, so a file of a million rows is
never held in memory. Row numbers are the spreadsheet's own (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class LedgerFileError(Exception):
    """The file as a whole cannot be read; the message is translated and says what to do."""


def detect_format(head: bytes) -> str:
    if not head.strip():
        raise LedgerFileError(_("The file is empty."))
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise LedgerFileError(_("This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again."))
    if b"\x00" in head[:SNIFF_BYTES]:
        raise LedgerFileError(_("This is not a spreadsheet. Upload an .xlsx file or a CSV file."))
    return "csv"


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else GB18030 (a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise LedgerFileError(
            _("The file's text encoding is not recognised. Save it as CSV UTF-8 or as .xlsx.")
        ) from None


def iter_rows(stream: IO[bytes]) -> tuple[list, Iterator[tuple[int, list]]]:
    """The header cells and an iterator over the data rows (blank rows skipped)."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    kind = detect_format(head)
    rows = _xlsx_rows(stream) if kind == "xlsx" else _csv_rows(stream, detect_encoding(head))
    try:
        first = next(rows)
    except StopIteration:
        raise LedgerFileError(_("The file is empty.")) from None
    return first[1], rows


def _csv_rows(stream: IO[bytes], encoding: str) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        for number, row in enumerate(csv.reader(text), start=1):
            if any(cell.strip() for cell in row):
                yield number, row
    except UnicodeDecodeError:
        raise LedgerFileError(
            _("Part of the file is not valid %(encoding)s text. Save it again as CSV UTF-8 or as .xlsx.")
            % {"encoding": encoding.upper()}
        ) from None
    except csv.Error as error:
        raise LedgerFileError(_("The CSV file is malformed: %(error)s") % {"error": error}) from None
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise LedgerFileError(_("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(cell is not None and str(cell).strip() for cell in row):
                yield number, list(row)
    finally:
        workbook.close()
