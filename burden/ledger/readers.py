"""Streaming readers for uploaded ledgers: XLSX, and CSV in UTF-8, UTF-8 with BOM or GBK/GB18030.

Both yield ``(row_number, cells)`` one row at a time, so a file of a million rows is
never held in memory. Row numbers are the spreadsheet's own (the header is row 1).
A CSV's cells lose the quote that our exports put before formula-like text; an XLSX
is checked by ``xlsx_check`` before openpyxl parses any of it, and its XML is parsed
with defusedxml (which openpyxl uses whenever it is installed).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings
from django.utils.translation import gettext as _

from .safe_cells import csv_unescape

SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
MB = 1024 * 1024
# Spreadsheet XML packs 5 to 30 times smaller; a part packed more than this is built to
# explode (a sheet of zeros packs about a thousand times). Small parts are let be.
XLSX_MAX_RATIO = 200
XLSX_RATIO_FLOOR = 1 * MB
# The root element of every XML part starts within this many bytes; a document type
# (and with it any entity) would have to come before it.
XML_PROLOG_BYTES = 16 * 1024
CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# <si> or <x:si>: one shared string; matches are at most 36 bytes long.
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?si[\s/>]")


class LedgerFileError(Exception):
    """The file as a whole cannot be read; the message is translated and says what to do."""


class XlsxRefused(LedgerFileError):
    """An XLSX refused unparsed, for what reading it would take (see ``xlsx_check``)."""


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
                yield number, [csv_unescape(cell) for cell in row]
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

    xlsx_check(stream)
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as error:
        if isinstance(error, DefusedXmlException) or isinstance(error.__cause__, DefusedXmlException):
            raise LedgerFileError(_not_plain_xml()) from None  # a DTD that xlsx_check did not see
        raise LedgerFileError(_("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(cell is not None and str(cell).strip() for cell in row):
                yield number, list(row)
    except (DefusedXmlException, ParseError):
        raise LedgerFileError(_not_plain_xml()) from None
    finally:
        workbook.close()


def _not_plain_xml() -> str:
    return _(
        "The workbook contains XML that a spreadsheet never holds. "
        "Open it in Excel or WPS, save it again and upload that."
    )


def xlsx_check(stream: IO[bytes]) -> None:
    """Refuse, before anything parses it, an XLSX that would take too much to read.

    Only the zip's directory and a few bounded reads are looked at: the number of
    parts, their unpacked sizes (which the zip reader also holds every part to), how
    tightly each is packed, a document type in any XML part, and the number of
    shared strings (which openpyxl keeps in memory whole, unlike the sheets it
    streams). Raises ``XlsxRefused`` with the reason, or ``LedgerFileError`` for a file
    that is not a zip at all.
    """
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LedgerFileError(_("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > settings.LEDGER_MAX_XLSX_PARTS:
            raise XlsxRefused(
                _(
                    "The workbook has %(count)s parts, more than a ledger ever needs (%(limit)s). "
                    "Copy the sheet into a new workbook and upload that."
                )
                % {"count": len(parts), "limit": settings.LEDGER_MAX_XLSX_PARTS}
            )
        for part in parts:
            if part.file_size > XLSX_RATIO_FLOOR and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
                raise XlsxRefused(
                    _(
                        "The workbook is packed in a way no spreadsheet program writes. "
                        "Open it in Excel or WPS, save it again and upload that."
                    )
                )
        limit = settings.LEDGER_MAX_XLSX_UNCOMPRESSED_MB * MB
        if sum(part.file_size for part in parts) > limit:
            raise XlsxRefused(
                _("Unpacked, the workbook would take more than %(size)s MB. Split it and import the parts.")
                % {"size": settings.LEDGER_MAX_XLSX_UNCOMPRESSED_MB}
            )
        try:
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _xml_root(archive, part)
            shared = _shared_strings_part(archive)
            if shared is not None:
                _check_shared_strings(archive, shared, limit)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error):
            # A damaged part, or one packed in a way the zip reader does not know.
            raise LedgerFileError(_("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")) from None


class _FirstElement:
    """A parser target that keeps the first element's tag and attributes."""

    def __init__(self):
        self.tag = None
        self.attrib: dict = {}

    def start(self, tag, attrib):
        if self.tag is None:
            self.tag, self.attrib = tag, dict(attrib)

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def close(self):
        pass


def _xml_root(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> dict:
    """The root element's attributes, from the part's first bytes; no document type allowed."""
    with archive.open(part) as source:
        head = source.read(XML_PROLOG_BYTES)
    if not head.strip():
        return {}
    target = _FirstElement()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        parser.feed(head)  # never closed: the rest of the part is not read here
    except (DefusedXmlException, ParseError):
        raise XlsxRefused(_not_plain_xml()) from None
    if target.tag is None:
        raise XlsxRefused(_not_plain_xml())
    return target.attrib


def _shared_strings_part(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The shared strings part, found as openpyxl finds it: by its content type."""
    try:
        manifest = archive.getinfo(CONTENT_TYPES)
    except KeyError:
        return None  # openpyxl refuses such a file itself
    if manifest.file_size > MB:
        raise XlsxRefused(_not_plain_xml())
    try:
        types = safe_fromstring(archive.read(manifest), forbid_dtd=True)
    except (DefusedXmlException, ParseError):
        raise XlsxRefused(_not_plain_xml()) from None
    for override in types:
        if override.get("ContentType") == SHARED_STRINGS_TYPE:
            try:
                return archive.getinfo(override.get("PartName", "").lstrip("/"))
            except KeyError:
                return None
    return None


def _check_shared_strings(archive: zipfile.ZipFile, part: zipfile.ZipInfo, unpacked_limit: int) -> None:
    limit = settings.LEDGER_MAX_XLSX_SHARED_STRINGS
    too_many = XlsxRefused(
        _("The workbook holds more than %(limit)s different texts. Split it and import the parts.")
        % {"limit": f"{limit:,}"}
    )
    # The file's own count first (cheap), then the strings themselves: the count may lie.
    declared = _xml_root(archive, part)
    for name in ("uniqueCount", "count"):
        if str(declared.get(name, "")).isdigit():
            if int(declared[name]) > limit:
                raise too_many
            break
    # Held in memory whole, so it gets a share of the unpacked limit, not all of it.
    if part.file_size > unpacked_limit // 4:
        raise too_many
    count, tail = 0, b""
    with archive.open(part) as source:
        while chunk := source.read(MB):
            data = tail + chunk
            cut = max(len(data) - 40, 0)  # a match starting after this may go on in the next chunk
            count += sum(1 for match in SHARED_STRING.finditer(data) if match.start() < cut)
            tail = data[cut:]
            if count > limit:
                raise too_many
    count += len(SHARED_STRING.findall(tail))
    if count > limit:
        raise too_many
