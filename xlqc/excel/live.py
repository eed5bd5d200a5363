"""Reading and writing the open workbook through the public xlwings object model, in bulk.

Every function here costs a fixed number of calls to Excel per sheet, or one call per batch of
cells; none goes cell by cell over the rows. Reading hands the values to
:func:`xlqc.reading.build_book`, the builder the file reader uses, so the live book and the saved
file give the same model, the same findings and the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlqc import schema, statesheet
from xlqc.errors import XlqcError
from xlqc.model import Book
from xlqc.reading import HEADER_SEARCH_ROWS, build_book

RGB = tuple[int, int, int]

ADDRESS_LIMIT = 254  # Excel refuses Range("…") strings of 255 characters and more
MAX_READ_ROWS = 200_000  # a used range beyond this is stray formatting, not clerks' data
WIDE_COLUMNS = 256  # a used range wider than this is capped at its last header column
BOOK_SHEETS = (schema.SETTINGS_SHEET, *schema.DATA_SHEETS)


def read_grid(sheet: Any) -> list[list[Any]]:
    """The sheet's values from A1 to the last used cell, in one read: numbers as floats, dates
    as datetimes, blanks as None and cell errors as their text (#N/A).

    Excel's used range grows with formatting: a header row formatted to column XFD would make
    one read of rows × 16,384 cells. When the used range is wider than :data:`WIDE_COLUMNS`, the
    header rows are read first and the read stops at their last filled column: a column without
    a header is nobody's data (the readers find columns by their headers), and 校验状态 goes
    right after the last header."""
    last = sheet.used_range.last_cell
    rows, cols = last.row, last.column
    if rows > MAX_READ_ROWS:
        raise XlqcError(
            f"工作表「{sheet.name}」的已用区域延伸到第 {rows} 行，远超总表的正常范围；"
            "请选中数据下方的空行整行删除、保存后再试"
        )
    if cols > WIDE_COLUMNS:
        top = min(rows, HEADER_SEARCH_ROWS)
        head = sheet.range((1, 1), (top, cols)).options(ndim=2, err_to_str=True).value
        cols = max(
            (c for line in head for c, v in enumerate(line, start=1) if v not in (None, "")),
            default=1,
        )
    grid = sheet.range((1, 1), (rows, cols)).options(ndim=2, err_to_str=True).value
    return [list(row) for row in grid]


class LiveBook:
    """The open workbook with its sheet names and sheet objects, each fetched once."""

    def __init__(self, xbook: Any) -> None:
        self.xbook = xbook
        self.names: list[str] = list(xbook.sheet_names)
        self._sheets: dict[str, Any] = {}

    def sheet(self, name: str) -> Any:
        if name not in self._sheets:
            self._sheets[name] = self.xbook.sheets[name]
        return self._sheets[name]

    def delete(self, name: str) -> None:
        if name in self.names:
            self.sheet(name).delete()
            self.names.remove(name)
            self._sheets.pop(name, None)

    def add(self, name: str) -> Any:
        """A new sheet after the last one (Excel makes it the active sheet)."""
        sheets = self.xbook.sheets
        sheet = sheets.add(name, after=sheets[len(sheets) - 1])
        self.names.append(name)
        self._sheets[name] = sheet
        return sheet


def read_grids(live: LiveBook, names: Iterable[str]) -> dict[str, list[list[Any]]]:
    """The grids of the named sheets that exist in the workbook (one read each)."""
    return {name: read_grid(live.sheet(name)) for name in names if name in live.names}


ONLINE_ONLY = (
    "这个工作簿直接保存在 OneDrive/SharePoint 网址上，xlqc 找不到它在本机的文件夹；"
    "请用「另存为」保存到本机文件夹（或 OneDrive 同步文件夹）后再试"
)


def book_path(xbook: Any) -> Path:
    """The workbook's file; :class:`XlqcError` when it has never been saved to a local folder
    (proof paths are relative to that folder, and output goes beside it).

    For a workbook that Excel has open from OneDrive/SharePoint (AutoSave), xlwings'
    ``Book.fullname`` turns the https:// name into the synced local file, or raises
    ``XlwingsError`` when it finds none: that, too, is the Chinese "save it locally"."""
    from xlwings import XlwingsError

    try:
        fullname = str(xbook.fullname)
    except XlwingsError:
        raise XlqcError(ONLINE_ONLY) from None
    if "://" in fullname:
        raise XlqcError(ONLINE_ONLY)
    path = Path(fullname)
    if not path.is_absolute() or not path.parent.is_dir():
        raise XlqcError("工作簿还没有保存：请先保存到一个文件夹（证实性材料的路径相对于它）再试")
    return path


@dataclass
class LiveState:
    """The state sheet of the open workbook (found by its marker, never by its name): its
    name (None: the workbook has none), its records and the warnings of damaged rows."""

    name: str | None = None
    records: list[statesheet.Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_state(live: LiveBook) -> LiveState:
    """Find the state sheet as :func:`xlqc.statesheet.read_state` does — a hidden or very hidden
    sheet whose A1 is :data:`xlqc.statesheet.STATE_MARKER` (or 0.1's header) — and parse its rows
    with the same parser. Calls: the visibility of each sheet, the first row of each hidden
    one, and one read of the state sheet."""
    for name in live.names:
        sheet = live.sheet(name)
        if sheet.visible not in (HIDDEN, XL_SHEET_VERY_HIDDEN):  # -1 (True on macOS): visible
            continue
        first = sheet.range((1, 1), (1, 7)).options(ndim=2).value[0]
        version = statesheet.state_version(first)
        if version is None:
            continue
        state = LiveState(name)
        rows = enumerate(read_grid(sheet)[1:], start=2)
        has_results = schema.RESULT_SHEET in live.names
        state.records = statesheet.parse_state(
            name, rows, version, has_results, state.warnings.append
        )
        return state
    return LiveState()


HIDDEN = 0  # xlSheetHidden (False on macOS)
XL_SHEET_VERY_HIDDEN = 2  # xlSheetVeryHidden: not listed under 「取消隐藏」, as in the file path


def read_live_book(xbook: Any) -> Book:
    """The model of the open workbook: the same as :func:`xlqc.reading.read_book` on the saved
    file, read with one call per sheet."""
    path = book_path(xbook)
    # Workbook.Date1904: numbers in date columns are serials of the book's own date system
    date1904 = bool(xbook.api.Date1904)
    live = LiveBook(xbook)
    book = build_book(read_grids(live, BOOK_SHEETS), path, date1904=date1904)
    book.drafts = statesheet.drafts_of(read_state(live).records)
    return book


# Text Excel would not keep as typed when written to a General cell: a formula or constant
# prefix, a number (0523, 1e5, 1,234, 50%, (12), ￥3), a date or time (2025-1-1, 2025年1月, 3/4,
# 8:30, Jan-25), TRUE/FALSE, an error literal (#N/A), or a leading apostrophe of its own.
_CONVERTED = re.compile(
    r"""^\s*(?:
        [=+\-@'].*
      | [(]?[$¥￥€£]?\s*[+-]?[\d.,]*\d[\d.,]*(?:[eE][+-]?\d+)?\s*%?[)]?
      | [\d\s/.:\-年月日时分秒]*\d[\d\s/.:\-年月日时分秒]*(?:\s*[ap]\.?m\.?)?
      | [\d\s/.,\-]*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\d\s/.,\-]*
      | true | false
      | \#.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
TEXT_FORMAT = "@"


def needs_prefix(text: str) -> bool:
    """Whether Excel would change ``text`` written to a General cell (see :data:`_CONVERTED`)."""
    return bool(_CONVERTED.match(text))


def as_text(value: Any, number_format: str | None = None) -> Any:
    """A value to write so that Excel keeps text as typed: "" becomes blank; a string gets
    Excel's ' prefix only where Excel would otherwise change it (a formula, a number, a date),
    and never in a cell formatted as text ("@"), which keeps a written apostrophe as a
    character of the text."""
    if isinstance(value, str):
        if not value:
            return None
        if number_format != TEXT_FORMAT and needs_prefix(value):
            return "'" + value
    return value


def hex_to_rgb(text: str) -> RGB:
    """ "FFC7CE" or "FFFFC7CE" -> (255, 199, 206)."""
    text = text.strip().lstrip("#")[-6:]
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def rgb_to_hex(rgb: RGB) -> str:
    return "".join(f"{int(v):02X}" for v in rgb[:3])


def join_addresses(cells: Iterable[str], limit: int = ADDRESS_LIMIT) -> Iterator[str]:
    """Cell addresses joined by commas in strings of at most ``limit`` characters."""
    chunk = ""
    for cell in cells:
        if chunk and len(chunk) + 1 + len(cell) > limit:
            yield chunk
            chunk = ""
        chunk = f"{chunk},{cell}" if chunk else cell
    if chunk:
        yield chunk


def paint(sheet: Any, cells_by_color: Mapping[RGB | None, Iterable[str]]) -> None:
    """Fill cells, one call per colour and per 254 characters of addresses (None: no fill)."""
    for color, cells in cells_by_color.items():
        for address in join_addresses(sorted(set(cells), key=_cell_order)):
            sheet.range(address).color = color


def _cell_order(cell: str) -> tuple[int, str]:
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters) :] or 0), letters.rjust(3)


def write_column(sheet: Any, first_row: int, column: int, values: list[Any]) -> None:
    """Write ``values`` down one column from ``first_row`` in one call, as text."""
    if values:
        sheet.range((first_row, column)).value = [[as_text(v)] for v in values]
