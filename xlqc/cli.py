"""The ``xlqc`` command line: thin wrappers over the library, Chinese output, exit codes of §3.

Exit status: 0 no error finding, 1 some error finding, 2 input could not be read or used
(one Chinese line on stderr, never a traceback).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from xlqc import __version__
from xlqc.errors import XlqcError
from xlqc.validate import BookResult

app = typer.Typer(
    name="xlqc",
    help="全国优秀质量管理小组推荐材料：总表校验、申报表生成与打包。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
addin_app = typer.Typer(help="Excel 加载项（仅 Windows + Excel）。", no_args_is_help=True)
app.add_typer(addin_app, name="addin")

# markup off: printed lines carry user text (file names, organisation names) that may hold [..].
out = Console(highlight=False, markup=False, soft_wrap=True)  # paths are never broken
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)  # one message, one line


def _error(message: str, label: str = "错误：") -> None:
    """One line on stderr: a red label, then the message as plain text."""
    err.print(Text.assemble((label, "bold red"), message.replace("\n", " ")))


def _warn(message: str) -> None:
    """One line on stderr for something skipped (a damaged state row…)."""
    err.print(Text.assemble(("注意：", "yellow"), message.replace("\n", " ")))


T = TypeVar("T")
ExistingPath = Annotated[Path, typer.Argument(show_default=False)]


_now = time.monotonic  # the bar's clock (tests replace it)


class _Bar:
    """A rich progress bar on stderr that shows only once a run has taken a second, redraws
    from the callback (no refresh thread, so worker processes fork cleanly) and says when the
    counted items are done but the run is still finishing (附件3/4, manifest, zip)."""

    DELAY = 1.0

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.start = _now()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def advance(self, *_args: object) -> None:
        self.done += 1
        if self.bar is None and _now() - self.start >= self.DELAY:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn())  # fmt: skip
            self.bar = Progress(*columns, console=err, transient=True, auto_refresh=False)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        if self.bar is not None and self.task is not None:
            finishing = "（收尾中…）" if self.done >= self.total else ""
            self.bar.update(self.task, completed=self.done, description=self.label + finishing)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextlib.contextmanager
def _progress(total: int, label: str, quiet: bool) -> Iterator[Callable[..., None]]:
    """A progress callback: a bar for long runs on a terminal, nothing when quiet or piped."""
    if quiet or not err.is_terminal or total < 2:
        yield lambda *_a, **_k: None
        return
    bar = _Bar(total, label)
    try:
        yield bar.advance
    finally:
        bar.close()


def _output_for(src: Path, out_path: Path | None, in_place: bool, suffix: str) -> Path:
    """Where a command that rewrites a workbook writes: OUT, the file itself, or a sibling."""
    from xlqc.safeio import backup

    if out_path and in_place:
        raise XlqcError("-o/--mark 与 --in-place 只能选一个")
    from xlqc.xlsxpkg import Package

    Package.open(src)  # refuses Strict OOXML, encrypted and damaged files before any write
    if in_place:
        kept = backup(src)
        out.print(f"已备份原文件到「{kept.name}」")
        return src
    if out_path is None:
        return src.with_name(f"{src.stem}.{suffix}{src.suffix}")
    if out_path.resolve() == src.resolve():
        raise XlqcError("输出文件不能与输入相同；要改写原文件请用 --in-place（会先备份）")
    return out_path


@app.command("new")
def new_cmd(path: ExistingPath) -> None:
    """新建空白总表（设置、小组、课题、成员，带下拉列表、输入提示和条件格式）。"""
    from xlqc.builder import new_workbook

    new_workbook(path)
    out.print(f"已新建总表「{path}」，请在「设置」中填写推荐单位，再在各表中逐行填写。")


@app.command("demo")
def demo_cmd(path: ExistingPath) -> None:
    """写一份填好的示例总表（含证实性材料和几处故意的错误），用来熟悉 xlqc。"""
    from xlqc.builder import demo_workbook

    demo_workbook(path)
    out.print(f"已写出示例总表「{path}」及其证实性材料；试试：xlqc validate {path}")


@app.command("validate")
def validate_cmd(
    books: Annotated[list[Path], typer.Argument(help="总表文件或包含总表的文件夹，可多个")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 数组（供程序读取）")] = False,
    mark: Annotated[
        Path | None,
        typer.Option("--mark", help="把标记写入一份副本（多个工作簿时为文件夹）", metavar="OUT"),
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="直接标记原工作簿（先自动备份）")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数，默认用全部核心")] = 0,
) -> None:
    """校验总表，按小组列出每一处问题及其单元格。"""
    from xlqc import report
    from xlqc.validate import expand_paths, validate_paths

    if mark and in_place:
        raise XlqcError("--mark 与 --in-place 只能选一个")
    paths = expand_paths(books)
    with _progress(len(paths), "校验", as_json) as advance:
        results = validate_paths(paths, jobs=jobs or None, progress=advance)
    readable = [r for r in results if r.error is None]
    if as_json:
        sys.stdout.write(report.to_json([f for r in readable for f in r.findings]) + "\n")
    elif readable:
        report.render(readable, out)
    for r in results:
        if r.error:
            _error(r.error)
    if mark or in_place:
        _write_marks(results, mark, in_place)
    if any(r.error for r in results):
        raise typer.Exit(2)
    raise typer.Exit(1 if any(f.severity == "error" for r in results for f in r.findings) else 0)


def _write_marks(results: Sequence[BookResult], mark: Path | None, in_place: bool) -> None:
    from xlqc.marks import mark_file

    readable = [(r, r.book) for r in results if r.book is not None]
    into_folder = mark is not None and (len(readable) > 1 or mark.is_dir())
    if mark and into_folder:
        mark.mkdir(parents=True, exist_ok=True)
    for r, book in readable:
        target = mark / r.path.name if mark and into_folder else mark
        dst = _output_for(r.path, target, in_place, "已标记")
        mark_file(r.path, dst, book, r.findings, warn=_warn)
        out.print(f"已写入标记：「{dst}」")


def _rewrite_target(book: Path, output: Path | None, in_place: bool, suffix: str) -> Path:
    """Read ``book`` first, so that what is not a readable master workbook is refused before
    any backup or write; then where the rewritten workbook goes."""
    from xlqc.reading import read_book

    read_book(book)
    return _output_for(book, output, in_place, suffix)


OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="写到新文件")]
InPlaceOption = Annotated[bool, typer.Option("--in-place", help="改写原工作簿（先备份）")]


@app.command("clear")
def clear_cmd(
    book: ExistingPath, output: OutputOption = None, in_place: InPlaceOption = False
) -> None:
    """清除 xlqc 写入的标记，恢复原有的底色和批注。"""
    from xlqc.marks import clear_file

    dst = _rewrite_target(book, output, in_place, "已清除标记")
    n = clear_file(book, dst, warn=_warn)
    out.print(f"已清除 {n} 个单元格的标记：「{dst}」")


@app.command("normalize")
def normalize_cmd(
    book: ExistingPath, output: OutputOption = None, in_place: InPlaceOption = False
) -> None:
    """规范文本：去掉多余空白和不可见字符，统一全半角（R17 所报的问题）。"""
    from xlqc.normalize import describe, normalize_file

    dst = _rewrite_target(book, output, in_place, "规范")
    changes = normalize_file(book, dst)
    for change in changes:
        out.print(describe(change))
    if changes:
        out.print(f"共修改 {len(changes)} 个单元格，已写入「{dst}」")
    else:
        out.print("没有需要规范的文本。")


@app.command("export")
def export_cmd(
    book: ExistingPath,
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件夹")],
    include_all: Annotated[
        bool, typer.Option("--all", help="也导出有错误的小组（申报表加「草稿」字样）")
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 转成 PDF")] = False,
    make_zip: Annotated[
        bool, typer.Option("--zip", help="把整个文件夹打成 .zip，便于邮寄")
    ] = False,
) -> None:
    """生成附件2 申报表、附件3 推荐意见、附件4 推荐汇总表、证实性材料和清单。"""
    from xlqc.documents import export
    from xlqc.validate import validate_book

    result = validate_book(book)
    if result.error or result.book is None:
        raise XlqcError(result.error or "无法读取工作簿")
    groups = len(result.book.groups)
    with _progress(groups, "生成", False) as advance:
        exported = export(
            result.book,
            result.findings,
            output,
            include_all=include_all,
            pdf=pdf,
            make_zip=make_zip,
            progress=advance,
        )
    for line in exported.lines():
        out.print(line)
    if any("错误" in s.reason for s in exported.skipped):
        out.print("运行 xlqc validate 查看错误；加 --all 可连同有错误的小组一起导出草稿。")


@app.command("import")
def import_cmd(
    sources: Annotated[list[Path], typer.Argument(help="申报表 .docx 文件或文件夹，可多个")],
    into: Annotated[Path, typer.Option("--into", help="要写入的总表")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示会做的修改，不写入")] = False,
    update: Annotated[
        bool, typer.Option("--update", help="小组已存在且内容不同时，用申报表替换")
    ] = False,
) -> None:
    """把各小组填好的申报表（.docx）读入总表。"""
    from xlqc.intake import import_forms

    result = import_forms(sources, into, dry_run=dry_run, update=update)
    for line in result.lines():
        out.print(line)
    if result.failed and not (result.added or result.updated or result.unchanged):
        raise typer.Exit(2)


@addin_app.command("build")
def addin_build_cmd(
    output: Annotated[Path | None, typer.Option("-o", "--output", help=".xlam 输出路径")] = None,
) -> None:
    """生成 Excel 加载项 xlqc.xlam（需要 Windows 和 Excel）。"""
    from xlqc.addin import build_addin

    path = build_addin(output) if output else build_addin()
    out.print(f"已生成加载项「{path}」")


@addin_app.command("install")
def addin_install_cmd() -> None:
    """安装加载项并写入 xlwings 配置（需要 Windows 和 Excel）。"""
    from xlqc.addin import install_addin

    path = install_addin()
    out.print(f"已安装加载项到「{path}」，请重新打开 Excel，功能区会出现「QC小组」选项卡。")


@addin_app.command("uninstall")
def addin_uninstall_cmd() -> None:
    """卸载加载项并删除其配置（总表不受影响）。"""
    from xlqc.addin import uninstall_addin

    removed = uninstall_addin()
    for path in removed:
        out.print(f"已删除「{path}」")
    if not removed:
        out.print("没有找到已安装的 xlqc 加载项。")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="显示版本")] = False,
) -> None:
    if version:
        out.print(f"xlqc {__version__}")
        raise typer.Exit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs a command and turns every failure into one Chinese line.

    Usage mistakes (unknown option, missing argument) are typer's to print, with exit 2;
    commands end with ``typer.Exit(code)``, which arrives here as SystemExit."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="xlqc")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except XlqcError as exc:
        _error(exc.message)
        return 2
    except KeyboardInterrupt:
        err.print("已取消。")
        return 130
    except Exception as exc:  # a bug in xlqc: say so in one line, details only on request
        if os.environ.get("XLQC_DEBUG"):
            traceback.print_exc()
        _error(f"{type(exc).__name__}: {exc}（设置 XLQC_DEBUG=1 可查看详情）", "xlqc 内部错误：")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
