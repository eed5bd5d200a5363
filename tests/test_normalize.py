"""规范文本 on saved workbooks (xlqc/normalize.py)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_SETTINGS, GOOD_TOPICS, write_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from xlqc import schema
from xlqc.errors import XlqcError
from xlqc.normalize import Change, describe, normalize_file, normalize_value
from xlqc.reading import read_book
from xlqc.text import text_issues

ORG = "国网江苏省电力有限公司泰州供电分公司"
MESSY_GROUP = dict(
    GOOD_GROUP,
    组织名称=f" {ORG}  ",  # B2
    小组名称="ＱＣ小组(配电运检)",  # C2
    注册编号="   ",  # E2: only spaces, cleared
    活动综述="\u3000\u3000小组成立于2019年,近三年完成课题三项。  \n\u3000\u3000成果显著。",  # K2
    推荐意见="该小组活动扎实\u200b，同意推荐。",  # L2
)
MESSY_TOPICS = [
    dict(
        GOOD_TOPICS[0],
        课题名称="降低配电线路故障停电时长 ",  # B2
        外部认可="国家级\u3000",  # F2: a choice column is text too
        成果报告=" proofs/report1.docx ",  # H2: a path column, left alone
    ),
    dict(GOOD_TOPICS[1], 活动开始=" 2025.3 "),  # C3: a date column, left alone
]
MESSY_MEMBERS = [dict(GOOD_MEMBERS[0], 姓名="王晓东\u200b"), *GOOD_MEMBERS[1:]]  # 成员!C2

EXPECTED = {
    ("小组", "B2"): ORG,
    ("小组", "C2"): "QC小组（配电运检）",
    ("小组", "E2"): "",
    ("小组", "K2"): "小组成立于2019年，近三年完成课题三项。\n成果显著。",
    ("小组", "L2"): "该小组活动扎实，同意推荐。",
    ("课题", "B2"): "降低配电线路故障停电时长",
    ("课题", "F2"): "国家级",
    ("成员", "C2"): "王晓东",
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cell_xml(path: Path, sheet: str, cell: str) -> str:
    """The raw <c> element of ``cell``, to see whether it is stored as a formula."""
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(sheet) + 1
    xml = zipfile.ZipFile(path).read(f"xl/worksheets/sheet{index}.xml").decode()
    match = re.search(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', xml)
    assert match, f"{sheet}!{cell} not in the sheet XML"
    return match.group(0)


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """A master workbook with messy text, plus everything normalize must not touch."""
    path = write_workbook(
        tmp_path / "总表.xlsx",
        [MESSY_GROUP],
        MESSY_TOPICS,
        MESSY_MEMBERS,
        dict(GOOD_SETTINGS, 推荐单位=" 江苏省质量协会  "),
    )
    wb = openpyxl.load_workbook(path)
    groups = wb[schema.GROUP_SHEET]
    groups["C1"] = " 小组名称 "  # a header with spaces: still found, never rewritten
    groups["O1"] = "备注"  # the clerk's own column
    groups["O2"] = "  自己的  备注 "
    groups["G2"] = " =1+1"  # 地址: text that becomes "=1+1"
    groups["H2"] = "=1+1"  # 直接联系人: text that looks like a formula, already clean
    groups["H2"].data_type = "s"
    groups["F2"] = '="运维  "&"检修部"'  # 联系部门: a real formula, never touched
    own = wb.create_sheet("备注")
    own["A1"] = "  自己的  表 "
    own["A2"] = CellRichText([TextBlock(InlineFont(b=True), "加粗"), "  普通 "])
    wb.save(path)
    # Excel stores a formula's last result; this one is messy text, so R17 sees it
    _cache_formula_result(path, "xl/worksheets/sheet2.xml", "F2", "运维  检修部")
    return path


def _cache_formula_result(path: Path, part: str, cell: str, text: str) -> None:
    """Give an openpyxl-written formula cell the cached text result Excel would have saved."""
    with zipfile.ZipFile(path) as zf:
        parts = {info: zf.read(info) for info in zf.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            if info.filename == part:
                xml, n = re.subn(
                    rf'<c r="{cell}"(.*?)<v\s*>\s*</v>|<c r="{cell}"(.*?)<v\s*/>',
                    lambda m: f'<c r="{cell}" t="str"{m.group(1) or m.group(2)}<v>{text}</v>',
                    data.decode(),
                    count=1,
                )
                assert n == 1, f"{cell} is not a formula cell without a result"
                data = xml.encode()
            zf.writestr(info, data)


def test_changes_are_listed_and_written(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "总表.规范.xlsx"
    changes = normalize_file(messy, out)
    got = {(c.sheet, c.cell): c.after for c in changes}
    assert got == {**EXPECTED, ("小组", "G2"): "=1+1"}
    assert all(c.before != c.after for c in changes)
    # in sheet order, then row, then column
    assert [c.sheet for c in changes] == sorted(
        (c.sheet for c in changes), key=list(schema.DATA_SHEETS).index
    )
    wb = openpyxl.load_workbook(out)
    for (sheet, cell), after in EXPECTED.items():
        assert wb[sheet][cell].value == (after or None), f"{sheet}!{cell}"


def test_output_has_no_text_issues_left(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "规范.xlsx"
    normalize_file(messy, out)
    book = read_book(out)
    for row in [*book.groups, *book.topics, *book.members]:
        for col in schema.DATA_SHEETS[row.sheet]:
            value = row.raw.get(col.field)
            where = f"{row.sheet}!{row.cell(col.field)}"
            if where == "小组!F2":  # a formula: never rewritten, its cached value kept as is
                assert value == "运维  检修部"
                continue
            if col.kind in ("text", "choice", "longtext") and isinstance(value, str):
                assert text_issues(value) == [], where
    # and the book still reads the same where nothing was wrong
    assert book.groups[0].registered == read_book(messy).groups[0].registered
    assert [m.name for m in book.members] == ["王晓东", "李明", "张华", "刘洋", "陈静"]


def test_source_is_byte_identical(messy: Path, tmp_path: Path) -> None:
    before = _digest(messy)
    normalize_file(messy, tmp_path / "规范.xlsx")
    assert _digest(messy) == before


def test_what_is_not_text_data_is_untouched(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "规范.xlsx"
    normalize_file(messy, out)
    wb = openpyxl.load_workbook(out, rich_text=True)
    groups, topics = wb[schema.GROUP_SHEET], wb[schema.TOPIC_SHEET]
    assert groups["C1"].value == " 小组名称 "  # header
    assert groups["O2"].value == "  自己的  备注 "  # the clerk's own column
    assert groups["F2"].data_type == "f"  # formula
    assert groups["F2"].value == '="运维  "&"检修部"'
    assert topics["H2"].value == " proofs/report1.docx "  # path column
    assert topics["C3"].value == " 2025.3 "  # date column
    assert groups["D2"].value.date() == date(2019, 3, 1)  # a real date stays a date
    settings = {r[0].value: r[1].value for r in wb[schema.SETTINGS_SHEET].iter_rows()}
    assert settings["推荐单位"] == " 江苏省质量协会  "
    own = wb["备注"]
    assert own["A1"].value == "  自己的  表 "
    assert isinstance(own["A2"].value, CellRichText)  # in-cell formatting kept
    assert str(own["A2"].value) == "加粗  普通 "


def test_text_that_looks_like_a_formula_stays_text(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "规范.xlsx"
    normalize_file(messy, out)
    for cell in ("G2", "H2"):
        xml = _cell_xml(out, schema.GROUP_SHEET, cell)
        assert "<f>" not in xml and "=1+1" in xml, xml
    assert "<f>" in _cell_xml(out, schema.GROUP_SHEET, "F2")
    assert read_book(out).groups[0].address == "=1+1"


def test_formula_result_is_seen_but_the_formula_is_kept(messy: Path, tmp_path: Path) -> None:
    assert read_book(messy).groups[0].raw["dept"] == "运维  检修部"  # what R17 reports
    changes = normalize_file(messy, tmp_path / "规范.xlsx")
    assert ("小组", "F2") not in {(c.sheet, c.cell) for c in changes}


def test_nothing_to_fix_writes_nothing(good_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "规范.xlsx"
    assert normalize_file(good_book, out) == []
    assert not out.exists()


def test_in_place_replaces_the_file(messy: Path) -> None:
    changes = normalize_file(messy, messy)
    assert len(changes) == len(EXPECTED) + 1
    assert normalize_file(messy, messy) == []  # a second run finds nothing
    assert read_book(messy).groups[0].org == ORG


def test_headers_below_a_title_row(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, MESSY_MEMBERS)
    wb = openpyxl.load_workbook(path)
    wb[schema.MEMBER_SHEET].insert_rows(1)
    wb[schema.MEMBER_SHEET]["A1"] = "  成员名单  "  # a title row above the headers
    wb.save(path)
    changes = normalize_file(path, tmp_path / "规范.xlsx")
    assert [(c.sheet, c.cell, c.after) for c in changes] == [("成员", "C3", "王晓东")]
    out = openpyxl.load_workbook(tmp_path / "规范.xlsx")
    assert out[schema.MEMBER_SHEET]["A1"].value == "  成员名单  "


def test_rich_text_data_cell_is_fixed_as_plain_text(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    wb = openpyxl.load_workbook(path, rich_text=True)
    wb[schema.GROUP_SHEET]["C2"] = CellRichText(
        ["配电运检", TextBlock(InlineFont(b=True), "QC小组  ")]
    )
    wb.save(path)
    changes = normalize_file(path, tmp_path / "规范.xlsx")
    assert [(c.cell, c.before, c.after) for c in changes] == [
        ("C2", "配电运检QC小组  ", "配电运检QC小组")
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("坏.xlsx", b"this is not a zip file"),
        ("空.xlsx", b""),
        ("名单.csv", "小组编号,组织名称\nG001,国网".encode()),
        ("旧.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
    ],
)
def test_broken_input_is_a_chinese_error(tmp_path: Path, name: str, content: bytes) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "规范.xlsx"
    with pytest.raises(XlqcError) as err:
        normalize_file(src, out)
    assert name in str(err.value)
    assert not out.exists()


def test_missing_sheet_is_a_chinese_error(tmp_path: Path) -> None:
    path = tmp_path / "总表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    with pytest.raises(XlqcError, match="缺少工作表"):
        normalize_file(path, tmp_path / "规范.xlsx")


def test_describe() -> None:
    line = describe(Change("小组", "B3", f" {ORG}  ", ORG, "组织名称"))
    assert line == f"小组!B3（组织名称）：「 {ORG}  」→「{ORG}」"
    # invisible characters are named, a cleared cell says so
    assert "[零宽空格]" in describe(Change("成员", "C2", "王晓东\u200b", "王晓东"))
    assert "[全角空格]" in describe(Change("课题", "F2", "国家级\u3000", "国家级"))
    assert describe(Change("小组", "E2", "   ", "", "注册编号")).endswith("（清空）")


def test_describe_shortens_long_text_around_the_change() -> None:
    paragraph = "小组围绕降低配电线路故障停电时长开展活动，取得显著成效。" * 30
    before = paragraph + "  \n第二段,内容" + paragraph
    after = paragraph + "\n第二段，内容" + paragraph
    line = describe(Change("小组", "K2", before, after, "活动综述"))
    assert len(line) < 200
    assert "  ↵第二段,内容" in line and "↵第二段，内容" in line
    assert line.count("…") >= 4  # elided on both sides of both values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" ＱＣ小组 ", "QC小组"),
        ("配电(运检)", "配电（运检）"),
        (13812345678, 13812345678),
        (None, None),
        (date(2019, 3, 1), date(2019, 3, 1)),
        (2023.5, 2023.5),
        (True, True),
    ],
)
def test_normalize_value(value: Any, expected: Any) -> None:
    assert normalize_value(value) == expected
