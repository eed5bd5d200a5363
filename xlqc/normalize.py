"""规范文本: apply the R17 fix (:func:`xlqc.text.normalize_text`) to a saved master workbook.

Only the data rows of 小组, 课题 and 成员 are touched, and in them only the text columns
(schema kinds text, choice and longtext — never dates, paths or 校验状态), i.e. exactly the cells
R17 looks at. Headers, 设置, the clerk's own sheets and formula cells stay as they are. A fixed
value is written as text, so "=1+1" typed as text never becomes a formula.

:func:`normalize_file` writes nothing when nothing needs fixing: it returns ``[]`` and the caller
says so (无需修改). :func:`text_changes` (what to fix, from a :class:`~xlqc.model.Book`) and
:func:`normalize_value` are the core the live-Excel button reuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlqc import schema
from xlqc.model import Book
from xlqc.reading import read_book
from xlqc.text import normalize_text
from xlqc.xlsxpkg import Package, SheetXml, inline_cell, split_ref

# Columns whose cells are free text a clerk typed; the others hold dates, paths or xlqc's status.
TEXT_KINDS = frozenset({"text", "choice", "longtext"})

_EXCERPT = 60  # longer values are shown around their changes
_CONTEXT = 8
_SHOWN = {
    "\n": "↵",
    "\r": "[回车符]",
    "\t": "[Tab]",
    "\u3000": "[全角空格]",
    "\u00a0": "[不间断空格]",
    "\u200b": "[零宽空格]",
}


@dataclass(frozen=True)
class Change:
    """One cell ``normalize_file`` rewrote."""

    sheet: str
    cell: str  # "B3"
    before: str
    after: str  # "" when the cell held only white space and is now empty
    header: str = ""  # the column's Chinese header, for messages


def normalize_value(value: Any) -> Any:
    """The fixed text for a ``str``; any other value (number, date, None…) unchanged."""
    return normalize_text(value) if isinstance(value, str) else value


def text_changes(book: Book) -> list[Change]:
    """The cells R17 looks at whose text :func:`normalize_text` changes, from the values as read
    (the same for a saved file and the live workbook), in sheet and row order."""
    changes = []
    for row in (*book.groups, *book.topics, *book.members):
        for col in schema.DATA_SHEETS[row.sheet]:
            raw = row.raw.get(col.field)
            if col.kind not in TEXT_KINDS or not isinstance(raw, str):
                continue
            fixed = normalize_text(raw)
            if fixed != raw:
                changes.append(Change(row.sheet, row.cell(col.field), raw, fixed, col.header))
    return changes


def normalize_file(src: Path, dst: Path) -> list[Change]:
    """Fix the text cells of ``src`` and save the workbook to ``dst`` (atomically).

    Returns the changes in sheet and row order. When there are none, ``dst`` is not
    written (and the workbook is not even loaded for editing). ``dst`` may be ``src`` only when
    the caller has made a backup (``--in-place``). Unreadable input raises :class:`XlqcError`.
    """
    src, dst = Path(src), Path(dst)
    book = read_book(src)  # refuses broken files and checks sheets and headers first
    planned = text_changes(book)
    if not planned:
        return []
    pkg = Package.open(src)
    sheets: dict[str, tuple[str, SheetXml]] = {}
    changes = []
    for p in planned:
        if p.sheet not in sheets:
            ref = pkg.sheet(p.sheet)
            if ref is None:
                continue
            sheets[p.sheet] = (ref.part, SheetXml(pkg.read(ref.part)))
        change = _fix_cell(sheets[p.sheet][1], p, pkg.shared_strings())
        if change:
            changes.append(change)
    if changes:
        for part, xml in sheets.values():
            pkg.write(part, xml.data)
        pkg.save(dst)
    return changes


def describe(change: Change) -> str:
    """One Chinese line for the clerk: 小组!B3（组织名称）：「 国网…  」→「国网…」."""
    before, after = _excerpt(change.before, change.after)
    where = f"{change.sheet}!{change.cell}" + (f"（{change.header}）" if change.header else "")
    after_shown = f"「{_visible(after)}」" if change.after else "（清空）"
    return f"{where}：「{_visible(before)}」→{after_shown}"


def _fix_cell(xml: SheetXml, planned: Change, shared: list[str]) -> Change | None:
    """Normalize one cell of a worksheet's XML; the change, or ``None`` when the cell is left
    as it was (a formula, no cell of its own, or text that is fine after all). The fixed text
    is written as an inline string (never a formula) keeping the cell's style, so a quote
    prefix stays; in-cell formatting is dropped only where the text changes."""
    tag = xml.cell(*split_ref(planned.cell))
    if tag is None or tag.has_formula():
        return None
    value = tag.value(shared)
    if value is None or (tag.attr("t") or "n") not in ("s", "inlineStr", "str"):
        return None
    fixed = normalize_text(value)
    if fixed == value:
        return None
    xml.replace(tag, inline_cell(tag.head(), fixed))
    return Change(planned.sheet, planned.cell, value, fixed, planned.header)


def _excerpt(before: str, after: str) -> tuple[str, str]:
    """Both values; for long ones the stretch from the first to the last change, with a little
    context, its middle elided when it is long itself."""
    if max(len(before), len(after)) <= _EXCERPT:
        return before, after
    shortest = min(len(before), len(after))
    head = 0
    while head < shortest and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < shortest - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    start, cut_end = max(0, head - _CONTEXT), max(0, tail - _CONTEXT)

    def stretch(s: str) -> str:
        piece = s[start : len(s) - cut_end]
        if len(piece) > _EXCERPT:
            half = _EXCERPT // 2
            piece = piece[:half] + "…" + piece[-half:]
        return ("…" if start else "") + piece + ("…" if cut_end else "")

    return stretch(before), stretch(after)


def _visible(s: str) -> str:
    """``s`` with invisible characters shown as labels, so the clerk sees what was removed."""
    if s.isprintable():
        return s
    return "".join(_SHOWN.get(ch) or (ch if ch.isprintable() else f"[U+{ord(ch):04X}]") for ch in s)
