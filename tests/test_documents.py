"""附件2/3/4, proofs, manifest and zip (DESIGN.md §4), read back with python-docx and openpyxl.

Golden text files live in tests/golden/documents/; after an intended change to a template or to
what the forms print, regenerate them with ``XLQC_UPDATE_GOLDEN=1 python -m pytest
tests/test_documents.py`` and review the diff.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from conftest import (
    GOOD_GROUP,
    GOOD_MEMBERS,
    GOOD_SETTINGS,
    GOOD_TOPICS,
    book_file,
    check_golden,
)
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from xlqc.templates import build_templates

from xlqc import documents
from xlqc.documents import export, safe_name
from xlqc.errors import XlqcError
from xlqc.findings import Finding
from xlqc.model import Book
from xlqc.reading import read_book
from xlqc.rules import check
from xlqc.safeio import EXPORT_MARKER
from xlqc.templating import CompiledTemplate, load_template, sandbox

GOLDEN = Path(__file__).parent / "golden" / "documents"
TODAY = date(2026, 10, 20)
FORM2 = documents.FORM2_DIR


# ----------------------------------------------------------------------------------------------
# helpers


def docx_text(source: Path | bytes) -> str:
    """What a reader sees: header lines, body paragraphs, and table rows as cells joined by |
    (one entry per merged cell, line breaks inside a cell shown as ⏎)."""
    doc = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = [f"[页眉] {p.text}" for p in doc.sections[0].header.paragraphs if p.text]
    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(Paragraph(block, doc).text)
        elif block.tag == qn("w:tbl"):
            table = Table(block, doc)
            for tr in block.tr_lst:
                cells = [_Cell(tc, table).text.replace("\n", "⏎") for tc in tr.tc_lst]
                lines.append(" | ".join(cells))
    return "\n".join(lines) + "\n"


def golden(name: str, text: str) -> None:
    check_golden(GOLDEN / name, text)


def make_book(
    folder: Path,
    groups: list[dict[str, Any]] | None = None,
    topics: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
) -> Book:
    return read_book(book_file(folder, groups, topics, members, settings))


def run(book: Book, out: Path, **kw: Any) -> documents.ExportResult:
    return export(book, check(book), out, today=TODAY, **kw)


def form2_files(out: Path) -> list[Path]:
    return sorted((out / FORM2).glob("*.docx"))


def group(code: str, **changes: Any) -> dict[str, Any]:
    return {**GOOD_GROUP, "小组编号": code, **changes}


def topics_of(code: str, rows: list[dict[str, Any]] = GOOD_TOPICS) -> list[dict[str, Any]]:
    return [{**t, "小组编号": code} for t in rows]


def members_of(code: str, names: list[str] | None = None) -> list[dict[str, Any]]:
    names = names or [m["姓名"] for m in GOOD_MEMBERS]
    return [
        {
            "小组编号": code,
            "序号": i + 1,
            "姓名": n,
            "能力证明": "proofs/cert.pdf" if i == 0 else None,
        }
        for i, n in enumerate(names)
    ]


# ----------------------------------------------------------------------------------------------
# templates


def test_committed_templates_are_what_the_script_builds(tmp_path: Path) -> None:
    built = build_templates.build_all(tmp_path)
    assert len(built) == 3
    shipped = resources.files("xlqc.templates")
    for path in built:
        assert path.read_bytes() == shipped.joinpath(path.name).read_bytes(), (
            f"{path.name} differs from the script's output: run python templates/build_templates.py"
        )


def test_templates_are_a4_and_name_fonts_every_chinese_windows_has() -> None:
    data = resources.files("xlqc.templates").joinpath(documents.FORM2_TEMPLATE).read_bytes()
    doc = docx.Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = {
        r.text: r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs
    }
    assert fonts["附件 2"] == "黑体"
    assert fonts["全国优秀质量管理小组申报表"] == "黑体"  # not 方正小标宋简体, which Windows lacks
    assert fonts[build_templates.FORM2_NOTES[0]] == "楷体"
    normal = doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert normal == "仿宋"
    for name in (documents.FORM2_TEMPLATE, documents.FORM3_TEMPLATE, documents.FORM4_TEMPLATE):
        with zipfile.ZipFile(resources.files("xlqc.templates").joinpath(name).open("rb")) as zf:
            font_table = zf.read("word/fontTable.xml").decode()
            styles = zf.read("word/styles.xml").decode()
        assert "方正" not in font_table + styles
        for font, alt in (("黑体", "SimHei"), ("宋体", "SimSun"), ("仿宋", "FangSong")):
            assert f'<w:font w:name="{font}"><w:altName w:val="{alt}"/>' in font_table
        # document defaults name the fonts themselves, not the theme's (等线, Calibri)
        defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S)
        assert defaults and 'w:eastAsia="仿宋"' in defaults[0] and "Theme" not in defaults[0]
    landscape = docx.Document(
        io.BytesIO(
            resources.files("xlqc.templates").joinpath(documents.FORM4_TEMPLATE).read_bytes()
        )
    )
    assert landscape.sections[0].page_width > landscape.sections[0].page_height


WINDOWS_FONTS = {"黑体", "宋体", "仿宋", "楷体"}


def part_runs(data: bytes) -> list[tuple[str, etree._Element]]:
    """(part name, w:r) for every run with text in the body, headers and footers."""
    runs = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(zf.read(name))
                runs += [(name, r) for r in root.iter(qn("w:r")) if r.find(qn("w:t")) is not None]
    return runs


def test_every_rendered_run_sets_its_east_asian_font(tmp_path: Path) -> None:
    """Runs docxtpl fills with the clerk's text keep the template run's fonts: every run of
    every document carries w:eastAsia, one of the fonts every Chinese Windows has."""
    book = make_book(tmp_path, groups=[group("G001", 活动综述="第一段\n第二段 <b>&\n末段")])
    out = tmp_path / "out"
    run(book, out, include_all=True)
    documents_written = [*form2_files(out), out / documents.FORM3_FILE, out / documents.FORM4_FILE]
    for path in documents_written:
        runs = part_runs(path.read_bytes())
        texts = "".join(r.findtext(qn("w:t")) or "" for _, r in runs)
        assert "末段" in texts or path.name != form2_files(out)[0].name
        for part, r in runs:
            fonts = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            assert fonts is not None, (path.name, part, r.findtext(qn("w:t")))
            assert fonts.get(qn("w:eastAsia")) in WINDOWS_FONTS, (path.name, r.findtext(qn("w:t")))
            assert fonts.get(qn("w:ascii")) == "Times New Roman"


def rendered(tmp_path: Path, n: int = 3) -> tuple[Path, Path]:
    """附件3 and 附件4 of ``n`` groups."""
    groups = [group(f"G{i:03d}", 小组名称=f"第{i}QC小组") for i in range(1, n + 1)]
    topics = [t for i in range(1, n + 1) for t in topics_of(f"G{i:03d}")]
    members = [m for i in range(1, n + 1) for m in members_of(f"G{i:03d}")]
    run(make_book(tmp_path, groups, topics, members), tmp_path / "out")
    return tmp_path / "out" / documents.FORM3_FILE, tmp_path / "out" / documents.FORM4_FILE


def row_props(tr: Any) -> set[str]:
    tr_pr = tr.find(qn("w:trPr"))
    return set() if tr_pr is None else {etree.QName(el).localname for el in tr_pr}


def test_summary_tables_repeat_their_heading_row_and_never_split_a_row(tmp_path: Path) -> None:
    for path in rendered(tmp_path):
        doc = docx.Document(str(path))
        (table,) = doc.tables
        rows = table._tbl.tr_lst
        assert len(rows) == 1 + 3, path.name  # heading + one row per group
        assert {"tblHeader", "cantSplit"} <= row_props(rows[0]), path.name
        for tr in rows[1:]:
            assert "cantSplit" in row_props(tr) and "tblHeader" not in row_props(tr), path.name


def test_form4_table_fits_a4_landscape(tmp_path: Path) -> None:
    _, form4 = rendered(tmp_path, 1)
    doc = docx.Document(str(form4))
    section = doc.sections[0]
    assert section.page_width > section.page_height
    text_width = section.page_width - section.left_margin - section.right_margin
    grid = doc.tables[0]._tbl.tblGrid.gridCol_lst
    total = sum(int(col.get(qn("w:w"))) for col in grid) * 635  # twips to EMU
    assert text_width - Cm(0.5) <= total <= text_width + Cm(0.05)  # uses the width, no more
    widths = [int(col.get(qn("w:w"))) for col in grid]
    assert widths[3] == max(widths)  # the member list gets the widest column


def ppr(para: Paragraph) -> set[str]:
    p_pr = para._p.pPr
    if p_pr is None:
        return set()
    return {etree.QName(el).localname for el in p_pr if el.get(qn("w:val")) not in ("0", "false")}


def test_form2_keeps_the_notes_together_and_the_seal_with_the_end_of_the_summary(
    tmp_path: Path,
) -> None:
    summary = "第一段，小组概况。\n第二段，课题一。\n第三段，课题二。\n最后一段，今后打算。"
    run(make_book(tmp_path, groups=[group("G001", 活动综述=summary)]), tmp_path / "out")
    doc = docx.Document(str(form2_files(tmp_path / "out")[0]))
    # 注 block: every line whole, each kept with the next, the last closes the block
    notes = [p for p in doc.paragraphs if p.text in build_templates.FORM2_NOTES]
    assert [p.text for p in notes] == list(build_templates.FORM2_NOTES)
    for para in notes[:-1]:
        assert {"keepNext", "keepLines"} <= ppr(para), para.text
    assert "keepLines" in ppr(notes[-1])
    # the 综述 box: the text in a row that may run over pages (so it starts on page 1) …
    table = doc.tables[0]
    body_tr, end_tr = table._tbl.tr_lst[-2:]
    body, end = _Cell(body_tr.tc_lst[0], table), _Cell(end_tr.tc_lst[0], table)
    assert "cantSplit" not in row_props(body_tr)
    assert [p.text for p in body.paragraphs] == [
        "第一段，小组概况。",
        "第二段，课题一。",
        "第三段，课题二。",
    ]
    # … and its last paragraph with 单位盖章 and the date in one row that never splits
    assert "cantSplit" in row_props(end_tr)
    texts = [p.text for p in end.paragraphs]
    assert texts[0] == "最后一段，今后打算。" and texts[-2:] == ["单位盖章", "年　　月　　日"]
    for para in end.paragraphs[:-1]:
        assert "keepNext" in ppr(para)  # Word keeps them together too
    # the two rows read as one box: no line between them
    for cell, edge in ((body, "bottom"), (end, "top")):
        border = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn(f"w:{edge}"))
        assert border.get(qn("w:val")) == "nil"
    # the rows above never split either (a topic's two rows, the member list)
    assert all("cantSplit" in row_props(tr) for tr in table._tbl.tr_lst[:-2])


LONG = "小组围绕配网运维重点工作，运用 QC 方法解决现场问题。" * 30  # 810 characters


@pytest.mark.parametrize(
    ("summary", "body", "tail"),
    [
        ("只有一段。", None, ["只有一段。"]),  # no text row: the end row follows the heading
        ("", None, []),
        (f"第一段。\n{LONG}", ["第一段。", LONG], []),  # too long to move whole: only the seal
    ],
)
def test_form2_summary_of_one_none_or_a_long_last_paragraph(
    tmp_path: Path, summary: str, body: list[str] | None, tail: list[str]
) -> None:
    book = make_book(tmp_path, groups=[group("G001", 活动综述=summary)])
    run(book, tmp_path / "out", include_all=True)
    doc = docx.Document(str(form2_files(tmp_path / "out")[0]))
    table = doc.tables[0]
    before, end_tr = table._tbl.tr_lst[-2:]
    text = [p.text for p in _Cell(before.tc_lst[0], table).paragraphs]
    if body is None:
        assert text == ["近三年 QC 小组活动综述，内容涵盖申报条件要求（3000 字以内）"]
        border = _Cell(before.tc_lst[0], table)._tc.tcPr.find(qn("w:tcBorders"))
        assert border.find(qn("w:bottom")).get(qn("w:val")) == "single"  # box still closed
    else:
        assert text == body
    texts = [p.text for p in _Cell(end_tr.tc_lst[0], table).paragraphs]
    assert texts == [*tail, "", "单位盖章", "年　　月　　日"]
    assert "cantSplit" in row_props(end_tr)


def run_sizes(cell: _Cell) -> list[tuple[str, float]]:
    return [(r.text, r.font.size.pt) for p in cell.paragraphs for r in p.runs if r.text]


@pytest.mark.parametrize(
    ("email", "size"),
    [
        ("qc@caq.org.cn", 12),
        ("wangxd@js.sgcc.com.cn", 9),
        ("guming@js.sgcc.com.cn", 9),
        ("huangxue.sz@chinatelecom.cn", 7.5),
    ],
)
def test_form2_email_and_phone_shrink_to_fit_one_line_unaltered(
    tmp_path: Path, email: str, size: float
) -> None:
    phone = "0513-85122345；13962851234"
    book = make_book(tmp_path, groups=[group("G001", 邮箱=email, 电话=phone)])
    run(book, tmp_path / "out", include_all=True)
    doc = docx.Document(str(form2_files(tmp_path / "out")[0]))
    table = doc.tables[0]
    rows = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    (cells,) = [r for r in rows if len(r) == 6 and r[4].text == "邮箱"]
    assert cells[2].text == "电话"
    # one run holding the value exactly as typed (no break characters put in)
    assert run_sizes(cells[5]) == [(email, size)]
    assert run_sizes(cells[3]) == [(phone, 9)]  # several numbers: smallest size, wraps at ；


def test_table_fits_the_text_width() -> None:
    for name in (documents.FORM2_TEMPLATE, documents.FORM3_TEMPLATE, documents.FORM4_TEMPLATE):
        data = resources.files("xlqc.templates").joinpath(name).read_bytes()
        doc = docx.Document(io.BytesIO(data))
        section = doc.sections[0]
        text_width = section.page_width - section.left_margin - section.right_margin
        grid = doc.tables[0]._tbl.tblGrid
        total = sum(int(col.get(qn("w:w"))) for col in grid.gridCol_lst)  # twips
        assert total * 635 <= text_width + Cm(0.1), name  # 1 twip = 635 EMU; 0.8 cm rounds up


def test_every_template_variable_is_supplied(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    g = book.groups[0]
    contexts = {
        documents.FORM2_TEMPLATE: documents.form2_context(book, g),
        documents.FORM3_TEMPLATE: documents.form3_context(book, [g]),
        documents.FORM4_TEMPLATE: documents.form4_context(book, [g], today=TODAY),
    }
    for name, context in contexts.items():
        template = load_template(name)
        used = template.variables()
        assert {"unit", "draft"} <= used
        assert used <= set(context), f"{name} uses {used - set(context)} that export never supplies"
        # docxtpl's own analysis of the same file agrees
        raw = resources.files("xlqc.templates").joinpath(name).read_bytes()
        assert not DocxTemplate(io.BytesIO(raw)).get_undeclared_template_variables(
            sandbox(), context
        )
    assert {"org", "topics", "members", "summary", "email"} <= load_template(
        documents.FORM2_TEMPLATE
    ).variables()


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    template = load_template(documents.FORM3_TEMPLATE)
    with pytest.raises(XlqcError, match="未提供"):
        template.render({"unit": "x", "draft": False})


def test_compiled_template_renders_like_docxtpl(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    context = documents.form2_context(book, book.groups[0], draft=True)
    raw = resources.files("xlqc.templates").joinpath(documents.FORM2_TEMPLATE).read_bytes()
    reference = DocxTemplate(io.BytesIO(raw))
    reference.render(context, sandbox(), autoescape=True)
    buf = io.BytesIO()
    reference.save(buf)
    ours = CompiledTemplate(raw, "附件2").render(context)
    assert docx_text(ours) == docx_text(buf.getvalue())
    assert "[页眉] 草稿" in docx_text(ours)


def test_a_broken_template_gives_a_chinese_message(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("{{ org ")
    doc.add_paragraph("{% if %}")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(XlqcError, match=r"模板「坏模板\.docx」中的标记有误"):
        CompiledTemplate(buf.getvalue(), "坏模板.docx")
    with pytest.raises(XlqcError, match="不是有效的 Word 文档"):
        CompiledTemplate(b"not a zip", "坏模板.docx")


def test_the_sandbox_refuses_unsafe_template_code() -> None:
    doc = docx.Document()
    doc.add_paragraph("{{ org.__class__.__mro__[1].__subclasses__() }}")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(XlqcError, match="不允许"):
        CompiledTemplate(buf.getvalue(), "t.docx").render({"org": "x"})


# ----------------------------------------------------------------------------------------------
# golden documents


def test_golden_documents_of_the_good_book(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    result = run(book, tmp_path / "out")
    assert result.exported == ["G001"] and not result.drafts and not result.skipped
    (form,) = form2_files(tmp_path / "out")
    assert form.name == "01_国网江苏省电力有限公司泰州供电分公司_配电运检QC小组.docx"
    golden("form2_good.txt", docx_text(form))
    golden("form3_good.txt", docx_text(tmp_path / "out" / documents.FORM3_FILE))
    golden("form4_good.txt", docx_text(tmp_path / "out" / documents.FORM4_FILE))


FOUR_TOPICS = [
    *GOOD_TOPICS,  # 一等/国家级 ending 2024-11; 二等/无 ending 2025-10
    {
        **GOOD_TOPICS[0],
        "课题名称": "缩短变电站巡检时间",
        "活动开始": "2025年1月",
        "活动结束": "2025.6",
        "成果水平": "一等奖",
        "外部认可": "地方、行业级",
        "认可证明": "proofs/award1.pdf",
    },
    {
        **GOOD_TOPICS[0],
        "课题名称": "提高电缆头制作一次合格率",
        "活动开始": date(2023, 12, 1),
        "活动结束": date(2024, 2, 20),
        "成果水平": "三等",
        "外部认可": "国家级",
        "认可证明": "proofs/cert.pdf",
    },
]
TEN = ["王晓东", "李明", "张华", "刘洋", "陈静", "欧阳晓峰", "赵丽", "孙强", "周敏", "吴刚"]


def test_four_topics_print_the_three_r15_names_and_ten_members(tmp_path: Path) -> None:
    members = members_of("G001", TEN)
    members.reverse()  # 序号, not row order, decides the slots
    book = make_book(tmp_path, topics=FOUR_TOPICS, members=members)
    result = run(book, tmp_path / "out")
    assert result.exported == ["G001"]
    text = docx_text(form2_files(tmp_path / "out")[0])
    golden("form2_four_topics.txt", text)
    # 一等水平 first (国家级 before 地方、行业级), then the others, 国家级 first
    order = [text.index(t) for t in ("降低配电线路", "缩短变电站", "提高电缆头")]
    assert order == sorted(order)
    assert "提高配网自动化终端在线率" not in text
    assert "1. 王晓东 | 2. 李明 | 3. 张华 | 4. 刘洋 | 5. 陈静" in text
    assert "6. 欧阳晓峰 | 7. 赵丽 | 8. 孙强 | 9. 周敏 | 10. 吴刚" in text
    assert "课题名称 3 | 提高电缆头制作一次合格率 | 活动时间 | 2023.12—2024.02" in text
    assert "| 获得外部认可 | ☐ 国家级⏎☑ 地方、行业级" in text
    summary = docx_text(tmp_path / "out" / documents.FORM4_FILE)
    assert "、".join(TEN) in summary


def test_one_topic_leaves_the_other_slots_blank(tmp_path: Path) -> None:
    book = make_book(tmp_path, topics=GOOD_TOPICS[:1])
    result = run(book, tmp_path / "out", include_all=True)  # R03: fewer than two topics
    assert result.drafts == ["G001"]
    text = docx_text(form2_files(tmp_path / "out")[0])
    assert "课题名称 1 | 降低配电线路故障停电时长 | 活动时间 | 2024.03—2024.11" in text
    assert "课题名称 2 |  | 活动时间 | " in text
    assert "课题名称 3 |  | 活动时间 | " in text
    assert text.count("☐ 国家级⏎☐ 地方、行业级") == 2
    assert text.count("☑ 国家级⏎☐ 地方、行业级") == 1


SPECIAL_ORG = 'A&B <电力> "引号" 有限公司'
SPECIAL_NAME = "{{ x }} {% if %}QC小组"


def test_user_text_comes_out_literally(tmp_path: Path) -> None:
    groups = [group("G001", 组织名称=SPECIAL_ORG, 小组名称=SPECIAL_NAME)]
    members = members_of("G001", ["李{{明}}", "张<华>", "王&强"])
    book = make_book(tmp_path, groups=groups, members=members)
    # as the live-Excel reader may deliver it: control characters no workbook file can hold
    typed = "第一段 & <b>加粗</b>。\n\n  {{ 7*7 }} 第二段 {%p if x %}\r\n第三段 </w:t>\x0b结束\x01"
    book.groups[0].summary = typed
    result = run(book, tmp_path / "out", include_all=True)
    assert result.exported == ["G001"]
    text = docx_text(form2_files(tmp_path / "out")[0])
    golden("form2_special.txt", text)
    assert f"| {SPECIAL_ORG}\n" in text
    assert f"| {SPECIAL_NAME}\n" in text
    paragraphs = "第一段 & <b>加粗</b>。⏎{{ 7*7 }} 第二段 {%p if x %}⏎第三段 </w:t>结束"
    head, tail = paragraphs.rsplit("⏎", 1)  # the last paragraph shares the seal lines' row
    assert f"\n{head}\n{tail}⏎⏎单位盖章" in text
    assert "49" not in text
    assert "1. 李{{明}} | 2. 张<华> | 3. 王&强" in text
    form3 = docx_text(tmp_path / "out" / documents.FORM3_FILE)
    assert f"{SPECIAL_ORG}⏎{SPECIAL_NAME}" in form3
    form4 = docx_text(tmp_path / "out" / documents.FORM4_FILE)
    assert f"| {SPECIAL_ORG} | {SPECIAL_NAME} | 李{{{{明}}}}、张<华>、王&强" in form4


# ----------------------------------------------------------------------------------------------
# which groups, in which order


def mixed_book(folder: Path) -> Book:
    groups = [
        group("G001"),
        group("G002", 小组名称="不推荐QC小组", 是否推荐="否"),
        group("G003", 小组名称="新成立QC小组", 注册日期=date(2025, 1, 1)),  # R02
        group("G004", 小组名称="创新QC小组", 是否推荐=None),  # blank = 是
    ]
    topics = [t for code in ("G001", "G002", "G003", "G004") for t in topics_of(code)]
    members = [m for code in ("G001", "G002", "G003", "G004") for m in members_of(code)]
    return make_book(folder, groups=groups, topics=topics, members=members)


def test_only_recommended_groups_without_errors_are_exported(tmp_path: Path) -> None:
    book = mixed_book(tmp_path)
    seen: list[tuple[int, int]] = []
    result = run(book, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert result.exported == ["G001", "G004"]
    assert [(s.code, s.reason) for s in result.skipped] == [
        ("G002", "是否推荐=否"),
        ("G003", "1 个错误"),
    ]
    assert [p.name[:3] for p in form2_files(tmp_path / "out")] == ["01_", "02_"]
    assert "创新QC小组" in form2_files(tmp_path / "out")[1].name
    form4 = docx_text(tmp_path / "out" / documents.FORM4_FILE)
    assert "1 | 国网江苏省电力有限公司泰州供电分公司 | 配电运检QC小组" in form4
    assert "2 | 国网江苏省电力有限公司泰州供电分公司 | 创新QC小组" in form4
    assert "新成立" not in form4 and "不推荐" not in form4
    assert "草稿" not in docx_text(form2_files(tmp_path / "out")[0])
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    lines = "\n".join(result.lines())
    assert "未导出 G003" in lines and "1 个错误" in lines


@pytest.mark.parametrize(
    ("only", "forms", "summary"), [("forms", True, False), ("summary", False, True)]
)
def test_ribbon_exports_forms_or_summary_alone(
    tmp_path: Path, only: str, forms: bool, summary: bool
) -> None:
    result = run(mixed_book(tmp_path), tmp_path / "out", only=only)
    out = tmp_path / "out"
    assert result.exported == ["G001", "G004"]
    assert bool(form2_files(out)) is forms
    assert (out / documents.PROOF_DIR).exists() is forms
    assert (out / documents.FORM3_FILE).exists() is summary
    assert (out / documents.FORM4_FILE).exists() is summary


def test_include_all_stamps_draft_on_groups_with_errors(tmp_path: Path) -> None:
    book = mixed_book(tmp_path)
    result = run(book, tmp_path / "out", include_all=True)
    assert result.exported == ["G001", "G003", "G004"]  # 是否推荐=否 stays out
    assert result.drafts == ["G003"]
    forms = form2_files(tmp_path / "out")
    assert [p.name[:3] for p in forms] == ["01_", "02_", "03_"]
    texts = [docx_text(p) for p in forms]
    assert [t.startswith("[页眉] 草稿\n") for t in texts] == [False, True, False]
    doc = docx.Document(str(forms[1]))
    assert doc.sections[0].header.is_linked_to_previous is False  # on every page of the form
    # 附件3/4 then hold a draft row: stamped too
    assert docx_text(tmp_path / "out" / documents.FORM3_FILE).startswith("[页眉] 草稿\n")
    ws = openpyxl.load_workbook(tmp_path / "out" / documents.FORM4_XLSX).active
    assert ws["A1"].value.endswith("（草稿）")
    assert [ws.cell(row=r, column=1).value for r in (4, 5, 6)] == [1, 2, 3]


def test_errors_are_counted_per_group_and_settings_errors_count_for_all(tmp_path: Path) -> None:
    book = mixed_book(tmp_path)
    findings = [
        Finding(rule="R13", severity="error", sheet="小组", cell="I2", group="G001", message="x"),
        Finding(rule="R01", severity="error", sheet="小组", cell="A5", group="", message="x"),
        Finding(rule="R16", severity="warning", sheet="小组", cell="B3", group="G002", message="x"),
    ]
    assert documents.error_counts(book, findings) == [1, 0, 0, 1]
    findings.append(
        Finding(rule="R19", severity="error", sheet="设置", cell="B2", group="", message="x")
    )
    assert documents.error_counts(book, findings) == [2, 1, 1, 2]


def test_blank_texts_still_give_valid_documents(tmp_path: Path) -> None:
    blank = {k: None for k in ("活动综述", "推荐意见", "联系部门", "地址", "电话", "邮箱")}
    book = make_book(tmp_path, groups=[group("G001", **blank)], topics=[], members=[])
    result = run(book, tmp_path / "out", include_all=True)
    assert result.drafts == ["G001"]
    out = tmp_path / "out"
    for path in [*form2_files(out), out / documents.FORM3_FILE, out / documents.FORM4_FILE]:
        with zipfile.ZipFile(path) as zf:
            body = docx.oxml.parse_xml(zf.read("word/document.xml"))
        cells = body.iter(qn("w:tc"))
        assert all(tc.find(qn("w:p")) is not None for tc in cells), path.name  # Word needs one
    form3 = docx_text(out / documents.FORM3_FILE)
    assert "1 | 国网江苏省电力有限公司泰州供电分公司⏎配电运检QC小组 | \n" in form3


def test_nothing_to_export_writes_nothing(tmp_path: Path) -> None:
    book = make_book(tmp_path, groups=[group("G001", 是否推荐="否")])
    result = run(book, tmp_path / "out")
    assert not result.exported and not result.files
    assert not (tmp_path / "out").exists()
    assert result.lines()[0] == "没有可导出的小组，未生成任何文件。"


def test_more_than_ten_members_prints_ten_and_says_so(tmp_path: Path) -> None:
    names = [*TEN, "郑十一", "冯十二"]
    book = make_book(tmp_path, members=members_of("G001", names))
    result = run(book, tmp_path / "out", include_all=True)
    text = docx_text(form2_files(tmp_path / "out")[0])
    assert "10. 吴刚" in text and "郑十一" not in text
    assert any("郑十一、冯十二" in p for p in result.problems)


# ----------------------------------------------------------------------------------------------
# proofs, manifest, zip, xlsx


def test_proofs_are_copied_once_and_named_by_what_they_prove(tmp_path: Path) -> None:
    members = members_of("G001", TEN[:3])
    members[1]["能力证明"] = "proofs/cert.pdf；proofs/train.jpg"  # cert.pdf twice in the group
    (tmp_path / "proofs").mkdir()
    (tmp_path / "proofs" / "train.jpg").write_bytes(b"jpeg")
    topics = [
        *topics_of("G001"),
        {
            **GOOD_TOPICS[1],
            "课题名称": "旧课题",
            "活动结束": "2020.5",
            "活动开始": "2020.1",
            "成果报告": "proofs/missing.docx",
        },
    ]
    book = make_book(tmp_path, topics=topics, members=members)
    result = run(book, tmp_path / "out")
    folder = (
        tmp_path
        / "out"
        / documents.PROOF_DIR
        / "01_国网江苏省电力有限公司泰州供电分公司_配电运检QC小组"
    )
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            "课题1_成果报告_降低配电线路故障停电时长.docx",
            "课题1_认可证明.pdf",
            "课题2_成果报告_提高配网自动化终端在线率.docx",
            "能力证明_王晓东.pdf",
            "能力证明_李明.jpg",
        ]
    )
    assert (folder / "课题1_认可证明.pdf").read_bytes() == b"proof award1.pdf"
    assert (folder / "能力证明_李明.jpg").read_bytes() == b"jpeg"
    assert result.problems == ["G001：找不到证实性材料「proofs/missing.docx」（课题!H4），未复制"]


def test_manifest_lists_every_file_with_source_and_size(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    out = tmp_path / "out"
    result = run(book, out)
    ws = openpyxl.load_workbook(result.manifest).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    listed = {r[1]: r for r in rows}
    on_disk = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("清单.xlsx", EXPORT_MARKER)
    }
    assert set(listed) == on_disk
    for rel, row in listed.items():
        assert row[4] == (out / rel).stat().st_size
    assert listed[
        "证实性材料/01_国网江苏省电力有限公司泰州供电分公司_配电运检QC小组/课题1_认可证明.pdf"
    ][2] == ("课题!I2：proofs/award1.pdf")
    assert {p.relative_to(out).as_posix() for p in result.files} == on_disk | {"清单.xlsx"}


def test_zip_holds_the_whole_package_with_utf8_names(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    out = tmp_path / "out"
    result = run(book, out, make_zip=True)
    assert result.zip_path == out / "江苏省质量协会_全国优秀质量管理小组推荐材料.zip"
    with zipfile.ZipFile(result.zip_path) as zf:
        infos = zf.infolist()
        assert all(i.flag_bits & 0x800 for i in infos)  # UTF-8 names
        names = {i.filename for i in infos}
        top = "江苏省质量协会_全国优秀质量管理小组推荐材料/"
        on_disk = {
            top + p.relative_to(out).as_posix()
            for p in out.rglob("*")
            if p.is_file() and p.name != EXPORT_MARKER
        }
        assert names == on_disk - {top + result.zip_path.name}
        form = top + f"{FORM2}/01_国网江苏省电力有限公司泰州供电分公司_配电运检QC小组.docx"
        assert docx_text(zf.read(form)) == docx_text(form2_files(out)[0])
        assert zf.testzip() is None


def test_summary_workbook_stores_user_text_as_text(tmp_path: Path) -> None:
    settings = {**GOOD_SETTINGS, "联系电话": "025-12345678", "填表日期": "2026-10-25"}
    book = make_book(tmp_path, members=members_of("G001", ["@王", "-李"]), settings=settings)
    # values a workbook file would hold as text (the reader gives them as typed)
    book.groups[0].org = '=HYPERLINK("http://x","点我")'
    book.groups[0].name = "+1-2"
    book.settings.filler = "=1+1"
    result = run(book, tmp_path / "out", include_all=True)
    assert result.exported == ["G001"]
    ws = openpyxl.load_workbook(tmp_path / "out" / documents.FORM4_XLSX).active
    assert ws["B4"].value == '=HYPERLINK("http://x","点我")' and ws["B4"].data_type == "s"
    assert ws["C4"].value == "+1-2" and ws["C4"].data_type == "s"
    assert ws["D4"].value == "@王、-李"
    texts = [ws.cell(row=r, column=1).value for r in range(6, 9)]
    assert texts == ["填表人：=1+1", "电话：025-12345678", "日期：2026年10月25日"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    form4 = docx_text(tmp_path / "out" / documents.FORM4_FILE)
    assert "填表人：=1+1\n电话：025-12345678\n2026年10月25日\n" in form4


def assert_prints_as_a_table(ws: Any, header_row: int, last_row: int, columns: int) -> None:
    """A4 landscape, one page wide, the heading row on every page, every cell of the table
    bordered and wrapped, and every row at least as tall as its wrapped lines."""
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == ws.PAPERSIZE_A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    for row in ws.iter_rows(min_row=header_row, max_row=last_row, max_col=columns):
        for cell in row:
            for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom):
                assert side.style == "thin", cell.coordinate
            assert cell.alignment.wrap_text, cell.coordinate
        height = ws.row_dimensions[row[0].row].height
        assert height is not None, row[0].row  # LibreOffice would show one line
        for cell in row:
            width = ws.column_dimensions[cell.column_letter].width
            chars = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(cell.value or ""))
            assert height >= 14 * max(1, -(-chars // int(width - 1))), cell.coordinate


def test_summary_workbook_prints_bordered_one_page_wide_with_rows_tall_enough(
    tmp_path: Path,
) -> None:
    long_org = "国网江苏省电力有限公司泰州供电分公司配电运维检修中心第一运维班组"
    names = ["王晓东", "欧阳晓峰", "李明", "张华", "刘洋", "陈静", "赵丽", "孙强", "周敏", "吴刚"]
    book = make_book(
        tmp_path,
        groups=[
            group("G001", 组织名称=long_org),
            group("G002", 组织名称="江苏沙钢集团有限公司", 小组名称="炼钢QC小组"),
        ],
        topics=topics_of("G001") + topics_of("G002"),
        members=members_of("G001", names) + members_of("G002", ["钱多"]),
    )
    run(book, tmp_path / "out", include_all=True)
    ws = openpyxl.load_workbook(tmp_path / "out" / documents.FORM4_XLSX).active
    assert [c.value for c in ws[3]][:4] == [
        "序号",
        "组织名称（以公章为准）",
        "小组名称",
        "小组成员（10 人以内请用“、”隔开）",
    ]
    assert ws["D4"].value == "、".join(names)
    assert_prints_as_a_table(ws, 3, 5, 4)
    assert ws.row_dimensions[4].height > ws.row_dimensions[5].height  # long texts wrap
    assert ws.freeze_panes == "A4"
    assert ws["A4"].font.name == "宋体" and ws["A3"].font.name == "黑体"


def test_manifest_prints_bordered_one_page_wide(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    result = run(book, tmp_path / "out")
    ws = openpyxl.load_workbook(result.manifest).active
    assert_prints_as_a_table(ws, 1, ws.max_row, 5)
    assert ws.max_row == len(result.files)  # heading + every file but the manifest itself
    assert ws.freeze_panes == "A2"


def test_fill_date_defaults_to_today(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    export(book, [], tmp_path / "out")
    today = date.today()
    assert f"{today.year}年{today.month}月{today.day}日" in docx_text(
        tmp_path / "out" / documents.FORM4_FILE
    )


# ----------------------------------------------------------------------------------------------
# file names and safety


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../x", "_x"),
        ("..\\..\\evil", "_.._evil"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Lpt9", "_Lpt9"),
        ("COM1 .docx", "_COM1 .docx"),
        ("CONSOLE", "CONSOLE"),
        ("a:b*?", "a_b_"),
        ('x<y>z|"q"', "x_y_z_q_"),
        ("  名称. . ", "名称"),
        ("", "未命名"),
        ("...", "未命名"),
        ("line\nbreak\ttab", "line break tab"),
        ("zero\u200bwidth\u202efdp.exe", "zerowidthfdp.exe"),
        ("国网　泰州", "国网 泰州"),
    ],
)
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


@given(st.text(max_size=300), st.integers(min_value=1, max_value=120))
def test_safe_name_is_always_a_windows_name(text: str, max_len: int) -> None:
    name = safe_name(text, max_len)
    assert name and len(name) <= max(max_len, len("未命名"))
    assert not any(ch in '<>:"/\\|?*' or ord(ch) < 32 for ch in name)
    assert name[-1] not in ". " and name[0] not in ". "
    assert documents._RESERVED.fullmatch(name.split(".")[0].rstrip(" ")) is None


def test_hostile_names_stay_inside_the_output_folder(tmp_path: Path) -> None:
    groups = [
        group("G001", 组织名称="../../逃逸", 小组名称="CON"),
        group("G002", 组织名称="a:b*?", 小组名称="x" * 300),
    ]
    topics = topics_of("G001") + topics_of("G002")
    topics[0]["课题名称"] = "../../../etc/passwd"
    members = members_of("G001", ["..", "NUL"]) + members_of("G002")
    book = make_book(tmp_path / "in", groups=groups, topics=topics, members=members)
    out = tmp_path / "deep" / "out"
    result = run(book, out, include_all=True, make_zip=True)
    assert result.exported == ["G001", "G002"]
    written = [
        p
        for p in tmp_path.rglob("*")
        if p.is_file() and "in" not in p.relative_to(tmp_path).parts[:1]
    ]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    forms = [p.name for p in form2_files(out)]
    assert forms[0] == "01__.._逃逸__CON.docx"
    assert forms[1].startswith("02_a_b_") and len(forms[1]) <= documents.NAME_MAX
    proofs = out / documents.PROOF_DIR / "01__.._逃逸__CON"
    assert "课题1_成果报告__.._.._etc_passwd.docx" in {p.name for p in proofs.iterdir()}
    assert "能力证明_未命名.pdf" in {p.name for p in proofs.iterdir()}  # the member named ..
    with zipfile.ZipFile(result.zip_path) as zf:
        assert not any(".." in Path(n).parts or n.startswith("/") for n in zf.namelist())


def test_a_failed_export_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = make_book(tmp_path)
    out = tmp_path / "out"

    def broken(*_a: object, **_k: object) -> None:
        raise XlqcError("磁盘已满")

    monkeypatch.setattr(documents, "write_zip", broken)
    with pytest.raises(XlqcError, match="磁盘已满"):
        run(book, out, make_zip=True)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".xlqc-")]


def test_a_failed_export_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = make_book(tmp_path)
    out = tmp_path / "out"
    run(book, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(documents, "manifest_workbook", broken)
    with pytest.raises(XlqcError, match="No space left on device"):
        run(book, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    (tmp_path / "out").write_text("x")
    with pytest.raises(XlqcError, match="不是文件夹"):
        run(book, tmp_path / "out")


def test_pdf_without_libreoffice_says_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlqc import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    monkeypatch.setattr(pdf, "_USUAL_PLACES", ())
    book = make_book(tmp_path)
    with pytest.raises(
        XlqcError, match="未找到 LibreOffice，无法生成 PDF；请安装 LibreOffice 或去掉 --pdf"
    ):
        run(book, tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()
