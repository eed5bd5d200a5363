"""Reading a master workbook into the model.

Two halves, so the file reader and the live-Excel reader share everything but the I/O:

* :func:`read_tables` opens a saved file (python-calamine: cached formula values, no styles, far
  faster than openpyxl's loader) and returns each sheet as a grid of plain values from A1;
* :func:`build_book` turns such grids into a :class:`~xlqc.model.Book`, finding columns by header
  text, skipping blank rows, and keeping each value's cell.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xlqc import schema
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
    return build_book(read_tables(path), path)


def read_tables(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of the file as a grid from A1, formula cells as their cached values."""
    check_workbook_file(path)
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        try:
            grids = {
                name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in book.sheet_names
            }
        finally:
            book.close()
        _put_error_values(path, grids)
        return grids
    except calamine.PasswordError:
        raise XlqcError(f"「{path.name}」有密码保护，请在 Excel 中取消密码后另存一份再试") from None
    except Exception as exc:  # calamine raises several types for damaged parts
        raise XlqcError(
            f"「{path.name}」已损坏或不是有效的 Excel 工作簿（{_short(exc)}）"
        ) from None


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*? t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?<v>([^<]*)</v>', re.S
)


def _put_error_values(path: Path, grids: dict[str, list[list[Any]]]) -> None:
    """Put #REF!, #N/A… back where a formula failed: calamine reads error cells as empty, and
    the clerk must be told the cell shows an error, not that it is blank (the live reader
    gets the same strings from Excel). Only the three data sheets are looked at."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as zf:
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            for sheet in workbook.iterfind(".//{*}sheet"):
                name = sheet.get("name")
                if name not in schema.DATA_SHEETS or name not in grids:
                    continue
                rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
                target = targets.get(rid, "").lstrip("/")
                part = target if target.startswith("xl/") else f"xl/{target}"
                data = zf.read(part)
                if b' t="e"' not in data:
                    continue
                grid = grids[name]
                for m in _ERROR_CELL.finditer(data):
                    row, col = int(m.group(2)) - 1, _column_index(m.group(1).decode())
                    if row < len(grid) and col < len(grid[row]) and grid[row][col] == "":
                        grid[row][col] = m.group(3).decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return  # the values calamine read stand; error cells then read as blank


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def check_workbook_file(path: Path) -> None:
    """Refuse, with one Chinese sentence, every file that is not a sane .xlsx/.xlsm."""
    name = path.name
    if name.startswith("~$"):
        raise XlqcError(f"「{name}」是 Excel 打开工作簿时留下的锁定文件，不是工作簿，请选择原文件")
    if not path.exists():
        raise XlqcError(f"找不到文件「{path}」")
    if path.is_dir():
        raise XlqcError(f"「{path}」是文件夹，不是工作簿")
    try:  # before opening: a pipe would block the open for ever, a device never ends
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError as exc:
        raise XlqcError(f"无法读取「{name}」：{exc.strerror or exc}") from None
    if not regular:
        raise XlqcError(f"「{name}」不是普通文件（可能是管道或设备），不是工作簿")
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et"):
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
            f"「{name}」是加密的工作簿或旧版 .xls 文件，请取消密码并另存为 .xlsx 后再试"
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
        raise XlqcError(f"「{name}」是压缩文件，但不是 Excel 工作簿")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or any(
        i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos
    ):
        raise XlqcError(f"「{name}」解压后异常巨大（可能是恶意构造的文件），已拒绝读取")


def build_book(tables: dict[str, list[list[Any]]], path: Path | None = None) -> Book:
    """The model of a workbook given as grids (sheet name -> rows of values from A1)."""
    name = path.name if path else "工作簿"
    missing = [s for s in (schema.SETTINGS_SHEET, *schema.DATA_SHEETS) if s not in tables]
    if missing:
        raise XlqcError(
            f"「{name}」缺少工作表「{'」「'.join(missing)}」；请用 xlqc new 生成的总表填写"
        )
    book = Book(path=path, settings=read_settings(tables[schema.SETTINGS_SHEET]))
    for sheet, columns in schema.DATA_SHEETS.items():
        letters, rows = _read_sheet(name, sheet, columns, tables[sheet])
        book.columns[sheet] = letters
        getattr(book, _ATTR[sheet]).extend(rows)
    return book


_ATTR = {schema.GROUP_SHEET: "groups", schema.TOPIC_SHEET: "topics", schema.MEMBER_SHEET: "members"}


def _read_sheet(
    book_name: str, sheet: str, columns: tuple[schema.Column, ...], grid: Grid
) -> tuple[dict[str, str], list[Row]]:
    header_row, index = _find_headers(book_name, sheet, columns, grid)
    letters = {f: column_letter(i + 1) for f, i in index.items()}
    row_type = _ROW_TYPES[sheet]
    # decided once per sheet, not once per cell: which columns exist and how each is typed
    present = [(col.field, index[col.field]) for col in columns if col.field in index]
    typed = [(col.field, col.kind if col.kind in ("date", "paths") else "text") for col in columns]
    dates: dict[tuple[type, Any], DateValue | None] = {}  # the same typed date is parsed once
    rows: list[Row] = []
    for offset, values in enumerate(grid[header_row + 1 :]):
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
                    dates[key] = _date_or_none(value)
                fields[field] = dates[key]
        rows.append(
            row_type(sheet=sheet, row=header_row + offset + 2, columns=letters, raw=raw, **fields)
        )
    return letters, rows


def column_letter(index: int) -> str:
    """Excel's letters of column ``index`` (1 → A, 28 → AB). Not openpyxl's get_column_letter:
    importing openpyxl (and numpy with it) would double the start-up of a validating worker."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _find_headers(
    book_name: str, sheet: str, columns: tuple[schema.Column, ...], grid: Grid
) -> tuple[int, dict[str, int]]:
    wanted = {col.header: col.field for col in columns}
    for r, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for i, value in enumerate(values):
            header = header_key(value)
            if header in wanted:
                if wanted[header] in found:
                    raise XlqcError(
                        f"「{book_name}」工作表「{sheet}」的列标题「{header}」出现了两次"
                        f"（{column_letter(found[wanted[header]] + 1)}{r + 1} 和 "
                        f"{column_letter(i + 1)}{r + 1}），请删除或改名其中一列"
                    )
                found[wanted[header]] = i
        if "group" in found or "code" in found:
            missing = [c.header for c in columns if c.required and c.field not in found]
            if missing:
                raise XlqcError(
                    f"「{book_name}」工作表「{sheet}」缺少列「{'」「'.join(missing)}」"
                    f"（标题在第 {r + 1} 行）"
                )
            return r, found
    raise XlqcError(
        f"「{book_name}」工作表「{sheet}」第 1 行没有找到列标题「小组编号」；请使用 xlqc new 生成的表头"
    )


def header_key(value: Any) -> str:
    """Header text with spaces, asterisks and a trailing (说明) removed: 「注册日期（必填）」→「注册日期」."""
    text = unicodedata.normalize("NFKC", text_of(value))
    return _HEADER_NOISE.sub("", text)


def _date_or_none(value: Any) -> DateValue | None:
    try:
        return parse_date(value)
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


def read_settings(grid: Grid) -> Settings:
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
            locs[key] = Loc(sheet=schema.SETTINGS_SHEET, cell=f"B{r + 1}")
    settings = Settings(locs=locs, raw=values)
    settings.unit = clean_text(values.get("推荐单位"))
    if not settings.unit:
        settings.problems.append("推荐单位")

    def day(key: str, last: bool = False) -> date | None:
        raw = values.get(key)
        try:
            parsed: DateValue | None = parse_date(raw)
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
    return settings


_LEVEL_SPLIT = re.compile(r"[;；,，、\r\n]+")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:80]
