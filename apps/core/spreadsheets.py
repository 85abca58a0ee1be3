"""Tables written as CSV or XLSX (exports, reports): a header and rows of plain values.

A cell is text, a number (int, Decimal — never float: money is Decimal, quantized by the
caller with apps.core.money.quantize), a date, an aware or naive datetime, a bool or None
(an empty cell).

- Formulas never run: a text cell a spreadsheet would read as a formula or a command —
  starting with = + - @, a tab or a carriage return (OWASP's CSV-injection rule) — gets a
  leading apostrophe in CSV, and is an explicit text cell with Excel's quote prefix (the
  apostrophe Excel shows nowhere but keeps) in XLSX. A buyer named "=HYPERLINK(…)" is
  written as those characters, never as a link.
- Dates and times: the caller converts a datetime to the zone it is to be read in (the
  event's) and says which zone in the column's header. CSV writes ISO 8601 (with the
  offset when the value is aware); Excel has no time zones, so XLSX writes the wall-clock
  time of the value's own zone.
- Decimals keep their decimals: an XLSX number cell shows as many as the value has
  ("12.50" → 0.00), so JPY shows none and KWD three.
- CSV is UTF-8 with a byte-order mark (what Excel needs to read accents), comma-separated,
  CRLF line ends (RFC 4180). XLSX is written in openpyxl's write-only mode, row by row, so
  a large table never sits in memory as cells.

`table_write` writes to a binary stream and reports progress every `PROGRESS_EVERY` rows;
`table_response` is the download of a small table built in a request.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import IO, TypeAlias

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell: TypeAlias = str | int | Decimal | date | datetime | time | bool | None
Row: TypeAlias = Sequence[Cell]
Progress: TypeAlias = Callable[[int], None]

# What a spreadsheet reads as the start of a formula or command (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 500
SHEET_TITLE_LIMIT = 31  # Excel's limit
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 10, 60


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def content_type(self) -> str:
        if self is Format.CSV:
            return "text/csv; charset=utf-8"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @property
    def extension(self) -> str:
        return f".{self.value}"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralized(text: str) -> str:
    """`text` as a CSV cell no spreadsheet evaluates: a leading apostrophe when it would."""
    return f"'{text}" if is_formula_like(text) else text


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralized(str(value))


def csv_write(
    stream: IO[bytes], header: Sequence[str], rows: Iterable[Row], *, progress: Progress | None = None
) -> int:
    """Write the table as CSV to `stream`; returns the number of rows (without the header)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralized(str(name)) for name in header])
        count = 0
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open
    return count


def sheet_title(title: str) -> str:
    """A worksheet name Excel takes: no []:*?/\\, at most 31 characters, not empty."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title))
    cleaned = " ".join(cleaned.split()).strip("'")
    return cleaned[:SHEET_TITLE_LIMIT] or "Sheet1"


def _number_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0." + "0" * decimals if decimals else "#,##0"


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> SheetCell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # the wall clock of its own zone (Excel has none)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet)
        cell.value = text
        cell.data_type = "s"  # never "f", whatever it starts with
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell
    cell = WriteOnlyCell(sheet)
    cell.value = value
    if isinstance(value, Decimal):
        cell.number_format = _number_format(value)
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_write(
    stream: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    title: str = "",
    progress: Progress | None = None,
) -> int:
    """Write the table as one XLSX worksheet to `stream` (header in bold, frozen, columns as
    wide as their header); returns the number of rows (without the header)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, name in enumerate(header, start=1):
        width = min(max(len(str(name)) + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = _xlsx_cell(sheet, str(name))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(stream)
    return count


def table_write(
    file_format: Format | str,
    stream: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    title: str = "",
    progress: Progress | None = None,
) -> int:
    """Write the table in `file_format` ("csv" or "xlsx"); returns the number of rows."""
    if Format(file_format) is Format.CSV:
        return csv_write(stream, header, rows, progress=progress)
    return xlsx_write(stream, header, rows, title=title, progress=progress)


def table_bytes(
    file_format: Format | str, header: Sequence[str], rows: Iterable[Row], *, title: str = ""
) -> bytes:
    buffer = io.BytesIO()
    table_write(file_format, buffer, header, rows, title=title)
    return buffer.getvalue()


def table_response(
    file_format: Format | str,
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    filename: str,
    title: str = "",
) -> HttpResponse:
    """A download of the table: `filename` without its extension, which the format adds."""
    chosen = Format(file_format)
    response = HttpResponse(table_bytes(chosen, header, rows, title=title), content_type=chosen.content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}{chosen.extension}") or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response
