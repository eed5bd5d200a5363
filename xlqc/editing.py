"""Planning a rewrite in openpyxl, writing it through the package editor (import --into).

Intake finds rows and columns and places values in an openpyxl copy of the workbook
(:func:`load_for_edit`, :func:`text_cell`); :func:`save_changes` then writes only the cells,
merged ranges and table extents that differ from the file into the package itself
(:mod:`xlqc.xlsxpkg`), so every other part — formulas with their cached values, shapes, VBA,
notes — stays as it was:

* user text always written as text (an inline string) — "=SUM(A1)" never becomes a formula,
  and keeps Excel's quote prefix; control characters a workbook cannot hold are escaped;
* a new cell takes the style of the cell above it (as Excel does when the clerk types below a
  table), a new header the style of the header to its left; a date gets a date format when its
  cell has none.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlqc.errors import XlqcError
from xlqc.xlsxpkg import (
    REL,
    WORKBOOK_ORDER,
    Package,
    SheetXml,
    Styles,
    del_attr,
    esc_attr,
    find,
    find_all,
    get_attr,
    inline_cell,
    insert_child,
    insert_in_order,
    root_prefix,
    root_tag,
    set_attr,
)


def load_for_edit(path: Path, purpose: str) -> Workbook:
    """Open ``path`` for rewriting; ``purpose`` completes 「无法打开「…」{purpose}」."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not model: only its cell values are used
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(
                path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=True
            )
    except Exception as exc:  # openpyxl raises many types for damaged packages
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise XlqcError(f"无法打开「{path.name}」{purpose}（{detail[:80]}）") from None


def save_changes(src: Path, dst: Path, wb: Workbook, sheets: Iterable[str]) -> int:
    """Write ``src`` to ``dst`` (atomically) with the cells of ``sheets`` that ``wb`` (an
    openpyxl copy of ``src``, edited) changed; the number of cells written."""
    before = load_for_edit(src, "写入")
    pkg = Package.open(src)
    styles_name = pkg.styles_name()
    styles = Styles(pkg.read(styles_name)) if styles_name else None
    written = 0
    formulas_replaced = False
    for name in sheets:
        ref = pkg.sheet(name)
        if ref is None or name not in wb.sheetnames or name not in before.sheetnames:
            continue
        xml = SheetXml(pkg.read(ref.part))
        old, new = before[name], wb[name]
        for range_ in {str(r) for r in old.merged_cells.ranges} - {
            str(r) for r in new.merged_cells.ranges
        }:
            data = xml.data
            for merge in find_all(data, "mergeCell"):
                if merge.attr(data, "ref") == range_:
                    xml.splice(merge, b"")
                    break
        cells = sorted({*old._cells, *new._cells})
        for row, col in cells:
            a, b = old._cells.get((row, col)), new._cells.get((row, col))
            if _same(a, b) or b is None or isinstance(b, MergedCell):
                continue
            current = xml.cell(row, col)
            formulas_replaced |= current is not None and current.has_formula()
            _write_cell(xml, styles, row, col, b, new)
            written += 1
        _grow_tables(pkg, ref.part, old, new)
        if xml.data != pkg.read(ref.part):
            pkg.write(ref.part, xml.data)
    if styles is not None and styles_name and styles.data != pkg.read(styles_name):
        pkg.write(styles_name, styles.data)
    if written:
        _recalculate_on_open(pkg, formulas_replaced)
    pkg.save(dst)
    return written


def _recalculate_on_open(pkg: Package, formulas_replaced: bool) -> None:
    """Formulas that read the written cells are recalculated when Excel opens the book; when a
    formula was overwritten, the calculation chain (which would name it) goes."""
    data = pkg.read(pkg.workbook)
    calc = find(data, "calcPr")
    if calc is not None:
        head = set_attr(calc.head(data), "fullCalcOnLoad", "1")
        data = data[: calc.start] + head + data[calc.head_end :]
    else:
        element = f'<{root_prefix(data)}calcPr fullCalcOnLoad="1"/>'.encode()
        data, _ = insert_in_order(data, root_tag(data), element, "calcPr", WORKBOOK_ORDER)
    pkg.write(pkg.workbook, data)
    if formulas_replaced:
        for rel in pkg.rels(pkg.workbook):
            if rel.type == REL + "calcChain":
                pkg.remove_rel(pkg.workbook, rel.id)
                pkg.delete(rel.target)
                pkg.remove_override(rel.target)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None or a.value is None) and (b is None or b.value is None)
    return (a.value, a.data_type, a.number_format) == (b.value, b.data_type, b.number_format)


_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})


def _write_cell(
    xml: SheetXml, styles: Styles | None, row: int, col: int, cell: Any, ws: Worksheet
) -> None:
    placed = xml.ensure_cell(row, col)
    if placed is None:
        raise XlqcError(f"工作表第 {row} 行没有行号，无法写入")
    tag, made = placed
    if made:
        xml.widen_dimension(row, col)
    head = re.sub(rb"\s*/?>$", b"", tag.head())
    if made:
        base = _neighbour_style(xml, row, col, cell, ws)
        if base:
            head = set_attr(head + b">", "s", str(base))[:-1]
    value = cell.value
    s = get_attr(head + b">", "s")
    xf = int(s) if s and s.isdigit() else 0
    if isinstance(value, str) and styles is not None and value[:1] in "=+-@" and value:
        xf = _variant(styles, xf, {"quotePrefix": "1"})
    if isinstance(value, (date, datetime)) and styles is not None and not _is_date_xf(styles, xf):
        fmt = _number_format(styles, cell.number_format)
        xf = _variant(styles, xf, {"numFmtId": fmt, "applyNumberFormat": "1"})
    head = set_attr(head + b">", "s", str(xf))[:-1] if xf else del_attr(head + b">", "s")[:-1]
    head = del_attr(head + b">", "t")[:-1]
    p = xml.prefix
    if value is None:
        new = head + b"/>"
    elif isinstance(value, str):
        new = inline_cell(head + b">", ILLEGAL_CHARACTERS_RE.sub("", value))
    elif isinstance(value, bool):
        new = head + f' t="b"><{p}v>{int(value)}</{p}v></{p}c>'.encode()
    elif isinstance(value, (date, datetime)):
        new = head + f"><{p}v>{to_excel(value)!r}</{p}v></{p}c>".encode()
    elif isinstance(value, (int, float)):
        new = head + f"><{p}v>{value!r}</{p}v></{p}c>".encode()
    else:
        new = inline_cell(head + b">", str(value))
    tag = xml.cell(row, col)
    assert tag is not None
    xml.replace(tag, new)


def _neighbour_style(xml: SheetXml, row: int, col: int, cell: Any, ws: Worksheet) -> int:
    """The package style of a new cell: that of the neighbour whose style intake copied (a new
    header takes the one to its left), else the row's or column's own."""
    for r, c in ((row, col - 1), (row - 1, col)):
        other = ws._cells.get((r, c))
        tag = xml.cell(r, c) if r >= 1 and c >= 1 else None
        if tag is not None and other is not None and other._style == cell._style:
            s = tag.attr("s")
            return int(s) if s and s.isdigit() else 0
    return xml.default_style(row, col)


def _is_date_xf(styles: Styles, xf: int) -> bool:
    xfs = styles.items("cellXfs")
    if xf >= len(xfs):
        return False
    fmt = get_attr(xfs[xf][: xfs[xf].index(b">") + 1], "numFmtId") or "0"
    if fmt.isdigit() and int(fmt) in _DATE_FORMATS:
        return True
    for tag in find_all(styles.data, "numFmt"):
        if tag.attr(styles.data, "numFmtId") == fmt:
            code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", tag.attr(styles.data, "formatCode") or "")
            return bool(re.search(r"[yd]", code, re.I))
    return False


def _number_format(styles: Styles, code: str) -> str:
    """The id of number format ``code`` ("yyyy-mm-dd"), appended to ``<numFmts>`` if new."""
    for tag in find_all(styles.data, "numFmt"):
        if tag.attr(styles.data, "formatCode") == code:
            return tag.attr(styles.data, "numFmtId") or "14"
    ids = [int(t.attr(styles.data, "numFmtId") or 0) for t in find_all(styles.data, "numFmt")]
    new = max([163, *ids]) + 1
    if find(styles.data, "numFmts") is None:
        root = re.search(rb"<(?:[\w.-]+:)?styleSheet\b[^>]*>", styles.data)
        if root is None:
            return "14"
        at = root.end()
        box = f'<{styles.prefix}numFmts count="0"></{styles.prefix}numFmts>'.encode()
        styles.data = styles.data[:at] + box + styles.data[at:]
    element = f'<{styles.prefix}numFmt numFmtId="{new}" formatCode="{esc_attr(code)}"/>'
    box = find(styles.data, "numFmts")
    assert box is not None
    styles.data = insert_child(styles.data, "numFmts", element.encode())
    box = find(styles.data, "numFmts")
    assert box is not None
    head = set_attr(box.head(styles.data), "count", str(len(ids) + 1))
    styles.data = styles.data[: box.start] + head + styles.data[box.head_end :]
    return str(new)


def _variant(styles: Styles, xf: int, attrs: dict[str, str]) -> int:
    """An appended copy of cellXfs[xf] with ``attrs`` set (reused within one write)."""
    xfs = styles.items("cellXfs")
    source = xfs[xf] if xf < len(xfs) else xfs[0]
    end = source.index(b">") + 1
    head = source[:end]
    for key, value in attrs.items():
        head = set_attr(head, key, value)
    return styles.append("cellXfs", head + source[end:])


def _grow_tables(pkg: Package, part: str, old: Worksheet, new: Worksheet) -> None:
    """Table extents intake changed, written into their table parts."""
    before = {t.displayName: t.ref for t in old.tables.values()}
    grown = {
        t.displayName: t.ref
        for t in new.tables.values()
        if before.get(t.displayName, t.ref) != t.ref
    }
    if not grown:
        return
    for rel in pkg.rels(part):
        if not rel.type.endswith("/table") or not pkg.has(rel.target):
            continue
        data = pkg.read(rel.target)
        root = find(data, "table")
        if root is None:
            continue
        name = root.attr(data, "displayName") or root.attr(data, "name")
        if name not in grown:
            continue
        old_ref = root.attr(data, "ref") or ""
        data = (
            data[: root.start]
            + set_attr(root.head(data), "ref", grown[name])
            + data[root.head_end :]
        )
        auto = find(data, "autoFilter")
        if auto is not None and auto.attr(data, "ref") == old_ref:
            data = (
                data[: auto.start]
                + set_attr(auto.head(data), "ref", grown[name])
                + data[auto.head_end :]
            )
        pkg.write(rel.target, data)


def text_cell(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write ``value`` at (row, col); "" empties the cell. A string stays a string even when it
    starts with = + - @, and keeps Excel's quote prefix so it stays text when edited in Excel;
    control characters a workbook cannot hold are dropped."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value if value != "" else None  # (ws.cell(value=None) would keep the old one)
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if value[0] in "=+-@":
            cell.quotePrefix = True
    return cell
