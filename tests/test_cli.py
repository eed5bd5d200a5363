"""The command line as a clerk uses it: exit codes, JSON, folders, marks written safely."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook

from xlqc.cli import main


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bad_book(folder: Path, name: str = "有错.xlsx") -> Path:
    write_proofs(folder)
    group = {**GOOD_GROUP, "注册日期": "2025-01-01"}
    return write_workbook(folder / name, [group], GOOD_TOPICS, GOOD_MEMBERS)


def test_good_book_exits_0_and_says_so(good_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good_book)]) == 0
    text = capsys.readouterr().out
    assert "未发现任何问题" in text
    assert "1 个可推荐" in text


def test_error_exits_1_and_json_names_rule_and_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = bad_book(tmp_path)
    assert main(["validate", str(book), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {"rule": "R02", "sheet": "小组", "cell": "D2", "group": "G001"}.items() <= next(
        f for f in findings if f["rule"] == "R02"
    ).items()
    assert list(findings[0]) == ["file", "rule", "severity", "sheet", "cell", "group", "message"]
    assert findings[0]["file"] == str(book)


def test_folder_skips_excel_lock_files_and_unreadable_book_gives_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_book(tmp_path, "a.xlsx")
    bad_book(tmp_path, "b.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    assert main(["validate", str(tmp_path), "--json"]) == 1
    files = {f["file"] for f in json.loads(capsys.readouterr().out)}
    assert files == {str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")}

    (tmp_path / "c.xlsx").write_text("not a workbook")
    assert main(["validate", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "c.xlsx" in captured.err and "不是 Excel 工作簿" in captured.err
    assert "Traceback" not in captured.out + captured.err


def test_missing_file_is_one_chinese_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "无.xlsx")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "找不到文件" in captured.err


def test_mark_writes_a_copy_and_leaves_the_input_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = bad_book(tmp_path)
    before = digest(book)
    marked = tmp_path / "已标记.xlsx"
    assert main(["validate", str(book), "--mark", str(marked)]) == 1
    assert digest(book) == before
    cell = openpyxl.load_workbook(marked)["小组"]["D2"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment.text.startswith("【xlqc】")

    again = tmp_path / "再标记.xlsx"
    assert main(["validate", str(marked), "--mark", str(again)]) == 1
    assert main(["clear", str(again), "-o", str(tmp_path / "清除.xlsx")]) == 0
    cleared = openpyxl.load_workbook(tmp_path / "清除.xlsx")["小组"]["D2"]
    assert cleared.comment is None and cleared.fill.fill_type is None


def test_in_place_keeps_a_backup_first(tmp_path: Path) -> None:
    book = bad_book(tmp_path)
    before = digest(book)
    assert main(["validate", str(book), "--in-place"]) == 1
    backups = list((tmp_path / "xlqc备份").glob("有错.备份-*.xlsx"))
    assert len(backups) == 1 and digest(backups[0]) == before
    assert openpyxl.load_workbook(book)["小组"]["D2"].comment is not None


def test_output_equal_to_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = bad_book(tmp_path)
    before = digest(book)
    assert main(["validate", str(book), "--mark", str(book)]) == 2
    assert "--in-place" in capsys.readouterr().err
    assert digest(book) == before


def test_new_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "总表.xlsx"
    assert main(["new", str(path)]) == 0
    before = digest(path)
    assert main(["new", str(path)]) == 2
    assert "已存在" in capsys.readouterr().err
    assert digest(path) == before


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    path = tmp_path / "总表.xlsx"
    assert main(["new", str(path)]) == 0
    assert path.stat().st_mode & 0o044  # readable by others like any saved file, not 0600


def test_user_text_is_never_console_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "[bold]总表[/].xlsx"
    assert main(["new", str(path)]) == 0
    assert "[bold]总表[/].xlsx" in capsys.readouterr().out
    assert main(["new", str(path)]) == 2
    assert "[bold]总表[/].xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["validate"], ["validate", "--bogus", "x"], ["nosuch"]])
def test_usage_mistakes_exit_2_without_internal_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "内部错误" not in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_progress_bar_appears_only_after_a_second_and_says_when_finishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from rich.console import Console

    from xlqc import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=80))
    clock = iter([0.0, 0.5, 1.5, 1.7])  # start, then each advance
    monkeypatch.setattr(cli, "_now", lambda: next(clock))
    with cli._progress(3, "生成", quiet=False) as advance:
        advance()  # 0.5 s after the start: no bar yet
        assert screen.getvalue() == ""
        advance()  # 1.5 s: the bar appears
        assert "2/3" in screen.getvalue()
        advance()
        assert "收尾中" in screen.getvalue()
    with cli._progress(3, "生成", quiet=True) as advance:
        advance()
