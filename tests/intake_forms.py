"""Filled 申报表 (附件2) built in code with python-docx, in the shapes clerks really receive.

* :func:`official_form` — the notice's form typed into by hand: heading lines, the table with
  merged cells (or the same grid with every merge split), three topic slots, ten member cells,
  the 综述 after the table (or below its label, or in the label's cell), 单位盖章 and 注 lines;
  switches for label spacing, topic numbering, tick styles, member layouts and blank rows.
* :func:`inline_form` — one label and its value per cell (组织名称：某某公司), members on one line.
* :func:`columns_form` — topics and contacts as small tables with a header row.
* :func:`paragraph_form` — no table at all: 「组织名称：…」 paragraphs.

Every builder takes a :class:`Spec` (what the group wrote) and returns the path written.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

NATIONAL, LOCAL, NONE = "国家级", "地方、行业级", "无"
OPTIONS = (NATIONAL, LOCAL)
_W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'

# How a ticked / unticked box is typed. "sdt": Word check-box content control; "legacy": the
# old FORMCHECKBOX field; "wingdings": R / £ in the Wingdings 2 font; "deleted": the other
# option deleted; "tracked": the other option deleted with track changes on; "trailing": both
# boxes kept unticked and a √ typed after the chosen option (□国家级　□地方、行业级√).
GLYPHS: dict[str, tuple[str, str]] = {
    "☑": ("☑", "☐"),
    "■": ("■", "□"),
    "√": ("√", "□"),
    "✓": ("✓", "☐"),
    "☒": ("☒", "☐"),
}
TICK_STYLES = (*GLYPHS, "sdt", "legacy", "wingdings", "deleted", "tracked", "trailing")
WORD_PROMPT = "单击或点击此处输入文字。"  # Word 2013+ (zh-CN): an empty text content control
SUMMARY_LABEL = "近三年 QC 小组活动综述，内容涵盖申报条件要求（3000 字以内）"
OLD_SUMMARY_LABEL = "小组近三年活动综述（限3000字）"  # an older wording of the form
# A field written as PROMPT_CONTROL becomes a content control showing Word's grey prompt.
PROMPT_CONTROL = "\u2063PROMPT\u2063"


@dataclass(frozen=True)
class SpecTopic:
    title: str
    period: str  # 活动时间 as typed
    recognition: str  # 国家级 / 地方、行业级 / 无


@dataclass(frozen=True)
class Spec:
    """What one group wrote on its form."""

    org: str = "中国石化扬子石油化工有限公司"
    name: str = "芳烃厂“精益求精”QC小组"
    topics: tuple[SpecTopic, ...] = (
        SpecTopic("降低PX装置吸附剂损耗率", "2024.03—2024.11", NATIONAL),
        SpecTopic("提高加热炉热效率", "2023.12—2024.06", LOCAL),
        SpecTopic("缩短换热器检修时间", "2025.02—2025.09", NONE),
    )
    members: tuple[str, ...] = ("张建国", "李  强", "王芳", "欧阳明", "陈静", "刘洋", "赵磊")
    dept: str = "芳烃厂生产技术科"
    address: str = "江苏省南京市六合区新华路777号"
    contact: str = "张建国"
    phone: str = "025-57783456"
    email: str = "zhangjg.yzsh@sinopec.com"
    summary: tuple[str, ...] = (
        "小组成立于2018年3月，现有成员7人，在组织内注册满三年。",
        "近三年完成课题三项，其中《降低PX装置吸附剂损耗率》获全国优秀质量管理小组成果。",
        "小组坚持按《质量管理小组活动准则》开展活动，成员均参加过QC小组活动专业能力培训。",
    )


SPEC = Spec()


def with_(spec: Spec = SPEC, **changes: object) -> Spec:
    return replace(spec, **changes)  # type: ignore[arg-type]


@dataclass
class Layout:
    """Switches of :func:`official_form`."""

    spaced: bool = True  # "QC 小组名称", "课题名称 1" (False: "QC小组名称", "课题名称1")
    topic_label: str = "课题名称 {n}"  # or "课题名称{n}", "课题{n}", "课题名称"
    tick: str = "☑"  # one of TICK_STYLES
    members: str = "numbered"  # numbered | plain | joined
    joiner: str = "、"  # for members="joined"
    summary: str = "after"  # after | below | same
    merged: bool = True  # False: the same grid with every merge split into empty cells
    blank_rows: bool = False
    heading: bool = True
    summary_label: str = SUMMARY_LABEL
    # What an unused topic slot's 课题名称 and 活动时间 cells hold: nothing, text typed there
    # ("/", "无", Word's prompt pasted as text), or a plain-text content control still showing
    # its prompt, inside the paragraph ("control") or around it ("block-control").
    empty_slot: str = ""


GRID = 10  # columns of the official-like table


def official_form(path: Path, spec: Spec = SPEC, layout: Layout | None = None) -> Path:
    """The notice's 附件2 typed into by hand."""
    lay = layout or Layout()
    doc = Document()
    if lay.heading:
        doc.add_paragraph("附件2")
        doc.add_paragraph("全国优秀质量管理小组申报表")
        doc.add_paragraph("推荐省区市、行业质协（盖章）__________")
    rows: list[list[tuple[int, object]]] = []  # per row: (span, content) cells
    space = " " if lay.spaced else ""
    rows.append([(2, ("组织名称", "（公章为准）")), (8, spec.org)])
    rows.append([(2, f"QC{space}小组名称"), (8, spec.name)])
    if lay.blank_rows:
        rows.append([(10, "")])
    rows.append([(10, "近三年课题成果（课题名称、活动时间、获得外部认可）")])
    topics = list(spec.topics) + [None] * (3 - len(spec.topics))
    vmerges: list[tuple[int, int, int]] = []  # (row, col, span) merged with the row below
    unused = PROMPT_CONTROL if lay.empty_slot in ("control", "block-control") else lay.empty_slot
    for n, topic in enumerate(topics[:3], start=1):
        label = lay.topic_label.format(n=n)
        top = len(rows)
        rows.append(
            [
                (2, label),
                (4, topic.title if topic else unused),
                (2, "活动时间"),
                (2, topic.period if topic else unused),
            ]
        )
        rows.append([(2, ""), (4, ""), (2, "获得外部认可"), (2, ("boxes", topic))])
        vmerges += [(top, 0, 2), (top, 2, 4)]
    rows.append([(10, "小组成员名单")])
    names = list(spec.members)
    if lay.members == "joined":
        rows.append([(10, lay.joiner.join(names))])
    else:
        cells = []
        for i in range(10):
            name = names[i] if i < len(names) else ""
            cells.append(f"{i + 1}.{name}" if lay.members == "numbered" else name)
        rows.append([(2, c) for c in cells[:5]])
        if lay.blank_rows:
            rows.append([(2, "") for _ in range(5)])
        rows.append([(2, c) for c in cells[5:]])
    rows.append([(10, "小组联系人")])
    rows.append([(2, "小组联系部门"), (3, spec.dept), (1, "地址"), (4, spec.address)])
    rows.append(
        [
            (2, "直接联系人"),
            (2, spec.contact),
            (1, "电话"),
            (2, spec.phone),
            (1, "邮箱"),
            (2, spec.email),
        ]
    )
    summary_label = lay.summary_label
    seal = ("", "单位盖章", "年　　月　　日")
    if lay.summary == "below":
        rows.append([(10, summary_label)])
        rows.append([(10, (*spec.summary, *seal))])
    elif lay.summary == "same":
        rows.append([(10, (summary_label, *spec.summary, *seal))])
    table = doc.add_table(rows=len(rows), cols=GRID)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        col = 0
        for width, content in cells:
            cell = table.cell(r, col)
            if lay.merged and width > 1:
                cell = cell.merge(table.cell(r, col + width - 1))
            _fill(cell, content, lay.tick)
            col += width
    if lay.merged:
        for r, col, width in vmerges:
            table.cell(r, col).merge(table.cell(r + 1, col + width - 1))
    if lay.summary == "after":
        doc.add_paragraph(summary_label)
        for para in spec.summary:
            doc.add_paragraph(para)
        doc.add_paragraph("")
        doc.add_paragraph("单位盖章")
        doc.add_paragraph("年  月  日")
    doc.add_paragraph("注：申报材料统一交与推荐单位，具体要求如下。")
    doc.add_paragraph("1. 此表由小组填写，上述填写内容均是制作证书和寄发证书的依据，请正确填写。")
    for para in list(doc.element.body.iter(qn("w:p"))):
        if "".join(t.text or "" for t in para.iter(qn("w:t"))) == PROMPT_CONTROL:
            prompt_control(para, block=lay.empty_slot == "block-control")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _fill(cell: _Cell, content: object, tick: str) -> None:
    if isinstance(content, tuple) and content and content[0] == "boxes":
        topic = content[1]
        recognition_cell(cell, topic.recognition if isinstance(topic, SpecTopic) else NONE, tick)
        return
    lines = content if isinstance(content, tuple) else (str(content),)
    write(cell, *lines)


def write(cell: _Cell, *lines: str) -> None:
    """Lines of text into a cell, one paragraph each."""
    cell.paragraphs[0].text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def recognition_cell(cell: _Cell, recognition: str, tick: str) -> None:
    """The 获得外部认可 cell with ``recognition`` ticked in the style ``tick``; anything other
    than 国家级 / 地方、行业级 / 无 is typed into the cell as it is (「/」, 「□国家级　√□…」)."""
    para = cell.paragraphs[0]
    if recognition not in (*OPTIONS, NONE):
        para.add_run(recognition)
        return
    if tick == "trailing":
        para.add_run("　".join(f"□{o}" + ("√" if o == recognition else "") for o in OPTIONS))
        return
    if tick in ("deleted", "tracked"):
        kept = [o for o in OPTIONS if o == recognition]
        para.add_run("、".join(kept) if kept else NONE)
        if tick == "tracked":
            for option in OPTIONS:
                if option not in kept:
                    para._p.append(_deleted(f"☐{option}"))
        return
    for option in OPTIONS:
        box(para, option == recognition, tick)
        para.add_run(f" {option}  ")


def box(para: Paragraph, ticked: bool, tick: str) -> None:
    """One check box (ticked or not) at the end of ``para``, typed in the style ``tick``."""
    if tick in GLYPHS:
        para.add_run(GLYPHS[tick][0 if ticked else 1])
    elif tick == "sdt":
        para._p.append(checkbox_control(ticked))
    elif tick == "legacy":
        for xml in legacy_checkbox(ticked):
            para._p.append(xml)
    elif tick == "wingdings":
        run = para.add_run("R" if ticked else "£")
        run.font.name = "Wingdings 2"
    else:
        raise ValueError(tick)


def checkbox_control(checked: bool, glyph: str | None = None) -> object:
    """A Word 2010+ check-box content control; ``glyph`` overrides the box shown inside it."""
    shown = glyph or ("☒" if checked else "☐")
    return parse_xml(
        f'<w:sdt {nsdecls("w")} {_W14}><w:sdtPr><w:id w:val="1"/><w14:checkbox>'
        f'<w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
        "</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr>"
        '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/>'
        f"</w:rPr><w:t>{shown}</w:t></w:r></w:sdtContent></w:sdt>"
    )


_IDS = itertools.count(-1754011218)  # w:id of each content control, as Word numbers them


def prompt_control(
    para: etree._Element, *, block: bool = False, prompt: str = WORD_PROMPT, filled: bool = False
) -> None:
    """Make ``para`` (a w:p) hold only a plain-text content control showing Word's grey prompt
    (w:showingPlcHdr), as a group leaves a control it did not fill: inside the paragraph, or
    around it (``block``) as Word does when the control was inserted over a whole paragraph.
    With ``filled``, the control holds ``prompt`` as the group's own text instead."""
    for child in list(para):
        if child.tag != qn("w:pPr"):
            para.remove(child)
    props = (
        f'<w:sdtPr><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:id w:val="{next(_IDS)}"/>'
        '<w:placeholder><w:docPart w:val="DefaultPlaceholder_-1854013440"/></w:placeholder>'
        f"{'' if filled else '<w:showingPlcHdr/>'}<w:text/></w:sdtPr>"
    )
    style = "" if filled else '<w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr>'
    run = f"<w:r>{style}<w:t>{prompt}</w:t></w:r>"
    if block:
        sdt = parse_xml(f"<w:sdt {nsdecls('w')}>{props}<w:sdtContent/></w:sdt>")
        para.addprevious(sdt)
        sdt[1].append(para)
        para.append(parse_xml(run.replace("<w:r>", f"<w:r {nsdecls('w')}>", 1)))
    else:
        sdt = f"<w:sdt {nsdecls('w')}>{props}<w:sdtContent>{run}</w:sdtContent></w:sdt>"
        para.append(parse_xml(sdt))


def legacy_checkbox(checked: bool) -> list[object]:
    """The runs of a legacy FORMCHECKBOX form field."""
    state = "<w:checked/>" if checked else ""
    return [
        parse_xml(
            f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"><w:ffData>'
            '<w:name w:val="Check1"/><w:enabled/><w:calcOnExit w:val="0"/>'
            f'<w:checkBox><w:sizeAuto/><w:default w:val="0"/>{state}</w:checkBox>'
            "</w:ffData></w:fldChar></w:r>"
        ),
        parse_xml(
            f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        ),
        parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'),
    ]


def _deleted(text: str) -> object:
    return parse_xml(
        f'<w:del {nsdecls("w")} w:id="9" w:author="小组" w:date="2026-01-01T00:00:00Z">'
        f"<w:r><w:delText>{text}</w:delText></w:r></w:del>"
    )


def inline_form(path: Path, spec: Spec = SPEC, *, joiner: str = "、", tick: str = "√") -> Path:
    """Each cell holds a label and its value: 「组织名称：中国石化…」; members on one line;
    the 综述 in the cell of its label over several paragraphs."""
    doc = Document()
    doc.add_paragraph("全国优秀质量管理小组申报表")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"

    def row(*texts: str) -> None:
        for cell, text in zip(table.add_row().cells, texts, strict=False):
            write(cell, text)

    row(f"组织名称（公章为准）：{spec.org}", f"QC小组名称：{spec.name}")
    for n, topic in enumerate(spec.topics, start=1):
        row(f"课题{n}：{topic.title}", f"活动时间：{topic.period}")
        boxes = table.add_row().cells[0].merge(table.rows[-1].cells[1])
        boxes.paragraphs[0].add_run("获得外部认可：")
        recognition_cell(boxes, topic.recognition, tick)
    row(f"小组成员：{joiner.join(spec.members)}", "")
    row(f"联系部门：{spec.dept}", f"地址：{spec.address}")
    row(f"直接联系人：{spec.contact}", f"电话：{spec.phone}")
    row(f"邮箱：{spec.email}", "")
    summary = table.add_row().cells[0].merge(table.rows[-1].cells[1])
    write(summary, "活动综述：" + spec.summary[0], *spec.summary[1:])
    doc.add_paragraph("单位盖章")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def columns_form(path: Path, spec: Spec = SPEC) -> Path:
    """Topics, members and contacts as tables with a header row, values in the rows below."""
    doc = Document()
    top = doc.add_table(rows=2, cols=2)
    _rows(top, [["组织名称", spec.org], ["小组名称", spec.name]])
    doc.add_paragraph("")
    topics = doc.add_table(rows=1 + len(spec.topics), cols=4)
    _rows(
        topics,
        [["序号", "课题名称", "活动时间", "获得外部认可"]]
        + [
            [
                str(n),
                t.title,
                t.period,
                f"{'☑' if t.recognition == NATIONAL else '☐'}国家级"
                f"{'☑' if t.recognition == LOCAL else '☐'}地方、行业级",
            ]
            for n, t in enumerate(spec.topics, start=1)
        ],
    )
    members = doc.add_table(rows=2, cols=1)
    _rows(members, [["小组成员名单"], [" ".join(spec.members)]])
    contact = doc.add_table(rows=2, cols=5)
    _rows(
        contact,
        [
            ["联系部门", "地址", "直接联系人", "电话", "邮箱"],
            [spec.dept, spec.address, spec.contact, spec.phone, spec.email],
        ],
    )
    doc.add_paragraph("近三年QC小组活动综述")
    for para in spec.summary:
        doc.add_paragraph(para)
    doc.add_paragraph("注：此表由小组填写。")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _rows(table: Table, values: Sequence[Sequence[str]]) -> None:
    table.style = "Table Grid"
    for r, row in enumerate(values):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def paragraph_form(path: Path, spec: Spec = SPEC) -> Path:
    """No table: every field a paragraph 「标签：值」."""
    doc = Document()
    doc.add_paragraph("全国优秀质量管理小组申报表")
    for line in (
        f"组织名称：{spec.org}",
        f"小组名称：{spec.name}",
        *(
            f"课题名称{n}：{t.title}\n活动时间：{t.period}"
            for n, t in enumerate(spec.topics, start=1)
        ),
        "小组成员：" + "，".join(spec.members),
        f"联系部门：{spec.dept}",
        f"地址：{spec.address}",
        f"联系人：{spec.contact}",
        f"联系电话：{spec.phone}",
        f"电子邮箱：{spec.email}",
        "活动综述：",
        *spec.summary,
        "单位盖章",
    ):
        for part in line.split("\n"):
            doc.add_paragraph(part)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
