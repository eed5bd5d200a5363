"""The state sheet: what xlqc added to a clerk's workbook and what it replaced (DESIGN.md §6).

A very hidden sheet, recognised by :data:`STATE_MARKER` in A1 of a hidden sheet (never by its
name: a clerk may have a sheet called ``_xlqc``), holds one :class:`Record` per row: kind (A),
sheet (B), cell (C) and a JSON object (D, continued in E, F… when longer than one cell holds).
Marks (:mod:`xlqc.marks`, the file path; :mod:`xlqc.excel.marking`, the live path) own the
kinds in :data:`OWN_KINDS`; records of every other kind — the drafted 推荐意见 of
:mod:`xlqc.opinions` (:data:`DRAFT_KIND`) — are kept by mark and clear. This module is the
format and its reading; writing the sheet into a package is :mod:`xlqc.marks`'.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from xlqc import schema
from xlqc.model import text_of
from xlqc.xlsxpkg import Package, SheetRef

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")


STATE_SHEET = "_xlqc"  # preferred name; a clerk's own sheet of that name makes it _xlqc(xlqc)
STATE_MARKER = "xlqc-state/2"
STATE_HEADER = (STATE_MARKER, "sheet", "cell", "data")
_V1_HEADER = ("sheet", "cell", "fill_color", "fill_pattern", "fill_bg", "comment", "comment_author")
_CHUNK = 30000  # characters of JSON per cell (a cell holds 32,767)
OWN_KINDS = frozenset({"cell", "status", "notes", "sheet", "styles"})
DRAFT_KIND = "draft"  # records of drafted 推荐意见 (xlqc.opinions): kept by mark and clear


def cell_position(cell: str) -> tuple[int, int] | None:
    """(row, column) of an address such as "D5" (both from 1); None if it is not one."""
    m = _CELL.match(cell.strip().upper())
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


@dataclass(frozen=True)
class Record:
    """One row of the state sheet."""

    kind: str
    sheet: str = ""
    cell: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    at: str = field(default="", compare=False)  # where it was read: "_xlqc!A5"

    def to_row(self) -> tuple[str, ...]:
        text = json.dumps(self.data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or ["{}"]
        return (self.kind, self.sheet, self.cell, *chunks)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Record | None:
        """The record of a state row; None for a blank row; ValueError for a damaged one."""
        values = [text_of(v) for v in row]
        if not any(values):
            return None
        values += [""] * (4 - len(values))
        kind, sheet, cell = values[:3]
        if not kind:
            raise ValueError("no kind")
        data = json.loads("".join(values[3:]) or "{}")
        if not isinstance(data, dict):
            raise ValueError("data is not an object")
        if kind in ("cell", "status") and cell_position(cell) is None:
            raise ValueError("bad cell")
        return cls(kind, sheet, cell, data)


@dataclass(frozen=True)
class SavedCell:
    """A ``cell`` record: what a marked cell had before xlqc touched it (shared with the
    live-Excel path, which fills the first fields only).

    ``fill_color``/``fill_bg``: "" (none), hex "RRGGBB" or "AARRGGBB", "theme:<n>:<tint>",
    "indexed:<n>" or "auto". ``fill_pattern``: "" (no fill), "solid", another pattern name, or
    "gradient". ``comment`` is the clerk's note text, "" when the cell had none. ``extra`` holds
    what the file path needs to give back the exact bytes (see :class:`_Run`)."""

    sheet: str
    cell: str
    fill_color: str = ""
    fill_pattern: str = ""
    fill_bg: str = ""
    comment: str = ""
    comment_author: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def record(self) -> Record:
        data = {
            "fill_color": self.fill_color,
            "fill_pattern": self.fill_pattern,
            "fill_bg": self.fill_bg,
            "comment": self.comment,
            "comment_author": self.comment_author,
            **self.extra,
        }
        return Record("cell", self.sheet, self.cell, data)

    def to_row(self) -> tuple[str, ...]:
        return self.record().to_row()

    @classmethod
    def from_record(cls, rec: Record) -> SavedCell:
        d = dict(rec.data)
        common = {k: str(d.pop(k, "") or "") for k in _COMMON}
        return cls(rec.sheet, rec.cell, **common, extra=d)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SavedCell | None:
        """The saved cell of a state-sheet row; None for a blank, damaged or other row."""
        try:
            rec = Record.from_row(row)
        except ValueError:
            return None
        return cls.from_record(rec) if rec is not None and rec.kind == "cell" else None


_COMMON = ("fill_color", "fill_pattern", "fill_bg", "comment", "comment_author")


def results_record(name: str = schema.RESULT_SHEET) -> Record:
    """The record naming xlqc's 校验结果 sheet (so clear removes that sheet and no other)."""
    return Record("sheet", name, "", {"role": "results"})


def read_state(pkg: Package, warn: Callable[[str], None]) -> tuple[SheetRef | None, list[Record]]:
    """The state sheet (a hidden sheet whose A1 is :data:`STATE_MARKER`) and its records;
    damaged rows are skipped with a warning naming their cell."""
    for ref in pkg.sheets():
        if ref.state == "visible" or not ref.part or not pkg.has(ref.part):
            continue
        head = pkg.cell_values(ref.part, 1)  # a clerk's big hidden sheet is not read whole
        version = state_version([head.get((1, c), "") for c in range(1, 8)])
        if version is None:
            continue
        values = pkg.cell_values(ref.part)
        last_row = max((r for r, _ in values), default=1)
        last_col = max((c for _, c in values), default=1)
        rows = (
            (r, [values.get((r, c)) for c in range(1, last_col + 1)])
            for r in range(2, last_row + 1)
        )
        has_results = pkg.sheet(schema.RESULT_SHEET) is not None
        return ref, parse_state(ref.name, rows, version, has_results, warn)
    return None, []


def state_version(first_row: Sequence[Any]) -> int | None:
    """The format of a hidden sheet whose first row is ``first_row`` (A1, B1…): 2 for the
    state sheet (A1 = :data:`STATE_MARKER`), 1 for xlqc 0.1's, None for any other sheet."""
    values = tuple(text_of(v) for v in first_row[: len(_V1_HEADER)])
    if values and values[0] == STATE_MARKER:
        return 2
    if values == _V1_HEADER:
        return 1
    return None


def parse_state(
    name: str,
    rows: Iterable[tuple[int, Sequence[Any]]],
    version: int,
    has_results: bool,
    warn: Callable[[str], None],
) -> list[Record]:
    """The records of the state sheet ``name`` from its rows below the header, each given as
    (row number, values from column A); a damaged row is skipped with a warning naming its
    cell. Shared by the file path (:func:`read_state`) and the live path (``xlqc.excel``).
    ``has_results``: whether the workbook has a sheet named 校验结果 (xlqc 0.1 wrote it
    without recording it)."""
    records = []
    for r, row in rows:
        try:
            rec = _v1_record(row) if version == 1 else Record.from_row(row)
        except (ValueError, TypeError):
            warn(f"xlqc 状态表「{name}」第 {r} 行（{name}!A{r}）已损坏，已跳过")
            continue
        if rec is not None:
            records.append(replace(rec, at=f"{name}!A{r}"))
    if version == 1 and has_results:
        records.append(results_record())  # 0.1 wrote 校验结果 under that name, unrecorded
    return records


def state_rows(records: Iterable[Record]) -> list[tuple[str, ...]]:
    """The rows of a state sheet holding ``records``: the header, then one row per record."""
    return [STATE_HEADER, *(r.to_row() for r in records)]


def _v1_record(row: Sequence[Any]) -> Record | None:
    values = [text_of(v) for v in row[: len(_V1_HEADER)]]
    values += [""] * (len(_V1_HEADER) - len(values))
    if not any(values):
        return None
    if not values[0] or cell_position(values[1]) is None:
        raise ValueError("bad cell")
    return Record("cell", values[0], values[1], dict(zip(_COMMON, values[2:], strict=True)))


def drafts_of(records: Iterable[Record]) -> dict[tuple[str, str], str]:
    """:attr:`Book.drafts <xlqc.model.Book.drafts>` from the state's draft records:
    (sheet, cell) -> the text xlqc wrote there."""
    return {
        (r.sheet, r.cell): r.data["text"]
        for r in records
        if r.kind == DRAFT_KIND and isinstance(r.data.get("text"), str)
    }
