"""Filled forms into the master workbook (DESIGN.md §1 sheets, §6 safe writes).

A form's group is the workbook's group when 组织名称 and 小组名称 match after folding widths
and removing white space. A new group gets a 小组 row with the next free 小组编号 (following the
codes already there: G012 → G013), its topics on 课题 and its members on 成员, and the form's
file name in a 来源文件 column (added after the last header when missing; the reader ignores
it). A known group is compared field by field: equal means nothing to do, different is reported
and only replaced with ``update``. Only what the form carries is compared or replaced; an empty
field on the form never erases what the clerk typed, and the clerk's own columns of a topic or
member the form still lists (成果水平, 认可证明, 能力证明, …) are kept.

Nothing the form cannot show is deleted or made less exact: it has three topic slots (and
xlqc's own 附件2 prints only the 统计期's), so a topic of the workbook that is not on the form
stays; its ten member cells hold the first ten of a larger group, whose others stay; a date
the form gives to the month (2024.03) agrees with the workbook's 2024-03-15 and leaves it as
it is; a 外部认可 the form ticks ambiguously leaves the workbook's value as it is.

Dates: a day-precision 活动开始/活动结束 is written as a real date (yyyy-mm-dd); a month-precision
one (the form's usual 2024.03) as the text 2024年3月, which the reader parses back as a month.
An unreadable 活动时间 is written as typed into 活动开始 so that validation (R08) shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlqc import schema
from xlqc.documents import member_order
from xlqc.editing import load_for_edit, save_changes, text_cell
from xlqc.errors import XlqcError
from xlqc.intake.parse import FormData, FormTopic, parse_form, squash
from xlqc.intake.result import FieldDiff, FileProblem, GroupOutcome, ImportResult, short
from xlqc.model import Book, DateValue, Topic, text_of
from xlqc.reading import HEADER_SEARCH_ROWS, header_key, read_book
from xlqc.safeio import backup

SOURCE_HEADER = schema.SOURCE_HEADER
SOURCE_WIDTH = 30
CELL_LIMIT = 32767  # characters Excel keeps in one cell
DATE_FORMAT = "yyyy-mm-dd"
FORM_SUFFIXES = (".docx", ".docm", ".doc", ".wps")  # picked up from folders (.doc to refuse it)
GROUP_FIELDS = ("dept", "address", "contact", "phone", "email", "summary")
TOPIC_FIELDS = ("start", "end", "recognition")
DEFAULT_CODE = ("G", 3)
_CODE = re.compile(r"^(.*?)(\d+)$")


def import_forms(
    sources: Sequence[Path], into: Path, *, dry_run: bool = False, update: bool = False
) -> ImportResult:
    """Read the 申报表 in ``sources`` (files or folders, searched with their subfolders) into
    the workbook ``into``. With ``dry_run`` nothing is written; otherwise, when anything
    changes, a backup of ``into`` is taken first and the workbook is replaced atomically.
    :class:`XlqcError` when ``into`` cannot be read or rewritten; a form that cannot be read is
    listed in ``failed`` and nothing of it is written."""
    into = Path(into)
    book = read_book(into)
    result = ImportResult(into=into, dry_run=dry_run, update=update)
    forms: list[FormData] = []
    for path, shown in expand_sources(sources, result):
        try:
            form = parse_form(path)
        except XlqcError as exc:
            result.failed.append(FileProblem(file=shown, reason=str(exc)))
            continue
        form.source = shown
        forms.append(form)
        result.warnings += [FileProblem(file=shown, reason=w) for w in form.warnings]
        if not form.summary:
            result.no_summary.append(shown)
        unclear = [t.title or t.period or "未写名称" for t in form.topics if t.recognition_problem]
        if unclear:
            result.unclear_recognition.append(
                f"{shown}（{'、'.join(f'课题「{t}」' for t in unclear)}）"
            )
    if not forms:
        return result
    target = _Target(book, load_for_edit(into, "写入申报表内容"))
    for form in forms:
        target.apply(form, update, result)
    if not result.changed:
        return result
    if not dry_run:
        target.finish()
        result.backup = backup(into)
        save_changes(into, into, target.wb, schema.DATA_SHEETS)
    return result


def expand_sources(sources: Iterable[Path], result: ImportResult) -> list[tuple[Path, str]]:
    """Form files to read, each with the name shown for it: a folder gives its Word files
    (subfolders included, by path) shown relative to it; lock files (~$…) and macOS
    resource files (._…) are skipped; a path that does not exist is a failure."""
    found: list[tuple[Path, str]] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            files = sorted(
                p for p in source.rglob("*") if p.suffix.lower() in FORM_SUFFIXES and p.is_file()
            )
            found += [(p, p.relative_to(source).as_posix()) for p in files]
        elif source.exists():
            found.append((source, source.name))
        else:
            result.failed.append(FileProblem(file=str(source), reason=f"找不到「{source}」"))
    chosen: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path, shown in found:
        if path.name.startswith("~$") or path.name.startswith("._"):
            result.skipped.append(shown)
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            chosen.append((path, shown))
    return chosen


# --- the workbook being written -------------------------------------------------------------


@dataclass
class _Sheet:
    """A data sheet of the workbook, written by field name."""

    ws: Worksheet
    header_row: int
    cols: dict[str, int]  # field -> column number
    next_row: int
    first_free: int = 0  # next_row as found, before anything was appended

    @classmethod
    def open(cls, wb: Workbook, sheet: str, letters: dict[str, str]) -> _Sheet:
        ws = wb[sheet]
        cols = {f: column_index_from_string(c) for f, c in letters.items()}
        key_field = "code" if sheet == schema.GROUP_SHEET else "group"
        key_col, key_header = cols[key_field], schema.column(sheet, key_field).header
        header_row = next(
            (
                r
                for r in range(1, HEADER_SEARCH_ROWS + 1)
                if header_key(ws.cell(r, key_col).value) == key_header
            ),
            1,
        )
        last = header_row
        for r, values in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True)):
            if any(v is not None and text_of(v).strip() for v in values):
                last = header_row + 1 + r
        return cls(ws, header_row, cols, last + 1, last + 1)

    def add_column(self, field_name: str, header: str, width: float) -> None:
        """Find the column headed ``header``, adding it after the last header when missing."""
        if field_name in self.cols:
            return
        headers = [c.value for c in self.ws[self.header_row]]
        for i, value in enumerate(headers, start=1):
            if header_key(value) == header:
                self.cols[field_name] = i
                return
        last = max((i for i, v in enumerate(headers, start=1) if text_of(v).strip()), default=0)
        col = last + 1
        cell = self.ws.cell(self.header_row, col, header)
        if last:
            cell._style = copy(self.ws.cell(self.header_row, last)._style)
        self.ws.column_dimensions[get_column_letter(col)].width = width
        self.cols[field_name] = col

    def grow_tables(self) -> None:
        """Extend an Excel table (插入 → 表格) that ended at the last row to the rows appended,
        as Excel does when the clerk types below it."""
        last = self.next_row - 1
        for table in self.ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            if min_row == self.header_row and self.first_free - 1 <= max_row < last:
                if table.totalsRowCount:
                    continue  # rows below a totals row are not the table's
                table.ref = (
                    f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last}"
                )
                if table.autoFilter is not None:
                    table.autoFilter.ref = table.ref

    def append(self) -> int:
        row = self.next_row
        self.next_row += 1
        return row

    def put(self, row: int, field_name: str, value: Any) -> None:
        """Write one value: text always as text (never a formula), a date as a date."""
        col = self.cols.get(field_name)
        if col is None:
            return  # an optional column the clerk does not have (序号)
        cell = self._cell(row, col)
        if not cell.has_style:
            style = _column_style(self.ws, col)
            if style is not None:
                cell._style = copy(style)
        if isinstance(value, DateValue):
            value = value.value if value.precision == "day" else str(value)
        text_cell(self.ws, cell.row, cell.column, value)  # "=1+1" stays text
        if isinstance(value, date) and cell.number_format in ("General", "@"):
            cell.number_format = DATE_FORMAT

    def _cell(self, row: int, col: int) -> Cell:
        """The cell at (row, col), unmerging it first if the clerk merged it with others: its
        value would otherwise belong to the range's first cell, not to this row."""
        cell = self.ws.cell(row, col)
        if isinstance(cell, MergedCell):
            for merged in list(self.ws.merged_cells.ranges):
                if cell.coordinate in merged:
                    self.ws.unmerge_cells(str(merged))
            cell = self.ws.cell(row, col)
        return cell  # type: ignore[return-value]

    def clear(self, row: int) -> None:
        for cell in self.ws[row]:
            if cell.value is not None:
                cell.value = None

    def values(self, row: int) -> list[tuple[Any, str]]:
        """The row's values with their types (a text that looks like a formula stays text)."""
        return [(cell.value, cell.data_type) for cell in self.ws[row]]

    def restore(self, row: int, values: list[tuple[Any, str]]) -> None:
        self.clear(row)
        for col, (value, data_type) in enumerate(values, start=1):
            if value is not None:
                cell = self._cell(row, col)
                cell.value = value
                cell.data_type = data_type


def _column_style(ws: Worksheet, col: int) -> Any:
    """The style the clerk gave the whole column, which Excel gives a cell typed into it."""
    for dim in ws.column_dimensions.values():
        if (dim.min or 0) <= col <= (dim.max or 0) and dim.has_style:
            return dim._style
    return None


@dataclass
class _TopicRow:
    row: int
    title: str
    start: str = ""
    end: str = ""
    recognition: str = ""
    dates: dict[str, DateValue | None] = field(default_factory=dict)  # start/end as read


@dataclass
class _State:
    """A group as the workbook now has it, in the terms a form can be compared in."""

    code: str
    row: int
    fields: dict[str, str]
    topics: list[_TopicRow] = field(default_factory=list)
    members: list[tuple[int, str]] = field(default_factory=list)  # (row, name)


def identity(org: str, name: str) -> tuple[str, str]:
    """Whether two groups are the same: 组织名称 and 小组名称 without spaces, widths folded."""
    return squash(org).casefold(), squash(name).casefold()


class _Target:
    """The workbook being written and every group it holds, by identity."""

    def __init__(self, book: Book, wb: Workbook) -> None:
        self.wb = wb
        self.sheets = {
            sheet: _Sheet.open(wb, sheet, book.columns[sheet]) for sheet in schema.DATA_SHEETS
        }
        self.codes = [g.code for g in book.groups if g.code]
        self.used = {c.upper() for c in self.codes}
        self.used |= {r.group.upper() for r in (*book.topics, *book.members) if r.group}
        self.states: dict[tuple[str, str], _State] = {}
        for g in book.groups:
            key = identity(g.org, g.name)
            if key in self.states or not g.code:
                continue  # a duplicate (R09) or a row without 小组编号: not matched
            state = _State(g.code, g.row, {f: _comparable(getattr(g, f)) for f in GROUP_FIELDS})
            state.topics = [_topic_row(t) for t in book.topics_of(g.code)]
            ordered = sorted(book.members_of(g.code), key=member_order)  # as 附件2 lists them
            state.members = [(m.row, m.name) for m in ordered]
            self.states[key] = state

    def finish(self) -> None:
        """Last touches before saving: Excel tables grown over the added rows."""
        for sheet in self.sheets.values():
            sheet.grow_tables()

    def apply(self, form: FormData, update: bool, result: ImportResult) -> None:
        too_long = [
            schema.column(schema.GROUP_SHEET, f).header
            for f in GROUP_FIELDS
            if len(getattr(form, f)) > CELL_LIMIT
        ]
        if too_long:
            result.failed.append(
                FileProblem(
                    file=form.source,
                    reason=f"「{form.source}」的{too_long[0]}超过 Excel 单元格上限（{CELL_LIMIT} 字）",
                )
            )
            return
        key = identity(form.org, form.name)
        state = self.states.get(key)
        if state is None:
            self.states[key] = self._add(form)
            result.added.append(self._outcome(form, self.states[key]))
            return
        outcome = self._outcome(form, state)
        outcome.diffs = diffs(state, form)
        outcome.kept = [f"课题「{short(t)}」" for t in kept_topics(state, form)]
        outcome.kept += [f"成员「{n}」" for n in unshown_members(state, form.members)]
        if not outcome.diffs:
            result.unchanged.append(outcome)
        elif update:
            self._update(state, form)
            result.updated.append(outcome)
        else:
            result.differing.append(outcome)

    @staticmethod
    def _outcome(form: FormData, state: _State) -> GroupOutcome:
        return GroupOutcome(
            file=form.source,
            code=state.code,
            org=form.org,
            name=form.name,
            topics=len(form.topics),
            members=len(form.members),
        )

    def _add(self, form: FormData) -> _State:
        groups = self.sheets[schema.GROUP_SHEET]
        groups.add_column("source", SOURCE_HEADER, SOURCE_WIDTH)
        code = next_code(self.codes, self.used)
        self.codes.append(code)
        self.used.add(code.upper())
        row = groups.append()
        groups.put(row, "code", code)
        groups.put(row, "org", form.org)
        groups.put(row, "name", form.name)
        state = _State(code, row, {f: "" for f in GROUP_FIELDS})
        self._update(state, form)
        return state

    def _update(self, state: _State, form: FormData) -> None:
        groups = self.sheets[schema.GROUP_SHEET]
        groups.add_column("source", SOURCE_HEADER, SOURCE_WIDTH)
        for f in GROUP_FIELDS:
            value = getattr(form, f)
            if value:
                groups.put(state.row, f, value)
                state.fields[f] = _comparable(value)
        groups.put(state.row, "source", form.source)
        if form.topics:
            self._write_topics(state, form.topics)
        if form.members and members_differ(state, form.members):
            self._write_members(state, form.members + unshown_members(state, form.members))

    def _write_topics(self, state: _State, topics: list[FormTopic]) -> None:
        """The form's topics into the group's: a topic of the same title keeps its row and the
        clerk's columns and takes what the form says differently; a new one is appended. A
        topic the form does not list stays (the form holds three)."""
        sheet = self.sheets[schema.TOPIC_SHEET]
        for new, old in pair_topics(state.topics, topics):
            if old is None:
                old = _TopicRow(sheet.append(), "")
                sheet.put(old.row, "group", state.code)
                state.topics.append(old)
            if new.title != old.title:
                sheet.put(old.row, "title", new.title)
                old.title = new.title
            for f, value in topic_changes(new, old):
                sheet.put(old.row, f, value)
                setattr(old, f, _topic_text(value))
                old.dates[f] = value if isinstance(value, DateValue) else None

    def _write_members(self, state: _State, names: list[str]) -> None:
        """The group's members become the form's, in its order, each keeping the clerk's
        columns (能力证明) when the same name was there before."""
        sheet = self.sheets[schema.MEMBER_SHEET]
        slots = sorted(row for row, _ in state.members)
        before = {row: sheet.values(row) for row in slots}
        unused = list(state.members)
        rows: list[tuple[int, str]] = []
        for i, name in enumerate(names):
            row = slots[i] if i < len(slots) else sheet.append()
            match = next((m for m in unused if squash(m[1]) == squash(name)), None)
            if match is not None:
                unused.remove(match)
                sheet.restore(row, before[match[0]])
            else:
                sheet.clear(row)
            sheet.put(row, "group", state.code)
            sheet.put(row, "seq", i + 1)
            sheet.put(row, "name", name)
            rows.append((row, name))
        for row in slots[len(names) :]:
            sheet.clear(row)
        state.members = rows


def _names(state: _State) -> list[str]:
    return [squash(n) for _, n in state.members]


def next_code(codes: Sequence[str], used: set[str]) -> str:
    """The next free 小组编号, following the last code that ends in a number (G012 → G013,
    QC-07 → QC-08); G001 for an empty workbook."""
    numbered = [m for c in codes if (m := _CODE.match(c.strip()))]
    prefix, width = (
        (numbered[-1].group(1), len(numbered[-1].group(2))) if numbered else DEFAULT_CODE
    )
    n = max((int(m.group(2)) for m in numbered if m.group(1) == prefix), default=0) + 1
    while (code := f"{prefix}{n:0{width}d}").upper() in used:
        n += 1
    return code


# --- comparing ------------------------------------------------------------------------------


def _comparable(text: str) -> str:
    """Text as compared: lines without outer white space, blank lines dropped."""
    return "\n".join(line.strip() for line in str(text).splitlines() if line.strip())


def _topic_text(value: Any) -> str:
    return str(value) if isinstance(value, DateValue) else text_of(value).strip()


def _topic_row(topic: Topic) -> _TopicRow:
    def when(value: DateValue | None, name: str) -> str:
        return str(value) if value else topic.shown(name).strip()

    return _TopicRow(
        topic.row,
        topic.title,
        when(topic.start, "start"),
        when(topic.end, "end"),
        topic.recognition,
        {"start": topic.start, "end": topic.end},
    )


def _cells(topic: FormTopic) -> tuple[Any, Any, str]:
    """活动开始, 活动结束, 外部认可 as written for ``topic``; an unreadable 活动时间 goes into
    活动开始 as typed."""
    start = topic.start if topic.start else (topic.period if topic.end is None else None)
    return start, topic.end, topic.recognition


def pair_topics(
    old: list[_TopicRow], new: list[FormTopic]
) -> list[tuple[FormTopic, _TopicRow | None]]:
    """Each form topic with the workbook topic of the same title (spacing and widths aside)."""
    unused = list(old)
    pairs: list[tuple[FormTopic, _TopicRow | None]] = []
    for topic in new:
        key = squash(topic.title)
        match = next((o for o in unused if key and squash(o.title) == key), None)
        if match is not None:
            unused.remove(match)
        pairs.append((topic, match))
    return pairs


def topic_changes(topic: FormTopic, row: _TopicRow) -> list[tuple[str, Any]]:
    """(field, value) of 活动开始 / 活动结束 / 外部认可 where the form says something the
    workbook's topic does not: never an empty value, never a date that agrees with the
    workbook's more exact one or an unreadable 活动时间 over a date, never a 外部认可 the form
    ticks ambiguously."""
    out: list[tuple[str, Any]] = []
    for f, value in zip(TOPIC_FIELDS, _cells(topic), strict=True):
        if value in (None, ""):
            continue
        if f == "recognition" and topic.recognition_problem and row.recognition:
            continue  # unclear on the form: the workbook's value stands
        if isinstance(value, DateValue) and agrees(value, row.dates.get(f)):
            continue
        if f == "start" and isinstance(value, str) and row.dates.get(f):
            continue  # an unreadable 活动时间 never replaces a date the workbook has
        if _topic_text(value) != getattr(row, f):
            out.append((f, value))
    return out


def agrees(new: DateValue, old: DateValue | None) -> bool:
    """Whether the form's date says no more than the workbook's, and the same: 2024.03 on the
    form agrees with 2024-03-15 or 2024年3月 in the workbook; 2024-03-15 does not agree with
    2024年3月 (it says more)."""
    return old is not None and new.value <= old.value and old.last <= new.last


def members_differ(state: _State, names: list[str]) -> bool:
    """Whether the form lists other members than the workbook. A form whose ten cells are
    full shows only ten of a larger group: then only a name not in the workbook differs."""
    old, new = _names(state), [squash(n) for n in names]
    if len(new) >= schema.MAX_MEMBERS and len(old) > len(new):
        return not set(new) <= set(old)
    return old != new


def unshown_members(state: _State, names: list[str]) -> list[str]:
    """The workbook's members a full form had no cell for: kept after the form's."""
    if len(names) < schema.MAX_MEMBERS or len(state.members) <= len(names):
        return []
    shown = {squash(n) for n in names}
    return [n for _, n in state.members if squash(n) not in shown]


def diffs(state: _State, form: FormData) -> list[FieldDiff]:
    """What the form says differently from the workbook, field by field. A workbook topic the
    form does not list is no difference: the form cannot show every topic."""
    out: list[FieldDiff] = []
    for f in GROUP_FIELDS:
        new = _comparable(getattr(form, f))
        old = state.fields.get(f, "")
        if new and new != old:
            out.append(
                FieldDiff(field=schema.column(schema.GROUP_SHEET, f).header, old=old, new=new)
            )
    for topic, row in pair_topics(state.topics, form.topics):
        if row is None:
            out.append(FieldDiff(field="课题", new=topic.title or topic.period))
            continue
        for f, value in topic_changes(topic, row):
            header = schema.column(schema.TOPIC_SHEET, f).header
            old = getattr(row, f)
            out.append(
                FieldDiff(field=f"课题「{row.title}」{header}", old=old, new=_topic_text(value))
            )
    if form.members and members_differ(state, form.members):
        old_names = "、".join(n for _, n in state.members)
        out.append(FieldDiff(field="成员", old=old_names, new="、".join(form.members)))
    return out


def kept_topics(state: _State, form: FormData) -> list[str]:
    """Titles of the workbook's topics the form does not list (they stay)."""
    matched = {id(row) for _, row in pair_topics(state.topics, form.topics) if row is not None}
    return [t.title for t in state.topics if id(t) not in matched]
