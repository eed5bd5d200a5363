"""Reading a master workbook into the model.

Two halves, so the file reader and the live-Excel reader share everything but the I/O:

* :func:`read_tables` opens a saved file (python-calamine: cached formula values, no styles, far
  faster than openpyxl's loader) and returns 设置 and the data sheets as grids of plain values
  from A1 — or, for a sheet whose values stray far from its data, only the cells under its
  headers (:class:`SheetGrid`, see :mod:`xlqc.sheetxml`) — with the workbook's date system;
* :func:`build_book` turns such grids into a :class:`~xlqc.model.Book`, finding columns by header
  text, skipping blank rows, and keeping each value's cell.
"""

from __future__ import annotations

import dataclasses
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xlqc import schema, sheetxml
from xlqc.dates import DateError, minus_years, parse_date
from xlqc.errors import XlqcError
from xlqc.model import (
    ERROR_VALUES,
    Book,
    DateValue,
    Group,
    Loc,
    Member,
    Row,
    Settings,
    Topic,
    text_of,
)
from xlqc.text import visible

Grid = Sequence[Sequence[Any]]

MAX_FILE_BYTES = 40 * 1024 * 1024  # a real master workbook is a few MB
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # guards against zip bombs
MAX_RATIO = 200  # uncompressed / compressed for any single part
HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is tolerated

_PATH_SPLIT = re.compile(r"[;；\r\n]+")
_HEADER_NOISE = re.compile(r"[\s*＊]|[(（][^)）]*[)）]$")
_ROW_TYPES: dict[str, type[Row]] = {
    schema.GROUP_SHEET: Group,
    schema.TOPIC_SHEET: Topic,
    schema.MEMBER_SHEET: Member,
}


def read_book(path: str | Path) -> Book:
    """Read a saved master workbook; :class:`XlqcError` for anything that is not one."""
    path = Path(path)
    tables = read_tables(path)
    book = build_book(tables.grids, path, date1904=tables.date1904)
    book.drafts = tables.drafts
    return book


class SheetGrid(list[list[Any]]):
    """A sheet read without its empty stretches: row ``i`` of the grid is sheet row
    ``rows[i]`` and position ``j`` in a row is sheet column ``columns[j]`` (both 1-based).
    A plain list of rows is a grid from A1 (the live reader's, and calamine's for most sheets)."""

    def __init__(self, values: list[list[Any]], rows: list[int], columns: list[int]) -> None:
        super().__init__(values)
        self.rows = rows
        self.columns = columns


@dataclass
class Tables:
    """The sheets xlqc reads (设置 and the data sheets) as grids, and the workbook's date system."""

    grids: dict[str, Grid]
    date1904: bool = False
    drafts: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)  # Book.drafts


# calamine reads a sheet as one rectangle from A1 to its last value: up to this many cells it
# reads the sheet in place (a national office's 40,000 member rows are 160,000 cells); beyond,
# only the cells under the headers are read, their rows and columns moved together
DENSE_CELLS = 1_000_000
MAX_ROWS = 200_000  # rows with values under the headers; the live reader has the same bound


def read_tables(path: Path) -> Tables:
    """设置 and the data sheets of the file as grids, formula cells as their cached values.

    Only those sheets are read (a clerk's own sheets never are), each first scanned in its XML
    (:mod:`xlqc.sheetxml`) so that a stray value far from the data (成员!XFD1048576) can neither
    abort the process in calamine nor cost it gigabytes."""
    check_workbook_file(path)
    import python_calamine as calamine

    try:
        with zipfile.ZipFile(path) as zf:
            package = sheetxml.read_package(zf)
            names = [n for n in (schema.SETTINGS_SHEET, *schema.DATA_SHEETS) if n in package.sheets]
            scans = {n: sheetxml.scan_sheet(zf, package.sheets[n]) for n in names}
            grids: dict[str, Grid] = {
                n: _read_compacted(zf, package, n, path)
                for n in names
                if scans[n].area > DENSE_CELLS
            }
        in_place = [n for n in names if n not in grids]
        book = calamine.CalamineWorkbook.from_path(str(path))
        try:
            for name in in_place:
                grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                if name in schema.DATA_SHEETS:
                    _put_error_values(grid, scans[name].errors)
                grids[name] = grid
            drafts = _read_drafts(path, book, package)
        finally:
            book.close()
        return Tables({n: grids[n] for n in names}, package.date1904, drafts)
    except XlqcError:
        raise
    except calamine.PasswordError:
        raise XlqcError(
            f"「{visible(path.name)}」有密码保护，请在 Excel 中取消密码后另存一份再试"
        ) from None
    except BaseException as exc:  # calamine raises several types, and a Rust panic is a
        if isinstance(exc, KeyboardInterrupt | SystemExit):  # BaseException
            raise
        raise XlqcError(
            f"「{visible(path.name)}」已损坏或不是有效的 Excel 工作簿（{_short(exc)}）"
        ) from None


STATE_CELLS = 100_000  # a hidden sheet larger than this is the clerk's, not xlqc's state sheet


def _read_drafts(path: Path, book: Any, package: sheetxml.Package) -> dict[tuple[str, str], str]:
    """The 推荐意见 drafts recorded in xlqc's state sheet (a hidden sheet whose A1 is
    :data:`xlqc.statesheet.STATE_MARKER`): (sheet, cell) -> text. Visible sheets are never read,
    and a hidden sheet only after its XML has shown it small."""
    import python_calamine as calamine

    from xlqc.statesheet import DRAFT_KIND, STATE_MARKER, Record, drafts_of

    hidden = [
        m.name
        for m in book.sheets_metadata
        if m.visible != calamine.SheetVisibleEnum.Visible and m.name in package.sheets
    ]
    if not hidden:
        return {}
    marker = STATE_MARKER.encode()
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        # the marker is an inline string at the top of the sheet as xlqc writes it, or a shared
        # string once a spreadsheet program re-saved the book: a hidden sheet holding it in
        # neither place is not looked into
        index = next(
            (i for p in package.shared if p in names for i in [_shared_index(zf.read(p), marker)]
             if i is not None),
            None,
        )  # fmt: skip
        candidates = []
        for name in hidden:
            part = package.sheets[name]
            if part not in names:
                continue
            with zf.open(part) as fh:
                head = fh.read(1 << 16)
            if _a1_holds(head, marker, index) and sheetxml.scan_sheet(zf, part).area <= STATE_CELLS:
                candidates.append(name)
    for name in candidates:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if not grid or not grid[0] or grid[0][0] != STATE_MARKER:
            continue
        records = []
        for row in grid[1:]:
            if not row or row[0] != DRAFT_KIND:
                continue
            try:
                rec = Record.from_row(row)
            except (ValueError, TypeError):
                continue  # a damaged row: marks says so when it rewrites the state
            if rec is not None:
                records.append(rec)
        return drafts_of(records)
    return {}


_A1 = re.compile(rb"""<(?:[\w.-]+:)?c\b[^>]*?\sr=["']A1["'][^>]*>(.*?)</(?:[\w.-]+:)?c>""", re.S)
_V = re.compile(rb"<(?:[\w.-]+:)?v>\s*(\d+)\s*</")


def _shared_index(data: bytes, text: bytes) -> int | None:
    """The index of the shared string that is exactly ``text`` (plain ASCII), if any; byte
    searches only (a shared strings part may hold hundreds of thousands of strings)."""
    at = data.find(b">" + text + b"</")
    if at < 0:
        return None
    root = re.search(rb"<([\w.-]+:)?sst\b", data[:4096])
    si = b"<" + ((root.group(1) or b"") if root else b"") + b"si"
    return data.count(si + b">", 0, at) + data.count(si + b" ", 0, at) - 1


def _a1_holds(head: bytes, text: bytes, shared_index: int | None) -> bool:
    """Whether A1, in the first bytes of a sheet's XML, holds ``text``: inline, or as the
    shared string ``shared_index``."""
    cell = _A1.search(head)
    if cell is None:
        return False
    if text in cell.group(1):
        return True
    value = _V.search(cell.group(1))
    start = cell.group(0)[: cell.group(0).index(b">") + 1]
    return (
        shared_index is not None
        and value is not None
        and re.search(rb"""\st=["']s["']""", start) is not None
        and int(value.group(1)) == shared_index
    )


def _read_compacted(
    zf: zipfile.ZipFile, package: sheetxml.Package, name: str, path: Path
) -> SheetGrid:
    """A sheet too large to read in place: only the columns under its headers (A and B of 设置),
    and only the rows with values in them."""
    part = package.sheets[name]
    if name == schema.SETTINGS_SHEET:
        columns = {1, 2}
    else:
        heads = _read_copy(
            *sheetxml.compact_package(zf, package, part, lambda r, c: r <= HEADER_SEARCH_ROWS),
            name,
        )
        wanted = {col.header for col in schema.DATA_SHEETS[name]}
        columns = {
            heads.columns[j]
            for values in heads
            for j, value in enumerate(values)
            if header_key(value) in wanted
        }
    try:
        copy = sheetxml.compact_package(
            zf, package, part, lambda r, c: c in columns, name in schema.DATA_SHEETS, MAX_ROWS
        )
    except sheetxml.TooManyRows as too_many:
        raise XlqcError(
            f"「{visible(path.name)}」工作表「{name}」有内容的行超过 {MAX_ROWS} 行"
            f"（第 {too_many.row} 行仍有内容），远超总表的正常范围；"
            "请删除数据下方多余的行、保存后再试"
        ) from None
    return _read_copy(*copy, name)


def _read_copy(copy: io.BytesIO, rows: list[int], columns: list[int], name: str) -> SheetGrid:
    import python_calamine as calamine

    if not rows:
        return SheetGrid([], [], [])
    with calamine.CalamineWorkbook.from_filelike(copy) as book:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return SheetGrid(values, rows, columns)


def _put_error_values(grid: list[list[Any]], errors: dict[tuple[int, int], str]) -> None:
    """Put #REF!, #N/A… back where a formula failed: calamine reads error cells as empty, and
    the clerk must be told the cell shows an error, not that it is blank (the live reader
    gets the same strings from Excel)."""
    for (row, col), shown in errors.items():
        if row <= len(grid) and col <= len(grid[row - 1]) and grid[row - 1][col - 1] == "":
            grid[row - 1][col - 1] = shown


def check_workbook_file(path: Path) -> None:
    """Refuse, with one Chinese sentence, every file that is not a sane .xlsx/.xlsm."""
    name = visible(path.name)  # a file name may hold control characters too
    if name.startswith("~$"):
        raise XlqcError(f"「{name}」是 Excel 打开工作簿时留下的锁定文件，不是工作簿，请选择原文件")
    if not path.exists():
        raise XlqcError(f"找不到文件「{visible(str(path))}」")
    suffix = path.suffix.lower()
    if suffix in _OTHER_SPREADSHEETS:  # before is_dir: a .numbers of older Macs is a folder
        raise XlqcError(f"「{name}」{_OTHER_SPREADSHEETS[suffix]}")
    if path.is_dir():
        raise XlqcError(f"「{visible(str(path))}」是文件夹，不是工作簿")
    try:  # before opening: a pipe would block the open for ever, a device never ends
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError as exc:
        raise XlqcError(f"无法读取「{name}」：{exc.strerror or exc}") from None
    if not regular:
        raise XlqcError(f"「{name}」不是普通文件（可能是管道或设备），不是工作簿")
    if suffix == ".xls":
        raise XlqcError(f"「{name}」是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再试")
    if suffix in (".csv", ".txt"):
        raise XlqcError(f"「{name}」是 CSV/文本文件，请使用 xlqc 总表（.xlsx）")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise XlqcError(f"无法读取「{name}」：{exc.strerror or exc}（文件可能被占用）") from None
    if size == 0:
        raise XlqcError(f"「{name}」是空文件")
    if size > MAX_FILE_BYTES:
        raise XlqcError(
            f"「{name}」有 {size / 1048576:.0f} MB，超过 {MAX_FILE_BYTES // 1048576} MB 上限；"
            "总表通常只有几 MB，请删除工作簿中的图片或多余内容后再试"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise XlqcError(
            f"「{name}」是加密的工作簿，或旧版 .xls、WPS .et 文件，请取消密码并另存为 .xlsx 后再试"
        )
    if not head.startswith(b"PK"):
        raise XlqcError(f"「{name}」不是 Excel 工作簿（.xlsx）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise XlqcError(f"「{name}」已损坏，无法作为 .xlsx 打开") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise XlqcError(f"「{name}」{_zip_kind(path, names)}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or any(
        i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos
    ):
        raise XlqcError(f"「{name}」解压后异常巨大（可能是恶意构造的文件），已拒绝读取")


_OTHER_SPREADSHEETS = {
    ".ods": "是 OpenDocument 表格（.ods），请在 WPS 或 Excel 中另存为 .xlsx 后再试",
    ".ots": "是 OpenDocument 表格模板（.ots），请在 WPS 或 Excel 中另存为 .xlsx 后再试",
    ".et": "是 WPS 表格文件（.et），请在 WPS 中另存为 Excel 工作簿（.xlsx）后再试",
    ".ett": "是 WPS 表格模板（.ett），请在 WPS 中另存为 Excel 工作簿（.xlsx）后再试",
    ".numbers": "是 Apple Numbers 表格（.numbers），请在 Numbers 中导出为 Excel（.xlsx）后再试",
    ".xlsb": "是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再试",
}


def _zip_kind(path: Path, names: set[str]) -> str:
    """What a zip that is not an .xlsx is, told by its content whatever its name: an OpenDocument
    file names itself in its first part 'mimetype', a Numbers file holds Index/*.iwa."""
    if "mimetype" in names:
        try:
            with zipfile.ZipFile(path) as zf, zf.open("mimetype") as fh:
                mimetype = fh.read(100)
        except (KeyError, OSError, zipfile.BadZipFile, RuntimeError):
            mimetype = b""
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return _OTHER_SPREADSHEETS[".ods"]
    if any(n.startswith("Index/") and n.endswith(".iwa") for n in names) or "Index.zip" in names:
        return _OTHER_SPREADSHEETS[".numbers"]
    if "xl/workbook.bin" in names:
        return _OTHER_SPREADSHEETS[".xlsb"]
    if "word/document.xml" in names:
        return "是 Word 文档，不是 Excel 工作簿"
    return "是压缩文件，但不是 Excel 工作簿"


def build_book(
    tables: dict[str, Grid] | dict[str, list[list[Any]]],
    path: Path | None = None,
    *,
    date1904: bool = False,
) -> Book:
    """The model of a workbook given as grids (sheet name -> rows of values from A1, or a
    :class:`SheetGrid`). With ``date1904`` numbers in date columns are serials of the 1904 date
    system (old Mac Excel): the workbook's own, as Excel shows them."""
    name = visible(path.name) if path else "工作簿"
    missing = [s for s in (schema.SETTINGS_SHEET, *schema.DATA_SHEETS) if s not in tables]
    if missing:
        raise XlqcError(
            f"「{name}」缺少工作表「{'」「'.join(missing)}」；请用 xlqc new 生成的总表填写"
        )
    settings = read_settings(tables[schema.SETTINGS_SHEET], date1904=date1904)
    book = Book(path=path, settings=settings, date1904=date1904)
    for sheet, columns in schema.DATA_SHEETS.items():
        letters, rows = _read_sheet(name, sheet, columns, tables[sheet], date1904)
        book.columns[sheet] = letters
        getattr(book, _ATTR[sheet]).extend(rows)
    return book


_ATTR = {schema.GROUP_SHEET: "groups", schema.TOPIC_SHEET: "topics", schema.MEMBER_SHEET: "members"}


def _read_sheet(
    book_name: str, sheet: str, columns: tuple[schema.Column, ...], grid: Grid, date1904: bool
) -> tuple[dict[str, str], list[Row]]:
    header_row, index = _find_headers(book_name, sheet, columns, grid)
    letters = {f: sheetxml.column_letters(_column_number(grid, i)) for f, i in index.items()}
    numbers = grid.rows if isinstance(grid, SheetGrid) else None
    row_type = _ROW_TYPES[sheet]
    # decided once per sheet, not once per cell: which columns exist and how each is typed
    present = [(col.field, index[col.field]) for col in columns if col.field in index]
    typed = [(col.field, col.kind if col.kind in ("date", "paths") else "text") for col in columns]
    dates: dict[tuple[type, Any], DateValue | None] = {}  # the same typed date is parsed once
    rows: list[Row] = []
    for offset, values in enumerate(grid[header_row + 1 :], header_row + 1):
        width = len(values)
        raw = {}
        for field, i in present:
            if i < width:
                value = values[i]
                if value is not None and value != "":
                    raw[field] = value
        for v in raw.values():  # a value that is not text (number, date) is never blank
            if not isinstance(v, str) or v.strip():
                break
        else:
            continue  # blank row (or only spaces)
        fields = {}
        for field, kind in typed:
            value = raw.get(field)
            if value in ERROR_VALUES:  # a failed formula: blank for the rules, raw keeps it
                value = None
            if kind == "text":
                fields[field] = "" if value is None else clean_text(value)
            elif kind == "paths":
                fields[field] = [] if value is None else split_paths(value)
            elif value is None:
                fields[field] = None
            else:
                key = (type(value), value)
                if key not in dates:
                    dates[key] = _date_or_none(value, date1904)
                fields[field] = dates[key]
        number = numbers[offset] if numbers else offset + 1
        rows.append(row_type(sheet=sheet, row=number, columns=letters, raw=raw, **fields))
    return letters, rows


def _find_headers(
    book_name: str, sheet: str, columns: tuple[schema.Column, ...], grid: Grid
) -> tuple[int, dict[str, int]]:
    wanted = {col.header: col.field for col in columns}
    for r, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        row = _row_number(grid, r)
        if row > HEADER_SEARCH_ROWS:
            break
        found: dict[str, int] = {}
        for i, value in enumerate(values):
            header = header_key(value)
            if header in wanted:
                if wanted[header] in found:
                    first = sheetxml.column_letters(_column_number(grid, found[wanted[header]]))
                    raise XlqcError(
                        f"「{book_name}」工作表「{sheet}」的列标题「{header}」出现了两次"
                        f"（{first}{row} 和 {sheetxml.column_letters(_column_number(grid, i))}{row}），"
                        "请删除或改名其中一列"
                    )
                found[wanted[header]] = i
        if "group" in found or "code" in found:
            missing = [c.header for c in columns if c.required and c.field not in found]
            if missing:
                raise XlqcError(
                    f"「{book_name}」工作表「{sheet}」缺少列「{'」「'.join(missing)}」"
                    f"（标题在第 {row} 行）"
                )
            return r, found
    raise XlqcError(
        f"「{book_name}」工作表「{sheet}」第 1 行没有找到列标题「小组编号」；请使用 xlqc new 生成的表头"
    )


def _row_number(grid: Grid, index: int) -> int:
    return grid.rows[index] if isinstance(grid, SheetGrid) else index + 1


def _column_number(grid: Grid, index: int) -> int:
    return grid.columns[index] if isinstance(grid, SheetGrid) else index + 1


def header_key(value: Any) -> str:
    """Header text with spaces, asterisks and a trailing (说明) removed: 「注册日期（必填）」→「注册日期」."""
    text = unicodedata.normalize("NFKC", text_of(value))
    return _HEADER_NOISE.sub("", text)


def _date_or_none(value: Any, date1904: bool = False) -> DateValue | None:
    try:
        return parse_date(value, date1904=date1904)
    except DateError:
        return None  # R08 reports it from the raw value


_OUTER_SPACE = " \t\r\n\u3000\u00a0\u200b\u200c\u200d\ufeff"


def clean_text(value: Any) -> str:
    """The value as text with outer white space (any kind) removed; inner text untouched."""
    if isinstance(value, str):
        return value.strip(_OUTER_SPACE)
    return text_of(value).strip(_OUTER_SPACE)


def split_paths(value: Any) -> list[str]:
    """Several paths in one cell, separated by ；, ; or line breaks."""
    text = text_of(value)
    if not _PATH_SPLIT.search(text):  # the usual case: one path
        return [path] if (path := clean_text(text)) else []
    return [p for p in (clean_text(s) for s in _PATH_SPLIT.split(text)) if p]


def read_settings(grid: Grid, *, date1904: bool = False) -> Settings:
    """设置: keys in column A, values in column B, on any row; defaults from DESIGN.md §1."""
    by_key = {k.key: k for k in schema.SETTING_KEYS}
    values: dict[str, Any] = {}
    locs: dict[str, Loc] = {}
    for r, row in enumerate(grid):
        if not row:
            continue
        key = header_key(row[0])
        if key in by_key and key not in values:
            values[key] = row[1] if len(row) > 1 and row[1] != "" else None
            locs[key] = Loc(sheet=schema.SETTINGS_SHEET, cell=f"B{_row_number(grid, r)}")
    settings = Settings(locs=locs, raw=values)
    settings.unit = clean_text(values.get("推荐单位"))
    if not settings.unit:
        settings.problems.append("推荐单位")

    def day(key: str, last: bool = False) -> date | None:
        raw = values.get(key)
        try:
            parsed: DateValue | None = parse_date(raw, date1904=date1904)
        except DateError:
            settings.problems.append(key)
            return None
        if parsed is None:
            return None
        return parsed.last if last else parsed.value

    settings.ref_date = day("基准日期", last=True) or settings.ref_date
    settings.window_end = day("统计期止", last=True) or settings.ref_date
    settings.window_start = day("统计期起") or minus_years(settings.ref_date, 3) + timedelta(days=1)
    if settings.window_start > settings.window_end and "统计期起" not in settings.problems:
        settings.problems.append("统计期起")
    levels = [
        lv
        for lv in (clean_text(v) for v in _LEVEL_SPLIT.split(text_of(values.get("一等水平取值"))))
        if lv
    ]
    if levels:
        settings.first_levels = levels
    settings.filler = clean_text(values.get("填表人"))
    settings.filler_phone = clean_text(values.get("联系电话"))
    settings.fill_date = day("填表日期")
    settings.opinion_closing = clean_text(values.get("推荐意见结语")) or settings.opinion_closing
    return settings


_LEVEL_SPLIT = re.compile(r"[;；,，、\r\n]+")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:80]
