"""The command line as a clerk uses it: exit codes, JSON, folders, marks written safely."""

from __future__ import annotations

import hashlib
import json
import re
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


# --------------------------------------------------------------------------------------------
# Issue 16: the framework's chrome in Chinese, export without -o, --version

# The framework's stock English (typer/click/rich): none may reach the clerk.
STOCK = [
    "Usage", "Options", "Commands", "Arguments", "Missing", "Try", "Show this message",
    "No such", "Error", "Invalid value", "Possible", "Did you mean", "required", "default",
    "unexpected", "requires", "does not take", "Aborted", "<bool>", "<int>", "Path",
    "[OPTIONS]", "COMMAND", "[ARGS]",
]  # fmt: skip
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def _declared_words() -> set[str]:
    """Every ASCII word xlqc itself wrote into its commands: names, options, help texts."""
    import typer

    from xlqc.cli import app

    words = {"xlqc", "help"}  # the program and its help option, --help
    todo = [typer.main.get_command(app)]
    while todo:
        command = todo.pop()
        texts = [command.name or "", command.help or ""]
        for param in command.params:
            texts += [*param.opts, *param.secondary_opts, param.metavar or ""]
            texts.append(getattr(param, "help", None) or "")
        words |= {w for t in texts for w in ASCII_WORD.findall(t)}
        todo += list(getattr(command, "commands", {}).values())
    return words


def _command_paths() -> list[list[str]]:
    import typer

    from xlqc.cli import app

    paths: list[list[str]] = []
    todo: list[tuple[list[str], object]] = [([], typer.main.get_command(app))]
    while todo:
        path, command = todo.pop()
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            todo.append(([*path, name], sub))
    return sorted(paths)


def _assert_chinese(text: str, argv: list[str]) -> None:
    for stock in STOCK:
        assert stock not in text, f"{stock!r} in {text!r}"
    typed = {w for a in argv for w in ASCII_WORD.findall(a)}
    foreign = set(ASCII_WORD.findall(text)) - _declared_words() - typed
    assert not foreign, f"framework words {foreign} in {text!r}"


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "xlqc")
def test_help_of_every_command_is_chinese(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*path, "-h"]) == 0
    text = capsys.readouterr().out
    assert "用法：xlqc" in text and "显示本帮助并退出" in text
    assert "选项" in text
    _assert_chinese(text, path)


def test_root_help_names_its_panels_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2  # no command: the help, as a usage mistake
    text = capsys.readouterr().out
    assert "命令" in text and "选项" in text and "validate" in text
    _assert_chinese(text, [])
    assert main(["validate", "-h"]) == 0
    text = capsys.readouterr().out
    assert "参数" in text and "[必填]" in text


USAGE_MISTAKES = {  # kind: (argv, what the line says, the command whose help the hint names)
    "missing argument": (["validate"], "缺少参数", "xlqc validate"),
    "missing option value": (["export", "a.xlsx", "-o"], "-o 后面缺少值", "xlqc export"),
    "missing option": (["import", "a.docx"], "缺少选项 --into", "xlqc import"),
    "unknown option": (["validate", "--bogus", "x"], "没有 --bogus 这个选项", "xlqc validate"),
    "unknown option suggested": (["validate", "--jsn", "x"], "--json", "xlqc validate"),
    "unknown root option": (["--json"], "没有 --json 这个选项", "xlqc"),
    "unknown short option": (["validate", "-z", "x"], "没有 -z 这个选项", "xlqc validate"),
    "flag given a value": (["validate", "--json=3", "x"], "--json 后面不能带值", "xlqc validate"),
    "bad value": (["validate", "-j", "abc", "x"], "「abc」无效，应为整数", "xlqc validate"),
    "extra argument": (["new", "a.xlsx", "b.xlsx"], "多余的参数：b.xlsx", "xlqc new"),
    "unknown command": (["nosuch"], "没有「nosuch」这个命令", "xlqc"),
    "unknown command suggested": (["valdate", "x"], "validate", "xlqc"),
    "unknown subcommand": (["addin", "nosuch"], "没有「nosuch」这个命令", "xlqc addin"),
    "missing command": (["addin", "--"], "缺少命令", "xlqc addin"),
    "subcommand option": (["addin", "build", "--bogus"], "没有 --bogus", "xlqc addin build"),
}


@pytest.mark.parametrize("argv, said, command", USAGE_MISTAKES.values(), ids=USAGE_MISTAKES.keys())
def test_usage_mistakes_are_one_chinese_line_and_a_hint(
    argv: list[str], said: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    first, hint = captured.err.splitlines()
    assert first.startswith("错误：") and said in first
    assert hint == f"运行 {command} -h 查看用法"
    _assert_chinese(captured.err, argv)


def test_version_names_the_add_in_it_expects(capsys: pytest.CaptureFixture[str]) -> None:
    from xlqc import ADDIN_VERSION, __version__

    assert main(["--version"]) == 0
    text = capsys.readouterr().out
    assert f"xlqc {__version__}" in text and f"所需加载项版本 {ADDIN_VERSION}" in text


def test_export_without_output_writes_beside_the_workbook(
    good_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(good_book)]) == 0
    made = [p for p in good_book.parent.iterdir() if p.name.startswith("xlqc输出_")]
    assert len(made) == 1 and re.fullmatch(r"xlqc输出_\d{8}-\d{6}", made[0].name)
    assert (made[0] / "附件3_推荐意见.docx").is_file()
    assert str(made[0]) in capsys.readouterr().out


def test_ribbon_and_command_line_share_one_output_folder_function(
    good_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlqc import safeio
    from xlqc.excel import handlers

    assert handlers.output_folder is safeio.output_folder
    chosen = good_book.parent / "已选"
    monkeypatch.setattr(safeio, "output_folder", lambda folder: chosen)
    assert main(["export", str(good_book)]) == 0
    assert (chosen / "附件3_推荐意见.docx").is_file()
