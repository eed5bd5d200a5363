"""In-cell marks, 校验状态, 校验结果 and clearing, on real .xlsx files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from xlqc import schema
from xlqc.findings import Finding
from xlqc.marks import (
    RESULT_HEADERS,
    clear_file,
    clerk_note,
    group_status,
    mark_file,
    mark_plan,
    merge_note,
    result_rows,
    row_status,
    status_text,
)
from xlqc.model import Book
from xlqc.reading import read_book
from xlqc.statesheet import STATE_HEADER, STATE_SHEET, SavedCell

G = schema.GROUP_SHEET
CLERK_NOTE = "请核对注册证书原件"
CLERK_SHEET = "我的备注"


def finding(rule: str, severity: str, sheet: str, cell: str, group: str, message: str) -> Finding:
    return Finding(
        file="总表.xlsx",
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        sheet=sheet,
        cell=cell,
        group=group,
        message=message,
    )


FINDINGS = [
    finding("R19", "error", schema.SETTINGS_SHEET, "B2", "", "推荐单位为空"),
    finding("R17", "warning", G, "B2", "G001", "=SUM(1) 组织名称含多余空格"),
    finding("R02", "error", G, "D2", "G001", "小组!D2 注册日期 2024-03-01 未满三年"),
    finding("R17", "warning", G, "D2", "G001", "注册日期含全角空格"),
    finding("R03", "error", G, "A3", "G002", "近三年完成课题 0 项，至少 2 项"),
    finding("R18", "info", schema.TOPIC_SHEET, "D2", "G001", "课题不在统计期内"),
    finding("R05", "error", schema.MEMBER_SHEET, "C3", "G001", "小组成员 11 人，超过 10 人"),
    finding("R14", "error", schema.MEMBER_SHEET, "D7", "G002", "无能力证明"),
]


@pytest.fixture
def clerk_book(tmp_path: Path) -> Path:
    """Two groups (G002 not recommended) plus what a clerk adds by hand: fills and comments
    (some on cells xlqc marks), an own sheet, a data validation, a conditional format and a
    defined name."""
    second = {**GOOD_GROUP, "小组编号": "G002", "小组名称": "设备QC小组", "是否推荐": "否"}
    members = [*GOOD_MEMBERS, {"小组编号": "G002", "序号": 1, "姓名": "赵六"}]
    path = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP, second], GOOD_TOPICS, members)
    wb = openpyxl.load_workbook(path)
    ws = wb[G]
    ws["D2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["D2"].comment = Comment(CLERK_NOTE, "王会计")
    ws["B2"].fill = PatternFill("solid", fgColor=Color(theme=4, tint=0.3999755851924192))
    ws["E2"].fill = PatternFill("solid", fgColor="FF0000")  # not marked: must stay as is
    ws["E2"].comment = Comment("联系部门已改名", "王会计")
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    dv.add("M2:M500")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add(
        "K2:K500",
        CellIsRule(operator="equal", formula=['"待补"'], fill=PatternFill("solid", "FFC000")),
    )
    wb.defined_names["推荐单位名称"] = DefinedName("推荐单位名称", attr_text="设置!$B$2")
    own = wb.create_sheet(CLERK_SHEET)
    own["A1"] = "待办：催 G002 补材料"
    wb.save(path)
    return path


def snapshot(path: Path) -> dict[str, Any]:
    """Everything marking may touch, for whole-workbook comparisons."""
    wb = openpyxl.load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                fg = c.fill.fgColor if c.fill.patternType else None
                fill = (c.fill.patternType, fg.type, fg.value, fg.tint) if fg else None
                comment = c.comment.text if c.comment else None
                if c.value is not None or fill or comment:
                    cells[(ws.title, c.coordinate)] = (c.value, fill, comment)
    return {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "cells": cells,
        "validations": {ws.title: len(ws.data_validations.dataValidation) for ws in wb},
        "formats": {ws.title: len(list(ws.conditional_formatting)) for ws in wb},
        "names": sorted(wb.defined_names),
    }


def marked(clerk_book: Path, findings: list[Finding] = FINDINGS) -> Path:
    out = clerk_book.with_name("已标记.xlsx")
    mark_file(clerk_book, out, read_book(clerk_book), findings)
    return out


def test_marks_fill_and_note_every_finding_of_a_cell(clerk_book: Path) -> None:
    wb = openpyxl.load_workbook(marked(clerk_book))
    ws = wb[G]
    d2 = ws["D2"]
    assert d2.fill.patternType == "solid"
    assert d2.fill.fgColor.rgb[-6:] == schema.FILLS["error"]  # worst of error + warning
    assert d2.comment.text == (
        f"{CLERK_NOTE}\n\n{schema.NOTE_PREFIX}\n"
        "[R02 错误] 注册日期 2024-03-01 未满三年\n[R17 警告] 注册日期含全角空格"
    )
    assert d2.comment.author == "王会计"
    assert ws["B2"].fill.fgColor.rgb[-6:] == schema.FILLS["warning"]
    assert ws["B2"].comment.text.startswith(schema.NOTE_PREFIX)
    assert wb[schema.TOPIC_SHEET]["D2"].fill.fgColor.rgb[-6:] == schema.FILLS["info"]
    assert "[R19 错误] 推荐单位为空" in wb[schema.SETTINGS_SHEET]["B2"].comment.text
    # what xlqc did not mark stays the clerk's
    assert ws["E2"].fill.fgColor.rgb[-6:] == "FF0000"
    assert ws["E2"].comment.text == "联系部门已改名"
    assert ws["C2"].comment is None
    assert wb[CLERK_SHEET]["A1"].value == "待办：催 G002 补材料"


def test_status_column_counts_topic_and_member_findings(clerk_book: Path) -> None:
    wb = openpyxl.load_workbook(marked(clerk_book))
    status = [c.value for c in wb[G]["N"]]
    assert status == [schema.column(G, "status").header, "2 错误 2 警告", "不推荐（2 错误）"]


def test_result_sheet_rows_links_and_text(clerk_book: Path) -> None:
    wb = openpyxl.load_workbook(marked(clerk_book))
    ws = wb[schema.RESULT_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == RESULT_HEADERS
    assert len(rows) == 1 + len(FINDINGS)
    assert rows[3][:6] == (3, "错误", rows[3][2], "G001", G, "D2")
    assert rows[3][2].startswith("R02")
    assert rows[3][6] == "注册日期 2024-03-01 未满三年"  # the cell is in its own columns
    assert rows[1][3] is None and rows[1][4] == schema.SETTINGS_SHEET  # no group for 设置
    assert [c.hyperlink.location for c in ws["F"][1:]] == [
        f"'{f.sheet}'!{f.cell}" for f in FINDINGS
    ]
    formula_like = ws["G3"]
    assert formula_like.value == "=SUM(1) 组织名称含多余空格"
    assert formula_like.data_type == "s"
    assert ws["B2"].fill.fgColor.rgb[-6:] == schema.FILLS["error"]
    assert ws["B3"].fill.fgColor.rgb[-6:] == schema.FILLS["warning"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:G{len(FINDINGS) + 1}"
    assert wb[STATE_SHEET].sheet_state == "veryHidden"


def test_result_sheet_without_findings(clerk_book: Path) -> None:
    wb = openpyxl.load_workbook(marked(clerk_book, []))
    assert wb[schema.RESULT_SHEET]["A2"].value == "未发现问题"
    assert [c.value for c in wb[G]["N"]][1:] == ["通过", "不推荐"]


def test_marking_twice_equals_marking_once(clerk_book: Path) -> None:
    once = marked(clerk_book)
    twice = clerk_book.with_name("twice.xlsx")
    mark_file(once, twice, read_book(once), FINDINGS)
    assert snapshot(twice) == snapshot(once)


def test_mark_then_clear_gives_back_the_clerks_workbook(clerk_book: Path) -> None:
    before = snapshot(clerk_book)
    out = marked(clerk_book)
    assert snapshot(out) != before
    cleared = clerk_book.with_name("cleared.xlsx")
    assert clear_file(out, cleared) == len(mark_plan(Book(), FINDINGS))
    after = snapshot(cleared)
    assert after == before
    theme_fill = openpyxl.load_workbook(cleared)[G]["B2"].fill.fgColor
    assert (theme_fill.theme, theme_fill.tint) == (4, 0.3999755851924192)


def test_new_findings_replace_old_marks(clerk_book: Path) -> None:
    out = marked(clerk_book)
    fixed = [f for f in FINDINGS if f.cell != "D2"]
    again = clerk_book.with_name("again.xlsx")
    mark_file(out, again, read_book(out), fixed)
    wb = openpyxl.load_workbook(again)
    assert wb[G]["D2"].comment.text == CLERK_NOTE
    assert wb[G]["D2"].fill.fgColor.rgb[-6:] == "FFFF00"
    assert wb[G]["N2"].value == "1 错误 1 警告"
    assert wb[schema.RESULT_SHEET].max_row == 1 + len(fixed)


def test_source_is_untouched_and_in_place_works(clerk_book: Path) -> None:
    original = clerk_book.read_bytes()
    marked(clerk_book)
    assert clerk_book.read_bytes() == original
    before = snapshot(clerk_book)
    mark_file(clerk_book, clerk_book, read_book(clerk_book), FINDINGS)
    assert openpyxl.load_workbook(clerk_book)[G]["D2"].comment.text.endswith("全角空格")
    clear_file(clerk_book, clerk_book)
    assert snapshot(clerk_book) == before


def test_clear_keeps_what_the_clerk_changed_after_marking(clerk_book: Path) -> None:
    out = marked(clerk_book)
    wb = openpyxl.load_workbook(out)
    ws = wb[G]
    ws["D2"].fill = PatternFill("solid", fgColor="00B050")  # re-coloured by the clerk
    ws["D2"].comment = Comment(ws["D2"].comment.text.replace(CLERK_NOTE, "已核对"), "王会计")
    ws["A3"].comment = Comment("新批注", "王会计")  # xlqc's note replaced by the clerk
    wb.save(out)
    cleared = clerk_book.with_name("cleared.xlsx")
    clear_file(out, cleared)
    ws = openpyxl.load_workbook(cleared)[G]
    assert ws["D2"].fill.fgColor.rgb[-6:] == "00B050"
    assert ws["D2"].comment.text == "已核对"
    assert ws["A3"].comment.text == "新批注"
    assert ws["A3"].fill.patternType is None  # xlqc's fill was still there: removed


def test_status_header_added_when_missing(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "旧表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    wb = openpyxl.load_workbook(path)
    wb[G].delete_cols(14)  # 校验状态
    wb[G]["O1"] = "备注"  # a clerk's column after a gap
    wb.save(path)
    out = tmp_path / "out.xlsx"
    mark_file(path, out, read_book(path), [])
    ws = openpyxl.load_workbook(out)[G]
    assert (ws["P1"].value, ws["P2"].value) == (schema.column(G, "status").header, "通过")
    assert ws["O1"].value == "备注"
    again = tmp_path / "again.xlsx"
    mark_file(out, again, read_book(out), [])  # re-marking adds the header once more
    assert openpyxl.load_workbook(again)[G]["P1"].value == schema.column(G, "status").header
    assert again.read_bytes() == out.read_bytes()
    clear_file(out, out)  # the header xlqc added goes too: clear gives back the book
    ws = openpyxl.load_workbook(out)[G]
    assert (ws["P1"].value, ws["P2"].value) == (None, None)
    assert ws["O1"].value == "备注"


def test_mark_plan_merges_a_cells_findings_in_order() -> None:
    plan = mark_plan(Book(), [*reversed(FINDINGS), FINDINGS[2]])  # duplicate finding
    assert [(m.sheet, m.cell) for m in plan] == [
        (schema.SETTINGS_SHEET, "B2"),
        (G, "B2"),
        (G, "D2"),
        (G, "A3"),
        (schema.TOPIC_SHEET, "D2"),
        (schema.MEMBER_SHEET, "C3"),
        (schema.MEMBER_SHEET, "D7"),
    ]
    d2 = plan[2]
    assert d2.severity == "error"
    assert d2.note.splitlines() == [
        schema.NOTE_PREFIX,
        "[R02 错误] 注册日期 2024-03-01 未满三年",
        "[R17 警告] 注册日期含全角空格",
    ]


def test_findings_without_a_cell_are_listed_but_not_marked() -> None:
    loose = finding("R09", "error", "", "", "G001", "小组重复")
    assert mark_plan(Book(), [loose]) == []
    assert result_rows([loose]) == [
        (1, "错误", result_rows([loose])[0][2], "G001", "", "", "小组重复")
    ]


def test_status_text() -> None:
    err = finding("R02", "error", G, "D2", "G001", "x")
    warn = finding("R17", "warning", G, "B2", "G001", "y")
    info = finding("R18", "info", schema.TOPIC_SHEET, "D2", "G001", "z")
    assert status_text([]) == "通过"
    assert status_text([info]) == "通过"
    assert status_text([warn, info]) == "通过（1 警告）"
    assert status_text([err, err, warn]) == "2 错误 1 警告"
    assert status_text([], recommended=False) == "不推荐"
    assert status_text([err], recommended=False) == "不推荐（1 错误）"


def test_group_rows_without_code_count_their_own_row(tmp_path: Path) -> None:
    blank_code = {**GOOD_GROUP, "小组编号": None, "小组名称": "无编号小组"}
    path = write_workbook(tmp_path / "a.xlsx", [GOOD_GROUP, blank_code], GOOD_TOPICS, GOOD_MEMBERS)
    book = read_book(path)
    found = [
        finding("R01", "error", G, "A3", "", "小组编号为空"),
        finding("R19", "error", schema.SETTINGS_SHEET, "B2", "", "推荐单位为空"),
    ]
    assert row_status(book, found) == {2: "通过", 3: "1 错误"}
    assert group_status(book, found) == {"G001": "通过"}


def test_notes_and_state_rows_round_trip() -> None:
    assert clerk_note(merge_note(CLERK_NOTE, f"{schema.NOTE_PREFIX}\n[R02 错误] x")) == CLERK_NOTE
    assert clerk_note(merge_note(None, f"{schema.NOTE_PREFIX}\n[R02 错误] x")) is None
    assert clerk_note("没有标记的批注") == "没有标记的批注"
    saved = SavedCell(G, "D2", "FFFFFF00", "solid", "theme:4:0.4", "=原批注", "王会计")
    assert len(saved.to_row()) == len(STATE_HEADER)
    assert SavedCell.from_row(saved.to_row()) == saved
    assert SavedCell.from_row(["cell", G, "D2", None]) == SavedCell(G, "D2")
    assert SavedCell.from_row([None, None]) is None
    assert SavedCell.from_row(["cell", G, "不是单元格", "{}"]) is None
    assert SavedCell.from_row(["cell", G, "D2", "{坏的"]) is None
    assert SavedCell.from_row(["advice", G, "K2", "{}"]) is None  # another kind of record
    long = SavedCell(G, "D2", comment="长" * 70000)
    assert len(long.to_row()) > len(STATE_HEADER)  # split over cells of 30,000 characters
    assert SavedCell.from_row(long.to_row()) == long
