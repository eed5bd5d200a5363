"""Marks on the open workbook: the live twin of :func:`xlqc.marks.mark_file` / ``clear_file``.

The plan (which cell gets which fill and note, the 校验状态 texts, the 校验结果 rows) and the
hidden state sheet's format and parser come from :mod:`xlqc.marks`, so a workbook marked from
the command line can be cleared in Excel and the other way round. As there, xlqc's content is
what the state sheet records: the state sheet is the hidden sheet whose A1 is the marker,
whatever its name; clear deletes only the sheets it records (a clerk's own 校验结果 or _xlqc
stays, xlqc's takes a free name), takes out only the note block xlqc wrote (a reply typed
after it stays) and keeps the records of kinds other features own.

Calls to Excel: a fixed number per sheet, plus a few per marked cell (its fill and its note)
and one per 254 characters of addresses of one colour; never one per row.
"""

from __future__ import annotations

import colorsys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles.colors import COLOR_INDEX

from xlqc import marks, schema, statesheet
from xlqc.errors import XlqcError
from xlqc.excel.live import (
    BOOK_SHEETS,
    RGB,
    XL_SHEET_VERY_HIDDEN,
    LiveBook,
    LiveState,
    as_text,
    hex_to_rgb,
    paint,
    read_state,
    rgb_to_hex,
    write_column,
)
from xlqc.findings import Finding
from xlqc.model import Book, text_of
from xlqc.reading import HEADER_SEARCH_ROWS, header_key
from xlqc.xlsxpkg import free_sheet_name

XLQC_FILLS = frozenset(schema.FILLS.values())
BOOK = frozenset(BOOK_SHEETS)  # the clerk's data sheets: never deleted, whatever a record says
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384

# Excel's default theme (Office 2013 and later), in the order theme indexes use:
# 0 lt1, 1 dk1, 2 lt2, 3 dk2, 4–9 accent1–6.
_THEME = (
    *("FFFFFF", "000000", "E7E6E6", "44546A"),
    *("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47"),
)


# --------------------------------------------------------------------------------------------
# Protection: checked before anything is written


def check_writable(live: LiveBook, sheets: Sequence[str]) -> None:
    """Refuse, before the first write, a workbook whose structure is protected (xlqc adds and
    deletes 校验结果 and its state sheet) or any of ``sheets`` whose cells are protected:
    otherwise fills and notes would be half written and 清除标记 could not undo them. Read
    through the native objects (COM's ProtectStructure, ProtectContents); where there are
    none (macOS), Excel's own refusal is the message."""
    if _native_flag(live.xbook, "ProtectStructure"):
        raise XlqcError(
            "工作簿的结构受保护，xlqc 无法添加「校验结果」工作表：请在「审阅 → 保护工作簿」中"
            "取消保护后再试。没有改动任何单元格。"
        )
    locked = [
        n for n in sheets if n in live.names and _native_flag(live.sheet(n), "ProtectContents")
    ]
    if locked:
        names = "、".join(f"「{n}」" for n in locked)
        raise XlqcError(
            f"工作表{names}受保护，xlqc 无法标记或修改其中的单元格：请在「审阅 → 撤销工作表保护」"
            "后再试。没有改动任何单元格。"
        )


def _native_flag(obj: Any, name: str) -> bool:
    try:
        return bool(getattr(obj.api, name))
    except Exception:  # no COM object model (macOS): cannot tell
        return False


# --------------------------------------------------------------------------------------------
# Clearing


def saved_fill(saved: statesheet.SavedCell) -> RGB | None:
    """The fill to give back to a cell, as Excel's RGB (None: no fill). Theme colours saved
    from a file are approximated with Excel's default theme; the public xlwings object model
    sets RGB only. A damaged entry gives None."""
    text = saved.fill_color
    if not saved.fill_pattern or not text or text == "auto":
        return None
    kind, _, rest = text.partition(":")
    try:
        if kind == "indexed":
            index = int(rest)
            return hex_to_rgb(COLOR_INDEX[index]) if 0 <= index < 64 else None
        if kind == "theme":
            theme, _, tint = rest.partition(":")
            index = int(theme)
            base = hex_to_rgb(_THEME[index]) if 0 <= index < len(_THEME) else (255, 255, 255)
            return _tinted(base, float(tint or 0))
        return hex_to_rgb(text)
    except ValueError:
        return None


def _tinted(rgb: RGB, tint: float) -> RGB:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) in HLS space."""
    h, lum, s = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    lum = lum * (1 + tint) if tint < 0 else lum + (1 - lum) * tint
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return round(r * 255), round(g * 255), round(b * 255)


@dataclass
class Cleared:
    """What :func:`clear_marks` did: cells restored, records of other kinds kept (for the
    marks that follow), and warnings for the clerk."""

    restored: int = 0
    kept: list[statesheet.Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clear_marks(
    live: LiveBook,
    group_grid: Sequence[Sequence[Any]] | None,
    keep_state: bool = True,
    state: LiveState | None = None,
) -> Cleared:
    """Undo what the state sheet records, as :func:`xlqc.marks.clear_file` does: the clerk's
    fills and notes back (a reply typed after xlqc's note stays), the sheets recorded as xlqc's
    deleted and no other, and — when ``group_grid`` (the 小组 values) is given — 校验状态
    restored per ``status`` records (emptied when there are none: marked by the live path).
    The state sheet is rewritten with the records of other kinds when there are any and
    ``keep_state``; otherwise it is deleted. ``state``: the state already read (saves a read)."""
    state = state or read_state(live)
    done = Cleared(warnings=state.warnings)
    if state.name is None:
        return done
    own = [r for r in state.records if r.kind in statesheet.OWN_KINDS]
    done.kept = [r for r in state.records if r.kind not in statesheet.OWN_KINDS]
    made = {
        r.sheet
        for r in own
        if r.kind == "sheet" and r.sheet in live.names and r.sheet not in (state.name, *BOOK)
    }
    fills: dict[str, dict[RGB | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rec in own:
        if rec.kind != "cell" or rec.sheet not in live.names or rec.sheet in made:
            continue
        try:
            row, col = statesheet.cell_position(rec.cell) or (0, 0)
            if not (0 < row <= MAX_ROW and 0 < col <= MAX_COLUMN):
                raise ValueError(rec.cell)  # Excel would refuse the address
            saved = statesheet.SavedCell.from_record(rec)
            if _restore_cell(live.sheet(saved.sheet), saved):
                fills[saved.sheet][saved_fill(saved)].append(saved.cell)
        except (ValueError, KeyError, TypeError, IndexError):
            done.warnings.append(
                f"xlqc 状态表 {rec.at} 的记录（{rec.sheet}!{rec.cell}）已损坏，已跳过"
            )
            continue
        done.restored += 1
    for name, by_color in fills.items():
        paint(live.sheet(name), by_color)
    for name in sorted(made):
        live.delete(name)
    if group_grid is not None:
        status = [r for r in own if r.kind == "status" and r.sheet == schema.GROUP_SHEET]
        if status:
            restore_status(live, group_grid, status)
        else:  # marked by the live path (or xlqc 0.1): the column is xlqc's
            write_status(live, group_grid, {})
    if done.kept and keep_state:
        sheet = live.sheet(state.name)
        sheet.clear()
        write_rows(sheet, statesheet.state_rows(done.kept))
    else:
        live.delete(state.name)
    return done


def _restore_cell(sheet: Any, saved: statesheet.SavedCell) -> bool:
    """Give one cell its note back (the clerk's own text, and anything typed after xlqc's
    block); whether its fill is still xlqc's (and so to be restored: a fill the clerk changed
    since is theirs)."""
    rng = sheet.range(saved.cell)
    note = rng.note
    if note is not None:
        text = note.text
        after = marks.cleared_note(text, saved)
        if after == "":
            note.delete()
        elif after is not None and after != text:
            note.text = after
    if saved.fill_pattern == marks.GRADIENT:
        return False
    color = rng.color
    return color is not None and rgb_to_hex(color) in XLQC_FILLS


def restore_status(
    live: LiveBook, grid: Sequence[Sequence[Any]], records: Sequence[statesheet.Record]
) -> None:
    """Give each 校验状态 cell the file path recorded the text it had before (when it still
    shows xlqc's text: otherwise the clerk typed over it), one write per run of adjacent
    cells of a column."""
    by_col: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for rec in records:
        pos = statesheet.cell_position(rec.cell)
        if pos is None:
            continue
        row, col = pos
        line = grid[row - 1] if row <= len(grid) else []
        now = text_of(line[col - 1]) if col <= len(line) else ""
        if now == str(rec.data.get("text", "")):
            by_col[col].append((row, marks.status_before(rec)))
    sheet = live.sheet(schema.GROUP_SHEET)
    for col, cells in by_col.items():
        run: list[tuple[int, str]] = []
        for row, value in [*sorted(cells), (-1, "")]:
            if run and row != run[-1][0] + 1:
                write_column(sheet, run[0][0], col, [v for _, v in run])
                run = []
            run.append((row, value))


# --------------------------------------------------------------------------------------------
# Marking


def mark(
    live: LiveBook,
    book: Book,
    findings: list[Finding],
    group_grid: Sequence[Sequence[Any]],
    kept: Sequence[statesheet.Record] = (),
) -> None:
    """Write fills and notes, the 校验状态 column, 校验结果 (under a free name when the clerk
    has a sheet of that name) and the state sheet, which records them with ``kept`` (records
    of other kinds). Call after :func:`clear_marks`, as :func:`xlqc.marks.mark_file` does."""
    records: list[statesheet.Record] = []
    fills: dict[str, dict[RGB | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in marks.mark_plan(book, findings):
        if m.sheet not in BOOK or m.sheet not in live.names:
            continue
        records.append(_mark_cell(live.sheet(m.sheet), m).record())
        fills[m.sheet][hex_to_rgb(schema.FILLS[m.severity])].append(m.cell)
    for name, by_color in fills.items():
        paint(live.sheet(name), by_color)
    write_status(live, group_grid, marks.row_status(book, findings))
    name = free_sheet_name(live.names, schema.RESULT_SHEET)
    results = write_results(live, findings, name)
    records.append(statesheet.results_record(name))
    write_state(live, [*kept, *records])
    results.activate()


def _mark_cell(sheet: Any, m: marks.CellMark) -> statesheet.SavedCell:
    rng = sheet.range(m.cell)
    color = rng.color
    note = rng.note
    own = note.text if note is not None else None  # clear ran first: the note is the clerk's
    text = marks.merge_note(own, m.note)
    extra: dict[str, Any] = {}
    try:
        if note is not None:
            note.text = text
        else:
            note = rng.add_note(text)
    except Exception:  # a threaded comment (Microsoft 365) takes no note: the fill still marks
        own = None
    else:
        size_note(note, text)
        # what clear takes out again: xlqc's block, not a reply typed after it
        extra = {"how": "merged" if own else "new", "note": text[len(own or "") :]}
    return statesheet.SavedCell(
        m.sheet,
        m.cell,
        fill_color=rgb_to_hex(color) if color is not None else "",
        fill_pattern="solid" if color is not None else "",
        comment=own or "",
        extra=extra,
    )


NOTE_WIDTH_PX = 340  # what xlqc.marks gives a note written to the file


def note_size(text: str) -> tuple[float, float]:
    """(width, height) in points of a note showing ``text`` whole, as the file path sizes it:
    340 px wide, 18 px per line of about 24 characters, at most 600 px high."""
    lines = sum(1 + len(line) // 24 for line in text.splitlines())
    return NOTE_WIDTH_PX * 0.75, min(40 + 18 * lines, 600) * 0.75


def size_note(note: Any, text: str) -> None:
    """Give a note written live the file path's size (Excel's default box cuts long messages
    off on hover); through the note's native COM object, a no-op where there is none."""
    width, height = note_size(text)
    try:
        shape = note.api.Shape
        shape.Width = width
        shape.Height = height
    except Exception:  # not COM (macOS): Excel's default size
        pass


def _status_place(grid: Sequence[Sequence[Any]]) -> tuple[int, int | None, int]:
    """(header row, 校验状态 column or None, width of the used area) of the 小组 values."""
    code = schema.column(schema.GROUP_SHEET, "code").header
    status = schema.column(schema.GROUP_SHEET, "status").header
    width = max((len(r) for r in grid), default=0)
    for r, values in enumerate(grid[:HEADER_SEARCH_ROWS], start=1):
        keys = [header_key(v) for v in values]
        if code in keys:
            return r, keys.index(status) + 1 if status in keys else None, width
    return 1, None, width


def write_status(live: LiveBook, grid: Sequence[Sequence[Any]], by_row: dict[int, str]) -> None:
    """The 校验状态 column in one write: ``by_row`` texts, every other row emptied; the header
    is added after the last column when the sheet has none and there is something to write."""
    if schema.GROUP_SHEET not in live.names:
        return
    header_row, col, width = _status_place(grid)
    last_row = max([len(grid), *by_row])
    if col is None:
        if not by_row:
            return
        col = width + 1
        values = [schema.column(schema.GROUP_SHEET, "status").header]
        first = header_row
    else:
        values, first = [], header_row + 1
        old = [r[col - 1] if col - 1 < len(r) else None for r in grid[header_row:]]
        if not by_row and not any(v not in (None, "") for v in old):
            return  # nothing to empty
    values += [by_row.get(r) for r in range(header_row + 1, last_row + 1)]
    sheet = live.sheet(schema.GROUP_SHEET)
    write_column(sheet, first, col, values)
    if first == header_row:
        header = sheet.range((header_row, col))
        header.font.bold = True
        header.column_width = schema.column(schema.GROUP_SHEET, "status").width


def link_formula(sheet: str, cell: str) -> str:
    """=HYPERLINK to a cell of this workbook, shown as the address. Only xlqc's own sheet names
    and checked addresses go in, never user text."""
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("#{target.replace(chr(34), chr(34) * 2)}","{cell}")'


def write_results(live: LiveBook, findings: list[Finding], name: str) -> Any:
    """The 校验结果 sheet ``name``, rows of :func:`xlqc.marks.result_rows`, values in one write
    (links as =HYPERLINK formulas, everything else as text)."""
    ws = live.add(name)
    grid: list[list[Any]] = [[as_text(h) for h in marks.RESULT_HEADERS]]
    for row, f in zip(marks.result_rows(findings), findings, strict=True):
        values = [as_text(v) for v in row]
        if f.sheet in BOOK and f.sheet in live.names and statesheet.cell_position(f.cell):
            values[5] = link_formula(f.sheet, f.cell)
        grid.append(values)
    if len(grid) == 1:
        grid.append([as_text(marks.NO_FINDINGS)] + [None] * (len(marks.RESULT_HEADERS) - 1))
    ws.range((1, 1)).value = grid
    ws.range((1, 1), (1, len(marks.RESULT_HEADERS))).font.bold = True
    for c, width in enumerate(marks.RESULT_WIDTHS, start=1):
        ws.range((1, c)).column_width = width
    if findings:
        ws.range((2, 7), (len(findings) + 1, 7)).wrap_text = True
        by_severity: dict[RGB | None, list[str]] = defaultdict(list)
        for r, f in enumerate(findings, start=2):
            by_severity[hex_to_rgb(schema.FILLS[f.severity])].append(f"B{r}")
        paint(ws, by_severity)
    return ws


def write_state(live: LiveBook, records: Sequence[statesheet.Record]) -> None:
    """The very hidden state sheet (``_xlqc``, or a free name when the clerk has a sheet of
    that name) holding ``records``, in one write."""
    ws = live.add(free_sheet_name(live.names, statesheet.STATE_SHEET))
    write_rows(ws, statesheet.state_rows(records))
    hide_very(ws)


def write_rows(sheet: Any, rows: Sequence[Sequence[str]]) -> None:
    """State rows from A1 in one write, as text (rows padded to one width: a record whose
    JSON runs over several cells is longer)."""
    width = max(len(r) for r in rows)
    sheet.range((1, 1)).value = [
        [as_text(v) for v in row] + [None] * (width - len(row)) for row in rows
    ]


def hide_very(sheet: Any) -> None:
    """Make ``sheet`` very hidden, as :func:`xlqc.marks.mark_file` does (sheet_state
    "veryHidden"). The public xlwings model hides only (``visible = False``), so this goes
    through the sheet's native object (COM on Windows); elsewhere it falls back to hidden."""
    try:
        sheet.api.Visible = XL_SHEET_VERY_HIDDEN
    except Exception:  # not COM (macOS AppleScript): hidden is the best it offers
        sheet.visible = False
