"""In-cell marks, the 校验状态 column and the 校验结果 sheet (DESIGN.md §3).

Two halves, so the file path (openpyxl, here) and the live-Excel path (xlwings, ``xlqc.excel``)
mark a workbook the same way:

* planning — :func:`mark_plan`, :func:`row_status`, :func:`group_status`, :func:`result_rows`,
  the note helpers and :class:`SavedCell` (the plain row format of the hidden state sheet) — works
  on the model and findings only;
* :func:`mark_file` and :func:`clear_file` apply a plan to a saved workbook with openpyxl.

Whatever xlqc changes in a clerk's cell (its fill and its comment) is first remembered in the
very hidden sheet :data:`STATE_SHEET`, one :class:`SavedCell` per row; clearing puts it back, so
marking twice equals marking once and marking then clearing gives back the clerk's workbook.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlqc import schema
from xlqc.editing import load_for_edit, save_edited, text_cell
from xlqc.findings import SEVERITY_ORDER, Finding
from xlqc.model import Book, text_of
from xlqc.reading import HEADER_SEARCH_ROWS, header_key

STATE_SHEET = "_xlqc"
STATE_HEADER = (
    "sheet",
    "cell",
    "fill_color",
    "fill_pattern",
    "fill_bg",
    "comment",
    "comment_author",
)
NOTE_SEPARATOR = "\n\n"  # between the clerk's own comment and the 【xlqc】 block
NOTE_AUTHOR = "xlqc"
RESULT_HEADERS = ("序号", "级别", "规则", "小组编号", "工作表", "单元格", "说明")
RESULT_WIDTHS = (6, 8, 30, 12, 10, 10, 90)
GRADIENT = "gradient"  # fill_pattern of a cell whose (gradient) fill xlqc left alone
PASSED = "通过"
NOT_RECOMMENDED = "不推荐"
NO_FINDINGS = "未发现问题"

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
_SHEET_ORDER = (schema.SETTINGS_SHEET, schema.GROUP_SHEET, schema.TOPIC_SHEET, schema.MEMBER_SHEET)


# --------------------------------------------------------------------------------------------
# Planning: model and findings only.


@dataclass(frozen=True)
class CellMark:
    """What one cell gets: the fill of its worst finding and a note listing every finding."""

    sheet: str
    cell: str  # "D5"
    severity: str  # worst of the cell's findings
    note: str  # starts with schema.NOTE_PREFIX


def cell_position(cell: str) -> tuple[int, int] | None:
    """(row, column) of an address such as "D5" (both from 1); None if it is not one."""
    m = _CELL.match(cell.strip().upper())
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _sheet_rank(sheet: str) -> tuple[int, str]:
    return (_SHEET_ORDER.index(sheet), "") if sheet in _SHEET_ORDER else (len(_SHEET_ORDER), sheet)


def bare_message(finding: Finding) -> str:
    """The message without its leading 「小组!D5 」 (rules name the cell first), for places that
    show the cell anyway: the cell's own note, the 校验结果 row, the terminal table."""
    where = f"{finding.sheet}!{finding.cell}"
    if finding.sheet and finding.message.startswith(where):
        return finding.message[len(where) :].lstrip() or finding.message
    return finding.message


def note_line(finding: Finding) -> str:
    """One line of a note: ``[R02 错误] message``."""
    return f"[{finding.rule} {schema.SEVERITY_LABELS[finding.severity]}] {bare_message(finding)}"


def mark_plan(book: Book, findings: Iterable[Finding]) -> list[CellMark]:
    """One mark per cell that has findings, in sheet (设置, 小组, 课题, 成员), row, column order.

    ``book`` is not needed to place the marks (findings carry their cell); it is taken so the
    plan and :func:`group_status` read alike. Findings without a valid cell are not marked."""
    del book
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        pos = cell_position(f.cell) if f.sheet else None
        if pos is None:
            continue
        by_cell.setdefault((f.sheet, f.cell.strip().upper().replace("$", "")), []).append(f)
    marks = []
    for (sheet, cell), found in by_cell.items():
        found.sort(key=lambda f: SEVERITY_ORDER[f.severity])  # stable: rule order kept
        lines = list(dict.fromkeys(note_line(f) for f in found))
        note = schema.NOTE_PREFIX + "\n" + "\n".join(lines)
        marks.append(CellMark(sheet, cell, found[0].severity, note))
    marks.sort(key=lambda m: (_sheet_rank(m.sheet), cell_position(m.cell)))
    return marks


def merge_note(clerk_text: str | None, note: str) -> str:
    """The comment a marked cell shows: the clerk's own text (if any), then the xlqc block."""
    return f"{clerk_text}{NOTE_SEPARATOR}{note}" if clerk_text else note


def clerk_note(text: str | None) -> str | None:
    """The clerk's part of a comment: ``text`` without the xlqc block; None when nothing is left.
    A comment without the block is the clerk's and is returned unchanged."""
    if not text:
        return None
    at = text.find(schema.NOTE_PREFIX)
    if at < 0:
        return text
    head = text[:at]
    if head.endswith(NOTE_SEPARATOR):
        head = head[: -len(NOTE_SEPARATOR)]
    return head or None


def status_text(found: Sequence[Finding], recommended: bool = True) -> str:
    """校验状态 of one group: 「通过」, 「通过（1 警告）」, 「2 错误 1 警告」, 「不推荐」…
    Info findings (R18) do not change a group's standing and are not counted."""
    n = Counter(f.severity for f in found)
    parts = [f"{n[sev]} {schema.SEVERITY_LABELS[sev]}" for sev in ("error", "warning") if n[sev]]
    counted = " ".join(parts)
    if not recommended:
        return f"{NOT_RECOMMENDED}（{counted}）" if counted else NOT_RECOMMENDED
    if n["error"]:
        return counted
    return f"{PASSED}（{counted}）" if counted else PASSED


def _row_of(finding: Finding) -> int:
    pos = cell_position(finding.cell)
    return pos[0] if pos else 0


def findings_by_group_row(book: Book, findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """小组 sheet row -> the findings that concern that group, for every group row.

    A finding belongs to a group through ``Finding.group`` (its own row, its topics and
    members); a row without 小组编号 gets the findings on that row."""
    findings = list(findings)
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        if f.group:
            by_code.setdefault(f.group, []).append(f)
    uncoded = [f for f in findings if f.sheet == schema.GROUP_SHEET and not f.group]
    return {
        g.row: by_code.get(g.code, []) if g.code else [f for f in uncoded if _row_of(f) == g.row]
        for g in book.groups
    }


def row_status(book: Book, findings: Iterable[Finding]) -> dict[int, str]:
    """小组 sheet row -> 校验状态 text, for every group row."""
    by_row = findings_by_group_row(book, findings)
    return {g.row: status_text(by_row[g.row], g.recommended) for g in book.groups}


def group_status(book: Book, findings: Iterable[Finding]) -> dict[str, str]:
    """小组编号 -> 校验状态 text (see :func:`status_text`), for groups that have a 小组编号."""
    by_row = row_status(book, findings)
    return {g.code: by_row[g.row] for g in book.groups if g.code}


def rule_label(rule: str) -> str:
    """「R02 注册未满三年」 when the rule table is available, else the id."""
    try:
        from xlqc.rules import RULES
    except ImportError:  # pragma: no cover - rules.py is built alongside
        return rule
    info = RULES.get(rule)
    return f"{rule} {info.title}" if info else rule


def result_rows(findings: Iterable[Finding]) -> list[tuple[int, str, str, str, str, str, str]]:
    """Rows of the 校验结果 sheet (columns :data:`RESULT_HEADERS`), in the findings' order."""
    return [
        (
            i,
            schema.SEVERITY_LABELS[f.severity],
            rule_label(f.rule),
            f.group,
            f.sheet,
            f.cell,
            bare_message(f),
        )
        for i, f in enumerate(findings, start=1)
    ]


@dataclass(frozen=True)
class SavedCell:
    """One row of the hidden state sheet: what a marked cell had before xlqc touched it.

    All fields are plain text. ``fill_color``/``fill_bg``: "" (none), hex "RRGGBB" or
    "AARRGGBB", "theme:<n>:<tint>", "indexed:<n>" or "auto". ``fill_pattern``: "" (no fill),
    "solid", another Excel pattern name, or "gradient" when xlqc did not change the fill.
    ``comment`` is "" when the cell had none."""

    sheet: str
    cell: str
    fill_color: str = ""
    fill_pattern: str = ""
    fill_bg: str = ""
    comment: str = ""
    comment_author: str = ""

    def to_row(self) -> tuple[str, ...]:
        return (
            self.sheet,
            self.cell,
            self.fill_color,
            self.fill_pattern,
            self.fill_bg,
            self.comment,
            self.comment_author,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SavedCell | None:
        """The saved cell of a state-sheet row; None for a blank or damaged row."""
        values = [text_of(v) for v in row[: len(STATE_HEADER)]]
        values += [""] * (len(STATE_HEADER) - len(values))
        if not values[0] or cell_position(values[1]) is None:
            return None
        return cls(*values)


# --------------------------------------------------------------------------------------------
# Applying: saved workbooks through openpyxl.


def mark_file(src: Path, dst: Path, book: Book, findings: Iterable[Finding]) -> None:
    """Write ``src`` to ``dst`` with the marks of ``findings``: fills and notes in the cells,
    the 校验状态 column and the 校验结果 sheet. Earlier xlqc marks are cleared first.
    ``dst`` may be ``src`` (the caller keeps a backup)."""
    findings = list(findings)
    wb = load_for_edit(src, "写入标记")
    _clear(wb)
    saved: list[SavedCell] = []
    for mark in mark_plan(book, findings):
        if mark.sheet in (schema.RESULT_SHEET, STATE_SHEET) or mark.sheet not in wb.sheetnames:
            continue
        saved.append(_mark_cell(wb[mark.sheet], mark))
    _write_status(wb, row_status(book, findings))
    _write_results(wb, findings)
    _write_state(wb, saved)
    save_edited(wb, dst)


def clear_file(src: Path, dst: Path) -> int:
    """Write ``src`` to ``dst`` without anything xlqc added: the clerk's fills and comments
    back, 校验状态 values emptied (the header stays), 校验结果 and the state sheet removed.
    Returns the number of cells restored."""
    wb = load_for_edit(src, "写入标记")
    restored = _clear(wb)
    save_edited(wb, dst)
    return restored


def _anchor(ws: Worksheet, coordinate: str) -> Cell:
    """The cell at ``coordinate``, or the top-left cell of the merged range holding it."""
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _encode_color(color: Color | None) -> str:
    if color is None:
        return ""
    if color.type == "theme":
        return f"theme:{color.theme}:{color.tint!r}"
    if color.type == "indexed":
        return f"indexed:{color.indexed}"
    if color.type == "auto":
        return "auto"
    return str(color.rgb)


def _decode_color(text: str) -> Color:
    if not text:
        return Color()
    kind, _, rest = text.partition(":")
    if kind == "theme":
        theme, _, tint = rest.partition(":")
        return Color(theme=int(theme), tint=float(tint or 0))
    if kind == "indexed":
        return Color(indexed=int(rest))
    if kind == "auto":
        return Color(auto=True)
    return Color(rgb=text if len(text) == 8 else "FF" + text)


def _mark_cell(ws: Worksheet, mark: CellMark) -> SavedCell:
    cell = _anchor(ws, mark.cell)
    fill = cell.fill
    if fill.tagname == PatternFill.tagname:
        saved_fill = (
            _encode_color(fill.fgColor),
            fill.patternType or "",
            _encode_color(fill.bgColor),
        )
        color = schema.FILLS[mark.severity]
        cell.fill = PatternFill("solid", fgColor=color, bgColor=color)
    else:  # a gradient: the clerk's, left as it is
        saved_fill = ("", GRADIENT, "")
    old = cell.comment
    text = merge_note(old.text if old else None, mark.note)
    lines = sum(1 + len(line) // 24 for line in text.splitlines())
    cell.comment = Comment(
        text, old.author if old else NOTE_AUTHOR, height=min(40 + 18 * lines, 600), width=340
    )
    return SavedCell(
        ws.title,
        cell.coordinate,
        *saved_fill,
        comment=old.text if old else "",
        comment_author=(old.author or "") if old else "",
    )


def _restore_cell(ws: Worksheet, saved: SavedCell) -> None:
    cell = _anchor(ws, saved.cell)
    fill = cell.fill
    if (
        saved.fill_pattern != GRADIENT
        and fill.tagname == PatternFill.tagname
        and fill.patternType == "solid"
        and _encode_color(fill.fgColor)[-6:].upper() in schema.FILLS.values()
    ):  # still xlqc's fill; a fill the clerk changed since is theirs
        cell.fill = PatternFill(
            saved.fill_pattern or None,
            fgColor=_decode_color(saved.fill_color),
            bgColor=_decode_color(saved.fill_bg),
        )
    current = cell.comment.text if cell.comment else None
    if current and schema.NOTE_PREFIX in current:
        own = clerk_note(current)
        cell.comment = Comment(own, saved.comment_author) if own else None


def _clear(wb: Workbook) -> int:
    """Remove xlqc's marks from the loaded workbook; the number of cells restored."""
    restored = 0
    if STATE_SHEET in wb.sheetnames:
        state = wb[STATE_SHEET]
        for row in state.iter_rows(min_row=2, values_only=True):
            saved = SavedCell.from_row(row)
            if saved is None or saved.sheet not in wb.sheetnames:
                continue
            _restore_cell(wb[saved.sheet], saved)
            restored += 1
    for name in (schema.RESULT_SHEET, STATE_SHEET):
        if name in wb.sheetnames:
            wb.remove(wb[name])
    if wb.sheetnames and wb.active is None:  # 校验结果 was the sheet in view
        wb.active = 0
        wb.active.sheet_view.tabSelected = True
    _write_status(wb, {})
    return restored


def _status_column(ws: Worksheet) -> tuple[int, int | None, int]:
    """(header row, 校验状态 column or None, last header column) of the 小组 sheet."""
    code_header = schema.column(schema.GROUP_SHEET, "code").header
    status_header = schema.column(schema.GROUP_SHEET, "status").header
    rows = ws.iter_rows(max_row=min(HEADER_SEARCH_ROWS, ws.max_row), values_only=True)
    for r, values in enumerate(rows, start=1):
        keys = [header_key(v) for v in values]
        if code_header in keys:
            last = max((i for i, k in enumerate(keys, start=1) if k), default=1)
            col = keys.index(status_header) + 1 if status_header in keys else None
            return r, col, last
    return 1, None, 0


def _write_status(wb: Workbook, by_row: dict[int, str]) -> None:
    """Empty the 校验状态 column, then write ``by_row`` (adding the header when missing)."""
    if schema.GROUP_SHEET not in wb.sheetnames:
        return
    ws = wb[schema.GROUP_SHEET]
    header_row, col, last = _status_column(ws)
    if col is None:
        if not by_row:
            return
        col = max(last, ws.max_column) + 1
        status = schema.column(schema.GROUP_SHEET, "status")
        head = text_cell(ws, header_row, col, status.header)
        if last:
            head._style = copy(ws.cell(row=header_row, column=last)._style)
        ws.column_dimensions[get_column_letter(col)].width = status.width
    for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
        if cell.value is not None:
            cell.value = None
    for row, text in by_row.items():
        text_cell(ws, row, col, text)


def _write_results(wb: Workbook, findings: list[Finding]) -> None:
    ws = wb.create_sheet(schema.RESULT_SHEET)
    bold = Font(bold=True)
    for c, header in enumerate(RESULT_HEADERS, start=1):
        text_cell(ws, 1, c, header).font = bold
        ws.column_dimensions[get_column_letter(c)].width = RESULT_WIDTHS[c - 1]
    rows = result_rows(findings)
    link_font = Font(color="0563C1", underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, (row, finding) in enumerate(zip(rows, findings, strict=True), start=2):
        for c, value in enumerate(row, start=1):
            text_cell(ws, r, c, value)
        ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor=schema.FILLS[finding.severity])
        ws.cell(row=r, column=7).alignment = wrap
        if finding.sheet in wb.sheetnames and cell_position(finding.cell):
            link = ws.cell(row=r, column=6)
            quoted = finding.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref="", location=f"'{quoted}'!{finding.cell}")
            link.font = link_font
    if not rows:
        text_cell(ws, 2, 1, NO_FINDINGS)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_HEADERS))}{max(len(rows), 1) + 1}"


def _write_state(wb: Workbook, saved: list[SavedCell]) -> None:
    ws = wb.create_sheet(STATE_SHEET)
    ws.sheet_state = "veryHidden"
    for r, row in enumerate([STATE_HEADER, *(s.to_row() for s in saved)], start=1):
        for c, value in enumerate(row, start=1):
            if value:
                text_cell(ws, r, c, value)
