"""What each ribbon button does to the open workbook, and the one dispatcher the VBA calls.

``on_ribbon(control_id)`` runs the button's handler with screen updating and events off, then
shows its one Chinese message box. Nothing reaches the clerk as a Python console: an
:class:`XlqcError` becomes its message, anything else 「xlqc 内部错误：…」 with the traceback
kept in a log file in the temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from xlqc import schema, statesheet
from xlqc.errors import XlqcError
from xlqc.excel import marking
from xlqc.excel.live import (
    BOOK_SHEETS,
    LiveBook,
    as_text,
    book_path,
    read_grids,
)
from xlqc.findings import Finding, counts, groups_with_errors
from xlqc.model import Book
from xlqc.normalize import describe, text_changes
from xlqc.opinions import Draft, draft_opinions
from xlqc.reading import build_book
from xlqc.safeio import free_name, output_folder

TITLE = "xlqc"
LOG_NAME = "xlqc-excel.log"
LOG_LIMIT = 1_000_000  # bytes; the log starts afresh beyond this
MESSAGE_LINES = 12  # lines of an export report shown in the message box


@dataclass(frozen=True)
class Reply:
    """The message box a handler ends with."""

    text: str
    mode: str = "info"  # or "critical"


Handler = Callable[[Any], Reply]


# --------------------------------------------------------------------------------------------
# 校验 and 清除标记


def validate_live(xbook: Any) -> tuple[Book, list[Finding], list[str]]:
    """Read the open workbook (one read per sheet), check it with the command line's rules,
    replace the previous marks with the new ones (records of other kinds kept); the model,
    the findings and warnings about damaged rows of the state sheet."""
    from xlqc.rules import check

    path = book_path(xbook)
    live = LiveBook(xbook)
    grids = read_grids(live, BOOK_SHEETS)
    book = build_book(grids, path)
    state = marking.read_state(live)
    book.drafts = statesheet.drafts_of(state.records)  # 推荐意见 drafts: kept through the marks
    findings = check(book, file=str(path))
    marking.check_writable(live, BOOK_SHEETS)
    cleared = marking.clear_marks(live, None, keep_state=False, state=state)
    marking.mark(live, book, findings, grids[schema.GROUP_SHEET], cleared.kept)
    return book, findings, cleared.warnings


def with_warnings(text: str, warnings: list[str]) -> str:
    """A message with the warnings (damaged state rows skipped) below it."""
    return "\n".join([text, *warnings]) if warnings else text


def summary(book: Book, findings: list[Finding]) -> str:
    """The counts a validation ends with, in Chinese."""
    n = counts(findings)
    codes = [g.code for g in book.groups if g.code]
    failing = len(set(codes) & groups_with_errors(findings))
    if not findings:
        return f"校验完成：没有发现问题，{len(codes)} 个小组全部通过。"
    found = "、".join(
        f"{schema.SEVERITY_LABELS[s]} {n[s]} 条" for s in ("error", "warning", "info") if n[s]
    )
    return (
        f"校验完成：{found}。\n"
        f"{len(codes)} 个小组中 {len(codes) - failing} 个没有错误，{failing} 个有错误。\n"
        "问题单元格已标底色并加【xlqc】批注，完整清单见「校验结果」工作表；"
        "「清除标记」可恢复原样。"
    )


def on_validate(xbook: Any) -> Reply:
    book, findings, warnings = validate_live(xbook)
    return Reply(with_warnings(summary(book, findings), warnings))


def on_clear(xbook: Any) -> Reply:
    live = LiveBook(xbook)
    grids = read_grids(live, [schema.GROUP_SHEET])
    marking.check_writable(live, BOOK_SHEETS)
    cleared = marking.clear_marks(live, grids.get(schema.GROUP_SHEET))
    if not cleared.restored:
        text = "已清除 xlqc 的标记（没有需要恢复的单元格）。"
    else:
        text = f"已清除 xlqc 的标记，{cleared.restored} 个单元格恢复了原来的底色和批注。"
    return Reply(with_warnings(text, cleared.warnings))


# --------------------------------------------------------------------------------------------
# 生成申报表 / 生成汇总表 / 全部导出

# What each export button asks of xlqc.documents.export: None for everything and the .zip,
# else the part passed as ``only=`` (forms: 附件2 with the proofs; summary: 附件3 and 附件4).
EXPORT_ONLY: dict[str, Literal["forms", "summary"] | None] = {
    "export_forms": "forms",
    "export_summary": "summary",
    "export_all": None,
}


def export_live(xbook: Any, control_id: str) -> Reply:
    """Validate first (marks included), then export into a new folder beside the workbook."""
    from xlqc.documents import export

    book, findings, warnings = validate_live(xbook)
    out_dir = output_folder(book.folder)
    only = EXPORT_ONLY[control_id]
    result = export(book, findings, out_dir, make_zip=only is None, only=only)
    lines = [str(line) for line in result.lines()]
    if out_dir.exists() and not any(str(out_dir) in line for line in lines):
        lines.insert(0, f"输出文件夹：{out_dir}")
    shown = lines[:MESSAGE_LINES]
    if len(lines) > MESSAGE_LINES:
        shown.append(f"……（另有 {len(lines) - MESSAGE_LINES} 行，见输出文件夹中的清单）")
    return Reply("\n".join([*shown, "", with_warnings(summary(book, findings), warnings)]))


def on_export_forms(xbook: Any) -> Reply:
    return export_live(xbook, "export_forms")


def on_export_summary(xbook: Any) -> Reply:
    return export_live(xbook, "export_summary")


def on_export_all(xbook: Any) -> Reply:
    return export_live(xbook, "export_all")


# --------------------------------------------------------------------------------------------
# 规范文本


def on_normalize(xbook: Any) -> Reply:
    """Fix what R17 reports in the open workbook, writing only the changed cells (never a cell
    holding a formula), one write per run of adjacent changed cells in a column."""
    live = LiveBook(xbook)
    grids = read_grids(live, BOOK_SHEETS)
    book = build_book(grids, book_path(xbook))
    changes = text_changes(book)
    formulas = {
        sheet: _formula_cells(live.sheet(sheet), grids[sheet])
        for sheet in {c.sheet for c in changes}
    }
    todo = [c for c in changes if c.cell not in formulas[c.sheet]]
    if todo:
        marking.check_writable(live, sorted({c.sheet for c in todo}))
    runs: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for c in todo:
        row, col = _position(c.cell)
        runs.setdefault((c.sheet, col), []).append((row, c.after))
    for (sheet, col), cells in runs.items():
        for first, values in _adjacent(sorted(cells)):
            _write_texts(live.sheet(sheet), first, col, values)
    if not todo:
        return Reply("没有需要规范的文本。")
    shown = [describe(c) for c in todo[:MESSAGE_LINES]]
    if len(todo) > MESSAGE_LINES:
        shown.append(f"……（另有 {len(todo) - MESSAGE_LINES} 处）")
    return Reply(
        "\n".join(
            [
                f"已规范 {len(todo)} 个单元格的文本：",
                *shown,
                "Excel 的「撤销」不能恢复这些修改；如需恢复，请不保存关闭工作簿。",
            ]
        )
    )


def _write_texts(sheet: Any, first: int, col: int, values: list[str]) -> None:
    """Write a run of texts down a column in one call, each with the ' prefix only where its
    cell would otherwise change it (see :func:`as_text`): a run of mixed number formats is
    written cell by cell, each with its own format."""
    rng = sheet.range((first, col), (first + len(values) - 1, col))
    number_format = rng.number_format
    if number_format is None and len(values) > 1:  # mixed formats
        for i, value in enumerate(values):
            _write_texts(sheet, first + i, col, [value])
        return
    rng.value = [[as_text(v, number_format)] for v in values]


def _position(cell: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(cell)
    return row, column_index_from_string(letters)


def _formula_cells(sheet: Any, grid: list[list[Any]]) -> set[str]:
    """Addresses of the cells holding formulas, in one read."""
    rows, cols = len(grid), max((len(r) for r in grid), default=0)
    if not rows or not cols:
        return set()
    found = sheet.range((1, 1), (rows, cols)).formula
    table = [[found]] if isinstance(found, str) else found
    return {
        f"{get_column_letter(c)}{r}"
        for r, line in enumerate(table, start=1)
        for c, text in enumerate(line, start=1)
        if isinstance(text, str) and text.startswith("=")
    }


def _adjacent(cells: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Runs of consecutive rows: [(first row, values)]."""
    runs: list[tuple[int, list[str]]] = []
    for row, value in cells:
        if runs and runs[-1][0] + len(runs[-1][1]) == row:
            runs[-1][1].append(value)
        else:
            runs.append((row, [value]))
    return runs


# --------------------------------------------------------------------------------------------
# 推荐意见草稿


def put_live_records(live: LiveBook, kind: str, records: list[statesheet.Record]) -> None:
    """Replace the state sheet's records of ``kind`` by ``records`` (every other kind kept), in
    one read and one write; a new very hidden state sheet when there is none."""
    state = marking.read_state(live)
    kept = [r for r in state.records if r.kind != kind]
    if not records and len(kept) == len(state.records):
        return  # nothing of that kind before or after: nothing written
    if state.name is None:
        active = live.xbook.sheets.active
        marking.write_state(live, [*kept, *records])
        active.activate()
    else:
        sheet = live.sheet(state.name)
        sheet.clear()
        marking.write_rows(sheet, statesheet.state_rows([*kept, *records]))


def on_opinions(xbook: Any) -> Reply:
    """推荐意见草稿: what ``xlqc opinions`` does, on the open workbook: a draft into every empty
    推荐意见 of a recommended group (never over text, never over a formula), written as text,
    and recorded in the state sheet so that 校验 calls it a draft until the clerk edits it."""
    live = LiveBook(xbook)
    grids = read_grids(live, BOOK_SHEETS)
    book = build_book(grids, book_path(xbook))
    earlier = [r for r in marking.read_state(live).records if r.kind == statesheet.DRAFT_KIND]
    planned = draft_opinions(book)
    groups = {g.row: g for g in book.groups}
    formulas = (
        _formula_cells(live.sheet(schema.GROUP_SHEET), grids[schema.GROUP_SHEET])
        if planned
        else set()
    )
    drafts = [
        Draft(groups[r].code, schema.GROUP_SHEET, groups[r].cell("opinion"), text)
        for r, text in planned.items()
        if "opinion" in groups[r].columns and groups[r].cell("opinion") not in formulas
    ]
    if not drafts:
        return Reply("没有需要起草的推荐意见。")
    marking.check_writable(live, [schema.GROUP_SHEET])
    col = _position(drafts[0].cell)[1]
    for first, values in _adjacent(sorted((_position(d.cell)[0], d.text) for d in drafts)):
        _write_texts(live.sheet(schema.GROUP_SHEET), first, col, values)
    # earlier drafts are kept while their cells hold them (a record of a cell that is no
    # group's 推荐意见 any more is kept as it is)
    drafted = {(d.sheet, d.cell) for d in drafts}
    shown = {(g.sheet, g.cell("opinion")): g.raw.get("opinion") for g in book.groups}
    kept = [
        r
        for r in earlier
        if (r.sheet, r.cell) not in drafted
        and shown.get((r.sheet, r.cell), r.data.get("text")) == r.data.get("text")
    ]
    new = [statesheet.Record(statesheet.DRAFT_KIND, d.sheet, d.cell, {"text": d.text, "group": d.group})
           for d in drafts]  # fmt: skip
    put_live_records(live, statesheet.DRAFT_KIND, [*kept, *new])
    lines = [f"{d.group or '（无编号）'} {d.sheet}!{d.cell}：{d.chars} 字" for d in drafts]
    if len(lines) > MESSAGE_LINES:
        lines = [*lines[:MESSAGE_LINES], f"……（另有 {len(lines) - MESSAGE_LINES} 条）"]
    return Reply(
        "\n".join(
            [
                f"已为 {len(drafts)} 个小组起草推荐意见（只写入原来为空的单元格）：",
                *lines,
                "草稿只陈述总表中的事实，请逐条审核修改；未修改前「校验」会提示它仍是草稿。",
                "Excel 的「撤销」不能恢复这些修改；如需恢复，请不保存关闭工作簿。",
            ]
        )
    )


# --------------------------------------------------------------------------------------------
# 新建总表 and 导入申报表


def _folder_of(xbook: Any) -> Path:
    """The workbook's folder, or the user's Documents for a book never saved."""
    try:
        return book_path(xbook).parent
    except XlqcError:
        docs = Path.home() / "Documents"
        return docs if docs.is_dir() else Path.home()


def on_new_book(xbook: Any) -> Reply:
    from xlqc.builder import new_workbook

    path = free_name(_folder_of(xbook), f"QC小组总表_{datetime.now():%Y%m%d}", ".xlsx")
    new_workbook(path)
    xbook.app.books.open(str(path))
    return Reply(
        f"已新建总表「{path}」并打开。\n请先在「设置」中填写推荐单位，再在「小组」「课题」「成员」中逐行填写。"
    )


def ask_folder(title: str, start: Path) -> Path | None:
    """A folder the clerk picks in the system's folder dialog (tkinter); None if cancelled."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:
        raise XlqcError(
            "无法打开选择文件夹的窗口（此 Python 没有 tkinter）；请改用命令行 xlqc import"
        ) from None
    root = tkinter.Tk()
    root.withdraw()
    root.attributes("-topmost", True)
    try:
        chosen = filedialog.askdirectory(title=title, initialdir=str(start), mustexist=True)
    finally:
        root.destroy()
    return Path(chosen) if chosen else None


def on_import_forms(xbook: Any) -> Reply:
    """Ask for a folder of filled 申报表, then run the command line's import on the workbook:
    it is saved, closed while the import writes the file, and opened again."""
    try:
        from xlqc.intake import import_forms
    except ImportError:
        return Reply("这个版本的 xlqc 还不能导入申报表；请升级 xlqc 后再试。")
    path = book_path(xbook)
    app = xbook.app
    quiet = unattended(app)
    if quiet:  # xlqc addin selftest: the forms are in 申报表 beside the workbook
        forms = path.parent / FORMS_FOLDER
        folder: Path | None = forms if forms.is_dir() else None
    else:
        folder = ask_folder("选择存放各小组申报表（.docx）的文件夹", path.parent)
    if folder is None:
        return Reply("已取消导入。")
    answer = (
        "yes"
        if quiet
        else app.alert(
            f"将把「{folder.name}」中的申报表导入「{path.name}」。\n"
            "导入前会先保存并关闭此工作簿，写入后自动重新打开。继续吗？",
            TITLE,
            buttons="yes_no",
        )
    )
    if answer != "yes":
        return Reply("已取消导入。")
    xbook.save()
    xbook.close()
    try:
        result = import_forms([folder], path)
    finally:
        app.books.open(str(path))
    lines = [str(line) for line in result.lines()][:MESSAGE_LINES]
    return Reply("\n".join(["导入完成。", *lines, "请按「校验」检查导入的内容。"]))


# --------------------------------------------------------------------------------------------
# The dispatcher

HANDLERS: dict[str, Handler] = {
    "validate": on_validate,
    "clear": on_clear,
    "export_forms": on_export_forms,
    "export_summary": on_export_summary,
    "export_all": on_export_all,
    "normalize": on_normalize,
    "new_book": on_new_book,
    "import_forms": on_import_forms,
    "opinions": on_opinions,
}


def on_ribbon(control_id: str, xbook: Any = None) -> None:
    """Run the handler of ribbon button ``control_id`` on the workbook that called it (or
    ``xbook``) and show its message box; every failure becomes a Chinese message box."""
    try:
        xbook = xbook if xbook is not None else _caller()
    except Exception as exc:  # no Excel to talk to: xlwings shows stderr in its error box
        sys.stderr.write(f"xlqc 无法连接到 Excel 工作簿：{exc}\n")
        raise SystemExit(1) from None
    app = xbook.app  # kept: a handler may close the book (导入申报表)
    quiet = unattended(app)
    try:
        handler = HANDLERS.get(control_id)
        if handler is None:
            raise XlqcError(f"未知的按钮「{control_id}」：请重新安装 xlqc 加载项")
        with app.properties(screen_updating=False, enable_events=False):
            reply = handler(xbook)
    except XlqcError as exc:
        reply = Reply(exc.message, "critical")
    except Exception as exc:
        log = write_log(control_id)
        reply = Reply(
            f"xlqc 内部错误：{type(exc).__name__}: {_short(exc)}\n详情已记入「{log}」。", "critical"
        )
    if quiet:  # nobody sees this Excel (xlqc addin selftest): no box to block it
        reply_file().write_text(f"{reply.mode}\n{reply.text}", encoding="utf-8")
    else:
        app.alert(reply.text, TITLE, mode=reply.mode)


REPLY_NAME = "xlqc-excel-reply.txt"
FORMS_FOLDER = "申报表"  # what 导入申报表 imports in an Excel nobody sees


def reply_file() -> Path:
    """Where a button pressed in a hidden Excel (``xlqc addin selftest``) leaves its message:
    "mode" on the first line, the text after it."""
    return Path(tempfile.gettempdir()) / REPLY_NAME


def unattended(app: Any) -> bool:
    """Whether ``app`` is an Excel nobody sees (started hidden by ``xlqc addin selftest``):
    a dialog there would wait forever, so the buttons ask nothing."""
    return not app.visible


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def write_log(control_id: str) -> Path:
    """Append the current exception's traceback to the log in the temporary folder."""
    log = Path(tempfile.gettempdir()) / LOG_NAME
    try:
        if log.exists() and log.stat().st_size > LOG_LIMIT:
            log.unlink()
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} {control_id}\n")
            fh.write(traceback.format_exc())
    except OSError:
        pass
    return log


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:120]
