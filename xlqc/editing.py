"""Rewriting a clerk's workbook with openpyxl: the one way marks, normalize and intake do it.

* opened with its VBA kept (.xlsm) and in-cell formatting (rich text) kept;
* user text always written as text — "=SUM(A1)" typed by a clerk never becomes a formula;
* saved atomically, and marked for a full recalculation when Excel opens it, because openpyxl
  keeps formulas but not their last results.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlqc.errors import XlqcError
from xlqc.safeio import atomic_path


def load_for_edit(path: Path, purpose: str) -> Workbook:
    """Open ``path`` for rewriting; ``purpose`` completes 「无法打开「…」{purpose}」."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep; --in-place is guarded by xlqc.preserve
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(
                path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=True
            )
    except Exception as exc:  # openpyxl raises many types for damaged packages
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise XlqcError(f"无法打开「{path.name}」{purpose}（{detail[:80]}）") from None


def save_edited(wb: Workbook, dst: Path) -> None:
    """Save atomically; formulas are recalculated when Excel next opens the file."""
    if wb.calculation is not None:
        wb.calculation.fullCalcOnLoad = True
    with atomic_path(dst) as tmp:
        wb.save(tmp)


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
