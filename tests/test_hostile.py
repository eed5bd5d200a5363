"""Broken and hostile input (DESIGN.md §6): one Chinese line and exit 2, or the right finding,
never a traceback, and every input file byte-identical afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import hostile
import openpyxl
import pytest
from hostile import (
    BLANK_ROWS,
    FORMULA_CODE,
    FORMULA_TEXT,
    IMPOSSIBLE_DATES,
    LONGEST_CELL,
    SECRET,
    TEXT_DATES,
    assert_refused,
    column_of,
    missing,
    needs,
    run,
    snapshot,
)

from xlqc import reading, schema
from xlqc.reading import read_book
from xlqc.safeio import EXPORT_MARKER

# Input that is not a usable master workbook -> the words the one line on stderr must hold.
REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not a zip": (hostile.not_a_zip, "不是 Excel 工作簿"),
    "empty file": (hostile.empty_file, "空文件"),
    "zip, not a workbook": (hostile.zip_not_workbook, "不是 Excel 工作簿"),
    "truncated": (hostile.truncated_workbook, "损坏"),
    ".xls": (hostile.old_xls, ".xls"),
    "encrypted .xlsx": (hostile.xls_renamed_xlsx, "密码"),
    ".csv": (hostile.csv_file, "CSV"),
    "lock file": (hostile.lock_file, "锁定文件"),
    "50 MB": (hostile.too_big, "40 MB"),
    "missing sheet": (hostile.missing_sheet, "缺少工作表「成员」"),
    "missing header": (hostile.missing_header, "缺少列「注册日期」"),
    "duplicated header": (hostile.duplicated_header, "「电话」出现了两次"),
    "XML bomb": (hostile.xml_bomb, "损坏"),
    "XML bomb in sharedStrings": (hostile.xml_bomb_shared_strings, "损坏"),
    "external entity": (hostile.external_entity, "损坏"),
    "zip bomb": (hostile.zip_bomb, "异常巨大"),
    "zip bomb, lying size": (hostile.zip_bomb_lying, "损坏"),
    ".ods": (hostile.ods_file, "OpenDocument 表格（.ods），请在 WPS 或 Excel 中另存为 .xlsx"),
    ".ods named .xlsx": (hostile.ods_renamed_xlsx, "OpenDocument 表格（.ods）"),
    ".numbers": (hostile.numbers_file, "Apple Numbers 表格（.numbers）"),
    ".numbers named .xlsx": (hostile.numbers_renamed_xlsx, "Apple Numbers 表格"),
    ".et": (hostile.wps_et, "WPS 表格文件（.et）"),
}
# Layout problems are found when reading the sheets: commands that only rewrite a workbook
# (clear, normalize) may accept them, since they do not need the master-workbook layout.
LAYOUT = {"missing sheet", "missing header", "duplicated header"}

# Every command that opens a workbook; OUT is a path outside the input folder.
COMMANDS: dict[str, tuple[list[str], str | None]] = {
    "validate --json": (["validate", "--json", "{in}"], None),
    "validate": (["validate", "{in}"], "xlqc.report"),
    "validate --mark": (["validate", "--json", "--mark", "{out}", "{in}"], "xlqc.marks"),
    "validate --in-place": (["validate", "--json", "--in-place", "{in}"], "xlqc.marks"),
    "clear -o": (["clear", "-o", "{out}", "{in}"], "xlqc.marks"),
    "clear --in-place": (["clear", "--in-place", "{in}"], "xlqc.marks"),
    "normalize -o": (["normalize", "-o", "{out}", "{in}"], "xlqc.normalize"),
    "normalize --in-place": (["normalize", "--in-place", "{in}"], "xlqc.normalize"),
    "export": (["export", "{in}", "-o", "{outdir}"], "xlqc.documents"),
}


def _args(template: list[str], src: Path, tmp: Path) -> list[str]:
    values = {
        "{in}": str(src),
        "{out}": str(tmp / "out" / "标记.xlsx"),
        "{outdir}": str(tmp / "导出"),
    }
    return [values.get(a, a) for a in template]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", REFUSED)
def test_refused_with_one_chinese_line(
    case: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template, module = COMMANDS[command]
    if module and missing(module):
        pytest.skip(f"{module} does not exist yet")
    build, fragment = REFUSED[case]
    folder = tmp_path / "in"
    folder.mkdir()
    src = build(folder)
    before = snapshot(folder)
    outcome = run(capsys, *_args(template, src, tmp_path))
    if case in LAYOUT and command.split()[0] in ("clear", "normalize") and outcome.code == 0:
        return  # a rewrite that does not need the layout; --in-place keeps a backup (test_preserve)
    assert_refused(outcome, fragment)
    assert snapshot(folder) == before, "the input folder changed"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not (tmp_path / "导出").exists()


def test_refusals_are_quick(tmp_path: Path) -> None:
    """The size and bomb checks look at the zip directory only: no decompression, no hang."""
    for build in (hostile.too_big, hostile.zip_bomb, hostile.zip_bomb_lying, hostile.xml_bomb):
        folder = tmp_path / build.__name__
        folder.mkdir()
        src = build(folder)
        start = time.perf_counter()
        with pytest.raises(reading.XlqcError):
            read_book(src)
        assert time.perf_counter() - start < 5, build.__name__


def test_size_limit_is_the_one_in_the_message(tmp_path: Path) -> None:
    src = hostile.too_big(tmp_path)
    assert src.stat().st_size > reading.MAX_FILE_BYTES
    with pytest.raises(reading.XlqcError, match=f"{reading.MAX_FILE_BYTES // 1048576} MB"):
        read_book(src)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_ods_saved_by_libreoffice_gets_the_save_as_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The master workbook saved as .ods by LibreOffice headless, then renamed .xlsx as well:
    both say what the file is and what to do, by suffix and by content."""
    src = hostile.good_book(tmp_path / "in")
    out = tmp_path / "ods"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "ods", "--outdir", str(out), str(src)],
        check=False, capture_output=True, timeout=120,
    )  # fmt: skip
    ods = out / "总表.ods"
    if not ods.exists():  # LibreOffice without Calc (libreoffice-writer only) loads no .xlsx
        pytest.skip("LibreOffice Calc is not installed")
    renamed = shutil.copyfile(ods, out / "从WPS来的.xlsx")
    for path in (ods, renamed):
        outcome = run(capsys, "validate", path)
        assert_refused(outcome, "OpenDocument 表格（.ods），请在 WPS 或 Excel 中另存为 .xlsx")


def test_external_entity_is_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = hostile.external_entity(tmp_path)
    outcome = run(capsys, "validate", "--json", src)
    assert outcome.code == 2
    assert SECRET not in outcome.out + outcome.err


# --- a folder with Excel's lock file -------------------------------------------------------


@needs("xlqc.rules")
def test_folder_skips_the_lock_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = hostile.lock_file(tmp_path)
    before = snapshot(tmp_path)
    outcome = run(capsys, "validate", "--json", tmp_path)
    assert outcome.code == 0, outcome
    files = {f["file"] for f in json.loads(outcome.out)}
    assert not any(lock.name in f for f in files)
    assert "锁定文件" not in outcome.err
    assert snapshot(tmp_path) == before


# --- input read correctly, or reported as findings -----------------------------------------


def _validate(capsys: pytest.CaptureFixture[str], src: Path) -> tuple[int, list[dict[str, str]]]:
    before = snapshot(src.parent)
    outcome = run(capsys, "validate", "--json", src)
    assert "Traceback" not in outcome.err and "内部错误" not in outcome.err, outcome.err
    assert snapshot(src.parent) == before, "validate changed its input folder"
    return outcome.code, json.loads(outcome.out)


def _at(findings: list[dict[str, str]], rule: str) -> set[str]:
    return {f"{f['sheet']}!{f['cell']}" for f in findings if f["rule"] == rule}


def _group_cell(header: str, row: int = 2) -> str:
    return f"{schema.GROUP_SHEET}!{column_of(schema.GROUP_SHEET, header)}{row}"


@needs("xlqc.rules")
def test_merged_cells_leave_the_second_row_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Merging A2:A3 on 课题 keeps the value in A2 only; A3 is reported empty, not guessed."""
    code, findings = _validate(capsys, hostile.merged_cells(tmp_path))
    assert code == 1
    assert f"{schema.TOPIC_SHEET}!A3" in _at(findings, "R01")


@needs("xlqc.rules")
def test_formulas_are_read_as_their_cached_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = hostile.formulas_cached(tmp_path)
    group = read_book(src).groups[0]
    assert (group.name, group.dept) == ("配电运检QC小组", "运维检修部")
    code, findings = _validate(capsys, src)
    assert (code, [f for f in findings if f["severity"] == "error"]) == (0, [])


@needs("xlqc.rules")
def test_formula_never_calculated_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A formula without a cached value (written by a program, never opened in Excel) is read
    as empty: the clerk is told the required cell is empty rather than shown a guess."""
    code, findings = _validate(capsys, hostile.formula_without_cache(tmp_path))
    assert code == 1
    assert _at(findings, "R01") == {_group_cell("联系部门")}


@needs("xlqc.rules")
def test_error_values_are_reported_as_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """#REF! and #N/A in required fields are R01, and the message says which error the cell
    shows (calamine reads error cells as empty; the reader puts the error text back)."""
    code, findings = _validate(capsys, hostile.error_values(tmp_path))
    assert code == 1
    assert _at(findings, "R01") == {_group_cell("联系部门"), _group_cell("地址")}
    messages = " ".join(f["message"] for f in findings if f["rule"] == "R01")
    assert "公式错误值「#REF!」" in messages and "公式错误值「#N/A」" in messages


@needs("xlqc.rules")
def test_every_listed_text_date_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = hostile.text_dates(tmp_path)
    starts = {t.raw["start"]: t.start for t in read_book(src).topics}
    for text, expected in TEXT_DATES.items():
        assert starts[text] is not None and starts[text].value == expected, text
    code, findings = _validate(capsys, src)
    assert _at(findings, "R08") == set()
    assert code == 0


@needs("xlqc.rules")
def test_impossible_dates_are_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _validate(capsys, hostile.impossible_dates(tmp_path))
    assert code == 1
    first = len(hostile.GOOD_TOPICS) + 2
    start = column_of(schema.TOPIC_SHEET, "活动开始")
    expected = {f"{schema.TOPIC_SHEET}!{start}{first + i}" for i in range(len(IMPOSSIBLE_DATES))}
    assert _at(findings, "R08") == expected
    messages = " ".join(f["message"] for f in findings if f["rule"] == "R08")
    assert all(text in messages for text in IMPOSSIBLE_DATES)


@needs("xlqc.rules")
def test_longest_cells_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = hostile.huge_cells(tmp_path)
    assert len(read_book(src).groups[0].summary) == LONGEST_CELL
    code, findings = _validate(capsys, src)
    assert code == 1
    assert _at(findings, "R06") == {_group_cell("活动综述")}
    assert _at(findings, "R07") == {_group_cell("推荐意见")}
    assert all(str(LONGEST_CELL) in f["message"] for f in findings if f["rule"] in ("R06", "R07"))


@needs("xlqc.rules")
def test_blank_formatted_rows_are_skipped_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """100,000 styled empty rows per sheet: read in seconds (a generous bound against hangs and
    per-row work, not a benchmark), and no phantom rows."""
    src = hostile.blank_formatted_rows(tmp_path)
    with zipfile.ZipFile(src) as zf:
        assert zf.read(hostile.SHEET_PART[schema.TOPIC_SHEET]).count(b"<row ") > BLANK_ROWS
    start = time.perf_counter()
    code, findings = _validate(capsys, src)
    assert time.perf_counter() - start < 30
    book = read_book(src)
    assert (len(book.groups), len(book.topics), len(book.members)) == (1, 2, 5)
    assert code == 0 and [f for f in findings if f["severity"] == "error"] == []


@needs("xlqc.rules")
def test_formula_like_text_is_read_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = hostile.formula_text(tmp_path)
    book = read_book(src)
    group = book.groups[0]
    assert group.code == FORMULA_CODE
    assert [group.raw[f] for f in ("name", "address", "contact", "dept", "opinion")] == [
        FORMULA_TEXT[h] for h in ("小组名称", "地址", "直接联系人", "联系部门", "推荐意见")
    ]
    assert "=李明" in [m.name for m in book.members]
    _, findings = _validate(capsys, src)
    assert _at(findings, "R13") == {_group_cell("邮箱")}
    assert _at(findings, "R10") == set()  # "=G001" links the sheets like any other code


@needs("xlqc.rules")
@pytest.mark.parametrize("build", [hostile.emoji_text, hostile.markup_text, hostile.path_names])
def test_unusual_text_is_plain_data(
    build: Callable[[Path], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Emoji, characters outside the BMP, markup and path-like names: read verbatim, no error
    finding because of them."""
    src = build(tmp_path)
    book = read_book(src)
    wb = openpyxl.load_workbook(src)
    ws = wb[schema.GROUP_SHEET]
    for group in book.groups:
        for field in ("org", "name", "summary"):
            col = column_of(schema.GROUP_SHEET, schema.column(schema.GROUP_SHEET, field).header)
            assert group.raw[field] == ws[f"{col}{group.row}"].value
    code, findings = _validate(capsys, src)
    assert code == 0, [f for f in findings if f["severity"] == "error"]


# --- the written workbooks keep user text as text ------------------------------------------


def _formula_parts(path: Path) -> list[str]:
    """Sheet parts of ``path`` holding a formula element."""
    with zipfile.ZipFile(path) as zf:
        return [
            n
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and (b"<f>" in zf.read(n) or b"<f " in zf.read(n))
        ]


def _formula_like_cells(path: Path) -> dict[str, str]:
    """Every cell whose text starts with = + - @, with openpyxl's data type ('s' = text)."""
    wb = openpyxl.load_workbook(path)
    return {
        f"{ws.title}!{c.coordinate}": c.data_type
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+-@"
    }


@needs("xlqc.marks")
@needs("xlqc.rules")
def test_marked_copy_stores_formula_like_text_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = hostile.formula_text(tmp_path / "in")
    out = tmp_path / "标记.xlsx"
    before = snapshot(src.parent)
    outcome = run(capsys, "validate", "--json", "--mark", out, src)
    assert outcome.code == 1, outcome
    assert snapshot(src.parent) == before
    assert _formula_parts(src) == [] and _formula_parts(out) == []
    cells = _formula_like_cells(out)
    assert set(cells.values()) == {"s"}
    results = [c for c in cells if c.startswith(schema.RESULT_SHEET + "!")]
    assert results, "the 小组编号 =G001 should appear on 校验结果"
    assert set(_formula_like_cells(src)) <= set(cells)


@needs("xlqc.normalize")
def test_normalized_copy_stores_formula_like_text_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = hostile.formula_text(tmp_path / "in")
    out = tmp_path / "规范.xlsx"
    before = snapshot(src.parent)
    outcome = run(capsys, "normalize", "-o", out, src)
    assert outcome.code == 0, outcome
    assert snapshot(src.parent) == before
    assert _formula_parts(out) == []
    assert set(_formula_like_cells(out).values()) == {"s"}
    assert set(_formula_like_cells(src)) <= set(_formula_like_cells(out))


# --- exports: user text escaped, file names safe and inside the output folder ---------------

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{i}" for d in ("COM", "LPT") for i in range(10)
}


def _export(capsys: pytest.CaptureFixture[str], src: Path, out: Path) -> list[Path]:
    """``xlqc export --all --zip``: the files written, after checking nothing else changed."""
    outside = snapshot(src.parent)
    outcome = run(capsys, "export", src, "-o", out, "--all", "--zip")
    assert outcome.code == 0, outcome
    assert "Traceback" not in outcome.err + outcome.out
    assert snapshot(src.parent) == outside, "export changed the workbook's folder"
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != EXPORT_MARKER)


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _form2(files: list[Path]) -> list[Path]:
    return [p for p in files if p.suffix == ".docx" and p.parent.name.startswith("附件2")]


@needs("xlqc.documents")
def test_export_prints_markup_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """& < > " and Jinja/Word markup in user text come out as the clerk typed them."""
    src = hostile.markup_text(tmp_path / "in")
    files = _export(capsys, src, tmp_path / "导出")
    (form,) = _form2(files)
    text = _docx_text(form)
    for header in ("组织名称", "小组名称", "活动综述"):
        assert hostile.MARKUP_TEXT[header] in text, header
    assert "49" not in text and "QCQCQC" not in text  # {{ 7*7 }} and the loop never ran
    forms = [_docx_text(p) for p in files if p.name.startswith("附件3")]
    assert forms and hostile.MARKUP_TEXT["推荐意见"] in forms[0]


@needs("xlqc.documents")
def test_export_file_names_are_safe_and_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """../, CON, NUL, COM1, LPT1.txt, forbidden characters and trailing dots as 组织名称 and
    小组名称: every file lands inside the output folder under a name Windows accepts."""
    src = hostile.path_names(tmp_path / "in")
    out = tmp_path / "work" / "导出"
    files = _export(capsys, src, out)
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["导出"]
    assert len(_form2(files)) == len(hostile.PATH_NAMES)
    zips = [p for p in files if p.suffix == ".zip"]
    with zipfile.ZipFile(zips[0]) as zf:
        archived = zf.namelist()
    names = [str(p.relative_to(out)) for p in files] + archived
    for name in names:
        assert not name.startswith("/") and "\\" not in name, name
        for part in Path(name).parts:
            assert part not in ("..", "."), name
            assert not WINDOWS_FORBIDDEN & set(part), name
            assert part == part.rstrip(" ."), name
            assert part.split(".")[0].strip().upper() not in WINDOWS_RESERVED, name
    for p in files:
        assert p.resolve().is_relative_to(out.resolve())


@needs("xlqc.documents")
def test_export_keeps_emoji_and_characters_outside_the_bmp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = hostile.emoji_text(tmp_path / "in")
    files = _export(capsys, src, tmp_path / "导出")
    (form,) = _form2(files)
    text = _docx_text(form)
    assert hostile.EMOJI_TEXT["组织名称"] in text
    assert hostile.EMOJI_TEXT["活动综述"] in text


@needs("xlqc.documents")
def test_exported_workbooks_store_formula_like_text_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """附件4 .xlsx and the manifest hold 组织名称/小组名称 as text, never as formulas."""
    src = hostile.formula_text(tmp_path / "in")
    files = _export(capsys, src, tmp_path / "导出")
    books = [p for p in files if p.suffix == ".xlsx"]
    assert books
    for book in books:
        assert _formula_parts(book) == [], book.name
        assert set(_formula_like_cells(book).values()) <= {"s"}, book.name
    summary = [b for b in books if b.name.startswith("附件4")]
    assert summary and FORMULA_TEXT["小组名称"] in _formula_like_cells_values(summary[0])


def _formula_like_cells_values(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}


def test_templates_render_in_a_sandbox() -> None:
    """A template a clerk restyled (or was sent) cannot reach Python internals; values are
    escaped for XML."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from xlqc.templating import sandbox

    env = sandbox()
    assert isinstance(env, SandboxedEnvironment)
    assert env.from_string("{{ v }}").render(v='<w:t>&"') == "&lt;w:t&gt;&amp;&#34;"
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()


# --- XML parsing hardened ------------------------------------------------------------------


def test_openpyxl_parses_through_defusedxml() -> None:
    """openpyxl uses defusedxml when it is installed (it is a dependency of xlqc): marks,
    normalize and intake load workbooks with openpyxl."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("build", [hostile.xml_bomb, hostile.external_entity])
def test_openpyxl_refuses_entities(build: Callable[[Path], Path], tmp_path: Path) -> None:
    src = build(tmp_path)
    start = time.perf_counter()
    with pytest.raises(Exception) as caught:
        openpyxl.load_workbook(src)
    assert time.perf_counter() - start < 5
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("laughs", [True, False], ids=["billion laughs", "external entity"])
def test_word_readers_do_not_expand_entities(laughs: bool, tmp_path: Path) -> None:
    """The intake reader (lxml, resolve_entities=False, no DTD, no network) and python-docx
    neither read the local file nor expand the bomb: refused, or read without them."""
    import docx

    from xlqc.errors import XlqcError
    from xlqc.intake.blocks import read_blocks

    src = hostile.docx_with_entities(tmp_path, laughs=laughs)
    try:
        text = str(read_blocks(src))
    except XlqcError as exc:
        text = exc.message
    assert SECRET not in text and "lollol" not in text
    try:
        text = "".join(p.text for p in docx.Document(str(src)).paragraphs)
    except Exception as exc:  # lxml's amplification guard
        text = str(exc)
    assert SECRET not in text and "lollol" not in text


@needs("xlqc.intake")
@pytest.mark.parametrize("laughs", [True, False], ids=["billion laughs", "external entity"])
def test_import_of_a_hostile_form(
    laughs: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xlqc import of such a form: no traceback, the secret never printed, the master workbook
    byte-identical."""
    book = hostile.good_book(tmp_path / "总表")
    form = hostile.docx_with_entities(tmp_path, laughs=laughs)
    before = snapshot(book.parent)
    outcome = run(capsys, "import", form, "--into", book)
    assert "Traceback" not in outcome.err + outcome.out and "内部错误" not in outcome.err
    assert SECRET not in outcome.out + outcome.err
    assert snapshot(book.parent) == before


# --- values far from the data ------------------------------------------------------------------


def _xlqc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """xlqc in its own process: a reader that aborts (Rust's failed allocation) kills only it."""
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "xlqc", *map(str, args)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("cell", ["XFD1048576", "XFD5000"])
def test_stray_value_far_right_is_not_read(cell: str, tmp_path: Path) -> None:
    """One value in 成员!XFD1048576 aborted every command (calamine asked for 550 GB: 'memory
    allocation of 549755813888 bytes failed', exit 134); XFD5000 cost 6 s and 3 GB. Only the
    columns under the headers are read: the valid group stays valid."""
    src = hostile.stray_value(tmp_path / "in", cell)
    done = _xlqc("validate", "--json", src)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr[-300:]
    assert json.loads(done.stdout) == []
    exported = _xlqc("export", src, "-o", tmp_path / "导出")
    assert exported.returncode == 0, exported.stderr[-300:]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_survives_a_value_in_the_last_cell(command: str, tmp_path: Path) -> None:
    src = hostile.stray_value(tmp_path / "in", "XFD1048576")
    done = _xlqc(*_args(COMMANDS[command][0], src, tmp_path))
    assert done.returncode == 0, done.stderr[-300:]


@pytest.mark.parametrize("form", hostile.STRAY_FORMS)
def test_stray_value_in_unusual_sheet_xml_is_not_read(form: str, tmp_path: Path) -> None:
    src = hostile.stray_value_odd_xml(tmp_path, form)
    done = _xlqc("validate", "--json", src)  # in its own process: an abort is a failure here
    assert done.returncode == 0, done.stderr[-300:]
    book = read_book(src)
    assert [m.name for m in book.members] == [m["姓名"] for m in hostile.GOOD_MEMBERS]
    assert [m.row for m in book.members] == [2, 3, 4, 5, 6]


def test_stray_value_far_below_in_a_data_column_is_a_row_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value under 小组编号 in row 1,048,576 is data: reported where it is, the million empty
    rows above it never materialised."""
    src = hostile.stray_value(tmp_path, "A1048576")
    book = read_book(src)
    assert [m.row for m in book.members][-2:] == [6, 1048576]
    code, findings = _validate(capsys, src)
    assert code == 1
    assert f"{schema.MEMBER_SHEET}!A1048576" in _at(findings, "R10")
    assert f"{schema.MEMBER_SHEET}!C1048576" in _at(findings, "R01")


@pytest.mark.parametrize(
    "build",
    [hostile.error_values, hostile.formulas_cached, hostile.text_dates, hostile.merged_cells],
)
def test_a_sheet_read_without_its_empty_stretches_reads_the_same(
    build: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forcing every sheet through the compacted reading (only the cells under the headers,
    rows and columns moved together) gives the same model as reading it in place."""
    src = build(tmp_path)
    in_place = read_book(src)
    monkeypatch.setattr(reading, "DENSE_CELLS", -1)
    compacted = read_book(src)
    assert all(isinstance(g, reading.SheetGrid) for g in reading.read_tables(src).grids.values())
    assert compacted.model_dump() == in_place.model_dump()


def test_too_many_rows_is_one_chinese_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src = hostile.stray_value(tmp_path, "A1048576")
    monkeypatch.setattr(reading, "MAX_ROWS", 6)
    outcome = run(capsys, "validate", "--json", src)
    assert_refused(outcome, "总表.xlsx」工作表「成员」有内容的行超过 6 行（第 1048576 行仍有内容）")


def test_a_panic_in_the_reader_is_one_chinese_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Rust panic reaches Python as pyo3's PanicException, a BaseException: caught too."""
    import python_calamine

    class PanicException(BaseException):
        pass

    def panic(*_args: object, **_kwargs: object) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    src = hostile.good_book(tmp_path)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", panic)
    assert_refused(run(capsys, "validate", "--json", src), "已损坏或不是有效的 Excel 工作簿")
