"""What ``xlqc validate`` prints: a table of findings per group, a summary, or JSON.

The report reads findings only (it never re-runs rules). Every piece of user text goes through
:class:`rich.text.Text`, so a message containing ``[red]`` is printed as it is, not as markup.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from xlqc import schema
from xlqc.findings import Finding, counts, has_error
from xlqc.marks import bare_message, findings_by_group_row
from xlqc.model import Book
from xlqc.statesheet import cell_position
from xlqc.text import visible

# label, model (None when unreadable), findings, the reader's message (None when read)
WorkbookResult = tuple[str, Book | None, list[Finding], str | None]

STYLES = {"error": "red", "warning": "yellow", "info": "blue"}
PLAIN_WIDTH = 100
OTHER = "其他"


def _unpack(result: Any) -> WorkbookResult:
    """A 4-tuple as it is; an object such as ``validate.BookResult`` by its attributes."""
    if isinstance(result, tuple):
        return result  # type: ignore[return-value]
    return (result.label, result.book, list(result.findings), result.error)


def render(results: Iterable[Any], console: Console) -> None:
    """Print every workbook's findings, grouped by group, and a summary line per workbook."""
    unpacked = [_unpack(r) for r in results]
    for i, (label, book, findings, error) in enumerate(unpacked):
        if i:
            console.print()
        if error is not None or book is None:
            console.print(Text(visible(f"✗ {label}：{error or '无法读取'}"), style="bold red"))
            continue
        console.print(Text(visible(label), style="bold underline"))
        if not findings:
            console.print(Text("未发现任何问题。", style="green"))
        for heading, found in sections(book, findings):
            console.print()
            console.print(Text(visible(heading), style="bold cyan"))
            console.print(_table(found))
        console.print()
        _print_fitted(console, summary(book, findings), "bold")
        if not has_error(findings):
            console.print(Text(_all_clear(findings), style="bold green"))
    if len(unpacked) > 1:
        console.print()
        _print_fitted(console, total(unpacked), "bold")


def _print_fitted(console: Console, line: str, style: str) -> None:
    """``line`` as one line, or split after its 「；」/「：」 when the terminal is too narrow."""
    text = Text(line, style=style)
    for mark in "；：":
        if text.cell_len <= console.width or mark not in text.plain:
            break
        head, _, tail = text.plain.partition(mark)
        console.print(Text(head + mark, style=style))
        text = Text(tail, style=style)
    console.print(text)


def sections(book: Book, findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings under headings: 设置 first, then each group in workbook order, then findings
    that name no group on 小组 (e.g. a topic's unknown 小组编号), then anything else."""
    headings: dict[str, str] = {schema.SETTINGS_SHEET: schema.SETTINGS_SHEET}
    for g in book.groups:
        name = f"{g.code or f'第 {g.row} 行（无小组编号）'} {g.name}".strip()
        headings.setdefault(
            _group_key(g.code, g.row), name + ("" if g.recommended else "（不推荐）")
        )
    buckets: dict[str, list[Finding]] = {key: [] for key in headings}
    for f in findings:
        key = _finding_key(f)
        if key not in headings:
            headings[key] = f"{f.group}（「小组」表中没有此编号）" if f.group else OTHER
            buckets[key] = []
        buckets[key].append(f)
    return [(headings[key], found) for key, found in buckets.items() if found]


def _group_key(code: str, row: int) -> str:
    return f"code:{code}" if code else f"row:{row}"


def _finding_key(f: Finding) -> str:
    if f.group:
        return _group_key(f.group, 0)
    if f.sheet == schema.SETTINGS_SHEET:
        return schema.SETTINGS_SHEET
    pos = cell_position(f.cell)
    if f.sheet == schema.GROUP_SHEET and pos:
        return _group_key("", pos[0])
    return OTHER


def _table(findings: Sequence[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("级别", no_wrap=True, min_width=4)
    table.add_column("规则", no_wrap=True, min_width=3)
    table.add_column("位置", no_wrap=True, min_width=7)
    table.add_column("说明", ratio=1)
    for f in findings:
        table.add_row(
            Text(schema.SEVERITY_LABELS[f.severity], style=STYLES[f.severity]),
            Text(f.rule),
            Text(visible(location(f))),
            Prose(visible(bare_message(f))),
        )
    return table


_CLOSING = "，。；：、！？）」』”’》〉】"
# A run of printable ASCII (a date, a path, a phone number) stays whole; any other character
# may start a line; closing punctuation stays with what it closes.
_TOKEN = re.compile(rf"[\x21-\x7e]+[{_CLOSING}]*|\s+|.[{_CLOSING}]*", re.S)


class Prose:
    """Text wrapped the Chinese way: a line may break between any two Chinese characters, not
    only at spaces (rich's own wrapping waits for a space and leaves ragged lines)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(wrap(self.text, options.max_width)), no_wrap=True)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(t) for t in _TOKEN.findall(self.text)), default=1)
        return Measurement(min(longest, 12), cell_len(self.text)).clamp(max_width=options.max_width)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells."""
    width = max(width, 2)
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            token = re.sub(r"[^ \u3000]", " ", token)  # spaces kept: they may be the finding
            if not line:
                continue
        if cell_len(line) + cell_len(token.rstrip()) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        if token.isspace():
            continue
        pieces = chop_cells(token, width) if cell_len(token) > width else [token]
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def location(f: Finding) -> str:
    """「小组!D5」, the sheet alone, or 「—」."""
    if f.sheet and f.cell:
        return f"{f.sheet}!{f.cell}"
    return f.sheet or "—"


def summary(book: Book, findings: Sequence[Finding]) -> str:
    """共 N 个小组：X 个可推荐，Y 个有错误；错误 a 条，警告 b 条，提示 c 条."""
    by_row = findings_by_group_row(book, findings)
    with_error = [g for g in book.groups if has_error(by_row[g.row])]
    ready = [g for g in book.groups if g.recommended and not has_error(by_row[g.row])]
    declined = sum(not g.recommended for g in book.groups)
    n = counts(findings)
    groups = f"共 {len(book.groups)} 个小组：{len(ready)} 个可推荐，{len(with_error)} 个有错误"
    if declined:
        groups += f"，{declined} 个不推荐"
    return f"{groups}；错误 {n['error']} 条，警告 {n['warning']} 条，提示 {n['info']} 条"


def _all_clear(findings: Sequence[Finding]) -> str:
    warnings = counts(findings)["warning"]
    if warnings:
        return f"✓ 没有错误，可以导出申报材料（请先核对 {warnings} 条警告）"
    return "✓ 没有错误，可以导出申报材料"


def total(results: Sequence[WorkbookResult]) -> str:
    """One line over several workbooks."""
    unreadable = sum(book is None or error is not None for _, book, _, error in results)
    failing = sum(
        has_error(found) for _, book, found, error in results if book is not None and error is None
    )
    clean = len(results) - unreadable - failing
    return (
        f"合计 {len(results)} 个工作簿：{clean} 个没有错误，{failing} 个有错误，"
        f"{unreadable} 个无法读取"
    )


def to_json(findings: Iterable[Finding]) -> str:
    """One JSON array of findings, keys as in DESIGN.md §3, Chinese kept as it is. Control and
    format characters are escaped (\\u001b), also those json leaves raw (DEL, C1 controls such
    as the 8-bit CSI, U+2028): the array printed on a terminal is inert and still valid JSON."""
    text = json.dumps([f.json_dict() for f in findings], ensure_ascii=False, indent=2)
    if text.replace("\n", "").isprintable():
        return text
    return _UNUSUAL.sub(_escaped, text)


_UNUSUAL = re.compile("[^\x20-\x7e\n\u3000-\u9fff\uff01-\uff5e]")  # not plain text


def _escaped(m: re.Match[str]) -> str:
    ch = m.group()
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return json.dumps(ch)[1:-1]  # \u001b, or a surrogate pair beyond the BMP
    return ch


def plain_text(results: Iterable[Any], width: int = PLAIN_WIDTH) -> str:
    """The terminal report as plain text: no colour, fixed width, nothing time-dependent."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=False,
        no_color=True,
        color_system=None,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )
    render(results, console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
