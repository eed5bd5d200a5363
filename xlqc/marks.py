"""In-cell marks, the 校验状态 column and the 校验结果 sheet (DESIGN.md §3, §6).

Two halves, so the file path (here) and the live-Excel path (xlwings, ``xlqc.excel``) mark a
workbook the same way:

* planning — :func:`mark_plan`, :func:`row_status`, :func:`group_status`, :func:`result_rows`
  and the note helpers — works on the model and findings only;
* :func:`mark_file` and :func:`clear_file` apply a plan to a saved workbook by editing its
  package (:mod:`xlqc.xlsxpkg`): styles.xml gets appended fills and cell formats, marked cells a
  new ``s``, notes go into the sheet's comments part and VML (merged with the clerk's), and the
  校验结果 and state sheets are appended after the clerk's sheets. Nothing else is rewritten.

Everything xlqc adds or replaces is recorded in the very hidden state sheet
(:mod:`xlqc.statesheet`: found by its marker, never by its name), one record per row. Clearing undoes exactly what is recorded — byte for byte
while the parts are as xlqc wrote them, by address and recorded content after a spreadsheet
program re-saved the book — so marking twice equals marking once and marking then clearing
gives back the clerk's workbook. Records of kinds clear does not own (:data:`OWN_KINDS`) are
kept by mark and clear; :func:`replace_records` writes them.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from xlqc import schema
from xlqc.errors import XlqcError
from xlqc.findings import SEVERITY_ORDER, Finding
from xlqc.model import Book, text_of
from xlqc.reading import HEADER_SEARCH_ROWS, header_key
from xlqc.statesheet import (
    OWN_KINDS,
    STATE_SHEET,
    Record,
    SavedCell,
    cell_position,
    read_state,
    results_record,
    state_rows,
)
from xlqc.xlsxpkg import (
    CT_COMMENTS,
    CT_VML,
    MAIN_NS,
    REL,
    REL_NS,
    Package,
    SheetXml,
    Styles,
    Tag,
    add_defined_name,
    add_sheet,
    cell_ref,
    cell_value,
    del_attr,
    esc_attr,
    esc_text,
    find,
    find_all,
    free_sheet_name,
    get_attr,
    inline_cell,
    inner_text,
    insert_child,
    ooxml_string,
    remove_sheet,
    root_prefix,
    set_attr,
    sha,
    split_ref,
    unesc,
)

NOTE_SEPARATOR = "\n\n"  # between the clerk's own comment and the 【xlqc】 block
NOTE_AUTHOR = "xlqc"
RESULT_HEADERS = ("序号", "级别", "规则", "小组编号", "工作表", "单元格", "说明")
RESULT_WIDTHS = (6, 8, 30, 12, 10, 10, 90)
GRADIENT = "gradient"  # fill_pattern of a cell whose (gradient) fill xlqc left alone
PASSED = "通过"
NOT_RECOMMENDED = "不推荐"
NO_FINDINGS = "未发现问题"

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


def note_block(text: str, saved: SavedCell) -> tuple[str, str] | None:
    """(how, block) of xlqc's part of the note ``text`` of a cell marked as ``saved`` records:
    ``how`` is "new" (xlqc wrote the note) or "merged" (xlqc's block after the clerk's text),
    ``block`` the text xlqc added, separator included ("" when not recorded). A record without
    them (xlqc 0.1) takes the block from 【xlqc】 to the end of the note. None when such a note
    holds no 【xlqc】 at all."""
    how = saved.extra.get("how")
    block = saved.extra.get("note")
    if how is None:
        at = text.find(schema.NOTE_PREFIX)
        if at < 0:
            return None
        block = text[at:]
        if text[:at].endswith(NOTE_SEPARATOR):
            block = NOTE_SEPARATOR + block
        how = "merged" if saved.comment else "new"
    return str(how), str(block or "")


def cleared_note(text: str, saved: SavedCell) -> str | None:
    """What the note of a marked cell says once xlqc's block is taken out: the clerk's own text
    and anything typed after the block (a reply); "" when nothing is left of a note xlqc wrote
    (the note goes). None when xlqc's block is no longer in it: the clerk rewrote it, theirs."""
    found = note_block(text, saved)
    if found is None:
        return None
    how, block = found
    if not block or block not in text:
        return None
    rest = text.replace(block, "", 1)
    if how == "new" and not rest.strip():
        return ""
    return rest


def status_before(rec: Record) -> str:
    """The text a 校验状态 cell showed before xlqc wrote it, from a ``status`` record of the file
    path ("" when xlqc made the cell or it was empty). A shared-string value is not in the
    record (only its index): "" as well."""
    orig = rec.data.get("orig")
    if not orig:
        return ""
    data = str(orig).encode("utf-8")
    tag = find(data, "c")
    return (cell_value(data, tag, []) or "") if tag is not None else ""


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


class XlqcWarning(UserWarning):
    """Something xlqc skipped and the clerk should know (one Chinese sentence)."""


def _default_warn(message: str) -> None:
    warnings.warn(message, XlqcWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# Applying: saved workbooks, edited as packages (xlqc.xlsxpkg).


def mark_file(
    src: Path,
    dst: Path,
    book: Book,
    findings: Iterable[Finding],
    warn: Callable[[str], None] | None = None,
) -> None:
    """Write ``src`` to ``dst`` with the marks of ``findings``: fills and notes in the cells,
    the 校验状态 column and the 校验结果 sheet. Earlier xlqc marks are cleared first.
    ``dst`` may be ``src`` (the caller keeps a backup)."""
    findings = list(findings)
    run = _Run(Package.open(Path(src)), warn or _default_warn)
    run.clear()
    for mark in mark_plan(book, findings):
        run.mark_cell(mark)
    run.write_status(row_status(book, findings))
    run.add_results(findings)
    run.finish(marked=True)
    run.pkg.save(Path(dst))


def clear_file(src: Path, dst: Path, warn: Callable[[str], None] | None = None) -> int:
    """Write ``src`` to ``dst`` without anything xlqc added: the clerk's fills, notes and
    校验状态 values back, 校验结果 and the state sheet removed. Returns the number of cells
    restored. A workbook xlqc never marked is written unchanged."""
    run = _Run(Package.open(Path(src)), warn or _default_warn)
    restored = run.clear()
    run.finish(marked=False)
    run.pkg.save(Path(dst))
    return restored


def replace_records(
    src: Path,
    dst: Path,
    kind: str,
    records: Iterable[Record],
    warn: Callable[[str], None] | None = None,
) -> None:
    """Write ``src`` to ``dst`` with the state records of ``kind`` (a kind other features own,
    e.g. drafted 推荐意见) replaced by ``records``; marks and every other record stay."""
    pkg = Package.open(Path(src))
    put_records(pkg, kind, records, warn or _default_warn)
    pkg.save(Path(dst))


def put_records(
    pkg: Package,
    kind: str,
    records: Iterable[Record],
    warn: Callable[[str], None],
    keep: Callable[[Record], bool] | None = None,
) -> None:
    """:func:`replace_records` on an open package, for a feature that edits cells and records
    them in one save (e.g. :func:`xlqc.opinions.write_drafts`); the earlier records of
    ``kind`` for which ``keep`` says so stay, before ``records``."""
    if kind in OWN_KINDS:
        raise ValueError(f"records of kind {kind!r} belong to marks")
    state, found = read_state(pkg, warn)
    keep = [r for r in found if r.kind != kind or (keep is not None and keep(r))] + [
        replace(r, kind=kind) for r in records
    ]
    if state is not None:
        remove_sheet(pkg, state)
    write_state_sheet(pkg, keep)


def write_state_sheet(pkg: Package, records: Sequence[Record]) -> None:
    """Append the very hidden state sheet holding ``records`` (nothing when there are none)."""
    if not records:
        return
    name = free_sheet_name((s.name for s in pkg.sheets()), STATE_SHEET)
    rows = [[(v, 0) for v in row] for row in state_rows(records)]
    add_sheet(pkg, name, _sheet_xml(rows, (), [], frozen=False, printed=False), "veryHidden")


_SEVERITY_RGB = {sev: "FF" + rgb for sev, rgb in schema.FILLS.items()}
_XLQC_RGB = frozenset(_SEVERITY_RGB.values())


def _fill_xml(prefix: str, rgb: str) -> bytes:
    p = prefix
    return (
        f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
        f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>'
    ).encode()


def _color_code(head: bytes | None) -> str:
    """A colour element's start tag in the encoding of :class:`SavedCell`."""
    if head is None:
        return ""
    for key, fmt in (("theme", "theme"), ("indexed", "indexed")):
        value = get_attr(head, key)
        if value is not None:
            if key == "theme":
                return f"theme:{value}:{float(get_attr(head, 'tint') or 0)!r}"
            return f"{fmt}:{value}"
    if get_attr(head, "auto") in ("1", "true"):
        return "auto"
    return get_attr(head, "rgb") or ""


def _fill_codes(fill: bytes) -> tuple[str, str, str]:
    """(fill_color, fill_pattern, fill_bg) of a ``<fill>`` element."""
    if find(fill, "gradientFill") is not None:
        return "", "gradient", ""
    pattern = find(fill, "patternFill")
    if pattern is None:
        return "", "", ""
    fg, bg = find(fill, "fgColor"), find(fill, "bgColor")
    return (
        _color_code(fg.head(fill) if fg else None),
        pattern.attr(fill, "patternType") or "",
        _color_code(bg.head(fill) if bg else None),
    )


def _fill_from_codes(prefix: str, saved: SavedCell) -> bytes:
    """A ``<fill>`` from a saved cell's encoded colours (records of the live path)."""
    p = prefix

    def color(tag: str, code: str) -> str:
        if not code:
            return ""
        kind, _, rest = code.partition(":")
        if kind == "theme":
            theme, _, tint = rest.partition(":")
            tint_attr = f' tint="{tint}"' if tint and float(tint) else ""
            return f'<{p}{tag} theme="{int(theme)}"{tint_attr}/>'
        if kind == "indexed":
            return f'<{p}{tag} indexed="{int(rest)}"/>'
        if kind == "auto":
            return f'<{p}{tag} auto="1"/>'
        rgb = code if len(code) == 8 else "FF" + code
        if not re.fullmatch(r"[0-9A-Fa-f]{8}", rgb):
            raise ValueError(code)
        return f'<{p}{tag} rgb="{rgb.upper()}"/>'

    if not saved.fill_pattern:
        return f'<{p}fill><{p}patternFill patternType="none"/></{p}fill>'.encode()
    inner = color("fgColor", saved.fill_color) + color("bgColor", saved.fill_bg)
    return (
        f'<{p}fill><{p}patternFill patternType="{esc_attr(saved.fill_pattern)}">{inner}'
        f"</{p}patternFill></{p}fill>"
    ).encode()


class _Run:
    """One mark or clear of an open package: sheets and styles edited in memory, then
    :meth:`finish` writes them back with the state sheet."""

    def __init__(self, pkg: Package, warn: Callable[[str], None]) -> None:
        self.pkg = pkg
        self.warn = warn
        self._sheets: dict[str, tuple[str, SheetXml]] = {}
        self.styles_name = pkg.styles_name()
        self.styles = Styles(pkg.read(self.styles_name)) if self.styles_name else None
        self.styles_orig = sha(pkg.read(self.styles_name)) if self.styles_name else ""
        self.records: list[Record] = []
        self.kept: list[Record] = []  # records of other kinds, carried over
        self.notes: dict[str, dict[str, Any]] = {}  # sheet -> notes record data
        self.xfs: dict[tuple[int, str], int] = {}
        self._pending: dict[str, list[bytes]] = {}  # part -> new comments or shapes
        self._refs_cache: dict[str, set[str]] = {}
        self._next_shape: dict[str, int] = {}
        self._index: dict[str, dict[str, Tag]] = {}  # comments part -> ref -> comment
        self._shapes: dict[str, dict[tuple[int, int], Tag]] = {}
        self._edits: dict[str, dict[int, tuple[int, bytes]]] = {}
        self.reserved: set[str] = set()

    # --- sheets

    def sheet(self, name: str) -> SheetXml | None:
        if name in self._sheets:
            return self._sheets[name][1]
        ref = self.pkg.sheet(name)
        if ref is None or not ref.part or not self.pkg.has(ref.part):
            return None
        xml = SheetXml(self.pkg.read(ref.part))
        self._sheets[name] = (ref.part, xml)
        return xml

    def _flush_sheets(self) -> None:
        for part, xml in self._sheets.values():
            if self.pkg.has(part) and self.pkg.read(part) != xml.data:
                self.pkg.write(part, xml.data)
        self._sheets.clear()

    # --- marking

    def xf_for(self, base: int, severity: str) -> int | None:
        """An appended copy of cellXfs[base] with xlqc's fill of ``severity``."""
        if self.styles is None:
            return None
        key = (base, severity)
        if key not in self.xfs:
            xfs = self.styles.items("cellXfs")
            if not xfs:
                return None
            source = xfs[base] if base < len(xfs) else xfs[0]
            fill = self.styles.append(
                "fills", _fill_xml(self.styles.prefix, _SEVERITY_RGB[severity])
            )
            head_end = source.index(b">") + 1
            head = set_attr(source[:head_end], "fillId", str(fill))
            head = set_attr(head, "applyFill", "1")
            self.xfs[key] = self.styles.append("cellXfs", head + source[head_end:])
        return self.xfs[key]

    def mark_cell(self, mark: CellMark) -> None:
        if mark.sheet in self.reserved:
            return
        xml = self.sheet(mark.sheet)
        pos = cell_position(mark.cell)
        if xml is None or pos is None:
            return
        row, col = xml.merged_anchor(*pos)
        ref = cell_ref(row, col)
        placed = xml.ensure_cell(row, col)
        if placed is None:
            self.warn(
                f"「{mark.sheet}」!{ref} 所在行没有行号，无法标记底色（问题仍列在校验结果中）"
            )
            return
        tag, made = placed
        extra: dict[str, Any] = {"made": made, **_widened(xml, row, col, made)}
        codes = ("", "", "")
        old_s = tag.attr("s")
        base = (
            int(old_s)
            if old_s and old_s.isdigit()
            else (xml.default_style(row, col) if made else 0)
        )
        fills = self.styles.items("fills") if self.styles else []
        xfs = self.styles.items("cellXfs") if self.styles else []
        if base < len(xfs):
            fill_id = get_attr(xfs[base][: xfs[base].index(b">") + 1], "fillId")
            if fill_id and fill_id.isdigit() and int(fill_id) < len(fills):
                codes = _fill_codes(fills[int(fill_id)])
        if codes[1] != "gradient":
            xf = self.xf_for(base, mark.severity)
            if xf is not None:
                extra.update(s=old_s, xf=xf)
                xml.replace(
                    tag,
                    set_attr(tag.head(), "s", str(xf)) + tag.rest(),
                )
        saved = SavedCell(mark.sheet, ref, *codes, extra=extra)
        saved = self._note(mark, row, col, saved)
        self.records.append(saved.record())

    # --- notes

    def _notes_parts(self, name: str) -> tuple[str | None, str | None]:
        ref = self.pkg.sheet(name)
        if ref is None:
            return None, None
        comments = vml = None
        for rel in self.pkg.rels(ref.part):
            if rel.type == REL + "comments" and self.pkg.has(rel.target):
                comments = rel.target
            if rel.type == REL + "vmlDrawing" and self.pkg.has(rel.target):
                vml = rel.target
        return comments, vml

    def _note(self, mark: CellMark, row: int, col: int, saved: SavedCell) -> SavedCell:
        ref = cell_ref(row, col)
        comments, vml = self._notes_parts(mark.sheet)
        if comments is not None and ref in self._refs(comments):
            data = self.pkg.read(comments)
            authors = [_plain(a.inner(data)) for a in find_all(data, "author")]
            for c in find_all(data, "comment"):
                if c.attr(data, "ref") != ref:
                    continue
                author_id = c.attr(data, "authorId") or "0"
                author = (
                    authors[int(author_id)]
                    if author_id.isdigit() and int(author_id) < len(authors)
                    else ""
                )
                if author.startswith("tc="):  # a threaded comment's placeholder: never touched
                    return saved
                body = c.inner(data)
                text = find(body, "text")
                if text is None or text.empty:
                    return saved
                old = c.whole(data)
                block = NOTE_SEPARATOR + mark.note
                p = c.prefix
                run = f'<{p}r><{p}t xml:space="preserve">{esc_text(ooxml_string(block))}</{p}t></{p}r>'.encode()
                inner = text.inner(body)
                at = min(
                    (t.start for k in ("rPh", "phoneticPr") for t in find_all(inner, k)),
                    default=len(inner),
                )
                new_inner = inner[:at] + run + inner[at:]
                absolute = c.head_end + text.head_end  # where the text's content starts in data
                marked = data[:absolute] + new_inner + data[absolute + len(inner) :]
                self.pkg.write(comments, marked)
                element = marked[c.start : c.end + len(run)]
                extra = {
                    **saved.extra,
                    "how": "merged",
                    "note": block,
                    "orig": old.decode("utf-8"),
                    "marked": sha(element),
                }
                return replace(
                    saved,
                    comment=inner_text(inner),
                    comment_author=author,
                    extra=extra,
                )
        # a new note: comment, its VML shape, and the parts when the sheet has none
        info = self._notes_record(mark.sheet)
        comments, vml = self._notes_parts(mark.sheet)
        assert comments is not None and vml is not None
        data = self.pkg.read(comments)
        p = root_prefix(data)
        authors = [_plain(a.inner(data)) for a in find_all(data, "author")]
        if NOTE_AUTHOR in authors:
            author_id = authors.index(NOTE_AUTHOR)
        else:
            data = insert_child(data, "authors", f"<{p}author>{NOTE_AUTHOR}</{p}author>".encode())
            author_id = len(authors)
            info["author"] = author_id
        element = (
            f'<{p}comment ref="{ref}" authorId="{author_id}"><{p}text><{p}t xml:space="preserve">'
            f"{esc_text(ooxml_string(mark.note))}</{p}t></{p}text></{p}comment>"
        ).encode()
        if find(data, "commentList") is None:
            data = insert_child(data, "comments", f"<{p}commentList></{p}commentList>".encode())
            info["list_made"] = True
        self.pkg.write(comments, data)
        self._pending.setdefault(comments, []).append(element)  # written by _flush_notes
        shape_id = self._add_shape(vml, row, col, mark.note, info)
        extra = {
            **saved.extra,
            "how": "new",
            "note": mark.note,
            "marked": sha(element),
            "shape": shape_id,
        }
        return replace(saved, extra=extra)

    def _notes_record(self, name: str) -> dict[str, Any]:
        """The notes record of a sheet; its comments and VML parts exist afterwards."""
        if name in self.notes:
            return self.notes[name]
        info: dict[str, Any] = {}
        ref = self.pkg.sheet(name)
        assert ref is not None
        comments, vml = self._notes_parts(name)
        rels_existed = self.pkg.has(Package.rels_name(ref.part))
        if comments is None:
            comments = self.pkg.unused_name("xl/comments{}.xml")
            self.pkg.write(
                comments,
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<comments xmlns="' + MAIN_NS.encode() + b'"><authors></authors>'
                b"<commentList></commentList></comments>",
            )
            self.pkg.add_override(comments, CT_COMMENTS)
            self.pkg.add_rel(ref.part, REL + "comments", comments)
            info["comments_made"] = True
        if vml is None:
            vml = self.pkg.unused_name("xl/drawings/vmlDrawing{}.vml")
            block = 1 + max(
                (
                    int(m)
                    for n in self.pkg.names
                    if n.lower().endswith(".vml")
                    for m in re.findall(rb'idmap[^>]*data="(\d+)', self.pkg.read(n))
                ),
                default=0,
            )
            self.pkg.write(vml, _new_vml(block))
            if self.pkg.ensure_default("vml", CT_VML):
                info["vml_default"] = True
            rid = self.pkg.add_rel(ref.part, REL + "vmlDrawing", vml)
            xml = self.sheet(name)
            assert xml is not None
            qname = f"{xml.rel_ns_prefix()}:id" if xml.rel_ns_prefix() else "r:id"
            decl = "" if xml.rel_ns_prefix() else f' xmlns:r="{REL_NS}"'
            xml.insert_element(
                "legacyDrawing", f'<{xml.prefix}legacyDrawing{decl} {qname}="{rid}"/>'.encode()
            )
            info["vml_made"] = True
        if not rels_existed:
            info["rels_made"] = True
        self.notes[name] = info
        return info

    def _refs(self, comments: str) -> set[str]:
        """The cells that had a note in ``comments`` when this run began."""
        if comments not in self._refs_cache:
            data = self.pkg.read(comments)
            self._refs_cache[comments] = {
                c.attr(data, "ref") or "" for c in find_all(data, "comment")
            }
        return self._refs_cache[comments]

    def _flush_notes(self) -> None:
        """Write the new notes and shapes, each part in one splice."""
        for part, elements in self._pending.items():
            data = self.pkg.read(part)
            block = b"".join(elements)
            if part.lower().endswith(".vml"):
                end = data.rfind(b"</xml>")
                if end < 0:
                    raise XlqcError("工作表的批注绘图（VML）不完整，无法添加批注")
                self.pkg.write(part, data[:end] + block + data[end:])
            else:
                self.pkg.write(part, insert_child(data, "commentList", block))
        self._pending.clear()

    def _add_shape(self, vml: str, row: int, col: int, note: str, info: dict[str, Any]) -> str:
        data = self.pkg.read(vml)
        if vml in self._next_shape:
            number = self._next_shape[vml]
        else:
            ids = [int(n) for n in re.findall(rb'id="_x0000_s(\d+)"', data)]
            m = re.search(rb'idmap[^>]*data="(\d+)', data)
            number = max(ids) + 1 if ids else (int(m.group(1)) if m else 1) * 1024 + 1
        self._next_shape[vml] = number + 1
        shape_id = f"_x0000_s{number}"
        lines = sum(1 + len(line) // 24 for line in note.splitlines())
        height = min(40 + 14 * lines, 450)
        shape = (
            f'<v:shape {_VML_NS} id="{shape_id}" type="#_x0000_t202" style="position:absolute;'
            f"margin-left:59.25pt;margin-top:1.5pt;width:255pt;height:{height}pt;z-index:1;"
            f'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            f'<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            f'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            f'</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{col}, 15, {max(row - 2, 0)}, 2, {col + 3}, 15, {row + lines // 2 + 2}, 4"
            f"</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row>"
            f"<x:Column>{col - 1}</x:Column></x:ClientData></v:shape>"
        ).encode()
        if b"_x0000_t202" not in data and not self._pending.get(vml):
            shape = _SHAPETYPE + shape
            info["shapetype"] = True
        self._pending.setdefault(vml, []).append(shape)
        return shape_id

    # --- 校验状态

    def write_status(self, by_row: dict[int, str]) -> None:
        self._flush_sheets()  # the header is read from the part: what clear gave back
        name = schema.GROUP_SHEET
        xml = self.sheet(name)
        ref = self.pkg.sheet(name)
        if xml is None or ref is None:
            return
        status = schema.column(name, "status").header
        header_row, col, last = self._status_place(ref.part)
        if col is None:
            if not by_row:
                return
            col = last + 1
            style = None
            last_head = xml.cell(header_row, last) if last else None
            if last_head is not None:
                style = last_head.attr("s")
            self._put_status(xml, header_row, col, status, style)
        # every value below the header is emptied unless a new one is written
        existing = [r for r in xml.row_numbers() if r > header_row and xml.cell(r, col) is not None]
        for r in sorted(set(existing) | set(by_row)):
            self._put_status(xml, r, col, by_row.get(r, ""), None)

    def _put_status(self, xml: SheetXml, row: int, col: int, text: str, style: str | None) -> None:
        tag = xml.cell(row, col)
        if tag is not None and tag.has_formula():
            return  # never over a formula
        if tag is not None and tag.value(self.pkg.shared_strings()) in (None, "") and not text:
            return
        orig = tag.whole().decode("utf-8") if tag is not None else None
        placed = xml.ensure_cell(row, col)
        if placed is None:
            self.warn(f"「{schema.GROUP_SHEET}」第 {row} 行没有行号，无法写入校验状态")
            return
        tag, made = placed
        head = tag.head()
        if style is not None:
            head = set_attr(head, "s", style)
        xml.replace(tag, inline_cell(head, text))
        data = {"orig": orig, "made": made, "text": text, **_widened(xml, row, col, made)}
        self.records.append(Record("status", schema.GROUP_SHEET, cell_ref(row, col), data))

    # --- 校验结果

    def add_results(self, findings: list[Finding]) -> None:
        if self.styles is None:
            return
        p = self.styles.prefix
        fonts = self.styles.items("fonts")
        base_font = fonts[0] if fonts else f"<{p}font></{p}font>".encode()
        head_end = base_font.index(b">") + 1
        bold = self.styles.append(
            "fonts", base_font[:head_end] + f"<{p}b/>".encode() + base_font[head_end:]
        )
        link_inner = re.sub(rb"<(?:\w+:)?color\b[^>]*/>", b"", base_font[head_end:])
        link_font = (
            base_font[:head_end] + f'<{p}u/><{p}color rgb="FF0563C1"/>'.encode() + link_inner
        )
        if b"<" + p.encode() + b"sz" in link_font:  # u comes before sz, color after it
            link_font = (
                base_font[:head_end]
                + f"<{p}u/>".encode()
                + re.sub(
                    rb"(<(?:\w+:)?sz\b[^>]*/>)",
                    rb"\1<" + p.encode() + rb'color rgb="FF0563C1"/>',
                    link_inner,
                    count=1,
                )
            )
        link = self.styles.append("fonts", link_font)

        def xf(attrs: str, inner: str = "") -> int:
            body = f'<{p}xf numFmtId="0" {attrs} borderId="0" xfId="0"'
            return self.styles.append(
                "cellXfs", (f"{body}>{inner}</{p}xf>" if inner else f"{body}/>").encode()
            )

        header_xf = xf(f'fontId="{bold}" fillId="0" applyFont="1"')
        link_xf = xf(f'fontId="{link}" fillId="0" applyFont="1"')
        wrap_xf = xf(
            'fontId="0" fillId="0" applyAlignment="1"',
            f'<{p}alignment vertical="top" wrapText="1"/>',
        )
        sev_xf = {}
        for sev, rgb in _SEVERITY_RGB.items():
            fill = self.styles.append("fills", _fill_xml(p, rgb))
            sev_xf[sev] = xf(f'fontId="0" fillId="{fill}" applyFill="1"')
        names = {s.name for s in self.pkg.sheets()}
        rows: list[list[tuple[Any, int]]] = [[(h, header_xf) for h in RESULT_HEADERS]]
        links = []
        for r, (row, f) in enumerate(zip(result_rows(findings), findings, strict=True), start=2):
            cells: list[tuple[Any, int]] = [
                (v if isinstance(v, int) else text_of(v), 0) for v in row
            ]
            cells[1] = (cells[1][0], sev_xf[f.severity])
            cells[6] = (cells[6][0], wrap_xf)
            pos = (
                cell_position(f.cell) if f.sheet in names and f.sheet not in self.reserved else None
            )
            if pos:
                cells[5] = (cells[5][0], link_xf)
                quoted = f.sheet.replace("'", "''")
                links.append((f"F{r}", f"'{quoted}'!{cell_ref(*pos)}", cells[5][0]))
            rows.append(cells)
        if len(rows) == 1:
            rows.append([(NO_FINDINGS, 0)])
        name = free_sheet_name((s.name for s in self.pkg.sheets()), schema.RESULT_SHEET)
        sheet = add_sheet(
            self.pkg, name, _sheet_xml(rows, RESULT_WIDTHS, links, frozen=True, printed=True)
        )
        quoted = name.replace("'", "''")
        last = f"$A$1:$G${len(rows)}"
        made = add_defined_name(
            self.pkg, "_xlnm._FilterDatabase", sheet.index, f"'{quoted}'!{last}", hidden=True
        )
        add_defined_name(self.pkg, "_xlnm.Print_Titles", sheet.index, f"'{quoted}'!$1:$1")
        self.reserved.add(name)
        self.records.append(
            replace(results_record(name), data={"role": "results", "names_made": made})
        )

    # --- clearing

    def clear(self) -> int:
        """Undo what the state sheet records; the number of cells given back."""
        state, records = read_state(self.pkg, self.warn)
        if state is None:
            return 0
        self.kept = [r for r in records if r.kind not in OWN_KINDS]
        own = [r for r in records if r.kind in OWN_KINDS]
        styles_rec = next((r for r in own if r.kind == "styles"), None)
        exact = bool(
            styles_rec
            and self.styles is not None
            and sha(self.styles.data) == styles_rec.data.get("marked")
        )
        names = {s.name for s in self.pkg.sheets()}
        # sheets xlqc added (state last, so positions of the others hold)
        remove_sheet(self.pkg, state)
        for rec in reversed(own):
            if rec.kind == "sheet" and rec.sheet in names:
                ref = self.pkg.sheet(rec.sheet)
                if ref is not None:
                    remove_sheet(self.pkg, ref, str(rec.data.get("names_made") or ""))
        restored = 0
        for rec in reversed(own):
            try:
                if rec.kind == "status":
                    self._clear_status(rec, exact)
                elif rec.kind == "cell":
                    self._clear_cell(SavedCell.from_record(rec), exact)
                    restored += 1
            except (ValueError, KeyError, TypeError, IndexError):
                self.warn(f"xlqc 状态表 {rec.at} 的记录（{rec.sheet}!{rec.cell}）已损坏，已跳过")
        self._apply_edits()
        for rec in own:
            if rec.kind == "notes":
                self._clear_notes(rec)
        vml_default = any(r.kind == "notes" and r.data.get("vml_default") for r in own)
        if vml_default and not any(n.lower().endswith(".vml") for n in self.pkg.names):
            self.pkg.remove_default("vml")  # xlqc added it and no VML is left
        if not any(r.kind == "status" for r in own):
            self._empty_status_column()  # a state written by the live path or by xlqc 0.1
        if styles_rec is not None and exact and self.styles is not None:
            undone = self.styles.undo(styles_rec.data.get("log", []))
            if undone is not None and sha(undone) == styles_rec.data.get("orig"):
                self.styles = Styles(undone)
        self.styles_orig = sha(self.styles.data) if self.styles else ""
        if self.styles is not None:
            self.styles.log = []
        return restored

    def _empty_status_column(self) -> None:
        """Empty the 校验状态 values (the header stays), formulas excepted."""
        self._flush_sheets()
        xml = self.sheet(schema.GROUP_SHEET)
        ref = self.pkg.sheet(schema.GROUP_SHEET)
        if xml is None or ref is None:
            return
        header_row, col, _ = self._status_place(ref.part)
        if col is None:
            return
        for number in xml.row_numbers():
            tag = xml.cell(number, col) if number > header_row else None
            if tag is not None and not tag.empty and not tag.has_formula():
                xml.replace(tag, inline_cell(tag.head(), ""))

    def _status_place(self, part: str) -> tuple[int, int | None, int]:
        """(header row, 校验状态 column or None, last header column) of the 小组 sheet."""
        values = self.pkg.cell_values(part, HEADER_SEARCH_ROWS)
        code = schema.column(schema.GROUP_SHEET, "code").header
        status = schema.column(schema.GROUP_SHEET, "status").header
        for r in range(1, HEADER_SEARCH_ROWS + 1):
            keys = {c: header_key(v) for (rr, c), v in values.items() if rr == r}
            if code in keys.values():
                last = max((c for c, k in keys.items() if k), default=0)
                return r, next((c for c, k in keys.items() if k == status), None), last
        return 1, None, 0

    def _clear_status(self, rec: Record, exact: bool) -> None:
        xml = self.sheet(rec.sheet)
        pos = cell_position(rec.cell)
        if xml is None or pos is None:
            return
        tag = xml.cell(*pos)
        if tag is None:
            return
        now = tag.value(self.pkg.shared_strings()) or ""
        if now != rec.data.get("text", ""):
            return  # the clerk typed over it
        orig = rec.data.get("orig")
        if orig is None:
            made = rec.data.get("made") or ""
            if made:
                xml.remove_cell(*pos, made)
                _narrowed(xml, pos[0], rec.data)
            return
        old = orig.encode("utf-8")
        if not exact:
            s = tag.attr("s")
            head_end = old.index(b">") + 1
            head = set_attr(old[:head_end], "s", s) if s else del_attr(old[:head_end], "s")
            old = head + old[head_end:]
        xml.replace(tag, old)

    def _clear_cell(self, saved: SavedCell, exact: bool) -> None:
        xml = self.sheet(saved.sheet)
        pos = cell_position(saved.cell)
        if xml is None or pos is None:
            return
        self._clear_note(saved)
        tag = xml.cell(*pos)
        if tag is None or saved.fill_pattern == GRADIENT:
            return
        extra = saved.extra
        now = tag.attr("s")
        made = extra.get("made") or ""
        if exact and "xf" in extra and now == str(extra["xf"]):
            if made and tag.empty:
                xml.remove_cell(*pos, made)
                _narrowed(xml, pos[0], extra)
                return
            old = extra.get("s")
            head = set_attr(tag.head(), "s", old) if old is not None else del_attr(tag.head(), "s")
            xml.replace(tag, head + tag.rest())
            return
        # the workbook was saved by a spreadsheet program since: styles renumbered
        if self.styles is None:
            return
        xfs = self.styles.items("cellXfs")
        fills = self.styles.items("fills")
        index = int(now) if now and now.isdigit() else 0
        if index >= len(xfs):
            return
        xf = xfs[index]
        head_end = xf.index(b">") + 1
        fill_id = get_attr(xf[:head_end], "fillId") or "0"
        if not fill_id.isdigit() or int(fill_id) >= len(fills):
            return
        code = _fill_codes(fills[int(fill_id)])
        if code[1] != "solid" or code[0].upper()[-6:] not in {v[-6:] for v in _XLQC_RGB}:
            return  # the clerk's own fill since
        original = _fill_from_codes(self.styles.prefix, saved)
        plain = not saved.fill_pattern or saved.fill_pattern == "none"
        new_fill = (
            0
            if plain
            else (
                fills.index(original)
                if original in fills
                else self.styles.append("fills", original)
            )
        )
        new_head = set_attr(xf[:head_end], "fillId", str(new_fill))
        if plain:
            new_head = del_attr(new_head, "applyFill")
        wanted = new_head + xf[head_end:]
        target = xfs.index(wanted) if wanted in xfs else self.styles.append("cellXfs", wanted)
        if made and tag.empty and target == 0:
            xml.remove_cell(*pos, made)
            _narrowed(xml, pos[0], extra)
            return
        head = set_attr(tag.head(), "s", str(target)) if target else del_attr(tag.head(), "s")
        xml.replace(tag, head + tag.rest())

    def _comment_at(self, part: str, ref: str) -> Tag | None:
        """The comment on ``ref`` in ``part`` as it was when clearing began (indexed once)."""
        if part not in self._index:
            data = self.pkg.read(part)
            self._index[part] = {c.attr(data, "ref") or "": c for c in find_all(data, "comment")}
        return self._index[part].get(ref)

    def _edit(self, part: str, tag: Tag, new: bytes) -> None:
        """Replace ``tag`` of ``part`` (offsets of the bytes indexed) when edits are applied."""
        self._edits.setdefault(part, {})[tag.start] = (tag.end, new)

    def _apply_edits(self) -> None:
        for part, edits in self._edits.items():
            data = self.pkg.read(part)
            pieces, pos = [], 0
            for start in sorted(edits):
                end, new = edits[start]
                pieces += [data[pos:start], new]
                pos = end
            pieces.append(data[pos:])
            self.pkg.write(part, b"".join(pieces))
        self._edits.clear()
        self._index.clear()
        self._shapes.clear()

    def _clear_note(self, saved: SavedCell) -> None:
        extra = saved.extra
        comments, vml = self._notes_parts(saved.sheet)
        if comments is None:
            return
        data = self.pkg.read(comments)
        tag = self._comment_at(comments, saved.cell)
        if tag is None:
            return
        element = tag.whole(data)
        text_tag = find(tag.inner(data), "text")
        text = inner_text(text_tag.inner(tag.inner(data))) if text_tag else ""
        found = note_block(text, saved)
        if found is None:
            return
        how, block = found
        if how == "merged" and extra.get("orig") and sha(element) == extra.get("marked"):
            self._edit(comments, tag, extra["orig"].encode("utf-8"))
            return
        if not block or block not in text:
            return  # the clerk rewrote the note: theirs now
        rest = text.replace(block, "", 1)
        if how == "new" and (sha(element) == extra.get("marked") or not rest.strip()):
            self._edit(comments, tag, b"")
            if vml is not None:
                self._remove_shape(vml, saved.cell, extra.get("shape"))
            return
        if how == "merged" and rest == saved.comment and extra.get("orig"):
            new = extra["orig"].encode("utf-8")  # the author list may be renumbered since:
            end = new.index(b">") + 1
            now = tag.attr(data, "authorId")
            new = (set_attr(new[:end], "authorId", now) if now else new[:end]) + new[end:]
        else:
            p = tag.prefix
            new = (
                tag.head(data)
                + f'<{p}text><{p}t xml:space="preserve">{esc_text(ooxml_string(rest))}</{p}t></{p}text>'.encode()
                + f"</{p}comment>".encode()
            )
            if tag.empty:
                new = re.sub(rb"\s*/>$", b">", tag.head(data)) + new[len(tag.head(data)) :]
        self._edit(comments, tag, new)

    def _remove_shape(self, vml: str, cell: str, shape_id: str | None) -> None:
        if vml not in self._shapes:
            data = self.pkg.read(vml)
            by_place: dict[tuple[int, int], Tag] = {}
            for shape in find_all(data, "shape"):
                whole = shape.whole(data)
                row = re.search(rb"<(?:\w+:)?Row>\s*(\d+)\s*</", whole)
                col = re.search(rb"<(?:\w+:)?Column>\s*(\d+)\s*</", whole)
                if b'ObjectType="Note"' in whole and row and col:
                    by_place.setdefault((int(row.group(1)), int(col.group(1))), shape)
            self._shapes[vml] = by_place
        by_place = self._shapes[vml]
        row, col = split_ref(cell)
        # by place: a program that re-saved the book may have renumbered the shapes
        shape = by_place.get((row - 1, col - 1))
        if shape is not None:
            self._edit(vml, shape, b"")

    def _clear_notes(self, rec: Record) -> None:
        """Remove the author, parts and links xlqc added for notes once no note needs them."""
        info = rec.data
        ref = self.pkg.sheet(rec.sheet)
        if ref is None:
            return
        comments, vml = self._notes_parts(rec.sheet)
        if comments is not None:
            data = self.pkg.read(comments)
            author = info.get("author")
            authors = list(find_all(data, "author"))
            if (
                isinstance(author, int)
                and author == len(authors) - 1
                and _plain(authors[-1].inner(data)) == NOTE_AUTHOR
                and not any(
                    c.attr(data, "authorId") == str(author) for c in find_all(data, "comment")
                )
            ):
                data = data[: authors[-1].start] + data[authors[-1].end :]
                self.pkg.write(comments, data)
            if info.get("comments_made") and find(data, "comment") is None:
                self._drop_part(ref.part, comments)
        if vml is not None and info.get("shapetype"):
            data = self.pkg.read(vml)
            if find(data, "shape") is None:
                self.pkg.write(vml, data.replace(_SHAPETYPE, b"", 1))
        if vml is not None and info.get("vml_made") and find(self.pkg.read(vml), "shape") is None:
            rid = self._drop_part(ref.part, vml)
            xml = self.sheet(rec.sheet)
            if xml is not None and rid:
                data = xml.data
                for drawing in find_all(data, "legacyDrawing"):
                    if get_attr(drawing.head(data), "r:id") == rid or rid.encode() in drawing.head(
                        data
                    ):
                        xml.splice(drawing, b"")
                        break
        if info.get("rels_made"):
            name = Package.rels_name(ref.part)
            if self.pkg.has(name) and find(self.pkg.read(name), "Relationship") is None:
                self.pkg.delete(name)

    def _drop_part(self, owner: str, part: str) -> str | None:
        rid = next((r.id for r in self.pkg.rels(owner) if r.target == part), None)
        if rid:
            self.pkg.remove_rel(owner, rid)
        self.pkg.delete(part)
        self.pkg.remove_override(part)
        return rid

    # --- finishing

    def finish(self, marked: bool) -> None:
        """Write sheets and styles back, then the state sheet (when there is anything to
        record: marks, or records of other kinds kept from before)."""
        self._flush_notes()
        self._flush_sheets()
        records = [*self.kept]
        if (
            self.styles is not None
            and self.styles_name
            and self.pkg.read(self.styles_name) != self.styles.data
        ):
            self.pkg.write(self.styles_name, self.styles.data)
        if marked:
            for name, info in self.notes.items():
                records.append(Record("notes", name, "", info))
            records += self.records
            if self.styles is not None and self.styles.log:
                records.append(
                    Record(
                        "styles",
                        data={
                            "log": self.styles.log,
                            "orig": self.styles_orig,
                            "marked": sha(self.styles.data),
                        },
                    )
                )
        write_state_sheet(self.pkg, records)


def _widened(xml: SheetXml, row: int, col: int, made: str) -> dict[str, Any]:
    """What making a cell widened: the row's ``spans`` and the sheet's ``dimension``, as they
    were (recorded so that clear puts them back)."""
    if not made:
        return {}
    out: dict[str, Any] = {}
    spans = xml.spans_before.pop(row, None)
    if spans is not None:
        out["spans"] = spans
    dimension = xml.widen_dimension(row, col)
    if dimension is not None:
        out["dim"] = [dimension, xml.dimension()]
    return out


def _narrowed(xml: SheetXml, row: int, data: dict[str, Any]) -> None:
    """Undo :func:`_widened` after the cell made was removed."""
    if "spans" in data and data.get("made") == "cell":
        xml.set_spans(row, str(data["spans"]))
    dim = data.get("dim")
    if isinstance(dim, list) and len(dim) == 2 and xml.dimension() == dim[1]:
        xml.set_dimension(str(dim[0]))


def _plain(inner: bytes) -> str:
    """The text of a text-only element such as ``<author>``."""
    return unesc(inner.decode("utf-8"))


_VML_NS = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"'
)  # declared on each shape xlqc adds: openpyxl's VML declares them nowhere on its root
_SHAPETYPE = (
    b"<v:shapetype " + _VML_NS.encode() + b' id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    b'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def _new_vml(block: int) -> bytes:
    return (
        b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
        b' xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
        b'<o:idmap v:ext="edit" data="'
        + str(block).encode()
        + b'"/></o:shapelayout>'
        + _SHAPETYPE
        + b"</xml>"
    )


def _sheet_xml(
    rows: Sequence[Sequence[tuple[Any, int]]],
    widths: Sequence[float],
    links: list[tuple[str, str, str]],
    frozen: bool,
    printed: bool,
) -> bytes:
    """A whole worksheet of inline strings (never formulas), with column widths, cell links,
    a frozen header row and landscape one-page-wide printing as asked."""
    out = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    ]
    if printed:
        out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    width = max((len(r) for r in rows), default=1)
    out.append(f'<dimension ref="A1:{cell_ref(max(len(rows), 1), max(width, 1))}"/>')
    view = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        if frozen
        else ""
    )
    out.append(f'<sheetViews><sheetView workbookViewId="0">{view}</sheetView></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        out.append("<cols>")
        out += [
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, 1)
        ]
        out.append("</cols>")
    out.append("<sheetData>")
    for r, cells in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, (text, style) in enumerate(cells, start=1):
            s = f' s="{style}"' if style else ""
            if isinstance(text, int) and not isinstance(text, bool):
                out.append(f'<c r="{cell_ref(r, c)}"{s}><v>{text}</v></c>')
                continue
            head = f'<c r="{cell_ref(r, c)}"{s}>'.encode()
            out.append(inline_cell(head, str(text)).decode("utf-8"))
        out.append("</row>")
    out.append("</sheetData>")
    if printed:
        out.append(f'<autoFilter ref="A1:{cell_ref(max(len(rows), 2), width)}"/>')
    if links:
        out.append("<hyperlinks>")
        out += [
            f'<hyperlink ref="{ref}" location="{esc_attr(target)}" display="{esc_attr(shown)}"/>'
            for ref, target, shown in links
        ]
        out.append("</hyperlinks>")
    out.append(
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    if printed:
        out.append(
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        )
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")
