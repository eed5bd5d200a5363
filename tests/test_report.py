"""Terminal report and JSON of ``xlqc validate``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_workbook
from rich.cells import cell_len
from rich.console import Console
from test_marks import finding  # the same hand-made findings as the marks tests

from xlqc import report, schema
from xlqc.model import Book
from xlqc.reading import read_book

G = schema.GROUP_SHEET
LONG = (
    "小组编号「G002」近三年（统计期 2023-10-31 至 2026-10-30）完成课题 0 项，少于两项："
    "申报条件要求近三年至少完成两项课题（以活动结束日期计）"
)


FINDINGS = [
    finding("R19", "error", schema.SETTINGS_SHEET, "B2", "", "设置!B2 推荐单位为空"),
    finding("R02", "error", G, "D2", "G001", "小组!D2 注册日期「2024-03-01」不满三年"),
    finding("R17", "warning", G, "C2", "G001", "小组!C2 小组名称「  配电  QC」有连续空格"),
    finding("R03", "error", G, "A3", "G002", f"小组!A3 {LONG}"),
    finding("R10", "error", schema.MEMBER_SHEET, "A7", "G009", "成员!A7 小组编号「G009」不存在"),
    finding("R18", "info", schema.TOPIC_SHEET, "D3", "G001", "[bold]课题不在统计期内[/bold]"),
]


@pytest.fixture
def book(tmp_path: Path) -> Book:
    second = {**GOOD_GROUP, "小组编号": "G002", "小组名称": "设备QC小组", "是否推荐": "否"}
    third = {**GOOD_GROUP, "小组编号": "G003", "小组名称": "党建QC小组"}
    path = write_workbook(
        tmp_path / "总表.xlsx", [GOOD_GROUP, second, third], GOOD_TOPICS, GOOD_MEMBERS
    )
    return read_book(path)


def test_json_is_one_array_with_the_contract_keys() -> None:
    data = json.loads(report.to_json(FINDINGS))
    assert isinstance(data, list) and len(data) == len(FINDINGS)
    assert [list(d) for d in data] == [
        ["file", "rule", "severity", "sheet", "cell", "group", "message"]
    ] * len(FINDINGS)
    assert data[1] == {
        "file": "总表.xlsx",
        "rule": "R02",
        "severity": "error",
        "sheet": "小组",
        "cell": "D2",
        "group": "G001",
        "message": "小组!D2 注册日期「2024-03-01」不满三年",
    }
    assert "\\u" not in report.to_json(FINDINGS)  # Chinese as it is
    assert json.loads(report.to_json([])) == []


def test_report_lists_findings_under_group_headings(book: Book) -> None:
    text = report.plain_text([("总表.xlsx", book, FINDINGS, None)])
    lines = text.splitlines()
    assert lines[0] == "总表.xlsx"
    headings = [
        "设置",
        "G001 配电运检QC小组",
        "G002 设备QC小组（不推荐）",
        "G009（「小组」表中没有此编号）",
    ]
    at = [lines.index(h) for h in headings]
    assert at == sorted(at)
    assert "G003" not in text  # a group without findings gets no heading
    row = next(line for line in lines if "小组!D2" in line)
    assert re.match(r"^错误\s+R02\s+小组!D2\s+注册日期「2024-03-01」不满三年$", row)
    assert "小组!D2 注册日期" not in text  # the cell is shown once, in 位置
    assert "「  配电  QC」" in text  # the clerk's spaces are what the warning is about
    assert "[bold]课题不在统计期内[/bold]" in text  # user text is never markup
    assert lines.index("G001 配电运检QC小组") < lines.index(next(x for x in lines if "R18" in x))
    assert (
        "共 3 个小组：1 个可推荐，2 个有错误，1 个不推荐；错误 4 条，警告 1 条，提示 1 条" in lines
    )
    assert "✓" not in text


def test_green_line_only_without_errors(book: Book) -> None:
    warnings = [f for f in FINDINGS if f.severity != "error"]
    text = report.plain_text([("总表.xlsx", book, warnings, None)])
    assert (
        "共 3 个小组：2 个可推荐，0 个有错误，1 个不推荐；错误 0 条，警告 1 条，提示 1 条" in text
    )
    assert "✓ 没有错误，可以导出申报材料（请先核对 1 条警告）" in text
    clean = report.plain_text([("总表.xlsx", book, [], None)])
    assert "未发现任何问题。" in clean
    assert clean.rstrip().endswith("✓ 没有错误，可以导出申报材料")


def test_unreadable_workbook_is_one_red_line(book: Book) -> None:
    message = "「坏.xlsx」已损坏，无法作为 .xlsx 打开"
    results = [("总表.xlsx", book, FINDINGS[:1], None), ("坏.xlsx", None, [], message)]
    text = report.plain_text(results)
    assert f"✗ 坏.xlsx：{message}" in text.splitlines()
    assert text.rstrip().endswith("合计 2 个工作簿：0 个没有错误，1 个有错误，1 个无法读取")
    console = Console(record=True, width=100, force_terminal=True, color_system="standard")
    report.render(results[1:], console)
    styled = console.export_text(styles=True)
    assert "\x1b[1;31m✗ 坏.xlsx" in styled


def test_severity_colours_on_a_terminal_and_none_when_piped(book: Book) -> None:
    console = Console(record=True, width=100, force_terminal=True, color_system="standard")
    report.render([("总表.xlsx", book, FINDINGS, None)], console)
    styled = console.export_text(styles=True)
    assert "\x1b[31m错误" in styled
    assert "\x1b[33m警告" in styled
    assert "\x1b[34m提示" in styled
    piped = io.StringIO()
    report.render([("总表.xlsx", book, FINDINGS, None)], Console(file=piped, width=100))
    assert "\x1b" not in piped.getvalue()
    assert "\x1b" not in report.plain_text([("总表.xlsx", book, FINDINGS, None)])


def test_fits_80_columns_without_losing_text(book: Book) -> None:
    buffer = io.StringIO()
    report.render([("总表.xlsx", book, FINDINGS, None)], Console(file=buffer, width=80))
    lines = buffer.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    squeezed = re.sub(r"\s", "", buffer.getvalue())
    assert re.sub(r"\s", "", LONG) in squeezed
    narrow = io.StringIO()
    report.render([("总表.xlsx", book, FINDINGS, None)], Console(file=narrow, width=60))
    lines = narrow.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= 60
    # the summary is split at 「；」, not in the middle of a count
    assert "共 3 个小组：1 个可推荐，2 个有错误，1 个不推荐；" in lines
    assert "错误 4 条，警告 1 条，提示 1 条" in lines


def test_accepts_validate_results(book: Book, tmp_path: Path) -> None:
    from xlqc.validate import BookResult

    assert book.path is not None
    results = [BookResult(path=book.path, book=book, findings=FINDINGS)]
    assert report.plain_text(results) == report.plain_text([(str(book.path), book, FINDINGS, None)])


def test_wrap_breaks_chinese_anywhere_but_keeps_latin_runs() -> None:
    lines = report.wrap("注册日期 2023-10-30 不满三年，应不晚于 2023-10-30。", 16)
    assert all(cell_len(line) <= 16 for line in lines)
    assert all("2023-10-30" in line for line in lines if "2023" in line)
    assert not any(line.startswith(("，", "。")) for line in lines)
    assert "".join(lines).replace(" ", "") == "注册日期2023-10-30不满三年，应不晚于2023-10-30。"
    assert report.wrap("x" * 20, 8) == ["x" * 8, "x" * 8, "x" * 4]
    assert report.wrap("", 8) == [""]


# --- control characters from _xHHHH_ escapes ---------------------------------------------------


def _escaped_name_book(folder: Path, header: str = "小组名称") -> Path:
    """A saved workbook whose 小组名称 holds an ANSI colour sequence, a NUL and an 8-bit CSI,
    written as Excel writes such characters: _x001B_, _x0000_, _x009B_ in the sheet XML."""
    import hostile

    path = hostile.good_book(folder)
    col = hostile.column_of(G, header)
    text = "配电_x001B_[31m运检_x0000_QC_x009B_2J小组"
    cell = f'<c r="{col}2" t="inlineStr"><is><t>{text}</t></is></c>'
    return hostile.rewrite_zip(path, {hostile.SHEET_PART[G]: hostile.set_cell_xml(f"{col}2", cell)})


RAW_CONTROLS = ("\x1b", "\x00", "\x9b")


def test_control_characters_reach_the_terminal_only_as_their_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The heading printed the group's name raw: ESC [31m turned the clerk's console red."""
    from xlqc.cli import main

    book_path = _escaped_name_book(tmp_path)
    assert "\x1b[31m" in read_book(book_path).groups[0].name  # calamine decodes the escapes
    capsys.readouterr()
    main(["validate", str(book_path)])
    out = capsys.readouterr().out
    assert not any(c in out for c in RAW_CONTROLS), repr(out)
    heading = next(line for line in out.splitlines() if line.startswith("G001"))
    assert heading == "G001 配电<U+001B>[31m运检<U+0000>QC<U+009B>2J小组"
    assert "R17" in out  # and R17 describes them the same way


def test_json_escapes_every_control_character_and_stays_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlqc.cli import main

    book_path = _escaped_name_book(tmp_path, "小组编号")  # the "group" key holds it raw
    capsys.readouterr()
    main(["validate", "--json", str(book_path)])
    out = capsys.readouterr().out
    assert not any(c in out for c in RAW_CONTROLS), repr(out)
    assert "\\u001b" in out and "\\u009b" in out
    found = json.loads(out)
    r17 = next(f for f in found if f["rule"] == "R17")
    assert r17["group"] == "配电\x1b[31m运检\x00QC\x9b2J小组"
    assert "<U+001B>[31m" in r17["message"]


def test_json_escaping_keeps_chinese_and_full_width_space_as_they_are() -> None:
    findings = [finding("R17", "warning", G, "C2", "G\u2028", "「\u3000配电\x7f」")]
    text = report.to_json(findings)
    assert "「\u3000配电\\u007f」" in text and "G\\u2028" in text
    assert json.loads(text)[0]["message"] == "「\u3000配电\x7f」"


def test_export_lines_show_control_characters_only_as_their_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export printed the names of the groups it skipped raw, as validate once did."""
    import hostile

    from xlqc.cli import main

    book_path = _escaped_name_book(tmp_path)
    phone = hostile.column_of(G, "电话")  # an R13 error: the group is skipped and named
    bad_phone = f'<c r="{phone}2" t="inlineStr"><is><t>12</t></is></c>'
    hostile.rewrite_zip(
        book_path, {hostile.SHEET_PART[G]: hostile.set_cell_xml(f"{phone}2", bad_phone)}
    )
    capsys.readouterr()
    main(["export", str(book_path), "-o", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert "<U+009B>2J" in captured.out  # the skipped group is named, its 8-bit CSI by code
    assert not any(c in captured.out + captured.err for c in RAW_CONTROLS), repr(captured)
