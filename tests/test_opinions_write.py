"""推荐意见草稿 written (issue 14): ``xlqc opinions``, the state's draft records, R20, the
export's report line and the ribbon button, end to end on the sample workbook."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings_double as xd
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, book_file
from xlsx_corpus import calc_works, convert

from xlqc import rules, schema, statesheet
from xlqc.cli import main
from xlqc.documents import export
from xlqc.excel import on_ribbon, read_live_book
from xlqc.marks import clear_file, mark_file
from xlqc.model import Book
from xlqc.opinions import draft_opinions, write_drafts
from xlqc.reading import read_book
from xlqc.rules import check
from xlqc.statesheet import read_state
from xlqc.text import char_count
from xlqc.xlsxpkg import Package, SheetXml, inline_cell, split_ref

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "workbook" / "示例总表.xlsx"
KEPT = "G003"  # its 推荐意见 keeps the clerk's text
DRAFT_MESSAGE = "推荐意见为自动生成的草稿，请审核修改"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_cells(path: Path, values: dict[str, str | None], sheet: str = schema.GROUP_SHEET) -> None:
    """Put text into cells of ``path`` (None: empty) with the package editor, in place."""
    pkg = Package.open(path)
    ref = pkg.sheet(sheet)
    assert ref is not None
    xml = SheetXml(pkg.read(ref.part))
    for cell, text in values.items():
        placed = xml.ensure_cell(*split_ref(cell))
        assert placed is not None
        xml.replace(placed[0], inline_cell(placed[0].head(), text or ""))
    pkg.write(ref.part, xml.data)
    pkg.save(path)


def opinion_cells(book: Book) -> dict[str, str]:
    return {g.code: g.cell("opinion") for g in book.groups}


@pytest.fixture
def emptied(tmp_path: Path) -> Path:
    """A copy of the sample workbook with every 推荐意见 emptied but G003's."""
    path = tmp_path / "示例总表.xlsx"
    shutil.copy(SAMPLE, path)
    cells = opinion_cells(read_book(path))
    set_cells(path, {cell: None for code, cell in cells.items() if code != KEPT})
    return path


def findings_at(path: Path) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for f in check(read_book(path)):
        found.setdefault((f.sheet, f.cell), set()).add(f.rule)
    return found


# --------------------------------------------------------------------------------------------
# Done when


def test_done_when_on_the_sample(emptied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = read_book(emptied)
    kept_text = next(g for g in before.groups if g.code == KEPT).shown("opinion")
    assert kept_text and before.drafts == {}

    assert main(["opinions", str(emptied), "--in-place"]) == 0
    out = capsys.readouterr().out
    book = read_book(emptied)
    recommended = [g for g in book.groups if g.recommended and g.code != KEPT]
    texts = {g.code: g.shown("opinion") for g in book.groups}
    assert len(recommended) == 17
    for g in recommended:
        draft = texts[g.code]
        assert 0 < char_count(draft) <= schema.MAX_OPINION_CHARS
        best = rules.printed_topics(book, g.code)[0].title
        assert f"「{best}」" in draft, g.code
        assert re.search(rf"^{g.code} 小组!{g.cell('opinion')}：\d+ 字$", out, re.M)
    assert len({texts[g.code] for g in recommended}) == len(recommended)  # none alike
    assert texts[KEPT] == kept_text  # text is never replaced
    not_recommended = [g for g in book.groups if not g.recommended]
    assert [texts[g.code] for g in not_recommended] == [""]  # 是否推荐=否: not drafted
    assert f"共起草 {len(recommended)} 条推荐意见" in out

    # the state sheet records each draft; the reader finds them
    assert book.drafts == {
        (schema.GROUP_SHEET, g.cell("opinion")): texts[g.code] for g in recommended
    }
    _state, records = read_state(Package.open(emptied), pytest.fail)
    assert {(r.sheet, r.cell): r.data["group"] for r in records if r.kind == "draft"} == {
        (schema.GROUP_SHEET, g.cell("opinion")): g.code for g in recommended
    }

    # validate: one R20 per drafted cell, no R01/R07 on them
    found = findings_at(emptied)
    for g in recommended:
        assert found[(schema.GROUP_SHEET, g.cell("opinion"))] == {"R20"}
    r20 = [f for f in check(book) if f.rule == "R20"]
    assert len(r20) == len(recommended)
    assert all(f.severity == "info" and DRAFT_MESSAGE in f.message for f in r20)
    assert r20[0].message.startswith(f"小组!{r20[0].cell} 推荐意见")

    # running again changes nothing, not a byte
    same = digest(emptied)
    assert main(["opinions", str(emptied), "--in-place"]) == 0
    assert "没有需要起草的推荐意见" in capsys.readouterr().out
    assert digest(emptied) == same


def test_marks_and_clear_keep_the_drafts_and_an_edit_ends_one(emptied: Path) -> None:
    write_drafts(emptied, emptied)
    drafted = read_book(emptied)
    cells = sorted(drafted.drafts)
    marked = emptied.with_name("marked.xlsx")
    mark_file(emptied, marked, drafted, check(drafted), warn=pytest.fail)
    assert read_book(marked).drafts == drafted.drafts
    cleared = emptied.with_name("cleared.xlsx")
    clear_file(marked, cleared, warn=pytest.fail)
    after = read_book(cleared)
    assert after.drafts == drafted.drafts  # not a mark: clear keeps it
    assert sorted((f.sheet, f.cell) for f in check(after) if f.rule == "R20") == cells

    # the clerk edits one draft (one character added): its finding ends, the others stay
    sheet, cell = cells[0]
    set_cells(cleared, {cell: drafted.drafts[(sheet, cell)] + "特此推荐。"})
    r20 = sorted((f.sheet, f.cell) for f in check(read_book(cleared)) if f.rule == "R20")
    assert r20 == cells[1:]


def test_drafting_a_marked_book_keeps_the_marks_and_clear_still_undoes_them(
    emptied: Path,
) -> None:
    book = read_book(emptied)
    marked = emptied.with_name("marked.xlsx")
    mark_file(emptied, marked, book, check(book), warn=pytest.fail)
    drafts = write_drafts(marked, marked)
    assert drafts
    _state, records = read_state(Package.open(marked), pytest.fail)
    kinds = {r.kind for r in records}
    assert {"cell", "draft"} <= kinds
    cleared = emptied.with_name("cleared.xlsx")
    clear_file(marked, cleared, warn=pytest.fail)
    wb = openpyxl.load_workbook(cleared)
    assert schema.RESULT_SHEET not in wb.sheetnames  # the marks are gone
    assert read_book(cleared).drafts == {(d.sheet, d.cell): d.text for d in drafts}


# --------------------------------------------------------------------------------------------
# What is written, and what is not


def test_formula_and_text_cells_are_never_written_and_styles_stay(tmp_path: Path) -> None:
    groups = [
        dict(GOOD_GROUP, 小组编号="G001", 推荐意见=None),
        dict(GOOD_GROUP, 小组编号="G002", 小组名称="二组", 推荐意见=None),
        dict(GOOD_GROUP, 小组编号="G003", 小组名称="三组", 推荐意见="   "),  # spaces only
        dict(GOOD_GROUP, 小组编号="G004", 小组名称="四组", 推荐意见=None),
    ]
    path = book_file(tmp_path, groups)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    col = next(c.column_letter for c in ws[1] if c.value == "推荐意见")
    ws[f"{col}3"] = '=IF(1=1,"","x")'  # a formula whose value is empty
    ws[f"{col}2"].font = openpyxl.styles.Font(bold=True)
    wb.save(path)
    style = SheetXml(Package.open(path).read("xl/worksheets/sheet2.xml")).cell(2, ord(col) - 64)
    assert style is not None and style.attr("s")

    drafts = write_drafts(path, path)
    assert [d.group for d in drafts] == ["G001", "G003", "G004"]
    xml = SheetXml(Package.open(path).read("xl/worksheets/sheet2.xml"))
    c = ord(col) - 64
    first = xml.cell(2, c)
    assert first is not None and first.attr("s") == style.attr("s")  # bold stays
    assert first.attr("t") == "inlineStr" and not first.has_formula()
    formula = xml.cell(3, c)
    assert formula is not None and formula.has_formula()  # untouched
    assert read_book(path).drafts.keys() == {(schema.GROUP_SHEET, f"{col}{r}") for r in (2, 4, 5)}


def test_a_draft_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = book_file(tmp_path, [dict(GOOD_GROUP, 推荐意见=None)])
    set_cells(path, {"B2": "=SUM(A1)公司"})  # 组织名称, typed as text
    [draft] = write_drafts(path, path)
    assert draft.text.startswith("=SUM")
    wb = openpyxl.load_workbook(path)
    cell = wb[schema.GROUP_SHEET][draft.cell]
    assert cell.data_type == "s" and cell.value == draft.text


def test_only_the_drafted_cells_and_the_state_sheet_change(emptied: Path) -> None:
    before = zipfile.ZipFile(emptied)
    old = {n: before.read(n) for n in before.namelist()}
    write_drafts(emptied, emptied)
    after = zipfile.ZipFile(emptied)
    new = {n: after.read(n) for n in after.namelist()}
    changed = {n for n in old if n in new and old[n] != new[n]}
    ref = Package.open(emptied).sheet(schema.GROUP_SHEET)
    assert ref is not None
    # 小组's part, and the workbook's sheet list, relationships and content types for the state
    assert changed == {
        ref.part,
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    assert set(old) - set(new) == set()
    assert len(set(new) - set(old)) == 1  # the state sheet's part


def test_a_stale_record_goes_when_its_cell_is_drafted_again(emptied: Path) -> None:
    first = write_drafts(emptied, emptied)
    cell = first[0].cell
    set_cells(emptied, {cell: None})  # the clerk empties it again
    book = read_book(emptied)
    assert not book.still_drafted(next(g for g in book.groups if g.cell("opinion") == cell))
    [again] = write_drafts(emptied, emptied)
    assert again.cell == cell
    _state, records = read_state(Package.open(emptied), pytest.fail)
    drafts = [r for r in records if r.kind == "draft"]
    assert len(drafts) == len(first)  # replaced, not doubled


def test_the_reader_needs_the_marker_on_a_hidden_sheet(emptied: Path) -> None:
    write_drafts(emptied, emptied)
    wb = openpyxl.load_workbook(emptied)
    state = next(ws for ws in wb.worksheets if ws["A1"].value == statesheet.STATE_MARKER)
    state.sheet_state = "visible"  # a visible copy is the clerk's sheet, not xlqc's state
    wb.save(emptied)
    assert read_book(emptied).drafts == {}


# --------------------------------------------------------------------------------------------
# Command line and export


def test_command_output_refusals_and_nothing_to_do(
    emptied: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = emptied.with_name("起草后.xlsx")
    same = digest(emptied)
    assert main(["opinions", str(emptied), "-o", str(out)]) == 0
    assert digest(emptied) == same  # the input is never changed without --in-place
    assert read_book(out).drafts
    assert main(["opinions", str(emptied), "-o", str(emptied)]) == 2
    assert "--in-place" in capsys.readouterr().err
    capsys.readouterr()
    full = emptied.with_name("full.xlsx")
    shutil.copy(SAMPLE, full)
    assert main(["opinions", str(full), "-o", str(emptied.with_name("x.xlsx"))]) == 0
    assert "没有需要起草的推荐意见" in capsys.readouterr().out
    assert not emptied.with_name("x.xlsx").exists()


def test_export_lists_the_groups_whose_opinion_is_still_a_draft(tmp_path: Path) -> None:
    groups = [
        dict(GOOD_GROUP, 小组编号="G001", 推荐意见=None),
        dict(GOOD_GROUP, 小组编号="G002", 小组名称="二组", 推荐意见=None),
    ]
    topics = [dict(t, 小组编号=code) for code in ("G001", "G002") for t in GOOD_TOPICS]
    members = [dict(m, 小组编号=code) for code in ("G001", "G002") for m in GOOD_MEMBERS]
    path = book_file(tmp_path, groups, topics, members)
    write_drafts(path, path)
    book = read_book(path)
    edited = next(g for g in book.groups if g.code == "G002").cell("opinion")
    set_cells(path, {edited: "经审核，同意推荐。"})
    book = read_book(path)
    findings = check(book)
    assert [f.rule for f in findings] == ["R20"]
    result = export(book, findings, tmp_path / "out", only="summary")
    assert "推荐意见仍为自动草稿，请审核：G001" in result.lines()
    assert result.exported == ["G001", "G002"]


# --------------------------------------------------------------------------------------------
# The ribbon button


def press(book: xd.Book, button: str) -> str:
    on_ribbon(button, book)
    return xd.alerts(book)[-1][0]


def test_button_drafts_live_records_them_and_validate_and_clear_keep_them(
    emptied: Path, tmp_path: Path
) -> None:
    live = xd.load(emptied)
    before = read_book(emptied)
    expected = draft_opinions(before)
    kept = next(g for g in before.groups if g.code == KEPT)
    message = press(live, "opinions")
    assert xd.sheet(live, schema.GROUP_SHEET)._values[xd.key(kept.cell("opinion"))] == kept.opinion
    assert message.startswith(f"已为 {len(expected)} 个小组起草推荐意见")
    sheet = xd.sheet(live, schema.GROUP_SHEET)
    book = read_live_book(live)
    cells = {g.row: g.cell("opinion") for g in book.groups}
    for row, text in expected.items():
        assert sheet._values[xd.key(cells[row])] == text
    assert book.drafts == {(schema.GROUP_SHEET, cells[r]): t for r, t in expected.items()}
    state = next(s for s in live._sheets if s._values.get((1, 1)) == statesheet.STATE_MARKER)
    assert state._visibility == xd.VERY_HIDDEN
    assert xd.sheet(live, schema.GROUP_SHEET)._active  # the clerk's sheet stays in front

    # the same drafts as the command line, read back by the file path
    saved = xd.dump(live, tmp_path / "saved.xlsx")
    assert read_book(saved).drafts == book.drafts
    r20 = {f.cell for f in check(read_book(saved)) if f.rule == "R20"}
    assert r20 == {cells[r] for r in expected}

    # 校验 reports them and keeps them; 清除标记 keeps them too
    press(live, "validate")
    results = xd.sheet(live, schema.RESULT_SHEET)
    assert sum("R20" in str(v) for v in results._values.values()) == len(expected)
    assert read_live_book(live).drafts == book.drafts
    press(live, "clear")
    assert read_live_book(live).drafts == book.drafts
    assert schema.RESULT_SHEET not in [s._name for s in live._sheets]

    assert press(live, "opinions") == "没有需要起草的推荐意见。"


def test_button_skips_a_formula_cell(emptied: Path) -> None:
    live = xd.load(emptied)
    book = read_book(emptied)
    first = next(g for g in book.groups if g.code == "G001").cell("opinion")
    sheet = xd.sheet(live, schema.GROUP_SHEET)
    sheet._formulas[xd.key(first)] = '=""'
    sheet._values[xd.key(first)] = ""
    press(live, "opinions")
    assert sheet._formulas[xd.key(first)] == '=""'
    assert (schema.GROUP_SHEET, first) not in read_live_book(live).drafts


def test_the_readme_example_is_what_the_sample_gives(emptied: Path) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    book = read_book(emptied)
    g001 = next(g for g in book.groups if g.code == "G001")
    assert f"\n> {draft_opinions(book)[g001.row]}\n" in readme


def test_drafts_survive_a_libreoffice_resave_behind_a_clerks_hidden_sheet(
    emptied: Path, tmp_path: Path
) -> None:
    """Re-saved by a spreadsheet program, the marker and the records are shared strings, and
    the clerk's own hidden sheet comes before the state sheet: the reader still finds them."""
    (tmp_path / "probe").mkdir()
    if not calc_works(tmp_path / "probe"):
        pytest.skip("LibreOffice Calc is not installed")
    write_drafts(emptied, emptied)
    expected = read_book(emptied).drafts
    wb = openpyxl.load_workbook(emptied)
    wb.create_sheet("我的隐藏表", 4).sheet_state = "hidden"
    wb["我的隐藏表"]["A1"] = "备注"
    wb.save(emptied)
    resaved = convert(emptied, tmp_path / "lo", "xlsx")
    with zipfile.ZipFile(resaved) as zf:
        assert statesheet.STATE_MARKER.encode() in zf.read("xl/sharedStrings.xml")
    book = read_book(resaved)
    assert book.drafts == expected
    assert len([f for f in check(book) if f.rule == "R20"]) == len(expected)
