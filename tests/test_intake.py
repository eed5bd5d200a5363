"""Intake: filled 申报表 (.docx) read back into the master workbook (issue 7).

Forms are built in code (tests/intake_forms.py) in the shapes clerks receive; the target is a
real workbook written by conftest.write_workbook and read back with openpyxl and read_book."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from intake_forms import (
    LOCAL,
    NATIONAL,
    NONE,
    OLD_SUMMARY_LABEL,
    PROMPT_CONTROL,
    SPEC,
    TICK_STYLES,
    WORD_PROMPT,
    Layout,
    Spec,
    SpecTopic,
    checkbox_control,
    columns_form,
    inline_form,
    official_form,
    paragraph_form,
    prompt_control,
    with_,
    write,
)

from xlqc import schema
from xlqc.dates import DateError
from xlqc.errors import XlqcError
from xlqc.intake import FormData, import_forms, parse_form
from xlqc.intake.merge import next_code
from xlqc.intake.parse import (
    is_stop,
    match_label,
    parse_period,
    parse_recognition,
    split_members,
)
from xlqc.reading import read_book

MEMBERS = ["张建国", "李强", "王芳", "欧阳明", "陈静", "刘洋", "赵磊"]  # SPEC's, padding removed
RECOGNITIONS = [NATIONAL, LOCAL, NONE]


def assert_spec(form: FormData, spec: Spec = SPEC, *, recognition: bool = True) -> None:
    """Every field of ``form`` is what ``spec`` wrote."""
    assert (form.org, form.name) == (spec.org, spec.name)
    assert [t.title for t in form.topics] == [t.title for t in spec.topics]
    assert [(t.start, t.end) for t in form.topics] == [parse_period(t.period) for t in spec.topics]
    if recognition:
        assert [t.recognition for t in form.topics] == [t.recognition for t in spec.topics]
    assert form.members == MEMBERS
    assert (form.dept, form.address, form.contact, form.phone, form.email) == (
        spec.dept,
        spec.address,
        spec.contact,
        spec.phone,
        spec.email,
    )
    assert form.summary == "\n".join(spec.summary)
    assert form.warnings == []


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """Data rows of ``sheet`` as header -> openpyxl cell, blank rows left out."""
    ws = openpyxl.load_workbook(path)[sheet]
    headers = [c.value for c in ws[1]]
    out = []
    for row in ws.iter_rows(min_row=2):
        if any(c.value is not None for c in row):
            out.append({h: c for h, c in zip(headers, row, strict=False) if h})
    return out


def values(path: Path, sheet: str) -> list[dict[str, Any]]:
    return [{h: c.value for h, c in r.items()} for r in rows(path, sheet)]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The master workbook with GOOD_GROUP (G001) and its topics, members and proofs."""
    write_proofs(tmp_path)
    return write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)


# --- reading forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout",
    [
        Layout(),
        Layout(spaced=False, topic_label="课题名称{n}"),
        Layout(topic_label="课题{n}", heading=False),
        Layout(topic_label="课题名称"),
        Layout(merged=False),
        Layout(blank_rows=True),
        Layout(merged=False, blank_rows=True, summary="below", members="plain"),
        Layout(summary="below"),
        Layout(summary="same"),
    ],
    ids=lambda lay: repr(lay)[7:70],
)
def test_official_form_gives_every_field(tmp_path: Path, layout: Layout) -> None:
    assert_spec(parse_form(official_form(tmp_path / "申报表.docx", layout=layout)))


@pytest.mark.parametrize("tick", TICK_STYLES)
def test_each_tick_style(tmp_path: Path, tick: str) -> None:
    form = parse_form(official_form(tmp_path / "f.docx", layout=Layout(tick=tick)))
    assert [t.recognition for t in form.topics] == RECOGNITIONS
    assert form.warnings == []


def test_checkbox_control_state_wins_over_its_glyph(tmp_path: Path) -> None:
    """A w14 check box is read from w14:checked, not from the glyph left inside it."""
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=4, cols=2)
    for r, (label, value) in enumerate(
        [("组织名称", SPEC.org), ("小组名称", SPEC.name), ("课题名称1", "提高加热炉热效率")]
    ):
        write(table.cell(r, 0), label)
        write(table.cell(r, 1), value)
    write(table.cell(3, 0), "获得外部认可")
    para = table.cell(3, 1).paragraphs[0]
    para._p.append(checkbox_control(False, glyph="☒"))
    para.add_run(" 国家级 ")
    para._p.append(checkbox_control(True, glyph="☐"))
    para.add_run(" 地方、行业级")
    doc.save(str(tmp_path / "f.docx"))
    assert parse_form(tmp_path / "f.docx").topics[0].recognition == LOCAL


@pytest.mark.parametrize(
    ("period", "start", "end", "precision"),
    [
        ("2024.03—2024.11", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024年3月至2024年11月", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024.3-2024.11", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024.03~2024.11", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024.03～2024.11", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024-03-2024-11", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024年3月-11月", date(2024, 3, 1), date(2024, 11, 1), "month"),
        ("2024.10-3", date(2024, 10, 1), date(2025, 3, 1), "month"),
        ("2024年3月1日至11月30日", date(2024, 3, 1), date(2024, 11, 30), "day"),
        ("2024.3.1-11.30", date(2024, 3, 1), date(2024, 11, 30), "day"),
        ("2024.3.1-2024.11.30", date(2024, 3, 1), date(2024, 11, 30), "day"),
        ("2024年3月1日—2024年11月30日", date(2024, 3, 1), date(2024, 11, 30), "day"),
        ("２０２４．３—２０２４．１１", date(2024, 3, 1), date(2024, 11, 1), "month"),
    ],
)
def test_activity_period_forms(
    tmp_path: Path, period: str, start: date, end: date, precision: str
) -> None:
    topic = SpecTopic("降低PX装置吸附剂损耗率", period, NATIONAL)
    form = parse_form(official_form(tmp_path / "f.docx", with_(topics=(topic,))))
    got = form.topics[0]
    assert (got.start.value, got.end.value) == (start, end)  # type: ignore[union-attr]
    assert got.start.precision == got.end.precision == precision  # type: ignore[union-attr]
    assert got.period == period


@pytest.mark.parametrize("text", ["2024年春季", "2024", "2024.3", "半年"])
def test_unreadable_period_is_a_warning_not_a_failure(tmp_path: Path, text: str) -> None:
    topic = SpecTopic("提高加热炉热效率", text, LOCAL)
    form = parse_form(official_form(tmp_path / "f.docx", with_(topics=(topic,))))
    assert (form.topics[0].start, form.topics[0].end, form.topics[0].period) == (None, None, text)
    assert form.warnings == [f"课题「提高加热炉热效率」的活动时间「{text}」无法识别"]
    with pytest.raises(DateError):
        parse_period(text)


@pytest.mark.parametrize("joiner", ["、", "，", ",", ";", "；", " ", "\n"])
def test_members_on_one_line(tmp_path: Path, joiner: str) -> None:
    layout = Layout(members="joined", joiner=joiner)
    assert parse_form(official_form(tmp_path / "f.docx", layout=layout)).members == MEMBERS


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("1.张三", ["张三"]),
        ("1、张三 2、李四", ["张三", "李四"]),
        ("(1)张三(2)李四", ["张三", "李四"]),
        ("①张三②李四", ["张三", "李四"]),
        ("张三（组长）、李四", ["张三", "李四"]),
        ("王　强", ["王强"]),
        ("欧阳 修", ["欧阳修"]),
        ("张三 李 四 王五", ["张三", "李四", "王五"]),
        ("阿依古丽·买买提、张三", ["阿依古丽·买买提", "张三"]),
        ("6.", []),
        ("——", []),
    ],
)
def test_split_members(text: str, names: list[str]) -> None:
    assert split_members(text) == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("☑国家级 ☐地方、行业级", NATIONAL),
        ("☐ 国家级\n☑ 地方、行业级", LOCAL),
        ("□国家级 □地方、行业级", NONE),
        ("国家级√  地方、行业级", NATIONAL),
        ("国家级  地方、行业级（√）", LOCAL),
        ("□国家级　□地方、行业级√", LOCAL),  # issue 13: a tick typed after the option
        ("□国家级√　□地方、行业级", NATIONAL),
        ("☐国家级☑地方、行业级", LOCAL),  # touching both: the boxes stand before
        ("国家级☑地方、行业级☐", NATIONAL),  # ... or after their options
        ("国家级（√）地方、行业级（ ）", NATIONAL),
        ("☐ 国家级 ☐ 地方、行业级 √", LOCAL),
        ("国家级", NATIONAL),
        ("地方、行业级", LOCAL),
        ("☐国家级", NONE),
        ("无", NONE),
        ("", ""),
    ],
)
def test_recognition(text: str, expected: str) -> None:
    assert parse_recognition(text) == (expected, "")


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("☑国家级 ☑地方、行业级", NONE, "都勾选了"),
        ("国家级 地方、行业级", NONE, "无法判断"),
        ("国家级 √ 地方、行业级", NONE, "不知属于哪一项"),
        ("□国家级　√□地方、行业级", NONE, "不知属于哪一项"),
        ("见附件", "", "无法识别"),
    ],
)
def test_unclear_recognition_is_none_or_empty_with_a_reason(
    text: str, value: str, problem: str
) -> None:
    """Ambiguous ticks import 无 (a cell naming no option: nothing), always with a reason."""
    got, why = parse_recognition(text)
    assert got == value
    assert problem in why


@pytest.mark.parametrize(
    ("text", "kind", "inline"),
    [
        ("组织名称", "org", ""),
        ("组织名称（公章为准）", "org", ""),
        ("组织名称\n（公章为准）", "org", ""),
        ("组织名称：扬子石化", "org", "扬子石化"),
        ("组 织 名 称:扬子石化", "org", "扬子石化"),
        ("组织名称（公章为准）扬子石化", "org", "扬子石化"),
        ("QC 小组名称", "name", ""),
        ("ＱＣ小组名称", "name", ""),
        ("qc小组名称：芳烃QC小组", "name", "芳烃QC小组"),
        ("课题名称 1", "title", ""),
        ("课题1：降低损耗", "title", "降低损耗"),
        ("课题（二）", "title", ""),
        ("电话：0523-1234567", "phone", "0523-1234567"),
        ("E-mail", "email", ""),
        ("近三年QC小组活动综述（3000字以内）", "summary", ""),
        ("小组近三年活动综述（限3000字）", "summary", ""),
        ("近三年 QC 小组活动综述，内容涵盖申报条件要求（3000 字以内）", "summary", ""),
        ("QC小组近三年活动开展情况综述", "summary", ""),
        ("小组近三年活动综述\n（限3000字）", "summary", ""),
        ("活动综述：小组成立于2018年", "summary", "小组成立于2018年"),
        ("近三年课题成果（课题名称、活动时间、获得外部认可）", "section", ""),
    ],
)
def test_labels(text: str, kind: str, inline: str) -> None:
    label = match_label(text)
    assert label is not None
    assert (label.kind, label.inline) == (kind, inline)


@pytest.mark.parametrize(
    "text",
    [
        "电话服务中心",
        "地址不详",
        "降低PX装置吸附剂损耗率",
        "1.张三",
        "☑国家级",
        "本小组近三年活动综述如下",
    ],
)
def test_values_are_not_labels(text: str) -> None:
    assert match_label(text) is None


def test_label_and_value_in_one_cell(tmp_path: Path) -> None:
    assert_spec(parse_form(inline_form(tmp_path / "f.docx")))


def test_header_row_tables(tmp_path: Path) -> None:
    spec = with_(members=tuple(MEMBERS))
    assert_spec(parse_form(columns_form(tmp_path / "f.docx", spec)), spec)


def test_no_table_at_all(tmp_path: Path) -> None:
    form = parse_form(paragraph_form(tmp_path / "f.docx"))
    assert_spec(form, recognition=False)
    assert [t.recognition for t in form.topics] == ["", "", ""]


def test_summary_ends_at_the_seal_even_without_a_note_line(tmp_path: Path) -> None:
    from docx import Document

    path = official_form(tmp_path / "f.docx", layout=Layout(summary="same"))
    doc = Document(str(path))
    for para in doc.paragraphs:
        if para.text.startswith("注："):
            para._p.getparent().remove(para._p)  # only "1. 此表由小组填写…" follows the table
    doc.save(str(path))
    assert parse_form(path).summary == "\n".join(SPEC.summary)


@pytest.mark.parametrize(
    "line",
    [
        "单位盖章",
        "（单位盖章）",
        "申报单位（盖章）：",
        "单位公章",
        "年　月　日",
        "2026年10月20日",
        "注：…",
    ],
)
def test_seal_and_note_lines_end_the_form(line: str) -> None:
    assert is_stop(line)


@pytest.mark.parametrize("line", ["注重过程控制，", "单位成本下降12%。", "2026年完成课题一项。"])
def test_summary_lines_are_not_seal_lines(line: str) -> None:
    assert not is_stop(line)


def test_empty_topic_slots_are_dropped(tmp_path: Path) -> None:
    spec = with_(topics=SPEC.topics[:1])
    form = parse_form(official_form(tmp_path / "f.docx", spec))
    assert [t.title for t in form.topics] == [SPEC.topics[0].title]


# --- forms that cannot be read --------------------------------------------------------------


def _old_doc(folder: Path, name: str = "申报表.doc") -> Path:
    path = folder / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return path


def _letter(folder: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_paragraph("关于报送成果报告的函")
    doc.add_paragraph("现将我单位成果报告报送给你们，请查收。")
    path = folder / "函.docx"
    doc.save(str(path))
    return path


def _truncated(folder: Path) -> Path:
    good = official_form(folder / "good.docx").read_bytes()
    path = folder / "截断.docx"
    path.write_bytes(good[: len(good) // 2])
    return path


def _zip_without_document(folder: Path) -> Path:
    path = folder / "压缩包.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path


def _xml_bomb(folder: Path) -> Path:
    src = official_form(folder / "src.docx")
    path = folder / "炸弹.docx"
    lol = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                head, _, rest = text.partition("?>")
                text = head + "?>" + lol + "]>" + rest.replace("组织名称", "&i;组织名称", 1)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return path


def _blank_official(folder: Path) -> Path:
    return official_form(folder / "空白.docx", with_(org="", name=""))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_old_doc, "「申报表.doc」是旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后再导入"),
        (lambda f: _old_doc(f, "申报表.docx"), "加密的 Word 文档或实为旧版 .doc 文件"),
        (lambda f: (f / "x.docx").write_text("not a zip") and f / "x.docx", "不是 Word 文档"),
        (_truncated, "已损坏"),
        (_zip_without_document, "不是 Word 文档"),
        (_letter, "没有找到「组织名称」和「小组名称」"),
        (_blank_official, "没有填写组织名称"),
        (_xml_bomb, "「炸弹.docx」已损坏"),
    ],
    ids=["doc", "ole-docx", "text", "truncated", "zip", "letter", "blank", "xml-bomb"],
)
def test_unreadable_forms_raise_one_chinese_line(tmp_path: Path, make: Any, reason: str) -> None:
    path = make(tmp_path)
    with pytest.raises(XlqcError) as err:
        parse_form(path)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_other_attachments_are_not_forms(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("全国优秀质量管理小组推荐汇总表")
    table = doc.add_table(rows=2, cols=4)
    for c, text in enumerate(["序号", "组织名称（以公章为准）", "小组名称", "小组成员"]):
        table.cell(0, c).text = text
    for c, text in enumerate(["1", SPEC.org, SPEC.name, "、".join(MEMBERS)]):
        table.cell(1, c).text = text
    doc.save(str(tmp_path / "附件4.docx"))
    with pytest.raises(XlqcError, match="推荐汇总表（附件4），不是申报表"):
        parse_form(tmp_path / "附件4.docx")


def test_two_forms_in_one_document_are_refused(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    for org, name in ((SPEC.org, SPEC.name), ("泰州石油化工有限公司", "炼油QC小组")):
        table = doc.add_table(rows=2, cols=2)
        for r, (label, value) in enumerate((("组织名称", org), ("QC小组名称", name))):
            table.cell(r, 0).text = label
            table.cell(r, 1).text = value
        doc.add_page_break()
    doc.save(str(tmp_path / "合订.docx"))
    with pytest.raises(XlqcError, match="不止一份申报表"):
        parse_form(tmp_path / "合订.docx")


# --- importing into the workbook ------------------------------------------------------------


def test_new_group_lands_in_the_right_cells(book: Path) -> None:
    form = official_form(book.parent / "forms" / "扬子石化.docx")
    result = import_forms([form], book)
    assert [(g.code, g.topics, g.members) for g in result.added] == [("G002", 3, 7)]

    group = values(book, schema.GROUP_SHEET)[1]
    assert group["小组编号"] == "G002"
    assert (group["组织名称"], group["小组名称"]) == (SPEC.org, SPEC.name)
    assert (group["联系部门"], group["地址"], group["直接联系人"]) == (
        SPEC.dept,
        SPEC.address,
        SPEC.contact,
    )
    assert (group["电话"], group["邮箱"]) == (SPEC.phone, SPEC.email)
    assert group["活动综述"] == "\n".join(SPEC.summary)
    assert group["来源文件"] == "扬子石化.docx"
    for empty in ("注册日期", "推荐意见", "是否推荐", "校验状态"):
        assert group[empty] is None
    headers = [c.value for c in openpyxl.load_workbook(book)[schema.GROUP_SHEET][1]]
    assert headers[-1] == "来源文件"
    assert headers[:-1] == [c.header for c in schema.GROUP_COLUMNS]

    topics = [t for t in values(book, schema.TOPIC_SHEET) if t["小组编号"] == "G002"]
    assert [(t["课题名称"], t["活动开始"], t["活动结束"], t["外部认可"]) for t in topics] == [
        ("降低PX装置吸附剂损耗率", "2024年3月", "2024年11月", NATIONAL),
        ("提高加热炉热效率", "2023年12月", "2024年6月", LOCAL),
        ("缩短换热器检修时间", "2025年2月", "2025年9月", NONE),
    ]
    assert all(t["成果水平"] is None and t["成果报告"] is None for t in topics)
    members = [m for m in values(book, schema.MEMBER_SHEET) if m["小组编号"] == "G002"]
    assert [(m["序号"], m["姓名"]) for m in members] == list(enumerate(MEMBERS, start=1))

    model = read_book(book)  # and the reader sees the same
    assert [g.code for g in model.groups] == ["G001", "G002"]
    assert [str(t.start) for t in model.topics_of("G002")] == [
        "2024年3月",
        "2023年12月",
        "2025年2月",
    ]
    assert model.topics_of("G002")[0].start.precision == "month"  # type: ignore[union-attr]
    assert model.groups[0].phone == GOOD_GROUP["电话"]  # the existing group untouched


def test_cells_take_the_format_of_their_column(tmp_path: Path) -> None:
    """In the workbook `xlqc new` writes, 小组编号 and 电话 are text columns and the dates
    date columns: what intake writes looks like what the clerk types there."""
    from xlqc.builder import new_workbook

    target = tmp_path / "总表.xlsx"
    new_workbook(target)
    topic = SpecTopic("降低PX装置吸附剂损耗率", "2024.3.1-2024.11.30", NATIONAL)
    import_forms([official_form(tmp_path / "f.docx", with_(topics=(topic,)))], target)
    group = rows(target, schema.GROUP_SHEET)[0]
    assert (group["小组编号"].value, group["小组编号"].number_format) == ("G001", "@")
    assert (group["电话"].value, group["电话"].number_format) == (SPEC.phone, "@")
    start = rows(target, schema.TOPIC_SHEET)[0]["活动开始"]
    assert (start.value, start.number_format) == (datetime(2024, 3, 1), "yyyy-mm-dd")


def test_an_excel_table_grows_with_the_rows_added(book: Path, tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    wb = openpyxl.load_workbook(book)
    ws = wb[schema.GROUP_SHEET]
    ws.add_table(Table(displayName="小组表", ref=f"A1:N{ws.max_row}"))
    ws["P2"] = "=COUNTA(A:A)"
    wb.save(book)
    import_forms([official_form(tmp_path / "f.docx")], book)
    wb = openpyxl.load_workbook(book)
    assert wb[schema.GROUP_SHEET].tables["小组表"].ref == "A1:N3"
    assert wb.calculation.fullCalcOnLoad  # Excel recomputes the clerk's formula on opening


def test_day_precision_dates_are_real_dates(book: Path) -> None:
    topic = SpecTopic("降低PX装置吸附剂损耗率", "2024.3.1-2024.11.30", NATIONAL)
    import_forms([official_form(book.parent / "f.docx", with_(topics=(topic,)))], book)
    row = rows(book, schema.TOPIC_SHEET)[-1]
    assert row["活动开始"].value == datetime(2024, 3, 1)
    assert row["活动结束"].value == datetime(2024, 11, 30)
    assert row["活动开始"].number_format == "yyyy-mm-dd"
    assert read_book(book).topics[-1].end.value == date(2024, 11, 30)  # type: ignore[union-attr]


def test_unreadable_period_is_written_as_typed_for_validation(book: Path) -> None:
    topic = SpecTopic("提高加热炉热效率", "2024年春季", LOCAL)
    result = import_forms([official_form(book.parent / "f.docx", with_(topics=(topic,)))], book)
    row = values(book, schema.TOPIC_SHEET)[-1]
    assert (row["活动开始"], row["活动结束"]) == ("2024年春季", None)
    assert any("2024年春季" in line and "请核对" in line for line in result.lines())
    # importing it again is no change
    again = import_forms([book.parent / "f.docx"], book)
    assert (len(again.unchanged), again.changed) == (1, False)


def test_same_form_twice_changes_nothing(book: Path) -> None:
    form = official_form(book.parent / "f.docx")
    import_forms([form], book)
    before = digest(book)
    backups = set(book.parent.glob("*备份*"))
    result = import_forms([form], book)
    assert [g.code for g in result.unchanged] == ["G002"]
    assert not (result.added or result.differing or result.updated or result.failed)
    assert result.backup is None
    assert digest(book) == before
    assert set(book.parent.glob("*备份*")) == backups


def test_group_matches_despite_spacing_and_widths(book: Path) -> None:
    spec = with_(
        org="国网江苏省电力有限公司 泰州供电分公司",
        name="配电运检ＱＣ小组",
        dept=GOOD_GROUP["联系部门"],
        address=GOOD_GROUP["地址"],
        contact=GOOD_GROUP["直接联系人"],
        phone=GOOD_GROUP["电话"],
        email=GOOD_GROUP["邮箱"],
        summary=(GOOD_GROUP["活动综述"],),
        topics=(),
        members=tuple(m["姓名"] for m in GOOD_MEMBERS),
    )
    result = import_forms([official_form(book.parent / "f.docx", spec)], book)
    assert [g.code for g in result.unchanged] == ["G001"]


def _changed_form(book: Path) -> Path:
    """G001's form with a new phone, one member replaced and one topic's period changed."""
    members = [m["姓名"] for m in GOOD_MEMBERS]
    members[2] = "周敏"
    spec = with_(
        org=GOOD_GROUP["组织名称"],
        name=GOOD_GROUP["小组名称"],
        dept=GOOD_GROUP["联系部门"],
        address=GOOD_GROUP["地址"],
        contact=GOOD_GROUP["直接联系人"],
        phone="0523-86861234",
        email="",  # blank on the form: never erases the workbook's
        summary=(GOOD_GROUP["活动综述"],),
        members=tuple(members),
        topics=(
            SpecTopic("降低配电线路故障停电时长", "2024.03—2024.12", NATIONAL),
            SpecTopic("提高配网自动化终端在线率", "2025.03—2025.10", NONE),
        ),
    )
    return official_form(book.parent / "泰州供电.docx", spec)


def test_differing_form_is_reported_field_by_field_and_not_written(book: Path) -> None:
    before = digest(book)
    result = import_forms([_changed_form(book)], book)
    assert [g.code for g in result.differing] == ["G001"]
    lines = result.lines()
    assert "  小组 G001 电话：「13812345678」→「0523-86861234」" in lines
    assert (
        "  小组 G001 课题「降低配电线路故障停电时长」活动结束：「2024-11-30」→「2024年12月」"
        in lines
    )
    assert any(line.startswith("  小组 G001 成员：") and "周敏" in line for line in lines)
    assert not any("邮箱" in line for line in lines)
    assert any("--update" in line for line in lines)
    assert digest(book) == before
    assert result.backup is None


def test_update_replaces_the_group_and_keeps_the_clerks_columns(book: Path) -> None:
    original = book.read_bytes()
    result = import_forms([_changed_form(book)], book, update=True)
    assert [g.code for g in result.updated] == ["G001"]
    assert result.backup is not None and result.backup.read_bytes() == original

    group = values(book, schema.GROUP_SHEET)[0]
    assert group["电话"] == "0523-86861234"
    assert group["邮箱"] == GOOD_GROUP["邮箱"]  # blank on the form: kept
    assert group["注册日期"] == datetime(2019, 3, 1)  # not on the form: kept
    assert group["来源文件"] == "泰州供电.docx"

    topics = values(book, schema.TOPIC_SHEET)
    assert [(t["课题名称"], t["活动结束"], t["成果水平"], t["认可证明"]) for t in topics] == [
        ("降低配电线路故障停电时长", "2024年12月", "一等", "proofs/award1.pdf"),
        ("提高配网自动化终端在线率", "2025年10月", "二等", None),
    ]
    members = values(book, schema.MEMBER_SHEET)
    assert [(m["序号"], m["姓名"], m["能力证明"]) for m in members] == [
        (1, "王晓东", "proofs/cert.pdf"),
        (2, "李明", None),
        (3, "周敏", None),
        (4, "刘洋", None),
        (5, "陈静", None),
    ]
    again = import_forms([book.parent / "泰州供电.docx"], book, update=True)
    assert [g.code for g in again.unchanged] == ["G001"]


def test_update_keeps_topics_the_form_does_not_list(book: Path) -> None:
    """Issue 13 / issue 11 item 7: the form holds three topics at most, so a form with fewer
    topics than the workbook deletes none of them; members (ten cells) are the form's."""
    spec = with_(
        org=GOOD_GROUP["组织名称"],
        name=GOOD_GROUP["小组名称"],
        members=("王晓东", "李明"),
        topics=(SpecTopic("新课题：缩短抢修到达时间", "2025.01—2025.08", LOCAL),),
    )
    result = import_forms([official_form(book.parent / "f.docx", spec)], book, update=True)
    lines = result.lines()
    assert "  小组 G001 课题：新增「新课题：缩短抢修到达时间」" in lines
    assert "  小组 G001 课题「降低配电线路故障停电时长」不在申报表中，保留" in lines
    assert not any(line.endswith("不在申报表中") for line in lines)
    model = read_book(book)
    assert [(t.title, t.level) for t in model.topics_of("G001")] == [
        ("降低配电线路故障停电时长", "一等"),
        ("提高配网自动化终端在线率", "二等"),
        ("新课题：缩短抢修到达时间", ""),
    ]
    assert [m.name for m in model.members_of("G001")] == ["王晓东", "李明"]


def test_update_moves_the_clerks_columns_with_a_reordered_member(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    cert = wb[schema.MEMBER_SHEET]["D2"]
    cert.value = "=证书.pdf"  # text that looks like a formula
    cert.data_type = "s"
    wb.save(book)
    names = ("李明", "王晓东", "张华", "刘洋", "陈静")
    spec = with_(org=GOOD_GROUP["组织名称"], name=GOOD_GROUP["小组名称"], members=names, topics=())
    import_forms([official_form(book.parent / "f.docx", spec)], book, update=True)
    members = rows(book, schema.MEMBER_SHEET)
    assert [(m["序号"].value, m["姓名"].value) for m in members] == list(enumerate(names, 1))
    moved = members[1]["能力证明"]
    assert (moved.value, moved.data_type) == ("=证书.pdf", "s")
    assert members[0]["能力证明"].value is None


def test_update_writes_through_cells_the_clerk_merged(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb[schema.TOPIC_SHEET].merge_cells("B2:C2")  # 课题名称 merged over 活动开始
    wb.save(book)
    topic = SpecTopic(GOOD_TOPICS[0]["课题名称"], "2024.04—2024.11", NATIONAL)
    spec = with_(org=GOOD_GROUP["组织名称"], name=GOOD_GROUP["小组名称"], topics=(topic,))
    result = import_forms([official_form(book.parent / "f.docx", spec)], book, update=True)
    assert [g.code for g in result.updated] == ["G001"]
    row = values(book, schema.TOPIC_SHEET)[0]
    assert (row["课题名称"], row["活动开始"]) == (topic.title, "2024年4月")


def test_dry_run_writes_nothing(book: Path) -> None:
    before = digest(book)
    forms = [official_form(book.parent / "a.docx"), _changed_form(book)]
    result = import_forms(forms, book, dry_run=True, update=True)
    assert [g.code for g in result.added] == ["G002"]
    assert [g.code for g in result.updated] == ["G001"]
    assert result.lines()[1].startswith("（试运行")
    assert result.backup is None
    assert digest(book) == before
    assert not list(book.parent.glob("*备份*"))


def test_failures_are_listed_and_nothing_of_them_written(book: Path) -> None:
    folder = book.parent / "收到的申报表"
    folder.mkdir()
    doc = _old_doc(folder)
    letter = _letter(folder)
    (folder / "~$申报表.docx").write_bytes(b"lock")
    before = digest(book)
    result = import_forms([folder, book.parent / "不存在.docx"], book)
    assert {f.file for f in result.failed} == {
        "申报表.doc",
        "函.docx",
        str(book.parent / "不存在.docx"),
    }
    assert result.skipped == ["~$申报表.docx"]
    assert not result.changed
    assert digest(book) == before
    lines = result.lines()
    assert (
        f"无法导入：「{doc.name}」是旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后再导入"
        in lines
    )
    assert any(letter.name in line for line in lines)


def test_folders_are_searched_with_subfolders(book: Path) -> None:
    folder = book.parent / "收件"
    official_form(folder / "南京" / "扬子石化.docx")
    official_form(folder / "泰州" / "泰州石化.docx", with_(org="泰州石油化工有限公司"))
    result = import_forms([folder], book)
    assert [(g.code, g.file) for g in result.added] == [
        ("G002", "南京/扬子石化.docx"),
        ("G003", "泰州/泰州石化.docx"),
    ]
    assert values(book, schema.GROUP_SHEET)[2]["来源文件"] == "泰州/泰州石化.docx"


def test_the_same_group_twice_in_one_import(book: Path) -> None:
    first = official_form(book.parent / "a.docx")
    second = official_form(book.parent / "b.docx", with_(phone="13900001111"))
    result = import_forms([first, second], book)
    assert [g.code for g in result.added] == ["G002"]
    assert [g.code for g in result.differing] == ["G002"]
    assert values(book, schema.GROUP_SHEET)[1]["电话"] == SPEC.phone


def test_user_text_is_never_a_formula(book: Path) -> None:
    spec = with_(name='=HYPERLINK("http://x","QC")', phone="+86 13812345678", dept="-生产部")
    import_forms([official_form(book.parent / "f.docx", spec)], book)
    row = rows(book, schema.GROUP_SHEET)[1]
    for header, typed in (("小组名称", spec.name), ("电话", spec.phone), ("联系部门", spec.dept)):
        assert row[header].value == typed
        assert row[header].data_type == "s"
        assert row[header].quotePrefix
    assert read_book(book).groups[1].name == spec.name


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], "G001"),
        (["G001", "G012", "G003"], "G013"),
        (["QC-07", "QC-08"], "QC-09"),
        (["2024001"], "2024002"),
        (["G1", "G2"], "G3"),
    ],
)
def test_next_code_follows_the_existing_pattern(codes: list[str], expected: str) -> None:
    assert next_code(codes, {c.upper() for c in codes}) == expected


def test_next_code_skips_codes_used_by_orphan_rows(tmp_path: Path) -> None:
    orphan = {**GOOD_MEMBERS[0], "小组编号": "G002"}
    target = write_workbook(tmp_path / "b.xlsx", [GOOD_GROUP], GOOD_TOPICS, [orphan])
    result = import_forms([official_form(tmp_path / "f.docx")], target)
    assert [g.code for g in result.added] == ["G003"]


def test_empty_workbook_and_existing_source_column(tmp_path: Path) -> None:
    target = write_workbook(tmp_path / "空.xlsx")
    import_forms([official_form(tmp_path / "a.docx")], target)
    import_forms([official_form(tmp_path / "b.docx", with_(name="第二QC小组"))], target)
    ws = openpyxl.load_workbook(target)[schema.GROUP_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers.count("来源文件") == 1
    assert [r["小组编号"] for r in values(target, schema.GROUP_SHEET)] == ["G001", "G002"]


def test_import_keeps_every_part_it_does_not_write(book: Path, tmp_path: Path) -> None:
    """Intake writes cells into the package: a form control (which made import refuse while
    it saved through openpyxl) and the other sheets come through byte for byte."""
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("xl/ctrlProps/ctrlProp1.xml", "<formControlPr/>")
    with zipfile.ZipFile(book) as zf:
        before = {i.filename: zf.read(i) for i in zf.infolist()}
    result = import_forms([official_form(tmp_path / "f.docx")], book)
    assert result.added and not result.refusal
    with zipfile.ZipFile(book) as zf:
        after = {i.filename: zf.read(i) for i in zf.infolist()}
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= {f"xl/worksheets/sheet{i}.xml" for i in (2, 3, 4)} | {"xl/styles.xml"}
    assert after["xl/ctrlProps/ctrlProp1.xml"] == b"<formControlPr/>"


def test_unreadable_workbook_is_one_chinese_error(tmp_path: Path) -> None:
    target = tmp_path / "总表.xlsx"
    target.write_text("not a workbook")
    with pytest.raises(XlqcError, match="不是 Excel 工作簿"):
        import_forms([official_form(tmp_path / "f.docx")], target)


# --- xlqc's own 附件2 -----------------------------------------------------------------------


def test_export_then_import_gives_back_the_same_data(good_book: Path, tmp_path: Path) -> None:
    documents = pytest.importorskip("xlqc.documents", reason="xlqc/documents.py not written yet")
    book = read_book(good_book)
    exported = documents.export(book, [], tmp_path / "导出")
    forms = [p for p in exported.files if p.parent.name.startswith("附件2")]
    assert len(forms) == 1
    form = parse_form(forms[0])
    group = book.groups[0]
    assert (form.org, form.name) == (group.org, group.name)
    assert (form.dept, form.address, form.contact, form.phone, form.email) == (
        group.dept,
        group.address,
        group.contact,
        group.phone,
        group.email,
    )
    assert form.summary == group.summary
    assert form.members == [m.name for m in book.members_of(group.code)]

    def month(value: Any) -> tuple[int, int]:
        return (value.value.year, value.value.month)

    assert [(t.title, month(t.start), month(t.end), t.recognition) for t in form.topics] == [
        (t.title, month(t.start), month(t.end), t.recognition) for t in book.topics_of(group.code)
    ]

    # into an empty workbook and back out: the same group again
    target = write_workbook(tmp_path / "新总表.xlsx")
    import_forms([tmp_path / "导出"], target)
    again = read_book(target)
    assert [(g.org, g.name, g.phone, g.summary) for g in again.groups] == [
        (group.org, group.name, group.phone, group.summary)
    ]
    assert [m.name for m in again.members] == form.members
    assert [(t.title, t.recognition) for t in again.topics] == [
        (t.title, t.recognition) for t in book.topics_of(group.code)
    ]


# --- forms as groups really fill them (issue 13) --------------------------------------------

TWO = with_(topics=SPEC.topics[:2])


@pytest.mark.parametrize(
    "slot",
    [
        "control",  # a plain-text content control still showing its prompt (w:showingPlcHdr)
        "block-control",  # the same control around the whole paragraph
        WORD_PROMPT,  # the prompt pasted as ordinary text
        "单击此处输入文字。",  # Word 2010
        "Click or tap here to enter text.",
        "点击此处输入文字",
    ],
)
def test_a_slot_left_with_words_prompt_is_empty(tmp_path: Path, slot: str) -> None:
    """Issue 13 item 1: the third slot still holding 「单击或点击此处输入文字。」 is no topic and
    no warning about its period."""
    form = parse_form(official_form(tmp_path / "f.docx", TWO, Layout(empty_slot=slot)))
    assert [t.title for t in form.topics] == [t.title for t in TWO.topics]
    assert form.warnings == []


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed"
)
def test_prompt_controls_saved_by_libreoffice_are_empty(tmp_path: Path) -> None:
    """LibreOffice keeps the content control but drops w:showingPlcHdr, leaving the prompt as
    the control's text: it is still no topic."""
    forms = [
        official_form(tmp_path / f"{slot}.docx", TWO, Layout(empty_slot=slot))
        for slot in ("control", "block-control")
    ]
    out = tmp_path / "lo"
    soffice = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            *map(str, forms),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for form in forms:
        saved = out / form.name
        assert WORD_PROMPT.encode() in zipfile.ZipFile(saved).read("word/document.xml")
        read = parse_form(saved)
        assert [t.title for t in read.topics] == [t.title for t in TWO.topics]
        assert read.warnings == []


@pytest.mark.parametrize("block", [False, True])
def test_a_filled_content_control_keeps_its_text(tmp_path: Path, block: bool) -> None:
    """Only a control still showing its prompt is empty: one the group typed into is read."""
    from docx import Document
    from docx.oxml.ns import qn

    path = official_form(tmp_path / "f.docx", TWO)
    doc = Document(str(path))
    for para in doc.element.body.iter(qn("w:p")):
        if "".join(t.text or "" for t in para.iter(qn("w:t"))) == TWO.topics[1].title:
            prompt_control(para, block=block, prompt=TWO.topics[1].title, filled=True)
            break
    doc.save(str(path))
    form = parse_form(path)
    assert [t.title for t in form.topics] == [t.title for t in TWO.topics]


def test_prompts_in_any_cell_read_as_empty(book: Path) -> None:
    """Item 1 in other cells: a prompt control in 地址, prompts as text in 邮箱 and a member
    cell and after a label typed by hand; the group's real values around them are kept."""
    spec = with_(
        address=PROMPT_CONTROL,
        email="Click or tap here to enter text.",
        members=(*SPEC.members, "单击此处输入文字。"),
        dept="芳烃厂生产技术科单击或点击此处输入文字。",
    )
    path = official_form(book.parent / "f.docx", spec)
    form = parse_form(path)
    assert (form.address, form.email, form.dept) == ("", "", "芳烃厂生产技术科")
    assert form.members == MEMBERS
    import_forms([path], book)
    group = values(book, schema.GROUP_SHEET)[1]
    assert (group["地址"], group["邮箱"], group["联系部门"]) == (None, None, "芳烃厂生产技术科")


def test_a_summary_left_as_a_prompt_control_is_reported(tmp_path: Path) -> None:
    path = official_form(
        tmp_path / "f.docx", with_(summary=(PROMPT_CONTROL,)), Layout(summary="below")
    )
    form = parse_form(path)
    assert form.summary == ""
    assert any("没有读到小组活动综述" in w for w in form.warnings)


@pytest.mark.parametrize("mark", ["/", "／", "—", "——", "－", "-", "无", "空"])
def test_a_struck_out_slot_is_empty(book: Path, mark: str) -> None:
    """Issue 13 item 2: a slot whose every field is a stroke or 无 / 空 is no topic, whether
    its boxes are kept unticked or struck out too."""
    struck = SpecTopic(mark, mark, mark)  # 外部认可 struck out as well
    for n, spec in enumerate((TWO, with_(topics=(*TWO.topics, struck)))):
        path = official_form(book.parent / f"f{n}.docx", spec, Layout(empty_slot=mark))
        form = parse_form(path)
        assert [t.title for t in form.topics] == [t.title for t in TWO.topics]
        assert form.warnings == []
    result = import_forms([book.parent / "f1.docx"], book)
    assert [g.topics for g in result.added] == [2]
    assert [t["课题名称"] for t in values(book, schema.TOPIC_SHEET)][-2:] == [
        t.title for t in TWO.topics
    ]


def test_a_single_struck_field_is_that_field_empty(book: Path) -> None:
    """Item 2: one stroke in one field empties that field only: the topic stays, without a
    period (and without a warning about one); a struck 邮箱 or member cell is empty."""
    topic = SpecTopic("提高加热炉热效率", "/", LOCAL)
    spec = with_(topics=(topic,), email="／", members=(*SPEC.members, "无", "—"))
    form = parse_form(official_form(book.parent / "f.docx", spec))
    assert [(t.title, t.period, t.start, t.recognition) for t in form.topics] == [
        ("提高加热炉热效率", "", None, LOCAL)
    ]
    assert form.warnings == []
    assert (form.email, form.members) == ("", MEMBERS)


@pytest.mark.parametrize("where", ["after", "below", "same"])
def test_older_summary_wording(tmp_path: Path, where: str) -> None:
    """Issue 13 item 3: 「小组近三年活动综述（限3000字）」 is the 综述's label too."""
    layout = Layout(summary=where, summary_label=OLD_SUMMARY_LABEL)
    assert_spec(parse_form(official_form(tmp_path / "f.docx", layout=layout)))


def test_every_form_without_a_summary_is_named_in_the_report(book: Path) -> None:
    """Item 3: a form that yields no 综述 (label there but empty, or no label xlqc knows)
    is named in the import report; the others are not."""
    folder = book.parent / "收件"
    official_form(folder / "有综述.docx", with_(name="甲QC小组"))
    official_form(folder / "空综述.docx", with_(name="乙QC小组", summary=()))
    official_form(
        folder / "无栏目.docx",
        with_(name="丙QC小组"),
        Layout(summary_label="小组基本情况介绍"),
    )
    result = import_forms([folder], book)
    assert result.no_summary == ["无栏目.docx", "空综述.docx"]
    lines = result.lines()
    assert "未读到活动综述的申报表：无栏目.docx、空综述.docx" in lines
    assert any(line.startswith("请核对「空综述.docx」：没有读到小组活动综述") for line in lines)
    assert any("无栏目.docx" in line and "没有找到综述栏目" in line for line in lines)
    assert not [w for w in result.warnings if w.file == "有综述.docx"]


def test_a_tick_typed_after_the_option(tmp_path: Path) -> None:
    """Issue 13 item 4: 「□国家级　□地方、行业级√」 (both boxes kept) is 地方、行业级."""
    topics = (
        SpecTopic("降低PX装置吸附剂损耗率", "2024.03—2024.11", "□国家级　□地方、行业级√"),
        SpecTopic("提高加热炉热效率", "2023.12—2024.06", "□国家级√　□地方、行业级"),
    )
    form = parse_form(official_form(tmp_path / "f.docx", with_(topics=topics)))
    assert [t.recognition for t in form.topics] == [LOCAL, NATIONAL]
    assert form.warnings == []


def test_ambiguous_ticks_import_none_and_name_the_form_and_topic(book: Path) -> None:
    """Item 4: ticks that cannot be told apart import 无 for a new topic, keep the
    workbook's value for a known one, and the report names the form and the topic."""
    unclear = "□国家级　√□地方、行业级"
    new = official_form(
        book.parent / "新小组.docx",
        with_(topics=(SpecTopic("提高加热炉热效率", "2023.12—2024.06", unclear),)),
    )
    known = official_form(
        book.parent / "泰州.docx",
        with_(
            org=GOOD_GROUP["组织名称"],
            name=GOOD_GROUP["小组名称"],
            topics=(
                SpecTopic(GOOD_TOPICS[0]["课题名称"], "2024.03—2024.11", "☑国家级 ☑地方、行业级"),
            ),
            members=(),
            summary=(),
            dept="",
            address="",
            contact="",
            phone="",
            email="",
        ),
    )
    result = import_forms([new, known], book, update=True)
    assert result.unclear_recognition == [
        "新小组.docx（课题「提高加热炉热效率」）",
        f"泰州.docx（课题「{GOOD_TOPICS[0]['课题名称']}」）",
    ]
    lines = result.lines()
    assert any(
        line.startswith("请核对「新小组.docx」：课题「提高加热炉热效率」：外部认可")
        and "已按「无」导入" in line
        for line in lines
    )
    assert any(line.startswith("未能读清外部认可的申报表：新小组.docx") for line in lines)
    model = read_book(book)
    assert [t.recognition for t in model.topics_of("G002")] == [NONE]
    assert model.topics_of("G001")[0].recognition == NATIONAL  # the workbook's value stands
    assert [g.code for g in result.unchanged] == ["G001"]


def test_a_form_date_to_the_month_agrees_with_the_workbooks_day(book: Path) -> None:
    """Issue 11 item 7: 2024.03—2024.11 on the form agrees with 2024-03-01 … 2024-11-30:
    no difference, and --update leaves the day dates as they are. A form more exact than
    the workbook (2025.3.10 against 2025.3) is a difference and is written."""
    topics = (
        SpecTopic(GOOD_TOPICS[0]["课题名称"], "2024.03—2024.11", NATIONAL),
        SpecTopic(GOOD_TOPICS[1]["课题名称"], "2025.03—2025.10", NONE),
    )
    same = with_(
        org=GOOD_GROUP["组织名称"],
        name=GOOD_GROUP["小组名称"],
        topics=topics,
        members=tuple(m["姓名"] for m in GOOD_MEMBERS),
        summary=(GOOD_GROUP["活动综述"],),
        dept=GOOD_GROUP["联系部门"],
        address=GOOD_GROUP["地址"],
        contact=GOOD_GROUP["直接联系人"],
        phone=GOOD_GROUP["电话"],
        email=GOOD_GROUP["邮箱"],
    )
    before = digest(book)
    result = import_forms([official_form(book.parent / "f.docx", same)], book, update=True)
    assert [g.code for g in result.unchanged] == ["G001"]
    assert digest(book) == before
    row = values(book, schema.TOPIC_SHEET)[0]
    assert (row["活动开始"], row["活动结束"]) == (datetime(2024, 3, 1), datetime(2024, 11, 30))

    exact = with_(
        same, topics=(topics[0], SpecTopic(topics[1].title, "2025.3.10-2025.10.20", NONE))
    )
    result = import_forms([official_form(book.parent / "g.docx", exact)], book, update=True)
    assert [d.line("G001") for g in result.updated for d in g.diffs] == [
        "小组 G001 课题「提高配网自动化终端在线率」活动开始：「2025年3月」→「2025-03-10」",
        "小组 G001 课题「提高配网自动化终端在线率」活动结束：「2025年10月」→「2025-10-20」",
    ]
    rows_ = values(book, schema.TOPIC_SHEET)
    assert rows_[0]["活动结束"] == datetime(2024, 11, 30)
    assert (rows_[1]["活动开始"], rows_[1]["活动结束"]) == (
        datetime(2025, 3, 10),
        datetime(2025, 10, 20),
    )


def test_a_groups_own_exported_form_imports_as_no_change(tmp_path: Path) -> None:
    """Issue 11 item 7 / issue 13: export the sample workbook (its G010 has four topics in
    the 统计期, G011 one outside it), import every 附件2 back with --update: nothing
    changes — no topic deleted, no day date turned into month text, the file untouched."""
    from xlqc.builder import demo_workbook
    from xlqc.documents import export
    from xlqc.validate import validate_book

    target = tmp_path / "样例" / "总表.xlsx"
    demo_workbook(target)
    checked = validate_book(target)
    assert checked.book is not None
    before_book = checked.book
    four = [g.code for g in before_book.groups if len(before_book.topics_of(g.code)) > 3]
    assert "G010" in four
    exported = export(before_book, checked.findings, tmp_path / "导出", include_all=True)
    forms = sorted(p for p in exported.files if p.parent.name == "附件2_申报表")
    assert len(forms) >= 11
    before = digest(target)
    result = import_forms(forms, target, update=True)
    assert not (result.updated or result.differing or result.added or result.failed)
    assert len(result.unchanged) == len(forms)
    assert result.backup is None and digest(target) == before
    after = read_book(target)
    big = [g.code for g in before_book.groups if len(before_book.members_of(g.code)) > 10]
    assert big  # G016: eleven members, ten cells on its form
    for code in big:
        assert [m.name for m in after.members_of(code)] == [
            m.name for m in before_book.members_of(code)
        ]
    for code in four:
        assert [(t.title, str(t.start), str(t.end)) for t in after.topics_of(code)] == [
            (t.title, str(t.start), str(t.end)) for t in before_book.topics_of(code)
        ]


def test_a_full_form_keeps_the_members_it_has_no_cell_for(tmp_path: Path) -> None:
    """The form has ten member cells: for a group of eleven, the ten it shows are no
    difference, and an update that renames one keeps every member it could not show."""
    eleven = [
        "王晓东",
        "李明",
        "张华",
        "刘洋",
        "陈静",
        "赵磊",
        "孙莉",
        "周杰",
        "吴昊",
        "郑爽",
        "冯远",
    ]
    members = [{"小组编号": "G001", "序号": i + 1, "姓名": n} for i, n in enumerate(eleven)]
    book = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, members)
    base = with_(
        org=GOOD_GROUP["组织名称"],
        name=GOOD_GROUP["小组名称"],
        topics=(),
        summary=(),
        dept="",
        address="",
        contact="",
        phone="",
        email="",
    )
    shown = official_form(tmp_path / "a.docx", with_(base, members=tuple(eleven[:10])))
    assert [g.code for g in import_forms([shown], book, update=True).unchanged] == ["G001"]

    renamed = [*eleven[:2], "周敏", *eleven[3:10]]
    form = official_form(tmp_path / "b.docx", with_(base, members=tuple(renamed)))
    result = import_forms([form], book, update=True)
    assert "  小组 G001 成员「张华」不在申报表中，保留" in result.lines()
    assert [m.name for m in read_book(book).members_of("G001")] == [*renamed, "张华", "冯远"]


def test_an_unreadable_period_never_replaces_the_workbooks_dates(book: Path) -> None:
    """Never less exact: 「2024年春季」 on the form is shown as a warning, but --update keeps
    the dates the workbook has for that topic."""
    topic = SpecTopic(GOOD_TOPICS[0]["课题名称"], "2024年春季", NATIONAL)
    spec = with_(org=GOOD_GROUP["组织名称"], name=GOOD_GROUP["小组名称"], topics=(topic,))
    result = import_forms([official_form(book.parent / "f.docx", spec)], book, update=True)
    assert not any("活动开始" in line for line in result.lines())
    row = values(book, schema.TOPIC_SHEET)[0]
    assert (row["活动开始"], row["活动结束"]) == (datetime(2024, 3, 1), datetime(2024, 11, 30))


def test_own_form_of_members_listed_out_of_row_order_is_no_change(tmp_path: Path) -> None:
    """附件2 prints members in 序号 order; a 成员 sheet sorted otherwise (序号 5 … 1 from the
    top) compares in the same order, so its own exported form is no change."""
    from xlqc.documents import export
    from xlqc.validate import validate_book

    write_proofs(tmp_path)
    members = [{**m, "序号": 5 - i} for i, m in enumerate(GOOD_MEMBERS)]
    book = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, members)
    checked = validate_book(book)
    assert checked.book is not None and not [f for f in checked.findings if f.severity == "error"]
    exported = export(checked.book, checked.findings, tmp_path / "导出")
    forms = [p for p in exported.files if p.parent.name == "附件2_申报表"]
    before = digest(book)
    result = import_forms(forms, book, update=True)
    assert [g.code for g in result.unchanged] == ["G001"]
    assert digest(book) == before
