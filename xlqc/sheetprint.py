"""Worksheets as they come out of the printer: page setup, grid borders and row heights.

Shared by every workbook xlqc writes (the master workbook of ``xlqc new`` / ``xlqc demo``,
附件4_推荐汇总表.xlsx, 清单.xlsx): A4 landscape, all columns fitted to one page wide (as many
pages tall as needed), the header rows printed at the top of every page.

Row heights are computed here because neither openpyxl nor LibreOffice sizes a row to its
wrapped text: openpyxl writes no height, and LibreOffice opens such a row at one line, so the
wrapped lines of a member list overlap the next row. Excel's column width is counted in widths
of the digit 0; a Chinese character (or any other wide character) takes two.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

LINE_PT = 14.4  # one line of 11-point text (Excel's default row is 14.25–15 points)
ROW_PAD_PT = 4.0  # white space above and below the lines
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody sized
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def text_width(text: str) -> float:
    """Width of ``text`` in Excel column units: 2 per wide (East Asian) character, 1 otherwise."""
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide (a unit is kept free
    for the cell's padding)."""
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(line) / room)) for line in str(text).split("\n"))


def fit_row_heights(ws: Worksheet, rows: Iterable[int], *, font_pt: float = 11.0) -> None:
    """Set the height of each of ``rows`` to its tallest wrapped cell (at least one line)."""
    widths: dict[int, float] = {}
    line_pt = LINE_PT * font_pt / 11.0
    for row in rows:
        lines = 1
        for cell in ws[row]:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            col = cell.column
            if col not in widths:
                width = ws.column_dimensions[get_column_letter(col)].width
                widths[col] = width or DEFAULT_WIDTH
            lines = max(lines, line_count(str(cell.value), widths[col]))
        ws.row_dimensions[row].height = round(lines * line_pt + ROW_PAD_PT, 1)


def grid(ws: Worksheet, first_row: int, last_row: int, columns: int) -> None:
    """Thin borders around every cell of the block."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.border = GRID


def print_setup(ws: Worksheet, title_rows: str = "1:1", *, landscape: bool = True) -> None:
    """A4, landscape, every column on one page wide, ``title_rows`` repeated on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.5  # inches
    margins.top = margins.bottom = 0.6
    margins.header = margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
