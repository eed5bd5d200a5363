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
from typing import TYPE_CHECKING, Annotated, TypeVar

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

from xlqc import ADDIN_VERSION, __version__
from xlqc.cli_zh import ChineseTyper, UsageError, usage_error
from xlqc.errors import XlqcError
from xlqc.text import visible
from xlqc.validate import BookResult

if TYPE_CHECKING:
    from xlqc.addin_check import Link

app = ChineseTyper(
    name="xlqc",
    help="全国优秀质量管理小组推荐材料：总表校验、申报表生成与打包。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
addin_app = ChineseTyper(help="Excel 加载项（仅 Windows + Excel）。", no_args_is_help=True)
app.add_typer(addin_app, name="addin")

# markup off: printed lines carry user text (file names, organisation names) that may hold [..].
out = Console(highlight=False, markup=False, soft_wrap=True)  # paths are never broken
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)  # one message, one line


def _error(message: str, label: str = "错误：") -> None:
    """One line on stderr: a red label, then the message as plain text."""
    err.print(Text.assemble((label, "bold red"), visible(message.replace("\n", " "))))


def _warn(message: str) -> None:
    """One line on stderr for something skipped (a damaged state row…)."""
    err.print(Text.assemble(("注意：", "yellow"), visible(message.replace("\n", " "))))


T = TypeVar("T")
ExistingPath = Annotated[Path, typer.Argument(show_default=False, metavar="总表")]


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
    """Where a command that rewrites a workbook writes: OUT, the file itself, or a sibling.

    In place, the workbook is backed up first into ``xlqc备份/`` beside it (safeio.backup, which
    refuses a read-only workbook or one open in Excel); OUT must end like the workbook
    (.xlsx or .xlsm: the package's content types say which it is)."""
    from xlqc.safeio import BACKUP_FOLDER, backup

    if out_path and in_place:
        raise XlqcError("-o/--mark 与 --in-place 只能选一个")
    from xlqc.xlsxpkg import Package

    Package.open(src)  # refuses Strict OOXML, encrypted and damaged files before any write
    if in_place:
        kept = backup(src)
        out.print(f"已备份原文件到「{BACKUP_FOLDER}/{kept.name}」")
        return src
    if out_path is not None and out_path.is_dir():
        raise XlqcError(f"「{out_path}」是文件夹；请给出输出文件名，如「{out_path / src.name}」")
    if out_path is not None and out_path.suffix.lower() != src.suffix.lower():
        raise XlqcError(
            f"输出文件「{out_path.name}」须与原工作簿一样以 {src.suffix.lower()} 结尾"
            "（要写入文件夹，请先建好该文件夹）"
        )
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
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="并行进程数（≥1），默认用全部核心")
    ] = None,
) -> None:
    """校验总表，按小组列出每一处问题及其单元格。"""
    from xlqc import report
    from xlqc.validate import expand_paths, validate_paths

    if mark and in_place:
        raise XlqcError("--mark 与 --in-place 只能选一个")
    if jobs is not None and jobs < 1:
        raise XlqcError(f"-j/--jobs 须为 1 或更大的整数（收到 {jobs}）；不写则用全部核心")
    paths = expand_paths(books)
    with _progress(len(paths), "校验", as_json) as advance:
        results = validate_paths(paths, jobs=jobs, progress=advance)
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
    from xlqc.safeio import check_rewritable

    readable = [(r, r.book) for r in results if r.book is not None]
    if in_place:  # every book refused or none: a folder run is not left half marked
        for r, _book in readable:
            check_rewritable(r.path)
    into_folder = mark is not None and (len(readable) > 1 or mark.is_dir())
    targets: dict[Path, Path] = {}
    if mark and into_folder:
        mark.mkdir(parents=True, exist_ok=True)
        targets = _mark_targets(mark, [r.path for r, _book in readable])
    for r, book in readable:
        target = targets[r.path] if mark and into_folder else mark
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        dst = _output_for(r.path, target, in_place, "已标记")
        mark_file(r.path, dst, book, r.findings, warn=_warn)
        out.print(f"已写入标记：「{dst}」")


def _mark_targets(folder: Path, paths: Sequence[Path]) -> dict[Path, Path]:
    """Where ``--mark DIR`` writes each book: DIR/name; when two books share a name (say
    a/总表.xlsx and b/总表.xlsx), every book goes to DIR/ plus its own folder's path below
    the folder all the books share (DIR/a/总表.xlsx, DIR/b/总表.xlsx), so none overwrites
    another."""
    names = [p.name.casefold() for p in paths]
    if len(set(names)) == len(names):
        return {p: folder / p.name for p in paths}
    parents = [Path(os.path.abspath(p)).parent for p in paths]
    try:
        common = Path(os.path.commonpath(parents))
    except ValueError:  # books on different drives: numbered folders instead
        return {p: folder / str(n) / p.name for n, p in enumerate(paths, 1)}
    return {
        p: folder / parent.relative_to(common) / p.name
        for p, parent in zip(paths, parents, strict=True)
    }


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


@app.command("opinions")
def opinions_cmd(
    book: ExistingPath, output: OutputOption = None, in_place: InPlaceOption = False
) -> None:
    """起草推荐意见：推荐意见为空的推荐小组，按总表中的事实写出草稿。"""
    from xlqc.opinions import write_drafts

    dst = _rewrite_target(book, output, in_place, "推荐意见草稿")
    drafts = write_drafts(book, dst, warn=_warn)
    for d in drafts:
        out.print(visible(f"{d.group or '（无编号）'} {d.sheet}!{d.cell}：{d.chars} 字"))
    if drafts:
        out.print(f"共起草 {len(drafts)} 条推荐意见，已写入「{dst}」；请逐条审核修改。")
    else:
        out.print("没有需要起草的推荐意见。")


@app.command("export")
def export_cmd(
    book: ExistingPath,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="输出文件夹；不写时在总表旁新建 xlqc输出_年月日-时分秒"
        ),
    ] = None,
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
    from xlqc.safeio import output_folder
    from xlqc.validate import validate_book

    result = validate_book(book)
    if result.error or result.book is None:
        raise XlqcError(result.error or "无法读取工作簿")
    if output is None:
        output = output_folder(result.book.folder)
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
    lines = exported.lines()
    if output.exists() and not any(str(output) in line for line in lines):
        lines.insert(0, f"输出文件夹：{output}")
    for line in lines:
        out.print(visible(line))  # names from the workbook: never raw control characters
    if any("错误" in s.reason for s in exported.skipped):
        out.print("运行 xlqc validate 查看错误；加 --all 可连同有错误的小组一起导出草稿。")


@app.command("import")
def import_cmd(
    sources: Annotated[list[Path], typer.Argument(help="申报表 .docx 文件或文件夹，可多个")],
    into: Annotated[Path, typer.Option("--into", help="要写入的总表")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示会做的修改，不写入")] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="小组已存在且内容不同时，以申报表为准更新（申报表容纳不下的课题、成员保留）",
        ),
    ] = False,
) -> None:
    """把各小组填好的申报表（.docx）读入总表。"""
    from xlqc.intake import import_forms

    result = import_forms(sources, into, dry_run=dry_run, update=update)
    for line in result.lines():
        out.print(visible(line))  # names from the forms: never raw control characters
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
    out.print("检查安装：py -m xlqc addin check；逐个按钮自检：py -m xlqc addin selftest")


@addin_app.command("uninstall")
def addin_uninstall_cmd() -> None:
    """卸载加载项并删除其配置（总表不受影响）。"""
    from xlqc.addin import uninstall_addin

    removed = uninstall_addin()
    for path in removed:
        out.print(f"已删除「{path}」")
    if not removed:
        out.print("没有找到已安装的 xlqc 加载项。")


@addin_app.command("sources")
def addin_sources_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="写入源文件的文件夹")],
) -> None:
    """写出加载项的源文件（VBA 模块、功能区 XML、说明.txt），用于在 VBA 编辑器中手工生成。"""
    from xlqc.addin import README_TXT, addin_sources

    modules = addin_sources(output)
    out.print(f"已在「{output}」写出 {len(modules)} 个 VBA 模块、功能区 XML 和 {README_TXT}：")
    for path in sorted(output.iterdir()):
        out.print(f"  {path.name}")
    out.print(f"手工生成的步骤见「{output / README_TXT}」。")


@addin_app.command("ribbon")
def addin_ribbon_cmd(
    path: Annotated[Path, typer.Argument(help="手工生成的 .xlam 加载项")],
) -> None:
    """给手工生成的加载项加上「QC小组」功能区。"""
    from xlqc.addin import ribbon_command

    ribbon_command(path)
    out.print(f"已给「{path}」加上「QC小组」功能区；下一步：py -m xlqc addin install")


@addin_app.command("check")
def addin_check_cmd() -> None:
    """逐项检查加载项能否工作（配置、Python、加载项文件、禁用项目、宏与 ASR 策略）。"""
    from xlqc.addin_check import check_addin

    _print_checklist(check_addin(), "有 {} 项未通过。", "全部通过。")


@addin_app.command("selftest")
def addin_selftest_cmd() -> None:
    """在隐藏的 Excel 中逐个按下功能区按钮并检查结果（需要 Windows 和 Excel）。"""
    from xlqc.addin_check import selftest

    _print_checklist(selftest(), "有 {} 个按钮未通过。", "所有按钮都通过了自检。")


def _print_checklist(links: Sequence[Link], failed_text: str, passed_text: str) -> None:
    """One line per link of a check, a closing line, and exit 1 when any failed."""
    for link in links:
        out.print(link.line())
    failed = sum(link.ok is False for link in links)
    out.print(failed_text.format(failed) if failed else passed_text)
    raise typer.Exit(1 if failed else 0)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="显示 xlqc 的版本和它所需的加载项版本")
    ] = False,
) -> None:
    if version:
        out.print(f"xlqc {__version__}（所需加载项版本 {ADDIN_VERSION}）")
        raise typer.Exit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs a command and turns every failure into one Chinese line.

    Usage mistakes (unknown option, missing argument…) come back from typer as exceptions
    (``standalone_mode=False``) and are printed here in Chinese: one line and a hint, exit 2.
    Commands end with ``typer.Exit(code)``, which typer returns as the code."""
    try:
        code = app(
            args=list(argv) if argv is not None else None, prog_name="xlqc", standalone_mode=False
        )
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except UsageError as exc:
        said = usage_error(exc)
        if said:  # None: the command was given no argument and its help has been shown
            _error(said[0])
            err.print(said[1])
        return 2
    except XlqcError as exc:
        _error(exc.message)
        return 2
    except (KeyboardInterrupt, typer.Abort):
        err.print("已取消。")
        return 130
    except Exception as exc:  # a bug in xlqc: say so in one line, details only on request
        if os.environ.get("XLQC_DEBUG"):
            traceback.print_exc()
        _error(f"{type(exc).__name__}: {exc}（设置 XLQC_DEBUG=1 可查看详情）", "xlqc 内部错误：")
        return 2
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
