"""Workbook writes that keep everything they do not mean to change (issue 11 items 3, 4, 6):
marks and clear edit the package (xlqc.xlsxpkg), every other part stays byte for byte, and
xlqc recognises its own sheets, notes and fills by its state sheet only."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from hostile import run
from xlsx_corpus import (
    PRECIOUS,
    THREAD_GUID,
    calc_works,
    check_package,
    clerk_book,
    convert,
    corpus_book,
    edit_zip,
    entries,
    letter,
)

from xlqc import schema
from xlqc.errors import XlqcError
from xlqc.marks import clear_file, mark_file, replace_records
from xlqc.normalize import normalize_file
from xlqc.statesheet import STATE_MARKER, Record, read_state
from xlqc.validate import validate_book
from xlqc.xlsxpkg import Package, SheetXml, inline_cell, ooxml_string, ooxml_unescape

G = schema.GROUP_SHEET


def mark(src: Path, dst: Path) -> Path:
    result = validate_book(src)
    assert result.book is not None, result.error
    mark_file(src, dst, result.book, result.findings)
    check_package(dst)
    return dst


def clear(src: Path, dst: Path) -> Path:
    clear_file(src, dst)
    check_package(dst)
    return dst


def findings_of(path: Path) -> list[tuple[str, str, str, str]]:
    result = validate_book(path)
    assert result.error is None, result.error
    return [(f.rule, f.sheet, f.cell, f.message) for f in result.findings]


@pytest.fixture(scope="module")
def lo_ok(tmp_path_factory: pytest.TempPathFactory) -> bool:
    return calc_works(tmp_path_factory.mktemp("probe"))


def needs_calc(ok: bool) -> None:
    if not ok:
        pytest.skip("LibreOffice Calc is not installed")


# --- the package: untouched parts, mark -> clear, mark -> mark --------------------------------


def test_corpus_keeps_every_part_through_mark_and_clear(tmp_path: Path) -> None:
    src = corpus_book(tmp_path)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsm")
    after = dict(entries(marked))
    names = [n for n, _ in entries(marked)]
    assert names[: len(before)] == [n for n, _ in before], "entries renamed or reordered"
    for name in PRECIOUS:
        assert after[name] == dict(before)[name], f"{name} changed"
    touched = {n for n, data in before if after[n] != data}
    assert touched <= {
        "xl/worksheets/sheet2.xml",  # 小组: fills, 校验状态, notes
        "xl/comments/comment1.xml",
        "xl/drawings/commentsDrawing1.vml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }, touched
    group_xml = after["xl/worksheets/sheet2.xml"].decode()
    assert "x14:dataValidation" in group_xml
    cleared = clear(marked, tmp_path / "cleared.xlsm")
    assert entries(cleared) == before, "clear(mark(book)) is not the book"


def test_mark_twice_equals_once_and_clear_of_unmarked_book_changes_nothing(
    tmp_path: Path,
) -> None:
    src = corpus_book(tmp_path)
    once = mark(src, tmp_path / "once.xlsm")
    twice = mark(once, tmp_path / "twice.xlsm")
    assert entries(twice) == entries(once)
    assert entries(clear(src, tmp_path / "noop.xlsm")) == entries(src)


def test_threaded_comment_and_its_placeholder_are_never_touched(tmp_path: Path) -> None:
    src = corpus_book(tmp_path)
    marked = mark(src, tmp_path / "marked.xlsm")
    phone = f"{letter(G, '电话')}3"

    def placeholder(path: Path) -> bytes:
        data = dict(entries(path))["xl/comments/comment1.xml"]
        found = re.search(rb'<comment ref="' + phone.encode() + rb'".*?</comment>', data, re.S)
        assert found
        return found.group(0)

    assert placeholder(marked) == placeholder(src)
    assert b"xlqc" not in placeholder(marked)
    # the cell is still marked: its fill, and the finding on 校验结果
    wb = openpyxl.load_workbook(marked)
    assert wb[G][phone].fill.fgColor.rgb[-6:] == schema.FILLS["error"]
    assert THREAD_GUID in wb[G][phone].comment.author


def test_result_sheet_prints_landscape_one_page_wide_with_header_repeated(tmp_path: Path) -> None:
    marked = mark(clerk_book(tmp_path), tmp_path / "marked.xlsx")
    wb = openpyxl.load_workbook(marked)
    ws = wb[schema.RESULT_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.freeze_panes == "A2"
    assert ws["F2"].hyperlink.location.startswith("'")
    assert wb.sheetnames[-1] == "_xlqc" and wb["_xlqc"].sheet_state == "veryHidden"
    assert wb["_xlqc"]["A1"].value == STATE_MARKER
    xml = dict(entries(marked))["xl/worksheets/sheet7.xml"].decode()
    assert "<f>" not in xml and 't="inlineStr"' in xml  # user text never becomes a formula


# --- what is the clerk's stays the clerk's ---------------------------------------------------


def test_clerks_own_sheets_named_like_xlqcs_stay(tmp_path: Path) -> None:
    src = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(src)
    wb.create_sheet(schema.RESULT_SHEET)["A1"] = "我自己的校验记录"
    hidden = wb.create_sheet("_xlqc")
    hidden["A1"] = "我的隐藏表"
    hidden.sheet_state = "hidden"
    wb.save(src)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsx")
    names = openpyxl.load_workbook(marked).sheetnames
    assert names[-2:] == [f"{schema.RESULT_SHEET}(xlqc)", "_xlqc(xlqc)"]
    assert openpyxl.load_workbook(marked)[schema.RESULT_SHEET]["A1"].value == "我自己的校验记录"
    again = mark(marked, tmp_path / "again.xlsx")
    assert entries(again) == entries(marked)
    assert entries(clear(marked, tmp_path / "cleared.xlsx")) == before


def test_reply_typed_after_an_xlqc_note_is_kept_by_clear(tmp_path: Path) -> None:
    src = clerk_book(tmp_path)
    marked = mark(src, tmp_path / "marked.xlsx")
    code = "A3"  # G002's 小组编号 carries an xlqc note of its own (R03)
    reply = "\n回复：课题材料已补交"

    def add_reply(xml: str) -> str:
        pattern = rf'(<comment ref="{code}"[^>]*>.*?)(</text>)'
        return re.sub(
            pattern,
            lambda m: m.group(1) + f"<r><t>{reply}</t></r>" + m.group(2),
            xml,
            count=1,
            flags=re.S,
        )

    name = next(
        n
        for n, _ in entries(marked)
        if re.fullmatch(r"xl/comments\d*\.xml|xl/comments/comment\d+\.xml", n)
    )
    edit_zip(marked, {name: add_reply})
    cleared = clear(marked, tmp_path / "cleared.xlsx")
    ws = openpyxl.load_workbook(cleared)[G]
    assert ws[code].comment is not None and ws[code].comment.text == reply
    assert schema.NOTE_PREFIX not in ws[code].comment.text


def test_clerks_note_mentioning_xlqc_is_left_alone(tmp_path: Path) -> None:
    src = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(src)
    note = f"见{schema.NOTE_PREFIX}上次的提示，已处理"
    wb[G]["B2"].comment = openpyxl.comments.Comment(note, "王晓东")  # not marked
    wb[G]["A3"].comment = openpyxl.comments.Comment(note, "王晓东")  # marked (R03)
    wb.save(src)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsx")
    ws = openpyxl.load_workbook(marked)[G]
    assert ws["B2"].comment.text == note
    assert ws["A3"].comment.text.startswith(note + "\n\n" + schema.NOTE_PREFIX)
    assert entries(clear(marked, tmp_path / "cleared.xlsx")) == before


def test_damaged_state_row_is_skipped_with_a_warning_naming_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marked = mark(clerk_book(tmp_path), tmp_path / "marked.xlsx")
    pkg = Package.open(marked)
    state = next(s for s in pkg.sheets() if s.state == "veryHidden")

    def damage(xml: str) -> str:  # row 3's JSON cut in half; row 4's colour is no colour
        xml = re.sub(r'(<c r="D3"[^>]*><is><t[^>]*>)\{', r"\1{坏", xml, count=1)
        return xml

    edit_zip(marked, {state.part: damage})
    warnings: list[str] = []
    clear_file(marked, tmp_path / "cleared.xlsx", warn=warnings.append)
    assert warnings == ["xlqc 状态表「_xlqc」第 3 行（_xlqc!A3）已损坏，已跳过"]
    outcome = run(capsys, "clear", "-o", tmp_path / "cli.xlsx", marked)
    assert outcome.code == 0, outcome
    assert any("_xlqc!A3" in line for line in outcome.err_lines)


def test_bad_colour_in_a_state_row_of_xlqc_0_1_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    """The 0.1 state sheet (_xlqc, one SavedCell per row): a row whose colour is not a colour
    crashed clear with 'Colors must be aRGB hex values'."""
    src = clerk_book(tmp_path)
    wb = openpyxl.load_workbook(src)
    wb[G]["A3"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFC7CE")
    old = wb.create_sheet("_xlqc")
    old.append(
        ["sheet", "cell", "fill_color", "fill_pattern", "fill_bg", "comment", "comment_author"]
    )
    old.append([G, "A3", "不是颜色", "solid", "", "", ""])
    old.sheet_state = "veryHidden"
    wb.save(src)
    warnings: list[str] = []
    clear_file(src, tmp_path / "cleared.xlsx", warn=warnings.append)
    check_package(tmp_path / "cleared.xlsx")
    assert len(warnings) == 1 and f"{G}!A3" in warnings[0] and "_xlqc!A2" in warnings[0]
    assert "_xlqc" not in openpyxl.load_workbook(tmp_path / "cleared.xlsx").sheetnames
    kept = openpyxl.load_workbook(tmp_path / "cleared.xlsx")[G]["A3"].fill  # skipped: left as is
    assert kept.fgColor.rgb[-6:] == schema.FILLS["error"]


def test_records_of_other_kinds_survive_mark_and_clear(tmp_path: Path) -> None:
    """The state sheet is open to other records (e.g. drafted 推荐意见): mark and clear keep
    them."""
    marked = mark(clerk_book(tmp_path), tmp_path / "marked.xlsx")
    pkg = Package.open(marked)
    state = next(s for s in pkg.sheets() if s.state == "veryHidden")
    row = '<row r="99"><c r="A99" t="inlineStr"><is><t>advice</t></is></c><c r="B99" t="inlineStr"><is><t>小组</t></is></c><c r="C99" t="inlineStr"><is><t>L2</t></is></c><c r="D99" t="inlineStr"><is><t>{"text":"同意推荐"}</t></is></c></row>'
    edit_zip(marked, {state.part: lambda x: x.replace("</sheetData>", row + "</sheetData>")})
    again = mark(marked, tmp_path / "again.xlsx")
    cleared = clear(again, tmp_path / "cleared.xlsx")
    for path in (again, cleared):
        _, records = read_state(Package.open(path), lambda m: None)
        assert [(r.kind, r.cell, r.data) for r in records if r.kind == "advice"] == [
            ("advice", "L2", {"text": "同意推荐"})
        ]


# --- formulas keep their cached values ---------------------------------------------------------


@pytest.fixture
def formula_book(tmp_path: Path, lo_ok: bool) -> Path:
    """小组编号 as ="G"&TEXT(ROW()-1,"000") and 基准日期 as =DATE(2026,6,30), saved by
    LibreOffice so every formula has its cached value."""
    needs_calc(lo_ok)
    work = tmp_path / "build"
    g2 = {**GOOD_GROUP, "小组编号": "G002", "小组名称": "设备QC小组  ", "电话": "12345"}
    settings = {"推荐单位": "江苏省质量协会", "基准日期": "=DATE(2026,6,30)"}
    path = write_workbook(work / "总表.xlsx", [GOOD_GROUP, g2], GOOD_TOPICS, GOOD_MEMBERS, settings)
    wb = openpyxl.load_workbook(path)
    for r in (2, 3):
        wb[G][f"A{r}"] = '="G"&TEXT(ROW()-1,"000")'
    wb.save(path)
    saved = convert(path, tmp_path / "book", "xlsx")
    write_proofs(saved.parent)
    return saved


def test_formula_workbook_validates_the_same_after_every_write(
    formula_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = findings_of(formula_book)
    book = validate_book(formula_book).book
    assert book is not None and str(book.settings.ref_date) == "2026-06-30"
    assert [g.code for g in book.groups] == ["G001", "G002"]
    folder = formula_book.parent
    marked = mark(formula_book, folder / "marked.xlsx")
    assert findings_of(marked) == original
    assert findings_of(clear(marked, folder / "cleared.xlsx")) == original
    assert entries(folder / "cleared.xlsx") == entries(formula_book)  # LibreOffice's own file
    assert run(capsys, "validate", "--json", "--in-place", formula_book).code == 1
    assert findings_of(formula_book) == original
    assert any(f[0] == "R17" for f in original)
    assert run(capsys, "normalize", "--in-place", formula_book).code == 0
    assert findings_of(formula_book) == [f for f in original if f[0] != "R17"]
    book = validate_book(formula_book).book
    assert book is not None and str(book.settings.ref_date) == "2026-06-30"


def test_import_into_a_formula_workbook_keeps_its_findings(
    formula_book: Path, tmp_path: Path
) -> None:
    from intake_forms import official_form

    from xlqc.intake import import_forms

    original = findings_of(formula_book)
    result = import_forms([official_form(tmp_path / "申报表.docx")], formula_book)
    assert result.added
    after = validate_book(formula_book)
    assert after.book is not None and str(after.book.settings.ref_date) == "2026-06-30"
    assert [g.code for g in after.book.groups][:2] == ["G001", "G002"]
    kept = [
        (f.rule, f.sheet, f.cell, f.message)
        for f in after.findings
        if f.group in ("", "G001", "G002")
    ]
    assert kept == original
    check_package(formula_book)


def test_normalize_keeps_every_other_part(tmp_path: Path) -> None:
    messy = corpus_book(tmp_path)
    name_col = letter(G, "小组名称")
    edit_zip(
        messy,
        {
            "xl/worksheets/sheet2.xml": lambda x: re.sub(
                rf'<c r="{name_col}3"[^>]*>.*?</c>',
                f'<c r="{name_col}3" t="inlineStr"><is><t xml:space="preserve">  变电检修QC小组 </t></is></c>',
                x,
                count=1,
                flags=re.S,
            )
        },
    )
    before = dict(entries(messy))
    out = tmp_path / "规范.xlsm"
    changes = normalize_file(messy, out)
    assert [(c.cell, c.after) for c in changes] == [(f"{name_col}3", "变电检修QC小组")]
    check_package(out)
    after = entries(out)
    assert [n for n, _ in after] == list(before)
    assert [n for n, d in after if before[n] != d] == ["xl/worksheets/sheet2.xml"]


# --- LibreOffice: re-save, then clear; print to PDF -------------------------------------------


def test_clear_after_libreoffice_resaved_the_marked_book(tmp_path: Path, lo_ok: bool) -> None:
    needs_calc(lo_ok)
    src = clerk_book(tmp_path)
    marked = mark(src, tmp_path / "marked.xlsx")
    resaved = convert(marked, tmp_path / "lo", "xlsx")
    cleared = clear(resaved, tmp_path / "cleared.xlsx")
    orig, back = openpyxl.load_workbook(src), openpyxl.load_workbook(cleared)
    assert back.sheetnames == orig.sheetnames
    for ws in orig.worksheets:
        for row in ws.iter_rows():
            for c in row:
                other = back[ws.title][c.coordinate]
                assert other.value == c.value or (
                    other.value in (None, "") and c.value in (None, "")
                )
                note = c.comment.text if c.comment else None
                assert (other.comment.text if other.comment else None) == note, c.coordinate
                mine = c.fill.fgColor.rgb if c.fill.patternType == "solid" else None
                theirs = other.fill.fgColor.rgb if other.fill.patternType == "solid" else None
                if isinstance(mine, str) and isinstance(theirs, str):
                    assert theirs[-6:] == mine[-6:], c.coordinate
                else:
                    assert (mine is None) == (theirs is None), c.coordinate


def test_marked_book_prints_to_pdf(tmp_path: Path, lo_ok: bool) -> None:
    needs_calc(lo_ok)
    marked = mark(corpus_book(tmp_path), tmp_path / "marked.xlsm")
    pdf = convert(marked, tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


# --- the editor's own rules ------------------------------------------------------------------


def test_strict_and_encrypted_files_are_refused(tmp_path: Path) -> None:
    src = clerk_book(tmp_path)
    strict = tmp_path / "strict.xlsx"
    shutil.copy(src, strict)
    edit_zip(
        strict,
        {
            "_rels/.rels": lambda x: x.replace(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
            )
        },
    )
    with pytest.raises(XlqcError, match="Strict"):
        Package.open(strict)
    bomb = tmp_path / "dtd.xlsx"
    shutil.copy(src, bomb)
    edit_zip(
        bomb,
        {
            "xl/styles.xml": lambda x: x.replace(
                "<styleSheet", '<!DOCTYPE s [<!ENTITY a "aaaa">]><styleSheet', 1
            )
        },
    )
    with pytest.raises(XlqcError, match="DTD"):
        Package.open(bomb)
    encrypted = tmp_path / "加密.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(XlqcError, match="加密"):
        Package.open(encrypted)


def test_text_is_never_a_formula_and_control_characters_are_escaped() -> None:
    cell = inline_cell(b'<c r="B2" s="3" t="s">', "=SUM(A1)\x01_x0041_<b>")
    assert b"<f>" not in cell and b't="inlineStr"' in cell and b's="3"' in cell
    assert b"_x0001_" in cell and b"_x005F_x0041_" in cell and b"&lt;b&gt;" in cell
    assert ooxml_unescape(ooxml_string("a\x01_x0041_b")) == "a\x01_x0041_b"


def test_cells_are_created_in_order_and_rows_without_r_refuse(tmp_path: Path) -> None:
    xml = SheetXml(
        b'<worksheet xmlns="m"><sheetData><row r="2"><c r="A2"/><c r="D2"/></row>'
        b'<row r="5"><c r="B5"/></row></sheetData></worksheet>'
    )
    assert xml.ensure_cell(2, 3) is not None and xml.ensure_cell(4, 1) is not None
    assert xml.ensure_cell(7, 2) is not None
    assert re.findall(rb'r="([A-Z]*\d+)"', xml.data) == [
        b"2", b"A2", b"C2", b"D2", b"4", b"A4", b"5", b"B5", b"7", b"B7",
    ]  # fmt: skip
    rless = SheetXml(
        b"<worksheet><sheetData><row><c/></row><row><c/></row></sheetData></worksheet>"
    )
    assert rless.ensure_cell(1, 5) is None  # would shift the cells that have no r
    assert rless.cell(2, 1) is not None


def test_open_xml_sdk_prefixed_sheets_are_marked_and_cleared(tmp_path: Path) -> None:
    """Writers built on the Open XML SDK spell the main namespace with a prefix (x:row, x:c)."""
    src = clerk_book(tmp_path)

    def prefixed(xml: str) -> str:
        xml = re.sub(r"<(/?)(?![?!])([A-Za-z]+)([\s/>])", r"<\1x:\2\3", xml)
        return xml.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)

    edit_zip(src, {"xl/worksheets/sheet2.xml": prefixed, "xl/workbook.xml": prefixed})
    check_package(src)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsx")
    group_xml = dict(entries(marked))["xl/worksheets/sheet2.xml"]
    assert b"<c " not in group_xml and b"<x:c " in group_xml
    wb = openpyxl.load_workbook(marked)
    assert wb[G]["A3"].fill.fgColor.rgb[-6:] == schema.FILLS["error"]
    assert wb.sheetnames[-2:] == [schema.RESULT_SHEET, "_xlqc"]
    assert entries(clear(marked, tmp_path / "cleared.xlsx")) == before


def test_sheets_added_after_xlqcs_keep_their_names_and_the_active_tab(tmp_path: Path) -> None:
    """The clerk opened the marked book, looked at 校验结果, added a sheet with print titles
    after it and saved (openpyxl plays the spreadsheet program): clear removes xlqc's sheets
    and shifts what pointed past them."""
    marked = mark(clerk_book(tmp_path), tmp_path / "marked.xlsx")
    wb = openpyxl.load_workbook(marked)
    extra = wb.create_sheet("新表")
    extra["A1"] = "标题"
    extra.print_title_rows = "1:1"
    wb.active = wb.sheetnames.index(schema.RESULT_SHEET)
    wb.save(marked)
    cleared = clear(marked, tmp_path / "cleared.xlsx")
    back = openpyxl.load_workbook(cleared)
    assert back.sheetnames == [*openpyxl.load_workbook(tmp_path / "总表.xlsx").sheetnames, "新表"]
    assert back["新表"].print_title_rows == "$1:$1"
    assert back.active.title != schema.RESULT_SHEET and back.active.sheet_state == "visible"


def test_records_of_another_kind_are_written_beside_the_marks(tmp_path: Path) -> None:
    """The API other features use (issue 14: drafted 推荐意见): replace_records writes its
    kind, keeps the marks (clear still gives back the book) and survives re-marking."""
    src = clerk_book(tmp_path)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsx")
    advice = [Record("advice", G, "L2", {"text": "同意推荐", "sha": "ab12"})]
    replace_records(marked, marked, "advice", advice)
    check_package(marked)
    again = mark(marked, tmp_path / "again.xlsx")
    cleared = clear(again, tmp_path / "cleared.xlsx")
    _, kept = read_state(Package.open(cleared), lambda m: None)
    assert [(r.kind, r.sheet, r.cell, r.data) for r in kept] == [
        ("advice", G, "L2", {"text": "同意推荐", "sha": "ab12"})
    ]
    replace_records(cleared, cleared, "advice", [])
    assert entries(cleared) == before  # nothing of xlqc's is left
    with pytest.raises(ValueError):
        replace_records(src, tmp_path / "x.xlsx", "cell", [])


def test_import_over_a_formula_drops_the_calculation_chain(tmp_path: Path) -> None:
    """import --update writes a form's 电话 over the clerk's formula: the calcChain, which
    names that formula, goes (Excel repairs a chain naming a value cell), and formulas are
    recalculated on opening."""
    from intake_forms import official_form, with_

    from xlqc.intake import import_forms

    write_proofs(tmp_path)
    book = write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    phone = f"{letter(G, '电话')}2"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    edit_zip(
        book,
        {
            "xl/worksheets/sheet2.xml": lambda x: re.sub(
                rf'<c r="{phone}"[^>]*>.*?</c>',
                f'<c r="{phone}" t="str"><f>"138"&amp;"12345678"</f><v>13812345678</v></c>',
                x,
                count=1,
                flags=re.S,
            ),
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                "</Relationships>",
                '<Relationship Id="rIdCc" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
            ),
            "[Content_Types].xml": lambda x: x.replace(
                "</Types>",
                '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.calcChain+xml"/></Types>',
            ),
        },
        add={"xl/calcChain.xml": f'<calcChain xmlns="{main}"><c r="{phone}" i="2"/></calcChain>'},
    )
    check_package(book)
    spec = with_(org=GOOD_GROUP["组织名称"], name=GOOD_GROUP["小组名称"], phone="0523-86861234")
    result = import_forms([official_form(tmp_path / "f.docx", spec)], book, update=True)
    assert [g.code for g in result.updated] == ["G001"]
    check_package(book)
    names = [n for n, _ in entries(book)]
    assert "xl/calcChain.xml" not in names
    assert b'fullCalcOnLoad="1"' in dict(entries(book))["xl/workbook.xml"]
    assert openpyxl.load_workbook(book)[G][phone].value == "0523-86861234"


def test_a_new_status_column_widens_spans_and_dimension_and_clear_narrows_them(
    tmp_path: Path,
) -> None:
    """Excel writes row ``spans``; a cell outside them makes Excel repair the file."""
    src = clerk_book(tmp_path)
    status = letter(G, "校验状态")

    def excel_like(xml: str) -> str:  # no 校验状态 column; spans as Excel writes them
        xml = re.sub(rf'<c r="{status}\d+"[^>]*?(/>|>.*?</c>)', "", xml, flags=re.S)
        xml = re.sub(r'<row r="(\d+)"', r'<row r="\1" spans="1:13"', xml)
        return re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:M3"/>', xml)

    edit_zip(src, {"xl/worksheets/sheet2.xml": excel_like})
    check_package(src)
    before = entries(src)
    marked = mark(src, tmp_path / "marked.xlsx")  # the validator checks spans and dimension
    xml = dict(entries(marked))["xl/worksheets/sheet2.xml"].decode()
    assert 'spans="1:14"' in xml and '<dimension ref="A1:N3"/>' in xml
    assert entries(clear(marked, tmp_path / "cleared.xlsx")) == before


def test_the_demo_workbook_comes_back_byte_for_byte(tmp_path: Path) -> None:
    """xlqc's own demo (drop-downs, input hints, conditional formats; notes on several sheets
    that had none): mark, mark again, clear."""
    from xlqc.builder import demo_workbook

    src = tmp_path / "总表.xlsx"
    demo_workbook(src)
    before = entries(src)
    once = mark(src, tmp_path / "once.xlsx")
    assert entries(mark(once, tmp_path / "twice.xlsx")) == entries(once)
    assert entries(clear(once, tmp_path / "cleared.xlsx")) == before
