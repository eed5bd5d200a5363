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
import re
from collections.abc import Collection
from copy import copy

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

LINE_PT = 14.4  # one line of 11-point text (Excel's default row is 14.25–15 points)
ROW_PAD_PT = 4.0  # white space above and below the lines
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody sized
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# The wide (W) and full-width (F) blocks of Unicode's East Asian Width: Hangul Jamo, CJK
# radicals to Yi, Hangul syllables, compatibility ideographs, CJK forms, full-width forms,
# and the ideographs beyond the BMP.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
HEAD_FONT = Font(name="黑体", size=11)  # fonts every Chinese Windows has
BODY_FONT = Font(name="宋体", size=11)


def text_width(text: str) -> float:
    """Width of ``text`` in Excel column units: 2 per wide (East Asian) character, 1 otherwise."""
    if text.isascii():
        return float(len(text))
    return float(len(text) + len(_WIDE.findall(text)))


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide (a unit is kept free
    for the cell's padding)."""
    room = max(width - 1.0, 1.0)
    if "\n" not in text and 2 * len(text) <= room:  # fits whatever its characters
        return 1
    return sum(max(1, math.ceil(text_width(line) / room)) for line in text.split("\n"))


def fit_row_heights(
    ws: Worksheet, first_row: int, last_row: int, columns: int, *, font_pt: float = 11.0
) -> None:
    """Set the height of each row of a block whose cells wrap (:func:`style_table`) to its
    tallest cell, at least one line. One pass over the block (asking openpyxl for one row at a
    time rescans the whole sheet)."""
    widths = [
        ws.column_dimensions[get_column_letter(col)].width or DEFAULT_WIDTH
        for col in range(1, columns + 1)
    ]
    line_pt = LINE_PT * font_pt / 11.0
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        lines = 1
        for cell, width in zip(row, widths, strict=True):
            if cell.value is not None:
                lines = max(lines, line_count(str(cell.value), width))
        ws.row_dimensions[row[0].row].height = round(lines * line_pt + ROW_PAD_PT, 1)


def style_table(
    ws: Worksheet, header_row: int, last_row: int, columns: int, centred: Collection[int] = (1,)
) -> None:
    """A printed table: every cell bordered, wrapped and vertically centred; the heading row
    黑体 and centred, the body 宋体 (``centred`` columns centred). Each kind of cell is styled
    once and the others take a copy of its style ids: assigning style objects cell by cell
    costs openpyxl a look-up each, seconds for a 4,000-row 清单."""
    styled: dict[tuple[bool, bool], StyleArray] = {}
    for row in ws.iter_rows(min_row=header_row, max_row=last_row, max_col=columns):
        for cell in row:
            head = cell.row == header_row
            key = (head, head or cell.column in centred)
            if key in styled:
                cell._style = copy(styled[key])
                continue
            cell.font = HEAD_FONT if head else BODY_FONT
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="center" if key[1] else None
            )
            cell.border = GRID
            styled[key] = cell._style


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
