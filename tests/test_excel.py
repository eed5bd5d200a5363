"""The Excel front end against the xlwings double: same findings and marks as the file path,
clearing gives the clerk's workbook back, failures become message boxes, and the number of
calls to Excel does not grow with the number of rows."""

from __future__ import annotations

import inspect
import shutil
import sys
import tempfile
import types
import zipfile
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings.main as real
import xlwings_double as xd
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from xlqc import marks, safeio, schema, statesheet
from xlqc.excel import handlers, on_ribbon, read_live_book
from xlqc.excel.live import ADDRESS_LIMIT, join_addresses
from xlqc.excel.marking import saved_fill
from xlqc.marks import clear_file, mark_file
from xlqc.reading import read_book
from xlqc.rules import check
from xlqc.statesheet import STATE_SHEET

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "workbook" / "示例总表.xlsx"
BOOK_SHEETS = (schema.SETTINGS_SHEET, schema.GROUP_SHEET, schema.TOPIC_SHEET, schema.MEMBER_SHEET)
YELLOW, GREEN = (255, 255, 0), (0, 176, 80)


# --------------------------------------------------------------------------------------------
# Workbooks


def clerk_book(folder: Path) -> Path:
    """Groups with breaches of several rules, user text that looks like formulas and numbers,
    and the clerk's own fills and notes, some on cells xlqc will mark."""
    write_proofs(folder)
    bad = dict(
        GOOD_GROUP,
        小组编号="G002",
        组织名称=" 泰州 供电公司",  # R17
        电话="12345",  # R13
        注册日期="2025年1月",  # R02
    )
    odd = dict(
        GOOD_GROUP,
        小组编号="G004",
        小组名称="=SUM(A1:A3)",
        直接联系人="@张三",
        电话="0523-86012345",
    )
    formula_like = dict(GOOD_GROUP, 小组编号="=G5", 小组名称="=G5小组")  # text, never a formula
    topics = [*GOOD_TOPICS, *(dict(t, 小组编号="G004") for t in GOOD_TOPICS)]
    topics.append(dict(GOOD_TOPICS[0], 小组编号="G999"))  # R10
    members = [*GOOD_MEMBERS, *(dict(m, 小组编号="G004") for m in GOOD_MEMBERS)]
    path = write_workbook(
        folder / "总表.xlsx", [GOOD_GROUP, bad, odd, formula_like], topics, members
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    ws["B3"].fill = PatternFill("solid", fgColor="FFFF00")  # marked by R17
    ws["B3"].comment = Comment("请核实公章名称", "clerk")
    ws["C2"].fill = PatternFill("solid", fgColor="00B050")  # never marked
    ws["I3"].comment = Comment("电话待补", "clerk")  # marked by R13
    for typed_as_text in ("C4", "A5", "C5"):  # text the clerk typed, not formulas
        ws[typed_as_text].data_type = "s"
    wb.save(path)
    return path


def clean_book(folder: Path, groups: int, bad_phones: int = 0) -> Path:
    """``groups`` groups that pass every rule; the first ``bad_phones`` have a wrong 电话."""
    write_proofs(folder)
    rows, topics, members = [], [], []
    for i in range(groups):
        code = f"G{i + 1:04d}"
        phone = "12345" if i < bad_phones else GOOD_GROUP["电话"]
        rows.append(dict(GOOD_GROUP, 小组编号=code, 小组名称=f"配电运检QC小组{i + 1}", 电话=phone))
        topics += [dict(t, 小组编号=code) for t in GOOD_TOPICS]
        members += [dict(m, 小组编号=code) for m in GOOD_MEMBERS]
    return write_workbook(folder / f"总表{groups}.xlsx", rows, topics, members)


def stores(book: xd.Book, names: tuple[str, ...] = BOOK_SHEETS) -> dict[str, Any]:
    """What the clerk sees of each sheet: values, formulas, fills and notes."""
    return {
        n: (s._values.copy(), s._formulas.copy(), s._colors.copy(), s._notes.copy())
        for n in names
        for s in [xd.sheet(book, n)]
    }


def press(book: xd.Book, button: str) -> str:
    """Press a ribbon button; the one message box it shows."""
    shown = len(xd.alerts(book))
    on_ribbon(button, book)
    assert len(xd.alerts(book)) == shown + 1, "exactly one message box per button"
    assert book.app._screen_updating and book.app._enable_events  # restored
    return xd.alerts(book)[-1][0]


def names(book: xd.Book) -> list[str]:
    return [s._name for s in book._sheets]


# --------------------------------------------------------------------------------------------
# The double is a faithful subset of xlwings


DOUBLES = {
    xd.App: real.App,
    xd.Books: real.Books,
    xd.Book: real.Book,
    xd.Sheets: real.Sheets,
    xd.Sheet: real.Sheet,
    xd.Range: real.Range,
    xd.Note: real.Note,
    xd.Font: real.Font,
}


@pytest.mark.parametrize("double", DOUBLES, ids=lambda c: c.__name__)
def test_double_offers_only_what_xlwings_has(double: type) -> None:
    original = DOUBLES[double]
    for name, member in vars(double).items():
        if name.startswith("_") and name not in ("__len__", "__iter__", "__getitem__"):
            continue
        assert hasattr(original, name), f"xlwings.{original.__name__} has no {name}"
        theirs = inspect.getattr_static(original, name)
        assert isinstance(member, property) == isinstance(theirs, property), name
        if isinstance(member, property):
            assert (member.fset is None) or (theirs.fset is not None), f"{name} is read-only"
        elif callable(member) and not isinstance(member, property):
            ours = inspect.signature(member).parameters
            real_params = inspect.signature(getattr(original, name)).parameters
            extra = [
                p for p in ours if p not in real_params and ours[p].kind != ours[p].VAR_KEYWORD
            ]
            assert not extra, f"{original.__name__}.{name} has no parameters {extra}"


def test_double_behaves_like_excel_where_xlqc_relies_on_it(tmp_path: Path) -> None:
    book = xd.load(clean_book(tmp_path, 1))
    sheet = book.sheets[schema.GROUP_SHEET]
    sheet.range("A10").value = [["'=1+1"], ["0523"], ["'0523"], ['=HYPERLINK("#\'小组\'!A1","A1")']]
    assert sheet.range((10, 1), (13, 1)).value == ["=1+1", 523.0, "0523", "A1"]
    with pytest.raises(ValueError, match="255"):
        sheet.range(",".join(f"A{i}" for i in range(1, 80))).color = YELLOW
    sheet.range("B2").add_note("x")
    with pytest.raises(ValueError, match="already"):
        sheet.range("B2").add_note("y")
    assert sheet.range("A1").options(ndim=2).value == [["小组编号"]]


# --------------------------------------------------------------------------------------------
# One reading path


@pytest.mark.parametrize("which", ["sample", "clerk"])
def test_live_path_and_file_path_give_the_same_findings(which: str, tmp_path: Path) -> None:
    path = SAMPLE if which == "sample" else clerk_book(tmp_path)
    if not path.exists():
        pytest.skip("workbook/示例总表.xlsx not built yet (xlqc.builder)")
    from_file = check(read_book(path), file=str(path))
    live = read_live_book(xd.load(path))
    assert live.path == path
    assert check(live, file=str(path)) == from_file
    assert len({f.rule for f in from_file}) >= 5  # a sample that exercises the rules


@pytest.mark.parametrize("form", ["number", "date", "text"])
def test_a_1904_workbook_live_gives_the_file_paths_findings(form: str, tmp_path: Path) -> None:
    """Excel hands numbers in date columns over as they are: the live reader must read them in
    the workbook's own date system (Workbook.Date1904), as the file reader does."""
    from test_dates import _dated_book

    path = _dated_book(tmp_path, form, date1904=True)
    live = read_live_book(xd.load(path))
    assert live.date1904
    assert check(live, file=str(path)) == check(read_book(path), file=str(path))


def test_reading_costs_a_fixed_number_of_reads_per_sheet(tmp_path: Path) -> None:
    book = xd.load(clean_book(tmp_path, 30))
    read_live_book(book)
    calls = xd.calls(book)
    assert calls["Range.value.get"] == 4
    assert calls["Sheet.used_range"] == 4
    assert (
        sum(calls.values()) <= 4 * 8 + 3
    )  # a handful per sheet (its visibility: the state sheet), 3 per book


# --------------------------------------------------------------------------------------------
# 校验 and 清除标记


def test_validate_marks_the_book_as_the_file_path_does(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    live = xd.load(path)
    message = press(live, "validate")
    book = read_book(path)
    findings = check(book, file=str(path))
    assert f"错误 {sum(f.severity == 'error' for f in findings)} 条" in message
    assert "「校验结果」" in message
    mark_file(path, tmp_path / "marked.xlsx", book, findings)
    marked = xd.load(tmp_path / "marked.xlsx")
    assert names(live) == names(marked) == [*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET]
    assert stores(live) == stores(marked)
    result_live = xd.sheet(live, schema.RESULT_SHEET)
    result_file = xd.sheet(marked, schema.RESULT_SHEET)
    assert result_live._values == result_file._values
    assert result_live._colors == result_file._colors
    assert live.sheets.active._name == schema.RESULT_SHEET
    assert not xd.sheet(live, STATE_SHEET)._visible

    def state(book: xd.Book) -> list[tuple[str, str, Any, str]]:
        grid = xd.sheet(book, STATE_SHEET)._values
        rows = max(r for r, _ in grid)
        saved = [
            statesheet.SavedCell.from_row([grid.get((r, c)) for c in range(1, 8)])
            for r in range(2, rows + 1)
        ]
        return [(s.sheet, s.cell, saved_fill(s), s.comment) for s in saved if s]

    assert state(live) == state(marked)
    assert (schema.GROUP_SHEET, "B3", YELLOW, "请核实公章名称") in state(live)


def test_a_missing_status_column_is_added_as_the_file_path_adds_it(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET].delete_cols(14)  # 校验状态
    wb[schema.GROUP_SHEET]["P1"] = "备注"  # a column of the clerk's own, after a gap
    wb.save(path)
    live = xd.load(path)
    press(live, "validate")
    book = read_book(path)
    mark_file(path, tmp_path / "marked.xlsx", book, check(book))
    marked = xd.load(tmp_path / "marked.xlsx")
    assert xd.sheet(live, schema.GROUP_SHEET)._values[(1, 17)] == "校验状态"
    assert stores(live) == stores(marked)
    press(live, "clear")
    assert xd.sheet(live, schema.GROUP_SHEET)._values[(1, 17)] == "校验状态"  # header stays
    assert not any(c == 17 for r, c in xd.sheet(live, schema.GROUP_SHEET)._values if r > 1)


def test_validate_twice_equals_validate_once(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    once = stores(live, (*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET))
    press(live, "validate")
    assert stores(live, (*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET)) == once
    assert names(live).count(schema.RESULT_SHEET) == 1


def test_clear_gives_back_exactly_what_the_clerk_had(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    before = stores(live)
    press(live, "validate")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._notes[xd.key("B3")].startswith("请核实公章名称\n\n【xlqc】")
    assert group_sheet._colors[xd.key("B3")] == (255, 235, 156)
    message = press(live, "clear")
    assert "恢复" in message
    assert stores(live) == before
    assert names(live) == list(BOOK_SHEETS)
    assert press(live, "clear").startswith("已清除")  # nothing left: still fine


def test_a_fill_the_clerk_changed_after_validating_is_kept(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    xd.sheet(live, schema.GROUP_SHEET)._colors[xd.key("I3")] = GREEN  # the clerk recolours
    press(live, "clear")
    assert xd.sheet(live, schema.GROUP_SHEET)._colors[xd.key("I3")] == GREEN


def test_a_cell_that_takes_no_note_is_still_filled_and_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel refuses a note on a cell holding a threaded comment (Microsoft 365)."""
    live = xd.load(clerk_book(tmp_path))
    before = stores(live)

    def refuse(self: xd.Range, text: str) -> None:
        raise RuntimeError("cell has a threaded comment")

    monkeypatch.setattr(xd.Range, "add_note", refuse)
    press(live, "validate")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._colors[xd.key("A3")] == (255, 199, 206)  # marked by its fill
    assert xd.key("A3") not in group_sheet._notes
    press(live, "clear")
    assert stores(live) == before


def test_marks_cross_between_the_file_path_and_the_live_path(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    original = stores(xd.load(path))
    # marked from the command line, cleared in Excel
    book = read_book(path)
    marked = tmp_path / "marked.xlsx"
    mark_file(path, marked, book, check(book))
    in_excel = xd.load(marked)
    press(in_excel, "clear")
    assert stores(in_excel) == original
    # marked in Excel, saved, cleared from the command line
    live = xd.load(path)
    press(live, "validate")
    saved = xd.dump(live, tmp_path / "saved.xlsx")
    clear_file(saved, tmp_path / "cleared.xlsx")
    cleared = xd.load(tmp_path / "cleared.xlsx")
    assert names(cleared) == list(BOOK_SHEETS)
    assert stores(cleared) == original


def test_theme_and_indexed_fills_saved_by_the_file_path_come_back_as_colours() -> None:
    def saved(color: str) -> statesheet.SavedCell:
        return statesheet.SavedCell("小组", "B2", color, "solid", "")

    assert saved_fill(saved("FFFFFF00")) == YELLOW
    assert saved_fill(saved("indexed:5")) == YELLOW  # Excel's palette entry 5
    assert saved_fill(saved("theme:1:0.0")) == (0, 0, 0)  # dk1
    assert saved_fill(saved("theme:4:0.7999816888943144")) == (218, 227, 243)  # accent1, 80 %
    assert saved_fill(saved("")) is None
    assert saved_fill(saved("theme:x:y")) is None  # a damaged state sheet restores no fill
    assert saved_fill(saved("zz")) is None
    assert saved_fill(statesheet.SavedCell("小组", "B2", "FFFFFF00", "", "")) is None  # no pattern


def test_user_text_is_written_as_text_never_as_a_formula(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    for name in names(live):
        sheet = xd.sheet(live, name)
        for (row, col), formula in sheet._formulas.items():
            assert name == schema.RESULT_SHEET and col == 6, (name, row, col, formula)
            assert formula.startswith("=HYPERLINK(\"#'")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._values[xd.key("C4")] == "=SUM(A1:A3)"  # untouched, still text
    result = xd.sheet(live, schema.RESULT_SHEET)
    assert "=G5" in {result._values.get((r, 4)) for r in range(2, 40)}  # 小组编号 column


def test_validate_counts_groups_and_findings_in_its_message(tmp_path: Path) -> None:
    live = xd.load(clean_book(tmp_path, 3))
    assert press(live, "validate") == "校验完成：没有发现问题，3 个小组全部通过。"
    result = xd.sheet(live, schema.RESULT_SHEET)
    assert result._values[(2, 1)] == marks.NO_FINDINGS
    status = xd.sheet(live, schema.GROUP_SHEET)
    assert [status._values[(r, 14)] for r in (2, 3, 4)] == ["通过"] * 3


# --------------------------------------------------------------------------------------------
# Calls to Excel


def calls_for(folder: Path, groups: int, bad: int) -> tuple[int, dict[str, int]]:
    live = xd.load(clean_book(folder, groups, bad))
    xd.reset_calls(live)
    press(live, "validate")
    calls = xd.calls(live)
    return sum(calls.values()), dict(calls)


def test_count_validate_calls_splits_reads_and_writes(tmp_path: Path) -> None:
    small = xd.count_validate_calls(clean_book(tmp_path / "a", 100))
    large = xd.count_validate_calls(clean_book(tmp_path / "b", 500))
    assert small == large
    assert large["reads"] + large["writes"] == large["calls"]
    assert 0 < large["writes"] < large["reads"]


def test_validate_calls_do_not_grow_with_rows(tmp_path: Path) -> None:
    small, small_calls = calls_for(tmp_path / "a", 100, 0)
    large, large_calls = calls_for(tmp_path / "b", 500, 0)
    assert small == large, (small_calls, large_calls)
    assert large_calls["Range.value.get"] == 4  # one read per sheet
    assert large < 80


def test_validate_calls_grow_with_findings_not_rows(tmp_path: Path) -> None:
    clean, _ = calls_for(tmp_path / "a", 500, 0)
    few_small, _ = calls_for(tmp_path / "b", 100, 20)
    few, calls = calls_for(tmp_path / "c", 500, 20)
    assert few == few_small
    # per marked cell, as real xlwings makes them: its fill read (2), note read (1), add_note
    # (9: shape, note check, AddComment), the note's size (3) and a share of a joined fill
    assert clean < few <= clean + 20 * 17
    assert calls["Range.value.get"] == 4


def test_colours_go_on_comma_joined_addresses_under_255_characters(tmp_path: Path) -> None:
    _, calls = calls_for(tmp_path, 300, 300)
    # 300 marked 电话 cells, one colour: a few joined writes, not 300
    joined = 300 * len(",I123") // ADDRESS_LIMIT + 1
    assert calls["Range.color.set"] <= 2 * 2 * joined  # two round trips per set (Interior.Color)


def test_join_addresses_keeps_every_cell_in_order_and_under_the_limit() -> None:
    cells = [f"AB{r}" for r in range(1, 2000)]
    chunks = list(join_addresses(cells))
    assert all(len(c) <= ADDRESS_LIMIT for c in chunks)
    assert ",".join(chunks).split(",") == cells
    for chunk, after in pairwise(chunks):  # each chunk is full
        assert len(chunk) + 1 + len(after.split(",")[0]) > ADDRESS_LIMIT


# --------------------------------------------------------------------------------------------
# Failures become message boxes


def test_an_unsaved_workbook_is_explained(tmp_path: Path) -> None:
    live = xd.load(clean_book(tmp_path, 1))
    live._fullname = "工作簿1"
    message = press(live, "validate")
    assert message.startswith("工作簿还没有保存")
    assert xd.alerts(live)[-1][2] == "critical"


def test_a_missing_sheet_is_explained_and_nothing_is_written(tmp_path: Path) -> None:
    live = xd.load(clean_book(tmp_path, 1))
    live._sheets.remove(xd.sheet(live, schema.MEMBER_SHEET))
    before = stores(live, BOOK_SHEETS[:3])
    assert "缺少工作表「成员」" in press(live, "validate")
    assert stores(live, BOOK_SHEETS[:3]) == before


def test_an_internal_error_is_a_chinese_box_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = xd.load(clean_book(tmp_path, 1))

    def broken(*_: Any, **__: Any) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("xlqc.rules.check", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    message = press(live, "validate")
    assert message.startswith("xlqc 内部错误：ZeroDivisionError: division by zero")
    log = tmp_path / handlers.LOG_NAME
    assert str(log) in message
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_an_unknown_button_is_explained(tmp_path: Path) -> None:
    live = xd.load(clean_book(tmp_path, 1))
    assert "未知的按钮「frobnicate」" in press(live, "frobnicate")


# --------------------------------------------------------------------------------------------
# 规范文本


def test_normalize_fixes_text_cells_only_and_keeps_formulas(tmp_path: Path) -> None:
    write_proofs(tmp_path)
    messy = dict(
        GOOD_GROUP,
        组织名称=" 国网江苏省电力有限公司泰州供电分公司 ",
        小组名称="配电运检ＱＣ小组",
        电话="１３８１２３４５６７８",  # full-width digits: must come back as text, not a number
    )
    members = [dict(m, 姓名=f" {m['姓名']}") if i < 3 else m for i, m in enumerate(GOOD_MEMBERS)]
    path = write_workbook(tmp_path / "总表.xlsx", [messy], GOOD_TOPICS, members)
    live = xd.load(path)
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    address = xd.key("G2")  # 地址 as a formula whose cached text has doubled spaces
    group_sheet._formulas[address] = '="江苏省泰州市  "&"海陵区"'
    group_sheet._values[address] = "江苏省泰州市  海陵区"

    def r17() -> list[tuple[str, str]]:
        return [(f.sheet, f.cell) for f in check(read_live_book(live)) if f.rule == "R17"]

    members_at = [(schema.MEMBER_SHEET, f"C{r}") for r in (2, 3, 4)]
    groups_at = [(schema.GROUP_SHEET, c) for c in ("B2", "C2", "G2", "I2")]
    assert sorted(r17()) == sorted(groups_at + members_at)
    xd.reset_calls(live)
    message = press(live, "normalize")
    assert message.startswith("已规范 6 个单元格的文本")
    # one write per run of adjacent cells in a column: 小组 B2, C2, I2 and 成员 C2:C4
    assert xd.calls(live)["Range.value.set"] == 4
    assert group_sheet._values[xd.key("B2")] == "国网江苏省电力有限公司泰州供电分公司"
    assert group_sheet._values[xd.key("C2")] == "配电运检QC小组"
    assert group_sheet._values[xd.key("I2")] == "13812345678"
    assert group_sheet._formulas[address] == '="江苏省泰州市  "&"海陵区"'
    assert [xd.sheet(live, schema.MEMBER_SHEET)._values[(r, 3)] for r in (2, 3, 4)] == [
        "王晓东",
        "李明",
        "张华",
    ]
    assert r17() == [(schema.GROUP_SHEET, "G2")]
    assert press(live, "normalize") == "没有需要规范的文本。"


# --------------------------------------------------------------------------------------------
# Exports, new workbook, import


class FakeExport:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        book: Any,
        findings: list[Any],
        out_dir: Path,
        *,
        include_all: bool = False,
        pdf: bool = False,
        make_zip: bool = False,
        only: str | None = None,
    ) -> Any:
        self.calls.append(
            {"book": book, "findings": findings, "out_dir": out_dir, "zip": make_zip, "only": only}
        )
        out_dir.mkdir()
        lines = ["已为 1 个小组生成申报材料", "未导出 G002 泰州 供电公司：3 个错误"]
        return types.SimpleNamespace(lines=lambda: lines)


@pytest.mark.parametrize(
    ("button", "only", "zipped"),
    [
        ("export_forms", "forms", False),
        ("export_summary", "summary", False),
        ("export_all", None, True),
    ],
)
def test_exports_validate_first_and_write_beside_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, button: str, only: str | None, zipped: bool
) -> None:
    fake = FakeExport()
    monkeypatch.setitem(sys.modules, "xlqc.documents", types.SimpleNamespace(export=fake))
    path = clerk_book(tmp_path)
    live = xd.load(path)
    message = press(live, button)
    (call,) = fake.calls
    assert call["out_dir"].parent == tmp_path
    assert call["out_dir"].name.startswith("xlqc输出_")
    assert (call["only"], call["zip"]) == (only, zipped)
    assert call["findings"] == check(read_book(path), file=str(path))
    assert schema.RESULT_SHEET in names(live)  # validated and marked first
    assert str(call["out_dir"]) in message
    assert "未导出 G002 泰州 供电公司：3 个错误" in message


def test_export_with_the_real_documents_module(tmp_path: Path) -> None:
    pytest.importorskip("xlqc.documents")
    shutil.copytree(SAMPLE.parent, tmp_path / "wb")
    live = xd.load(tmp_path / "wb" / SAMPLE.name)
    message = press(live, "export_all")
    (out,) = [p for p in (tmp_path / "wb").iterdir() if p.name.startswith("xlqc输出_")]
    assert str(out) in message
    assert list(out.glob("*.zip"))


def test_new_book_is_written_beside_the_workbook_and_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def new_workbook(path: Path) -> None:
        write_workbook(path)

    monkeypatch.setitem(
        sys.modules, "xlqc.builder", types.SimpleNamespace(new_workbook=new_workbook)
    )
    live = xd.load(clean_book(tmp_path, 1))
    first = press(live, "new_book")
    second = press(live, "new_book")
    stem = f"QC小组总表_{date.today():%Y%m%d}"
    assert (tmp_path / f"{stem}.xlsx").exists() and (tmp_path / f"{stem}-2.xlsx").exists()
    assert f"{stem}.xlsx" in first and f"{stem}-2.xlsx" in second
    opened = [Path(b._fullname).name for b in live.app._books]
    assert opened[1:] == [f"{stem}.xlsx", f"{stem}-2.xlsx"]


def test_import_asks_saves_closes_imports_and_reopens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported: list[tuple[list[Path], Path]] = []

    def import_forms(sources: list[Path], into: Path, **_: Any) -> Any:
        imported.append((sources, into))
        return types.SimpleNamespace(lines=lambda: ["新增 2 个小组"])

    monkeypatch.setitem(
        sys.modules, "xlqc.intake", types.SimpleNamespace(import_forms=import_forms)
    )
    forms = tmp_path / "申报表"
    forms.mkdir()
    monkeypatch.setattr(handlers, "ask_folder", lambda title, start: forms)
    path = clean_book(tmp_path, 1)
    live = xd.load(path)
    live.app._answers.append("no")
    on_ribbon("import_forms", live)
    question, answer = xd.alerts(live)
    assert "保存并关闭" in question[0] and answer[0] == "已取消导入。"
    assert not imported and live in live.app._books
    live.app._answers.append("yes")
    on_ribbon("import_forms", live)
    message = xd.alerts(live)[-1][0]
    assert imported == [([forms], path)]
    assert live._saved and live not in live.app._books
    assert [Path(b._fullname) for b in live.app._books] == [path]  # opened again
    assert "新增 2 个小组" in message


def test_import_cancelled_or_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = xd.load(clean_book(tmp_path, 1))
    monkeypatch.setitem(sys.modules, "xlqc.intake", None)  # import fails
    assert "还不能导入申报表" in press(live, "import_forms")
    monkeypatch.setitem(
        sys.modules, "xlqc.intake", types.SimpleNamespace(import_forms=lambda *a, **k: None)
    )
    monkeypatch.setattr(handlers, "ask_folder", lambda title, start: None)
    assert press(live, "import_forms") == "已取消导入。"


# --------------------------------------------------------------------------------------------
# What real Excel and real xlwings do that the live path must survive (issue 10, part 2)


def test_the_double_behaves_like_real_xlwings_where_it_hid_defects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlwings import XlwingsError

    path = clean_book(tmp_path, 1)
    # a formula with the value Excel cached when it saved the file
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET]["P2"] = "=1+1"
    wb[schema.GROUP_SHEET]["P3"].number_format = "@"
    wb[schema.GROUP_SHEET]["Z40"].fill = PatternFill("solid", fgColor="FFFF00")  # format only
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        data = {n: src.read(n) for n in src.namelist()}
    sheet2 = "xl/worksheets/sheet2.xml"
    data[sheet2] = data[sheet2].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(path, "w") as out:
        for name, part in data.items():
            out.writestr(name, part)
    book = xd.load(path)
    sheet = book.sheets[schema.GROUP_SHEET]
    assert sheet.range("P2").value == 2.0 and sheet.range("P2").formula == "=1+1"
    # a text cell keeps what is written, apostrophe and all; a General cell converts
    sheet.range("P3").value = [["'0523"], ["0523"]]
    assert sheet.range("P3:P4").value == ["'0523", 523.0]
    # used_range reaches formatted cells
    assert sheet.used_range.last_cell.row == 40 and sheet.used_range.last_cell.column == 26
    # three visibility states, as COM's Visible
    assert sheet.visible == -1
    sheet.api.Visible = 2
    assert sheet.visible == 2 and sheet.visible  # very hidden is truthy, like real xlwings
    # protection refuses writes
    xd.sheet(book, schema.TOPIC_SHEET)._protected = True
    with pytest.raises(xd.ProtectedError):
        book.sheets[schema.TOPIC_SHEET].range("A2").color = YELLOW
    book._structure_protected = True
    with pytest.raises(xd.ProtectedError):
        book.sheets.add("x")
    # fullname: a OneDrive URL is mapped to the synced file, or XlwingsError
    monkeypatch.setenv("OneDrive", str(tmp_path / "OneDrive"))
    book._fullname = "https://d.docs.live.net/0123abcd/总表.xlsx"
    with pytest.raises(XlwingsError):
        _ = book.fullname
    (tmp_path / "OneDrive").mkdir()
    shutil.copyfile(path, tmp_path / "OneDrive" / "总表.xlsx")
    assert book.fullname == str(tmp_path / "OneDrive" / "总表.xlsx")
    # round trips as xlwings 0.37.8 makes them on Windows
    xd.reset_calls(book)
    cell = book.sheets[schema.MEMBER_SHEET].range("B2")
    _ = cell.color
    cell.color = YELLOW
    _ = cell.color
    assert cell.note is None
    cell.add_note("x")
    _ = cell.note
    assert dict(xd.calls(book)) == {
        "Range.color.get": 2 + 4,
        "Range.color.set": 2,
        "Range.note": 1 + 4,
        "Range.add_note": 7 + 1 + 1,
        "Sheet.range": 1,
        "Sheets.getitem": 1,
    }


def test_a_onedrive_workbook_without_a_synced_copy_gets_the_chinese_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = xd.load(clean_book(tmp_path, 1))
    monkeypatch.setenv("OneDrive", str(tmp_path / "no-such-folder"))
    live._fullname = "https://d.docs.live.net/0123abcd/总表.xlsx"
    for button in ("validate", "export_all", "import_forms"):
        message = press(live, button)
        assert message.startswith("这个工作簿直接保存在 OneDrive/SharePoint 网址上"), message


def test_a_onedrive_workbook_with_a_synced_copy_is_validated_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = clean_book(tmp_path, 2)
    monkeypatch.setenv("OneDrive", str(tmp_path))
    live = xd.load(path)
    live._fullname = f"https://d.docs.live.net/0123abcd/{path.name}"
    assert press(live, "validate").startswith("校验完成")


@pytest.mark.parametrize("protected", ["sheet", "structure"])
def test_a_protected_workbook_is_refused_before_anything_is_written(
    tmp_path: Path, protected: str
) -> None:
    live = xd.load(clerk_book(tmp_path))
    if protected == "sheet":
        xd.sheet(live, schema.TOPIC_SHEET)._protected = True  # 小组 is marked first
        expected = "工作表「课题」受保护"
    else:
        live._structure_protected = True
        expected = "工作簿的结构受保护"
    before = stores(live)
    for button in ("validate", "export_all"):
        message = press(live, button)
        assert message.startswith(expected) and "没有改动任何单元格" in message, message
        assert xd.alerts(live)[-1][2] == "critical"
        assert stores(live) == before and names(live) == list(BOOK_SHEETS)


def test_clear_and_normalize_refuse_a_protected_sheet_too(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    marked = stores(live, (*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET))
    xd.sheet(live, schema.GROUP_SHEET)._protected = True
    assert "工作表「小组」受保护" in press(live, "clear")
    assert "工作表「小组」受保护" in press(live, "normalize")  # 小组 has R17 text to fix
    assert stores(live, (*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET)) == marked
    xd.sheet(live, schema.GROUP_SHEET)._protected = False
    assert "恢复" in press(live, "clear")  # and 清除标记 then undoes everything


def test_the_state_sheet_is_very_hidden_as_in_the_file_path(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    assert xd.sheet(live, STATE_SHEET)._visibility == xd.VERY_HIDDEN
    saved = openpyxl.load_workbook(xd.dump(live, tmp_path / "saved.xlsx"))
    assert saved[STATE_SHEET].sheet_state == "veryHidden"


def test_notes_written_live_are_sized_like_the_file_paths(tmp_path: Path) -> None:
    from xlqc.excel.marking import note_size

    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    notes = {k: t for k, t in group_sheet._notes.items() if schema.NOTE_PREFIX in t}
    assert notes
    for key, text in notes.items():
        assert group_sheet._note_sizes[key] == note_size(text)
    width, height = note_size("\n".join(["很长的一行说明文字" * 6] * 4))
    assert width == 255 and 150 < height <= 450  # wider and taller than Excel's 108 × 59 pt


def test_a_header_row_formatted_to_the_last_column_is_read_only_to_its_last_header(
    tmp_path: Path,
) -> None:
    path = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    ws.delete_cols(14)  # no 校验状态 yet: it goes after the last header, not after XFD
    for row in (1, 2, 3):
        ws.cell(row, 16384).fill = PatternFill("solid", fgColor="D9E1F2")  # formatted to XFD
    wb.save(path)
    live = xd.load(path)
    reads: list[tuple[int, int]] = []
    value = xd.Range.value.fget

    def counting(self: xd.Range) -> Any:
        r1, c1, r2, c2 = self._area()
        reads.append((r2 - r1 + 1, c2 - c1 + 1))
        return value(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xd.Range, "value", property(counting, xd.Range.value.fset))
        message = press(live, "validate")
    assert message.startswith("校验完成")
    assert max(rows * cols for rows, cols in reads) < 10 * 16384  # header rows only
    assert all(cols <= 13 for rows, cols in reads if rows > 10)  # data: up to the last header
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._values[(1, 14)] == "校验状态"
    book = read_book(path)
    assert check(read_live_book(live), file=str(path)) == check(book, file=str(path))


def test_text_gets_the_prefix_only_where_excel_would_change_it(tmp_path: Path) -> None:
    from xlqc.excel.live import as_text, needs_prefix

    for converted in ("=1", "+86", "-", "@x", "'x", "0523", "1e5", "1,234", "50%", "2025-1-1"):
        assert needs_prefix(converted), converted
    for kept in ("通过", "2 错误 1 警告", "配电QC1小组", "G001", "国网江苏省电力有限公司"):
        assert not needs_prefix(kept) and as_text(kept) == kept, kept
    assert as_text("0523") == "'0523" and as_text("0523", "@") == "0523"
    # 规范文本 into the template's text-formatted 电话 column and into a General cell
    write_proofs(tmp_path)
    messy = dict(GOOD_GROUP, 电话="１３８１２３４５６７８", 小组编号="Ｇ００１")
    path = write_workbook(tmp_path / "总表.xlsx", [messy], GOOD_TOPICS, GOOD_MEMBERS)
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET]["I2"].number_format = "@"  # 电话 as the template formats it
    wb.save(path)
    live = xd.load(path)
    press(live, "normalize")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._values[xd.key("I2")] == "13812345678"  # no apostrophe kept as text
    assert group_sheet._values[xd.key("A2")] == "G001"


def test_a_broken_install_shows_one_chinese_sentence_not_a_traceback(tmp_path: Path) -> None:
    """What RunPython runs, with a dependency missing: xlwings shows stderr in its box."""
    import subprocess

    code = (
        "import sys; sys.modules['openpyxl'] = None; "
        "import xlqc.excel; xlqc.excel.on_ribbon('validate')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 1
    assert done.stderr.startswith("xlqc 安装不完整，无法运行（缺少 openpyxl）"), done.stderr
    assert "Traceback" not in done.stderr


def test_new_book_runs_with_no_workbook_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RunButton('new_book') with nothing open: a blank book stands in, the new master
    workbook goes to Documents and opens, and the blank one is closed."""
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    (tmp_path / "Documents").mkdir()
    app = xd.App()
    app.books.open(tmp_path / "xlqc.xlam")
    app.api.Run("'xlqc.xlam'!RunButton", "validate")
    assert app._alerts[-1][0] == "请先打开总表"  # the VBA's own message
    app.api.Run("'xlqc.xlam'!RunButton", "new_book")
    stem = f"QC小组总表_{date.today():%Y%m%d}"
    assert (tmp_path / "Documents" / f"{stem}.xlsx").is_file()
    assert [Path(b._fullname).name for b in app._books] == ["xlqc.xlam", f"{stem}.xlsx"]
    assert app._alerts[-1][0].startswith("已新建总表")


def test_two_exports_in_the_same_second_get_two_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeExport()
    monkeypatch.setitem(sys.modules, "xlqc.documents", types.SimpleNamespace(export=fake))
    live = xd.load(clean_book(tmp_path, 1))
    frozen = safeio.datetime(2026, 10, 30, 15, 30, 0)
    monkeypatch.setattr(safeio, "datetime", types.SimpleNamespace(now=lambda: frozen))
    press(live, "export_forms")
    press(live, "export_summary")
    assert [c["out_dir"].name for c in fake.calls] == [
        "xlqc输出_20261030-153000",
        "xlqc输出_20261030-153000-2",
    ]


def test_a_hidden_excel_gets_no_message_box_but_a_reply_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Excel nobody sees (xlqc addin selftest) cannot close a box: the reply goes to a file."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    live = xd.load(clean_book(tmp_path, 1))
    live.app._visible = False
    on_ribbon("validate", live)
    on_ribbon("frobnicate", live)
    assert xd.alerts(live) == []
    assert handlers.reply_file().read_text(encoding="utf-8").startswith("critical\n未知的按钮")


# --------------------------------------------------------------------------------------------
# What the clerk made stays (issue 11 item 4, live path): the state sheet found by its marker,
# only the sheets it records deleted, records of other kinds kept, replies kept


DRAFT = statesheet.Record("draft", schema.GROUP_SHEET, "P2", {"text": "同意推荐，建议评为一等"})
CLERK_RESULTS = "我自己的校验记录"


def clerk_sheets_book(folder: Path) -> Path:
    """clerk_book with the clerk's own 校验结果 sheet, a hidden sheet of theirs named _xlqc,
    and a drafted 推荐意见 recorded in the state sheet (another feature's kind)."""
    path = clerk_book(folder)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(schema.RESULT_SHEET)["A1"] = CLERK_RESULTS
    hidden = wb.create_sheet(STATE_SHEET)
    hidden["A1"] = "我的隐藏表"
    hidden.sheet_state = "hidden"
    wb.save(path)
    marks.replace_records(path, path, "draft", [DRAFT])
    return path


CLERK_SHEETS = (*BOOK_SHEETS, schema.RESULT_SHEET, STATE_SHEET)


def state_of(book: xd.Book) -> tuple[str, list[statesheet.Record]]:
    """The very hidden sheet whose A1 is the marker, and its records (read by the file path's
    parser from the double's values)."""
    (state,) = [s for s in book._sheets if s._values.get((1, 1)) == statesheet.STATE_MARKER]
    assert state._visibility == xd.VERY_HIDDEN
    last_row = max(r for r, _ in state._values)
    last_col = max(c for _, c in state._values)
    rows = [
        (r, [state._values.get((r, c)) for c in range(1, last_col + 1)])
        for r in range(2, last_row + 1)
    ]
    return state._name, statesheet.parse_state(state._name, rows, 2, False, print)


def drafts(book: xd.Book) -> list[tuple[str, str, dict[str, Any]]]:
    return [(r.sheet, r.cell, r.data) for r in state_of(book)[1] if r.kind == "draft"]


def test_validate_keeps_the_clerks_own_result_sheet_and_takes_a_free_name(tmp_path: Path) -> None:
    path = clerk_sheets_book(tmp_path)
    live = xd.load(path)
    before = stores(live, CLERK_SHEETS)
    press(live, "validate")
    ours = f"{schema.RESULT_SHEET}(xlqc)"
    assert xd.sheet(live, schema.RESULT_SHEET)._values == {(1, 1): CLERK_RESULTS}
    assert xd.sheet(live, STATE_SHEET)._values == {(1, 1): "我的隐藏表"}
    assert xd.sheet(live, ours)._values[(1, 1)] == "序号"
    assert live.sheets.active._name == ours
    name, records = state_of(live)
    assert name == f"{STATE_SHEET}(xlqc)"
    assert [(r.kind, r.sheet) for r in records if r.kind == "sheet"] == [("sheet", ours)]
    assert drafts(live) == [(schema.GROUP_SHEET, "P2", DRAFT.data)]
    # the same names and sheets as the file path gives
    book = read_book(path)
    mark_file(path, tmp_path / "marked.xlsx", book, check(book))
    assert names(live) == names(xd.load(tmp_path / "marked.xlsx"))
    # validating again replaces xlqc's sheets only
    press(live, "validate")
    assert names(live).count(ours) == 1 and f"{schema.RESULT_SHEET}(xlqc2)" not in names(live)
    assert drafts(live) == [(schema.GROUP_SHEET, "P2", DRAFT.data)]
    # clear: the clerk's sheets stay, the draft record stays in a very hidden state sheet
    press(live, "clear")
    assert stores(live, CLERK_SHEETS) == before
    assert names(live) == [*CLERK_SHEETS, f"{STATE_SHEET}(xlqc)"]
    name, records = state_of(live)
    assert [r.kind for r in records] == ["draft"]  # rewritten with the other kinds only


def test_clear_deletes_the_state_sheet_when_no_other_records_remain(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(schema.RESULT_SHEET)["A1"] = CLERK_RESULTS
    wb.save(path)
    live = xd.load(path)
    press(live, "validate")
    assert names(live)[-2:] == [f"{schema.RESULT_SHEET}(xlqc)", STATE_SHEET]
    press(live, "clear")
    assert names(live) == [*BOOK_SHEETS, schema.RESULT_SHEET]
    assert xd.sheet(live, schema.RESULT_SHEET)._values == {(1, 1): CLERK_RESULTS}


def test_the_state_sheet_is_found_by_its_marker_not_its_name(tmp_path: Path) -> None:
    """A state sheet under another name (a clerk's own _xlqc took the name) is xlqc's; a
    hidden sheet named _xlqc without the marker is the clerk's."""
    path = clerk_book(tmp_path)
    original = stores(xd.load(path))
    live = xd.load(path)
    press(live, "validate")
    state = xd.sheet(live, STATE_SHEET)
    state._name = "随便什么名字"
    clerks = xd.Sheet(live, STATE_SHEET)
    clerks._values[(1, 1)] = "我的隐藏表"
    clerks._visibility = xd.HIDDEN
    live._sheets.insert(1, clerks)
    press(live, "clear")
    assert stores(live) == original
    assert names(live) == [BOOK_SHEETS[0], STATE_SHEET, *BOOK_SHEETS[1:]]
    assert clerks._values == {(1, 1): "我的隐藏表"}


def test_a_damaged_state_row_is_skipped_with_a_warning_naming_its_cell(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    state = xd.sheet(live, STATE_SHEET)
    assert state._values[(3, 1)] == "cell"
    damaged_cell = state._values[(3, 3)]
    state._values[(3, 4)] = "{坏" + state._values[(3, 4)]
    state._values[(4, 3)] = "A9999999"  # an address Excel refuses
    message = press(live, "clear")
    assert "xlqc 状态表「_xlqc」第 3 行（_xlqc!A3）已损坏，已跳过" in message
    assert "xlqc 状态表 _xlqc!A4 的记录（小组!A9999999）已损坏，已跳过" in message
    assert xd.alerts(live)[-1][2] == "info"  # a warning, not a failure
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert schema.NOTE_PREFIX in group_sheet._notes[xd.key(damaged_cell)]  # skipped: left as is
    assert names(live) == list(BOOK_SHEETS)
    # the same damage met by 校验: the warning is in its message too
    press(live, "validate")
    xd.sheet(live, STATE_SHEET)._values[(2, 4)] = "[1]"
    assert "（_xlqc!A2）已损坏，已跳过" in press(live, "validate")


def test_a_reply_typed_after_an_xlqc_note_is_kept_by_clear(tmp_path: Path) -> None:
    live = xd.load(clerk_book(tmp_path))
    press(live, "validate")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    reply = "\n回复：公章名称已核实"
    for cell in ("B3", "A3"):  # B3 holds the clerk's note before xlqc's; A3 only xlqc's
        assert schema.NOTE_PREFIX in group_sheet._notes[xd.key(cell)]
        group_sheet._notes[xd.key(cell)] += reply
    press(live, "validate")  # validating again keeps the reply too: the clerk's text now
    assert group_sheet._notes[xd.key("B3")].startswith("请核实公章名称" + reply + "\n\n【xlqc】")
    assert group_sheet._notes[xd.key("A3")].startswith(reply + "\n\n【xlqc】")
    press(live, "clear")
    assert group_sheet._notes[xd.key("B3")] == "请核实公章名称" + reply
    assert group_sheet._notes[xd.key("A3")] == reply


def test_a_clerks_note_mentioning_xlqc_is_left_alone(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    note = f"见{schema.NOTE_PREFIX}上次的提示，已处理"
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET]["B2"].comment = Comment(note, "王晓东")  # not marked
    wb[schema.GROUP_SHEET]["A3"].comment = Comment(note, "王晓东")  # marked (R03)
    wb.save(path)
    live = xd.load(path)
    before = stores(live)
    press(live, "validate")
    group_sheet = xd.sheet(live, schema.GROUP_SHEET)
    assert group_sheet._notes[xd.key("B2")] == note
    assert group_sheet._notes[xd.key("A3")].startswith(note + "\n\n" + schema.NOTE_PREFIX)
    press(live, "validate")
    assert group_sheet._notes[xd.key("A3")].startswith(note + "\n\n" + schema.NOTE_PREFIX)
    press(live, "clear")
    assert stores(live) == before


def test_file_marks_with_clerks_sheets_and_drafts_are_cleared_live(tmp_path: Path) -> None:
    path = clerk_sheets_book(tmp_path)
    original = stores(xd.load(path), CLERK_SHEETS)
    book = read_book(path)
    marked = tmp_path / "marked.xlsx"
    mark_file(path, marked, book, check(book))
    live = xd.load(marked)
    assert f"{schema.RESULT_SHEET}(xlqc)" in names(live)
    press(live, "clear")
    assert stores(live, CLERK_SHEETS) == original  # 校验状态 back per the status records
    assert names(live) == [*CLERK_SHEETS, f"{STATE_SHEET}(xlqc)"]
    assert drafts(live) == [(schema.GROUP_SHEET, "P2", DRAFT.data)]
    # and validated live on top of the file path's marks: replaced, not doubled
    live = xd.load(marked)
    press(live, "validate")
    assert names(live).count(f"{schema.RESULT_SHEET}(xlqc)") == 1
    assert drafts(live) == [(schema.GROUP_SHEET, "P2", DRAFT.data)]
    press(live, "clear")
    assert stores(live, CLERK_SHEETS) == original
    assert any(r.kind == "status" for r in state_of(xd.load(marked))[1])  # what was undone


def test_a_status_column_the_file_path_added_is_taken_away_live(tmp_path: Path) -> None:
    path = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET].delete_cols(14)  # 校验状态: the file path adds it
    wb.save(path)
    original = stores(xd.load(path))
    book = read_book(path)
    mark_file(path, tmp_path / "marked.xlsx", book, check(book))
    live = xd.load(tmp_path / "marked.xlsx")
    assert xd.sheet(live, schema.GROUP_SHEET)._values[(1, 14)] == "校验状态"
    press(live, "clear")
    assert stores(live) == original  # header and values gone, per the status records


def test_live_marks_with_clerks_sheets_and_drafts_are_cleared_by_the_file_path(
    tmp_path: Path,
) -> None:
    path = clerk_sheets_book(tmp_path)
    original = stores(xd.load(path), CLERK_SHEETS)
    live = xd.load(path)
    press(live, "validate")
    saved = xd.dump(live, tmp_path / "saved.xlsx")
    warnings: list[str] = []
    clear_file(saved, tmp_path / "cleared.xlsx", warn=warnings.append)
    assert warnings == []
    cleared = xd.load(tmp_path / "cleared.xlsx")
    assert stores(cleared, CLERK_SHEETS) == original
    assert names(cleared) == [*CLERK_SHEETS, f"{STATE_SHEET}(xlqc)"]
    assert drafts(cleared) == [(schema.GROUP_SHEET, "P2", DRAFT.data)]
    # a reply typed live is kept by the file path's clear as well
    live = xd.load(path)
    press(live, "validate")
    xd.sheet(live, schema.GROUP_SHEET)._notes[xd.key("B3")] += "\n回复：已核实"
    clear_file(xd.dump(live, tmp_path / "saved2.xlsx"), tmp_path / "cleared2.xlsx")
    notes = xd.sheet(xd.load(tmp_path / "cleared2.xlsx"), schema.GROUP_SHEET)._notes
    assert notes[xd.key("B3")] == "请核实公章名称\n回复：已核实"


def test_clear_calls_do_not_grow_with_rows(tmp_path: Path) -> None:
    def clear_calls(folder: Path, groups: int) -> int:
        live = xd.load(clean_book(folder, groups, 20))
        press(live, "validate")
        xd.reset_calls(live)
        press(live, "clear")
        return sum(xd.calls(live).values())

    assert clear_calls(tmp_path / "a", 100) == clear_calls(tmp_path / "b", 500)
