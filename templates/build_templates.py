"""Build the Word templates of 附件2, 附件3 and 附件4 (中国质协字〔2026〕23号).

Run ``python templates/build_templates.py`` to rebuild the three .docx files beside this script.
They are docxtpl templates (Jinja tags in the text) laid out cell by cell like the notice's forms;
a clerk may restyle them in Word as long as the ``{{ … }}`` and ``{%… %}`` tags stay intact.
The output is byte-for-byte deterministic, so a test can prove the committed files are what this
script makes.

Variables (supplied by xlqc/documents.py):

* 附件2: ``unit draft org name topics[0..2].{no,title,period,national,local} members[0..9]
  dept address contact phone email summary`` (summary: list of paragraphs)
* 附件3: ``unit draft rows[].{no,org,name,opinion}`` (opinion: list of paragraphs)
* 附件4: ``unit draft rows[].{no,org,name,members} filler filler_phone fill_date``
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FORM2 = "附件2_申报表.docx"
FORM3 = "附件3_推荐意见.docx"
FORM4 = "附件4_推荐汇总表.docx"

# Fonts every Chinese Windows (and Office) installs. A clerk who has 方正小标宋简体 can give the
# title that font by editing the template in Word; nothing here depends on the font names.
HEITI = "黑体"  # 附件 labels, headings, the title
SONGTI = "宋体"  # page numbers
FANGSONG = "仿宋"  # body text and the table
KAITI = "楷体"  # the 注 lines
TITLE_FONT = HEITI
LATIN = "Times New Roman"
BODY_PT = 12  # 小四
TITLE_PT = 22  # 二号
LABEL_PT = 16  # 三号
NOTE_PT = 10.5  # 五号
SMALL_PT = 9  # 小五
TINY_PT = 7.5  # 六号
MARGIN = Cm(2.5)
# 附件4 on A4 landscape: 29.7 cm less two 2.5 cm margins = 24.7 cm of text width.
FORM4_WIDTHS = (1.5, 8.2, 4.8, 10.2)
GRID = 20  # 附件2's table: 20 grid columns of 0.8 cm on a 16 cm text width
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE = datetime(2026, 1, 1)

# 附件2's contact row: characters that fit the 电话 (3.0 cm of text) and 邮箱 (4.6 cm) cells on
# one line at each size, largest first. Reckoned at 0.64 em a digit and 0.6 em a letter, the
# widest common substitute for Times New Roman (DejaVu Serif); Times New Roman itself is
# narrower, so on Word the value has room to spare.
PHONE_SIZES = ((11, BODY_PT), (12, NOTE_PT), (14, SMALL_PT))
EMAIL_SIZES = ((18, BODY_PT), (20, NOTE_PT), (24, SMALL_PT))
VALUE_MARGIN_CM = 0.1  # left and right padding of those two cells (Word's default is 0.19)
SUMMARY_MIN_CM = 6.0  # the 综述 box is at least this tall, with its end row
TAIL_MAX = 600  # characters of the last 综述 paragraph kept on the seal's page (about 9 cm)
SEAL_MIN_CM = 3.5  # room for the round seal over 单位盖章 / 年 月 日

NO_BLANK = "　" * 8  # underlined when 推荐单位 is empty: a line to write on

FORM2_NOTES = (
    "注：申报材料统一交与推荐单位，具体要求如下。",
    "1. 此表由小组填写，上述填写内容均是制作证书和寄发证书的依据，请正确填写，"
    "不要挂上级部门（组织名称以公章为准），以上内容提交后不得进行更改。",
    "2. 小组成员的活动专业能力、评审能力请提供相关证实材料。",
)
FORM3_NOTES = ("注：此表由推荐单位填写。",)
FORM4_NOTES = (
    "注：此表由推荐单位填写，作为推荐单位的名单汇总材料。同时此汇总表也是制作证书的依据，"
    "以上内容提交后不得进行更改。",
)


# --- fonts and paragraphs -------------------------------------------------------------------


def set_run_font(
    run_rpr_owner: object,
    east_asia: str,
    size: float | None = None,
    *,
    bold: bool = False,
    underline: bool = False,
    color: RGBColor | None = None,
) -> None:
    """Font of a run or a style: Latin font, the East Asian font Word and WPS honour, size."""
    font = run_rpr_owner.font  # type: ignore[attr-defined]
    font.name = LATIN
    rpr = run_rpr_owner.element.get_or_add_rPr()  # type: ignore[attr-defined]
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size is not None:
        font.size = Pt(size)
    if bold:
        font.bold = True
    if underline:
        font.underline = True
    if color is not None:
        font.color.rgb = color


def set_default_fonts(doc: DocumentObject) -> None:
    """Document defaults name real fonts, not the theme's (a run without fonts of its own, e.g.
    one a clerk adds in Word, is still 仿宋 and Times New Roman, never 等线 or Calibri)."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rfonts = rpr_default.find(qn("w:rPr")).find(qn("w:rFonts"))
    for key in list(rfonts.attrib):
        del rfonts.attrib[key]
    for attr, value in (("ascii", LATIN), ("eastAsia", FANGSONG), ("hAnsi", LATIN), ("cs", LATIN)):
        rfonts.set(qn(f"w:{attr}"), value)
    lang = rpr_default.find(qn("w:rPr")).find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def keep(para: Paragraph, *, with_next: bool = True) -> Paragraph:
    """Keep the paragraph's lines together (and with the next paragraph)."""
    para.paragraph_format.keep_together = True
    if with_next:
        para.paragraph_format.keep_with_next = True
    return para


def add_para(
    container: DocumentObject | _Cell,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    first: bool = False,
) -> Paragraph:
    """A paragraph with one run; ``first`` reuses the empty paragraph a new cell starts with."""
    if first and isinstance(container, _Cell):
        para = container.paragraphs[0]
    else:
        para = container.add_paragraph()
    if align is not None:
        para.alignment = align
    if text:
        set_run_font(para.add_run(text), font, size, bold=bold)
    return para


def indent_first_line(para: Paragraph, chars: int = 2) -> None:
    """First-line indent of ``chars`` characters (w:firstLineChars), as Chinese text expects."""
    ppr = para._p.get_or_add_pPr()
    ind = OxmlElement("w:ind")
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * BODY_PT * 20)))
    ppr.append(ind)


def setup_document(*, landscape: bool = False) -> DocumentObject:
    """A4, margins, 仿宋 body with the East Asian font set, Chinese language, page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = section.footer_distance = Cm(1.5)

    set_default_fonts(doc)
    normal = doc.styles["Normal"]
    set_run_font(normal, FANGSONG, BODY_PT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0

    core = doc.core_properties
    core.author = core.last_modified_by = "xlqc"
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    core.comments = "xlqc 模板：可在 Word 中修改格式，请保留花括号标记"
    add_draft_header(doc)
    add_page_number(doc)
    return doc


def add_draft_header(doc: DocumentObject) -> None:
    """「草稿」 on every page of a form rendered with draft = true (xlqc export --all)."""
    para = doc.sections[0].header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = para.add_run("{% if draft %}草稿{% endif %}")
    set_run_font(run, HEITI, 22, bold=True, color=RGBColor(0xC0, 0x00, 0x00))


def add_page_number(doc: DocumentObject) -> None:
    """— N — centred in the footer, the 公文 way."""
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(para.add_run("— "), SONGTI, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    para._p.append(field)
    run = para.add_run("1")
    field.append(run._r)
    set_run_font(run, SONGTI, 14)
    set_run_font(para.add_run(" —"), SONGTI, 14)


def add_heading_block(doc: DocumentObject, number: int, title: str) -> None:
    """附件N label and title (黑体), and the 推荐单位（盖章）line with the unit, kept together."""
    keep(add_para(doc, f"附件 {number}", font=HEITI, size=LABEL_PT))
    title_para = add_para(
        doc, title, font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    keep(title_para)
    title_para.paragraph_format.space_before = Pt(12)
    title_para.paragraph_format.space_after = Pt(18)
    unit = add_para(doc, "推荐省区市、行业质协（盖章）", size=14)
    set_run_font(unit.add_run("{{ unit }}"), FANGSONG, 14, underline=True)
    keep(unit)
    unit.paragraph_format.space_after = Pt(8)


def add_notes(doc: DocumentObject, notes: Sequence[str]) -> None:
    """The 注 lines in 楷体, kept on one page: each line whole, each with the next."""
    for i, line in enumerate(notes):
        para = add_para(doc, line, font=KAITI, size=NOTE_PT)
        keep(para, with_next=i < len(notes) - 1)
        if i == 0:
            para.paragraph_format.space_before = Pt(6)


# --- tables ---------------------------------------------------------------------------------


def new_table(doc: DocumentObject, rows: int, widths_cm: Sequence[float]) -> Table:
    """A bordered, fixed-layout table of the given column widths, centred on the page."""
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(round(sum(widths_cm) / 2.54 * 1440)))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
        for cell in col.cells:
            cell.width = Cm(width)
    return table


def row_height(table: Table, row: int, cm: float) -> None:
    table.rows[row].height = Cm(cm)
    table.rows[row].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def row_flag(table: Table, row: int, tag: str) -> None:
    """Set a row property without a value: ``cantSplit`` (the row is never broken across two
    pages) or ``tblHeader`` (the row is repeated at the top of every page)."""
    tr_pr = table.rows[row]._tr.get_or_add_trPr()
    if tr_pr.find(qn(f"w:{tag}")) is not None:
        return
    el = OxmlElement(f"w:{tag}")
    if tag == "cantSplit":
        tr_pr.insert(0, el)
    else:
        tr_pr.append(el)


def set_border(cell: _Cell, edge: str, val: str) -> None:
    """One edge (top, bottom) of one cell: ``nil`` hides it, so two rows read as one box."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        # tcBorders comes right after tcW/gridSpan/vMerge in CT_TcPr
        anchor = [tc_pr.find(qn(f"w:{t}")) for t in ("tcW", "gridSpan", "vMerge")]
        last = [a for a in anchor if a is not None]
        if last:
            last[-1].addnext(borders)
        else:
            tc_pr.insert(0, borders)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    borders.append(el)


def span(table: Table, row: int, start: int, width: int, rows: int = 1) -> _Cell:
    """Merge ``width`` grid columns from ``start`` (and ``rows`` rows) into one cell."""
    cell = table.cell(row, start)
    if width > 1 or rows > 1:
        cell = cell.merge(table.cell(row + rows - 1, start + width - 1))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return cell


def fill(
    cell: _Cell,
    *lines: str,
    font: str = FANGSONG,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
) -> _Cell:
    for i, line in enumerate(lines):
        add_para(cell, line, font=font, align=align, first=i == 0)
    return cell


def layout_row(
    table: Table, row: int, cells: Sequence[tuple[int, str | tuple[str, ...]]], rows: int = 1
) -> None:
    """Lay out one row of the 20-column grid: (span, text or lines) per cell, left to right."""
    col = 0
    for width, text in cells:
        lines = (text,) if isinstance(text, str) else text
        label = bool(lines) and not any("{{" in line for line in lines)
        fill(
            span(table, row, col, width, rows),
            *lines,
            align=WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT,
        )
        col += width
    assert col == GRID, f"row {row} spans {col} of {GRID} grid columns"


def summary_para(para: Paragraph) -> Paragraph:
    """A paragraph of the 综述: 1.25 lines, first line indented two characters."""
    para.paragraph_format.line_spacing = 1.25
    indent_first_line(para)
    return para


def fit_value(cell: _Cell, name: str, sizes: Sequence[tuple[int, float]], rest: float) -> None:
    """``{{ name }}`` printed in the largest size at which it fits the cell on one line: one
    paragraph per (most characters, size) in an if/elif chain, ``rest`` for longer values, and
    narrow cell padding. An e-mail address then never breaks inside, and is never altered (no
    invisible break characters: a form read back by ``xlqc import`` gives the same address)."""
    lines: list[tuple[str, float | None]] = []
    for i, (most, size) in enumerate(sizes):
        keyword = "if" if i == 0 else "elif"
        lines += [
            (f"{{%p {keyword} {name}|length <= {most} %}}", None),
            (f"{{{{ {name} }}}}", size),
        ]
    lines += [("{%p else %}", None), (f"{{{{ {name} }}}}", rest), ("{%p endif %}", None)]
    for i, (text, size) in enumerate(lines):
        add_para(cell, text, size=size or BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, first=i == 0)
    margins = OxmlElement("w:tcMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(VALUE_MARGIN_CM / 2.54 * 1440)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.insert_element_before(margins, "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def heading_row(table: Table, row: int, text: str) -> _Cell:
    cell = fill(span(table, row, 0, GRID), text, font=HEITI)
    cell.paragraphs[0].paragraph_format.keep_with_next = True
    return cell


# --- the three forms ------------------------------------------------------------------------


def build_form2() -> DocumentObject:
    """附件2 全国优秀质量管理小组申报表."""
    doc = setup_document()
    add_heading_block(doc, 2, "全国优秀质量管理小组申报表")
    table = new_table(doc, 20, [16.0 / GRID] * GRID)
    layout_row(table, 0, [(4, ("组织名称", "（公章为准）")), (16, "{{ org }}")])
    layout_row(table, 1, [(4, "QC 小组名称"), (16, "{{ name }}")])
    heading_row(table, 2, "近三年课题成果（课题名称、活动时间、获得外部认可）")
    for i in range(3):
        top = 3 + 2 * i
        t = f"topics[{i}]"
        col = 0
        for width, text in ((4, f"课题名称 {i + 1}"), (6, f"{{{{ {t}.title }}}}")):
            cell = fill(span(table, top, col, width, rows=2), text)
            if "{{" in text:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
            col += width
        fill(span(table, top, 10, 4), "活动时间")
        fill(span(table, top, 14, 6), f"{{{{ {t}.period }}}}", align=WD_ALIGN_PARAGRAPH.LEFT)
        fill(span(table, top + 1, 10, 4), "获得外部认可")
        fill(
            span(table, top + 1, 14, 6),
            f"{{{{ {t}.national }}}} 国家级",
            f"{{{{ {t}.local }}}} 地方、行业级",
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
    heading_row(table, 9, "小组成员名单")
    for row, first in ((10, 0), (11, 5)):
        layout_row(
            table, row, [(4, f"{n + 1}. {{{{ members[{n}] }}}}") for n in range(first, first + 5)]
        )
    heading_row(table, 12, "小组联系人")
    layout_row(
        table,
        13,
        [(4, "小组联系部门"), (5, "{{ dept }}"), (2, "地址"), (9, "{{ address }}")],
    )
    layout_row(
        table,
        14,
        [(3, ("直接", "联系人")), (3, "{{ contact }}"), (2, "电话"), (4, ""), (2, "邮箱"), (6, "")],
    )
    fit_value(table.cell(14, 8), "phone", PHONE_SIZES, SMALL_PT)  # several numbers wrap at ；
    fit_value(table.cell(14, 14), "email", EMAIL_SIZES, TINY_PT)
    heading = heading_row(table, 15, "近三年 QC 小组活动综述，内容涵盖申报条件要求（3000 字以内）")
    # The 综述 box is two rows that read as one: ``head``, the text, which may run over pages
    # (so the 综述 starts on page 1), and ``tail``, its last paragraph with 单位盖章 and 年 月 日
    # in a row that never splits, so the seal lines always stand with the end of the 综述
    # (LibreOffice ignores keep-with-next inside a table cell). A last paragraph longer than
    # TAIL_MAX characters stays in ``head``: moved whole, it would leave half a page empty.
    add_para(
        heading,
        f"{{%p set tail = summary[-1:] if summary and summary[-1]|length <= {TAIL_MAX} else [] %}}",
    )
    add_para(heading, "{%p set head = summary[:summary|length - tail|length] %}")
    set_border(heading, "bottom", "single")  # drawn even when the text row is left out
    fill(span(table, 16, 0, GRID), "{%tr if head %}")
    body = span(table, 17, 0, GRID)
    body.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    add_para(body, "{%p for para in head %}", first=True)
    summary_para(add_para(body, "{{ para }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY))
    add_para(body, "{%p endfor %}")
    fill(span(table, 18, 0, GRID), "{%tr endif %}")
    end = span(table, 19, 0, GRID)
    end.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    set_border(body, "bottom", "nil")
    set_border(end, "top", "nil")
    add_para(end, "{%p for para in tail %}", first=True)
    keep(summary_para(add_para(end, "{{ para }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)))
    add_para(end, "{%p endfor %}")
    keep(add_para(end))
    for line in ("单位盖章", "年　　月　　日"):
        para = add_para(end, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
        keep(para, with_next=line == "单位盖章")
        para.paragraph_format.right_indent = Cm(1.5)
        para.paragraph_format.space_before = Pt(6)
    for row in range(16):
        row_height(table, row, 0.9)
        row_flag(table, row, "cantSplit")
    row_height(table, 17, SUMMARY_MIN_CM)
    row_height(table, 19, SEAL_MIN_CM)
    row_flag(table, 19, "cantSplit")
    add_notes(doc, FORM2_NOTES)
    return doc


def loop_table(
    doc: DocumentObject,
    headers: Sequence[str],
    widths_cm: Sequence[float],
    cells: Sequence[tuple[str, ...]],
) -> Table:
    """Header row, then one row per item of ``rows`` ({%tr for %} … {%tr endfor %}); the header
    row is repeated on every page and no row splits."""
    table = new_table(doc, 4, widths_cm)
    for col, header in enumerate(headers):
        fill(table.cell(0, col), header, font=HEITI)
        for row in range(3):
            table.cell(row + 1, col).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    fill(table.cell(1, 0), "{%tr for r in rows %}")
    for col, lines in enumerate(cells):
        align = WD_ALIGN_PARAGRAPH.CENTER if col == 0 else WD_ALIGN_PARAGRAPH.LEFT
        fill(table.cell(2, col), *lines, align=align)
    fill(table.cell(3, 0), "{%tr endfor %}")
    row_height(table, 0, 1.0)
    row_height(table, 2, 1.0)
    for row in range(4):  # no row is ever broken across two pages
        row_flag(table, row, "cantSplit")
    row_flag(table, 0, "tblHeader")  # the column headings repeat on every page
    return table


def build_form3() -> DocumentObject:
    """附件3 全国优秀质量管理小组推荐意见."""
    doc = setup_document()
    add_heading_block(doc, 3, "全国优秀质量管理小组推荐意见")
    table = loop_table(
        doc,
        ("序号", "组织/小组名称", "推荐意见（限 300 字）"),
        (1.4, 6.0, 8.6),
        (
            ("{{ r.no }}",),
            ("{{ r.org }}", "{{ r.name }}"),
            # or [""]: a table cell must keep at least one paragraph
            ('{%p for para in r.opinion or [""] %}', "{{ para }}", "{%p endfor %}"),
        ),
    )
    indent_first_line(table.cell(2, 2).paragraphs[1])
    add_notes(doc, FORM3_NOTES)
    return doc


def build_form4() -> DocumentObject:
    """附件4 全国优秀质量管理小组推荐汇总表 (landscape)."""
    doc = setup_document(landscape=True)
    add_heading_block(doc, 4, "全国优秀质量管理小组推荐汇总表")
    loop_table(
        doc,
        ("序号", "组织名称（以公章为准）", "小组名称", "小组成员（10 人以内请用“、”隔开）"),
        FORM4_WIDTHS,
        (("{{ r.no }}",), ("{{ r.org }}",), ("{{ r.name }}",), ("{{ r.members }}",)),
    )
    # 填表人, 电话, date and 注 stay together on one page
    keep(add_para(doc)).paragraph_format.space_before = Pt(6)
    keep(add_para(doc, "填表人：{{ filler }}"))
    keep(add_para(doc, "电话：{{ filler_phone }}"))
    date = keep(add_para(doc, "{{ fill_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT))
    date.paragraph_format.right_indent = Cm(2.0)
    add_notes(doc, FORM4_NOTES)
    return doc


# --- deterministic output -------------------------------------------------------------------

# The Chinese fonts, each with the name Word looks for where it is missing (English Windows
# knows 仿宋 as FangSong).
FONT_ALTERNATES = {HEITI: "SimHei", SONGTI: "SimSun", FANGSONG: "FangSong", KAITI: "KaiTi"}
_FONT_ENTRIES = "".join(
    f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
    '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
    for name, alt in FONT_ALTERNATES.items()
)


def _finish_part(name: str, data: bytes) -> bytes:
    """Small XML fixes python-docx has no API for."""
    if name == "word/fontTable.xml":
        text = data.decode("utf-8")
        text = text.replace("</w:fonts>", _FONT_ENTRIES + "</w:fonts>")
        return text.encode("utf-8")
    if name.startswith("word/") and name.endswith(".xml"):
        # Keep the spaces clerks type at the start or end of a value.
        text = data.decode("utf-8")
        text = re.sub(r"<w:t>", '<w:t xml:space="preserve">', text)
        return text.encode("utf-8")
    return data


def save_deterministic(doc: DocumentObject, path: Path) -> None:
    """Save with fixed zip timestamps and properties, so the same script gives the same bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            data = _finish_part(info.filename, src.read(info))
            if info.filename == "_rels/.rels":
                data = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", data)
            if info.filename == "[Content_Types].xml":
                data = re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"", data)
            item = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            dst.writestr(item, data)
    path.write_bytes(out.getvalue())


BUILDERS = {FORM2: build_form2, FORM3: build_form3, FORM4: build_form4}


def build_all(folder: Path = HERE) -> list[Path]:
    """Write the three templates into ``folder``; return their paths."""
    written = []
    for name, builder in BUILDERS.items():
        path = folder / name
        save_deterministic(builder(), path)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build_all(target):
        print(p)
