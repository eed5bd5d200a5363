"""Safe writes (DESIGN.md §6): marking never changes the clerk's data, validations, formats,
names or tables; --in-place keeps a byte-identical backup and keeps every part of the package
(shapes, controls, slicers, ribbon, VBA…: marks edit the package, nothing is dropped); a failed
write leaves the original untouched."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from hostile import BOOK, assert_refused, formulas_cached, needs, rewrite_zip, run, snapshot
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from xlqc import schema
from xlqc.reading import read_book

pytestmark = [needs("xlqc.marks"), needs("xlqc.rules")]

CLERK_FILL = "FFFF00"
CLERK_NOTE = "王晓东：电话待核实"
OWN_SHEET = "我的统计"


def clerks_workbook(folder: Path) -> Path:
    """A master workbook as a clerk keeps it: one good group and one with breaches (so cells get
    marked), drop-down lists, conditional formats, a defined name, tables, the clerk's own
    sheet, fills and notes of their own — some on cells xlqc will mark."""
    write_proofs(folder)
    bad = {
        **GOOD_GROUP,
        "小组编号": "G002",
        "小组名称": "变电检修QC小组",
        "电话": "12345",
        "邮箱": "not-an-email",
        "注册日期": "2025-02-30",
    }
    path = write_workbook(folder / BOOK, [GOOD_GROUP, bad], GOOD_TOPICS, GOOD_MEMBERS)
    wb = openpyxl.load_workbook(path)
    groups = wb[schema.GROUP_SHEET]
    headers = [c.value for c in groups[1]]
    letter = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(headers)}

    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choice.add(f"{letter['是否推荐']}2:{letter['是否推荐']}200")
    groups.add_data_validation(choice)
    length = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="3000")
    length.add(f"{letter['活动综述']}2:{letter['活动综述']}200")
    groups.add_data_validation(length)
    summary = f"{letter['活动综述']}2:{letter['活动综述']}200"
    groups.conditional_formatting.add(
        summary,
        FormulaRule(
            formula=[f"LEN({letter['活动综述']}2)>3000"],
            fill=PatternFill("solid", fgColor="FFC7CE"),
        ),
    )
    groups.conditional_formatting.add(
        "A2:A200",
        CellIsRule(
            operator="equal", formula=['"G999"'], fill=PatternFill("solid", fgColor="DDEBF7")
        ),
    )
    # the clerk's own fill and note on cells xlqc marks (电话, 邮箱 of G002) and on one it does not
    groups[f"{letter['电话']}3"].fill = PatternFill("solid", fgColor=CLERK_FILL)
    groups[f"{letter['邮箱']}3"].comment = Comment(CLERK_NOTE, "王晓东")
    groups[f"{letter['组织名称']}2"].fill = PatternFill("solid", fgColor=CLERK_FILL)
    groups[f"{letter['地址']}2"].comment = Comment("地址以营业执照为准", "王晓东")
    groups.freeze_panes = "B2"

    members = wb[schema.MEMBER_SHEET]
    members.add_table(Table(displayName="成员表", ref=f"A1:D{members.max_row}"))
    own = wb.create_sheet(OWN_SHEET)
    own.append(["单位", "小组数"])
    own.append(["泰州供电", 2])
    own.append(["合计", "=SUM(B2:B2)"])
    own.add_table(Table(displayName="统计表", ref="A1:B2"))
    wb.defined_names["推荐单位名"] = DefinedName("推荐单位名", attr_text="设置!$B$2")
    own.defined_names["本表合计"] = DefinedName("本表合计", attr_text=f"'{OWN_SHEET}'!$B$3")
    wb.save(path)
    return path


# --- what a workbook holds, for comparison -------------------------------------------------


def _features(path: Path, sheets: list[str] | None = None) -> dict[str, Any]:
    """Everything of the clerk's that marking must not change, except fills and notes, on
    ``sheets`` (all by default)."""
    wb = openpyxl.load_workbook(path)
    found: dict[str, Any] = {"names": {n: d.attr_text for n, d in wb.defined_names.items()}}
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        key = ws.title
        found[f"{key}: validations"] = sorted(
            (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.allow_blank)
            for dv in ws.data_validations.dataValidation
        )
        found[f"{key}: conditional formats"] = sorted(
            (str(cf.sqref), r.type, r.operator, tuple(r.formula or ()), r.priority)
            for cf in ws.conditional_formatting
            for r in cf.rules
        )
        found[f"{key}: tables"] = sorted((t.displayName, t.ref) for t in ws.tables.values())
        found[f"{key}: names"] = {n: d.attr_text for n, d in ws.defined_names.items()}
        found[f"{key}: layout"] = (
            ws.freeze_panes,
            sorted(str(r) for r in ws.merged_cells.ranges),
            ws.sheet_state,
            {c: d.width for c, d in ws.column_dimensions.items() if d.width},
        )
    return found


def _cells(path: Path) -> dict[str, tuple[Any, str, str, str]]:
    """sheet!cell -> (value, number format, fill colour, note) for every non-empty cell."""
    wb = openpyxl.load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.patternType else ""
                note = c.comment.text if c.comment else ""
                if c.value is not None or fill or note:
                    cells[f"{ws.title}!{c.coordinate}"] = (c.value, c.number_format, fill, note)
    return cells


def _status_cells(path: Path) -> set[str]:
    """Addresses in the 校验状态 column of 小组 (written by xlqc)."""
    ws = openpyxl.load_workbook(path)[schema.GROUP_SHEET]
    headers = [c.value for c in ws[1]]
    col = openpyxl.utils.get_column_letter(headers.index("校验状态") + 1)
    return {f"{schema.GROUP_SHEET}!{col}{r}" for r in range(2, ws.max_row + 1)}


def assert_only_marks_added(original: Path, marked: Path) -> set[str]:
    """``marked`` is ``original`` plus xlqc's marks; returns the addresses xlqc marked."""
    before, after = _cells(original), _cells(marked)
    sheets_before = openpyxl.load_workbook(original).sheetnames
    wb = openpyxl.load_workbook(marked)
    assert wb.sheetnames[: len(sheets_before)] == sheets_before, "the clerk's sheets moved"
    added = wb.sheetnames[len(sheets_before) :]
    assert set(added) <= {schema.RESULT_SHEET, "_xlqc"}, added
    assert all(wb[s].sheet_state != "visible" for s in added if s != schema.RESULT_SHEET)

    marked_cells = {a for a, (_v, _f, _c, note) in after.items() if schema.NOTE_PREFIX in note}
    assert marked_cells, "the workbook has breaches: something should be marked"
    status = _status_cells(original)
    for address in set(before) | set(after):
        if address.split("!")[0] in added or address in status:
            continue
        old = before.get(address, (None, "General", "", ""))
        new = after.get(address, (None, "General", "", ""))
        assert new[:2] == old[:2], f"{address}: value or format changed {old} -> {new}"
        if address in marked_cells:
            assert old[3] in new[3], f"{address}: the clerk's note was lost"
        else:
            assert new == old, f"{address} changed although xlqc did not mark it"
    assert _features(marked, sheets_before) == _features(original)
    return marked_cells


# --- --mark and --in-place -----------------------------------------------------------------


def test_mark_copy_changes_nothing_of_the_clerks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = clerks_workbook(tmp_path / "in")
    before = snapshot(src.parent)
    out = tmp_path / "标记.xlsx"
    outcome = run(capsys, "validate", "--json", "--mark", out, src)
    assert outcome.code == 1, outcome
    assert snapshot(src.parent) == before, "--mark must not touch the input folder"
    marked = assert_only_marks_added(src, out)
    phone = [a for a in marked if a.startswith(schema.GROUP_SHEET)]
    assert phone


def test_in_place_keeps_a_backup_and_only_adds_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = clerks_workbook(tmp_path)
    original = src.read_bytes()
    reference = tmp_path / "参照" / BOOK
    reference.parent.mkdir()
    reference.write_bytes(original)

    outcome = run(capsys, "validate", "--json", "--in-place", src)
    assert outcome.code == 1, outcome
    assert [p for p in tmp_path.iterdir() if p.is_file() and p != src] == []
    backups = list((tmp_path / "xlqc备份").iterdir())
    assert [
        p.name for p in backups if not re.fullmatch(r"总表\.备份-\d{8}-\d{6}(-\d+)?\.xlsx", p.name)
    ] == []
    assert [p.read_bytes() == original for p in backups] == [True]
    assert not any(p.name.startswith(".xlqc-") for p in tmp_path.rglob("*")), "temp file left"
    assert_only_marks_added(reference, src)


def test_clear_restores_the_clerks_fills_and_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = clerks_workbook(tmp_path / "in")
    marked = tmp_path / "标记.xlsx"
    cleared = tmp_path / "清除.xlsx"
    assert run(capsys, "validate", "--json", "--mark", marked, src).code == 1
    assert run(capsys, "clear", "-o", cleared, marked).code == 0
    assert openpyxl.load_workbook(cleared).sheetnames == openpyxl.load_workbook(src).sheetnames
    assert _cells(cleared) == _cells(src)
    assert _features(cleared) == _features(src)


@needs("xlqc.normalize")
def test_normalize_changes_only_text_it_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = clerks_workbook(tmp_path / "in")
    wb = openpyxl.load_workbook(src)
    wb[schema.GROUP_SHEET]["C2"] = "  配电运检ＱＣ小组 "
    wb.save(src)
    out = tmp_path / "规范.xlsx"
    outcome = run(capsys, "normalize", "-o", out, src)
    assert outcome.code == 0, outcome
    before, after = _cells(src), _cells(out)
    changed = {a for a in set(before) | set(after) if before.get(a) != after.get(a)}
    assert changed == {f"{schema.GROUP_SHEET}!C2"}
    assert _features(out) == _features(src)


def test_marked_workbook_keeps_formula_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = formulas_cached(tmp_path / "in")
    out = tmp_path / "标记.xlsx"
    assert run(capsys, "validate", "--json", "--mark", out, src).code == 0

    def raw(path: Path) -> list[dict[str, Any]]:  # 校验状态 is what marking writes
        return [{k: v for k, v in g.raw.items() if k != "status"} for g in read_book(path).groups]

    assert raw(out) == raw(src)


def test_failed_write_leaves_the_original_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up half-way through saving: the workbook is as it was, nothing is left
    behind but the backup, and the clerk gets one Chinese line."""
    src = clerks_workbook(tmp_path)
    original = src.read_bytes()

    real_write = zipfile.ZipFile.writestr

    def half_write(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        if len(self.infolist()) > 3:
            raise OSError(28, "No space left on device")
        real_write(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", half_write)
    outcome = run(capsys, "validate", "--json", "--in-place", src)
    assert outcome.code == 2
    assert src.read_bytes() == original
    assert not any(p.name.startswith(".xlqc-") for p in tmp_path.rglob("*")), "temp file left"
    assert_refused(outcome, "No space left on device")


# --- features openpyxl would drop: kept by --in-place, byte for byte ------------------------

_X14 = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>设置!$A$2:$A$4</xm:f>'
    "</x14:formula1><xm:sqref>M2:M200</xm:sqref></x14:dataValidation></x14:dataValidations>"
    "</ext></extLst></worksheet>"
)
_DRAWING = (
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    "<xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0"
    "</xdr:rowOff></xdr:from><xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6"
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr>'
    '<xdr:cNvPr id="2" name="文本框 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr/>'
    "<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>填表说明</a:t></a:r></a:p></xdr:txBody></xdr:sp>"
    "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
)
_CTRL = (
    '<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
    'objectType="CheckBox" checked="Checked"/>'
)
_RIBBON = (
    '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
    '<tab id="t" label="我的工具"/></tabs></ribbon></customUI>'
)
GROUP_PART = "xl/worksheets/sheet2.xml"


def _with_part(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        return rewrite_zip(path, add={name: content})

    return build


DROPPED: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "form control": ("表单控件", _with_part("xl/ctrlProps/ctrlProp1.xml", _CTRL)),
    "ribbon": ("自定义功能区", _with_part("customUI/customUI14.xml", _RIBBON)),
    "x14 validation": (
        "扩展数据验证",
        lambda p: rewrite_zip(p, {GROUP_PART: lambda t: t.replace("</worksheet>", _X14)}),
    ),
    "shape": ("形状或文本框", _with_part("xl/drawings/drawing1.xml", _DRAWING)),
    "VBA in .xlsx": ("宏（VBA）", _with_part("xl/vbaProject.bin", b"\xcc\x61" + bytes(510))),
    "metafile picture": (
        "图片",
        _with_part("xl/media/image1.emf", b"\x01\x00\x00\x00" + bytes(80)),
    ),
    "ActiveX control": ("ActiveX", _with_part("xl/activeX/activeX1.xml", "<ax:ocx/>")),
    "slicer": ("切片器", _with_part("xl/slicers/slicer1.xml", "<slicers/>")),
    "x14 conditional format": (
        "扩展条件格式",
        lambda p: rewrite_zip(
            p,
            {
                GROUP_PART: lambda t: t.replace(
                    "</worksheet>",
                    _X14.replace("dataValidation", "conditionalFormatting"),
                )
            },
        ),
    ),
    "sparkline": (
        "迷你图",
        lambda p: rewrite_zip(
            p,
            {
                GROUP_PART: lambda t: t.replace(
                    "</worksheet>", _X14.replace("dataValidation", "sparklineGroup")
                )
            },
        ),
    ),
    "threaded comment": (
        "新版批注",
        _with_part("xl/threadedComments/threadedComment1.xml", "<ThreadedComments/>"),
    ),
}


@pytest.mark.parametrize("case", DROPPED)
def test_in_place_keeps_the_feature(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of these made --in-place refuse while marks went through openpyxl; now the
    package is edited and every part of the feature comes through unchanged."""
    _label, build = DROPPED[case]
    src = clerks_workbook(tmp_path / "in")
    plain = {n for n, _ in _entries(src)}
    build(src)
    feature = {n: d for n, d in _entries(src) if n not in plain or n == GROUP_PART}
    outcome = run(capsys, "validate", "--json", "--in-place", src)
    assert outcome.code == 1, outcome
    after = dict(_entries(src))
    for name, data in feature.items():
        if name == GROUP_PART:  # marked: an extension element is still there, unchanged
            ext = re.search(rb"<extLst>.*</extLst>", data, re.S)
            assert ext is None or ext.group(0) in after[name]
        else:
            assert after[name] == data, f"{case}: {name} changed"


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _as_xlsm(path: Path, vba: bytes) -> Path:
    """``path`` turned into a macro-enabled workbook carrying ``vba`` as its VBA project."""
    target = path.with_suffix(".xlsm")
    path.rename(target)
    rel = (
        '<Relationship Id="rIdVBA" Target="vbaProject.bin" '
        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>'
    )
    main = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    return rewrite_zip(
        target,
        {
            "xl/_rels/workbook.xml.rels": lambda t: t.replace("</Relationships>", rel),
            "[Content_Types].xml": lambda t: re.sub(
                r'(PartName="/xl/workbook.xml" ContentType=")[^"]+', rf"\g<1>{main}", t
            ).replace(
                "</Types>",
                '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
            ),
        },
        add={"xl/vbaProject.bin": vba},
    )


def test_xlsm_in_place_keeps_the_vba_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The VBA project of an .xlsm comes through byte for byte."""
    vba = b"\xcc\x61VBA-PROJECT" + bytes(range(256)) * 4
    src = _as_xlsm(clerks_workbook(tmp_path), vba)
    outcome = run(capsys, "validate", "--json", "--in-place", src)
    assert outcome.code == 1, outcome
    with zipfile.ZipFile(src) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
    assert [p.suffix for p in (tmp_path / "xlqc备份").iterdir()] == [".xlsm"]
