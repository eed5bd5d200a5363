"""A corpus of broken and hostile inputs, built in code (nothing binary is committed).

Every builder takes a folder, writes one case into it and returns the path to hand to xlqc.
Packages openpyxl cannot produce (cached formula values, error cells, XML and zip bombs, form
controls, a ribbon part...) are made by editing an openpyxl-written package at the zip level.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import (
    GOOD_GROUP,
    GOOD_MEMBERS,
    GOOD_TOPICS,
    write_proofs,
    write_workbook,
)
from openpyxl.styles import PatternFill

from xlqc import schema
from xlqc.cli import main

MB = 1024 * 1024
BOOK = "总表.xlsx"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or an encrypted .xlsx

# The sheet part of each sheet in an openpyxl-written master workbook (write_workbook's order).
SHEET_PART = {
    schema.SETTINGS_SHEET: "xl/worksheets/sheet1.xml",
    schema.GROUP_SHEET: "xl/worksheets/sheet2.xml",
    schema.TOPIC_SHEET: "xl/worksheets/sheet3.xml",
    schema.MEMBER_SHEET: "xl/worksheets/sheet4.xml",
}

Edit = Callable[[str], str]


# --- running xlqc --------------------------------------------------------------------------

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Outcome:
    """``xlqc ARGS`` through :func:`xlqc.cli.main`, with what it printed."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def assert_refused(outcome: Outcome, fragment: str = "") -> None:
    """Exit 2 with exactly one Chinese line on stderr (containing ``fragment``), no traceback,
    and not the "internal error" line that means xlqc itself failed."""
    assert outcome.code == 2, outcome
    assert len(outcome.err_lines) == 1, f"expected one line on stderr, got: {outcome.err!r}"
    line = outcome.err_lines[0]
    assert CHINESE.search(line), line
    assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "内部错误" not in line, line
    assert "Traceback" not in outcome.err + outcome.out


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> sha256): equal snapshots mean nothing was
    written, renamed, left behind or changed by a single byte."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def missing(module: str) -> bool:
    """Whether another engineer's module does not exist yet."""
    import importlib.util

    return importlib.util.find_spec(module) is None


def needs(module: str) -> pytest.MarkDecorator:
    """Skip, naming the module, while another engineer's module does not exist yet."""
    return pytest.mark.skipif(missing(module), reason=f"{module} does not exist yet")


# --- helpers -------------------------------------------------------------------------------


def good_book(folder: Path, name: str = BOOK, **changes: Any) -> Path:
    """The valid group of conftest with its proofs; ``changes`` override GOOD_GROUP's fields."""
    write_proofs(folder)
    group = {**GOOD_GROUP, **changes}
    return write_workbook(folder / name, [group], GOOD_TOPICS, GOOD_MEMBERS)


def rewrite_zip(
    path: Path,
    edits: Mapping[str, Edit] | None = None,
    add: Mapping[str, str | bytes] | None = None,
) -> Path:
    """Rewrite the package at ``path``: ``edits`` map part name -> text transformation,
    ``add`` holds new parts (their content types are the caller's business)."""
    edits = edits or {}
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            parts[info.filename] = data
    for name, content in (add or {}).items():
        parts[name] = content.encode("utf-8") if isinstance(content, str) else content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert not set(edits) - set(parts), f"no such parts: {set(edits) - set(parts)}"
    return path


def set_cell_xml(cell: str, xml: str) -> Edit:
    """An edit replacing the element of ``cell`` (as openpyxl wrote it) with ``xml``."""

    def edit(text: str) -> str:
        pattern = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', re.S)
        new, n = pattern.subn(lambda _m: xml, text, count=1)
        assert n == 1, f"cell {cell} not found"
        return new

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(text: str) -> str:
        for e in edits:
            text = e(text)
        return text

    return edit


def column_of(sheet: str, header: str) -> str:
    """The column letter write_workbook gives ``header`` on ``sheet``."""
    headers = [c.header for c in schema.DATA_SHEETS[sheet]]
    return openpyxl.utils.get_column_letter(headers.index(header) + 1)


def store_as_text(ws: Any) -> None:
    """Mark every string cell of ``ws`` as text: openpyxl would otherwise write "=..." as a formula."""
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"


def raw_zip(path: Path, members: list[tuple[str, bytes | int, int, int]]) -> Path:
    """A zip written by hand from already-deflated members (name, deflate data, crc, size), so
    that a member's declared size can be anything (zipfile would compute the real one). A payload
    given as an int is that many zero bytes, stored, and left as a hole in a sparse file."""
    central = bytearray()
    with path.open("wb") as fh:
        for name, payload, crc, size in members:
            encoded = name.encode("utf-8")
            offset = fh.tell()
            method, length = (0, payload) if isinstance(payload, int) else (8, len(payload))
            fields = (method, 0, 0x21, crc, length, size, len(encoded))  # 1980-01-01
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, *fields, 0) + encoded)
            if isinstance(payload, int):
                fh.seek(payload, os.SEEK_CUR)
            else:
                fh.write(payload)
            central += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, *fields, 0, 0, 0, 0, 0, offset
            )
            central += encoded
        start = fh.tell()
        count = len(members)
        fh.write(bytes(central))
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))
    return path


def _members(path: Path) -> list[tuple[str, bytes | int, int, int]]:
    """The parts of the zip at ``path``, deflated, ready for :func:`raw_zip`."""
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, *_deflated(zf.read(i.filename))) for i in zf.infolist()]


def _zeros_crc(megabytes: int) -> int:
    crc = 0
    zeros = bytes(MB)
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return crc


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def _deflated_zeros(megabytes: int) -> tuple[bytes, int, int]:
    """A deflate stream of ``megabytes`` MB of zeros, built in well under a second: one fully
    flushed block repeated (each is independent of what came before), then an empty final block."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + b"\x03\x00", _zeros_crc(megabytes), megabytes * MB


# --- not a workbook ------------------------------------------------------------------------


def not_a_zip(folder: Path) -> Path:
    path = folder / BOOK
    path.write_text("小组编号,组织名称\nG001,某公司\n", encoding="utf-8")
    return path


def empty_file(folder: Path) -> Path:
    path = folder / BOOK
    path.write_bytes(b"")
    return path


def zip_not_workbook(folder: Path) -> Path:
    path = folder / BOOK
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("说明.txt", "这是一个压缩包，不是工作簿")
    return path


def truncated_workbook(folder: Path) -> Path:
    """A real workbook cut in half, as by an interrupted copy or mail download."""
    path = good_book(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def old_xls(folder: Path) -> Path:
    path = folder / "总表.xls"
    path.write_bytes(OLE_SIGNATURE + bytes(504) + b"Workbook" * 64)
    return path


def xls_renamed_xlsx(folder: Path) -> Path:
    """A compound file named .xlsx: what a password-protected .xlsx is (EncryptionInfo +
    EncryptedPackage streams in a CFB container), and also a .xls renamed by hand."""
    path = folder / BOOK
    path.write_bytes(OLE_SIGNATURE + bytes(504) + "EncryptedPackage".encode("utf-16-le") * 64)
    return path


def csv_file(folder: Path) -> Path:
    path = folder / "总表.csv"
    path.write_text("小组编号,组织名称,小组名称\nG001,某公司,QC小组\n", encoding="utf-8-sig")
    return path


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _ods_package(path: Path) -> Path:
    """An OpenDocument spreadsheet package as LibreOffice and WPS lay it out: the part
    'mimetype' first and stored, then the content and the manifest."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="小组"><table:table-row>'
        "<table:table-cell><text:p>小组编号</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_MIMETYPE.decode()}"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_file(folder: Path) -> Path:
    return _ods_package(folder / "总表.ods")


def ods_renamed_xlsx(folder: Path) -> Path:
    """An .ods renamed .xlsx by hand: told by its content."""
    return _ods_package(folder / BOOK)


def _numbers_package(path: Path) -> Path:
    """An Apple Numbers document as Numbers 5+ saves it: a zip of .iwa parts under Index/."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Index/Document.iwa", bytes(64))
        zf.writestr("Index/Metadata.iwa", bytes(32))
        zf.writestr("Metadata/Properties.plist", b"bplist00")
    return path


def numbers_file(folder: Path) -> Path:
    return _numbers_package(folder / "总表.numbers")


def numbers_renamed_xlsx(folder: Path) -> Path:
    return _numbers_package(folder / BOOK)


def wps_et(folder: Path) -> Path:
    """A WPS 表格 file: a compound file, like .xls, named .et."""
    path = folder / "总表.et"
    path.write_bytes(OLE_SIGNATURE + bytes(504) + "Workbook".encode("utf-16-le") * 64)
    return path


def lock_file(folder: Path) -> Path:
    """The ~$ owner file Excel leaves beside a workbook it has open (165 bytes, user name)."""
    good_book(folder)
    lock = folder / f"~${BOOK}"
    lock.write_bytes(b"\x0c" + "王晓东".encode("utf-16-le").ljust(108, b" ") + bytes(56))
    return lock


TOO_BIG_MB = 50


def too_big(folder: Path) -> Path:
    """A valid workbook carrying a 50 MB stored picture; the picture is a hole in a sparse file,
    so the case costs no disk space and no time."""
    path = good_book(folder)
    picture = ("xl/media/image1.png", TOO_BIG_MB * MB, _zeros_crc(TOO_BIG_MB), TOO_BIG_MB * MB)
    return raw_zip(path, [*_members(path), picture])


# --- layout problems -----------------------------------------------------------------------


def missing_sheet(folder: Path) -> Path:
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    del wb[schema.MEMBER_SHEET]
    wb.save(path)
    return path


def missing_header(folder: Path) -> Path:
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    ws.delete_cols(ws[column_of(schema.GROUP_SHEET, "注册日期") + "1"].column)
    wb.save(path)
    return path


def duplicated_header(folder: Path) -> Path:
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    extra = ws.max_column + 1
    ws.cell(1, extra, "电话")
    ws.cell(2, extra, "0523-86000000")
    wb.save(path)
    return path


def merged_cells(folder: Path) -> Path:
    """Two topics of one group with their 小组编号 merged into one cell (A2:A3) — the second
    row's 小组编号 is empty in the file, whatever the screen shows."""
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    wb[schema.TOPIC_SHEET].merge_cells("A2:A3")
    wb.save(path)
    return path


# --- values --------------------------------------------------------------------------------


def formulas_cached(folder: Path) -> Path:
    """Formula cells with cached values, as Excel saves them: 小组名称 is ="配电运检"&"QC小组",
    联系部门 is a formula whose cached value is text."""
    path = good_book(folder)
    name = column_of(schema.GROUP_SHEET, "小组名称") + "2"
    dept = column_of(schema.GROUP_SHEET, "联系部门") + "2"
    edit = chain(
        set_cell_xml(
            name, f'<c r="{name}" t="str"><f>"配电运检"&amp;"QC小组"</f><v>配电运检QC小组</v></c>'
        ),
        set_cell_xml(dept, f'<c r="{dept}" t="str"><f>小组!Z99</f><v>运维检修部</v></c>'),
    )
    return rewrite_zip(path, {SHEET_PART[schema.GROUP_SHEET]: edit})


def formula_without_cache(folder: Path) -> Path:
    """A formula never calculated (written by a program, not Excel): no cached value."""
    path = good_book(folder)
    cell = column_of(schema.GROUP_SHEET, "联系部门") + "2"
    edit = set_cell_xml(cell, f'<c r="{cell}"><f>"运维"&amp;"检修部"</f></c>')
    return rewrite_zip(path, {SHEET_PART[schema.GROUP_SHEET]: edit})


def error_values(folder: Path) -> Path:
    """#REF! in 联系部门 (a formula whose source row was deleted) and #N/A in 地址."""
    path = good_book(folder)
    dept = column_of(schema.GROUP_SHEET, "联系部门") + "2"
    addr = column_of(schema.GROUP_SHEET, "地址") + "2"
    edit = chain(
        set_cell_xml(dept, f'<c r="{dept}" t="e"><f>#REF!</f><v>#REF!</v></c>'),
        set_cell_xml(addr, f'<c r="{addr}" t="e"><v>#N/A</v></c>'),
    )
    return rewrite_zip(path, {SHEET_PART[schema.GROUP_SHEET]: edit})


# Every text form DESIGN.md §1 lists, plus variants clerks type; all mean 2024-03 or 2024-03-05.
TEXT_DATES: dict[str, date] = {
    "2024-03-05": date(2024, 3, 5),
    "2024/3/5": date(2024, 3, 5),
    "2024.3.5": date(2024, 3, 5),
    "2024年3月5日": date(2024, 3, 5),
    "2024 年 3 月 5 日": date(2024, 3, 5),
    "２０２４年３月５日": date(2024, 3, 5),
    "20240305": date(2024, 3, 5),
    "2024.3": date(2024, 3, 1),
    "2024年3月": date(2024, 3, 1),
    "2024-03": date(2024, 3, 1),
    " 2024-3-5 ": date(2024, 3, 5),
}
IMPOSSIBLE_DATES = (
    "2023-02-30",
    "2023-13-01",
    "0000-00-00",
    "2023年2月29日",
    "明年三月",
    "2024.3.",
)


def text_dates(folder: Path) -> Path:
    """One topic per text date form, all inside the 统计期, each as the 活动开始 of a topic."""
    write_proofs(folder)
    topics = [
        {**GOOD_TOPICS[0], "课题名称": f"课题{i}", "活动开始": text, "活动结束": "2025年10月"}
        for i, text in enumerate(TEXT_DATES)
    ]
    return write_workbook(folder / BOOK, [GOOD_GROUP], topics, GOOD_MEMBERS)


def impossible_dates(folder: Path) -> Path:
    """The group's topics plus one topic per impossible date (as 活动开始)."""
    write_proofs(folder)
    bad = [
        {**GOOD_TOPICS[1], "课题名称": f"坏日期{i}", "活动开始": text}
        for i, text in enumerate(IMPOSSIBLE_DATES)
    ]
    return write_workbook(folder / BOOK, [GOOD_GROUP], [*GOOD_TOPICS, *bad], GOOD_MEMBERS)


LONGEST_CELL = 32767  # Excel's limit for one cell


def huge_cells(folder: Path) -> Path:
    """活动综述 and 推荐意见 filled to Excel's 32,767-character limit."""
    text = ("小组围绕降低配电线路故障停电时长开展活动。" * 2000)[:LONGEST_CELL]
    return good_book(folder, 活动综述=text, 推荐意见=text)


BLANK_ROWS = 100_000


def blank_formatted_rows(folder: Path) -> Path:
    """100,000 formatted but empty rows after the data on every data sheet (a clerk selected
    whole columns and gave them a fill): styled empty cells, written straight into the XML."""
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    for sheet in schema.DATA_SHEETS:
        wb[sheet]["A1"].fill = PatternFill("solid", fgColor="FFFF00")  # makes style index 1
    wb.save(path)

    def add_rows(sheet: str) -> Edit:
        width = len(schema.DATA_SHEETS[sheet])
        letters = [openpyxl.utils.get_column_letter(i + 1) for i in range(width)]

        def edit(text: str) -> str:
            last = max(int(n) for n in re.findall(r'<row r="(\d+)"', text))
            rows = "".join(
                f'<row r="{r}" s="1" customFormat="1">'
                + "".join(f'<c r="{x}{r}" s="1"/>' for x in letters)
                + "</row>"
                for r in range(last + 1, last + 1 + BLANK_ROWS)
            )
            text = text.replace("</sheetData>", rows + "</sheetData>")
            return re.sub(r'<dimension ref="[^"]*"/>', "", text)

        return edit

    return rewrite_zip(path, {SHEET_PART[s]: add_rows(s) for s in schema.DATA_SHEETS})


# --- values far from the data (calamine holds a sheet as one dense rectangle) ------------------


def stray_value(folder: Path, cell: str, sheet: str = schema.MEMBER_SHEET) -> Path:
    """The valid group with one value typed far away, e.g. 成员!XFD1048576 (a 7 KB file whose
    rectangle from A1 is 17 billion cells)."""
    path = good_book(folder)
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = "x"
    wb.save(path)
    return path


def _without_refs(text: str) -> str:
    """Cells without their r attribute (positions follow from the order), as some generators
    write them; calamine places them the same."""
    return re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", text)


def _prefixed(text: str) -> str:
    """Every element with an x: namespace prefix, as some .NET writers save sheets."""
    text = re.sub(r"<(/?)([A-Za-z])", r"<\1x:\2", text)
    return text.replace('<x:worksheet xmlns="', '<x:worksheet xmlns:x="', 1)


STRAY_FORMS = {  # how the far cell is written
    "no r": 'r="XFD1048576"',
    "x:": 'r="XFD1048576"',
    "a / in an attribute": 'r="XFD1048576" foo="a/b"',
    "lower case": 'r="xfd1048576"',
}


def stray_value_odd_xml(folder: Path, form: str) -> Path:
    """成员 written without cell references (form "no r") or with prefixed elements ("x:"),
    or a far cell written unusually (see STRAY_FORMS), plus a value in XFD1048576."""
    path = good_book(folder)
    far = f'<row r="1048576"><c {STRAY_FORMS[form]} t="inlineStr"><is><t>x</t></is></c></row>'

    def edit(text: str) -> str:
        text = _without_refs(text) if form == "no r" else text
        text = text.replace("</sheetData>", far + "</sheetData>")
        return _prefixed(text) if form == "x:" else text

    return rewrite_zip(path, {SHEET_PART[schema.MEMBER_SHEET]: edit})


# --- bombs ---------------------------------------------------------------------------------

_LAUGHS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)


def xml_bomb(folder: Path) -> Path:
    """Billion laughs: 10⁹ "lol"s (3 GB) if entities were expanded, used as 小组名称."""
    path = good_book(folder)
    cell = column_of(schema.GROUP_SHEET, "小组名称") + "2"
    edit = chain(
        lambda t: t.replace("<worksheet", f"<!DOCTYPE worksheet [{_LAUGHS}]><worksheet", 1),
        set_cell_xml(cell, f'<c r="{cell}" t="inlineStr"><is><t>&lol9;</t></is></c>'),
    )
    return rewrite_zip(path, {SHEET_PART[schema.GROUP_SHEET]: edit})


def xml_bomb_shared_strings(folder: Path) -> Path:
    """Billion laughs in sharedStrings.xml, referenced by 小组名称 (t="s")."""
    path = good_book(folder)
    cell = column_of(schema.GROUP_SHEET, "小组名称") + "2"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{_LAUGHS}]>'
        f'<sst xmlns="{main}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    rel = (
        '<Relationship Id="rIdSS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    ctype = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    return rewrite_zip(
        path,
        {
            SHEET_PART[schema.GROUP_SHEET]: set_cell_xml(cell, f'<c r="{cell}" t="s"><v>0</v></c>'),
            "xl/_rels/workbook.xml.rels": lambda t: t.replace("</Relationships>", rel),
            "[Content_Types].xml": lambda t: t.replace("</Types>", ctype),
        },
        add={"xl/sharedStrings.xml": shared},
    )


SECRET = "XLQC-SECRET-3f9c"


def external_entity(folder: Path) -> Path:
    """XXE: 小组名称 is an external entity pointing at a local file holding SECRET."""
    path = good_book(folder)
    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    cell = column_of(schema.GROUP_SHEET, "小组名称") + "2"
    dtd = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    edit = chain(
        lambda t: t.replace("<worksheet", dtd + "<worksheet", 1),
        set_cell_xml(cell, f'<c r="{cell}" t="inlineStr"><is><t>&xxe;</t></is></c>'),
    )
    return rewrite_zip(path, {SHEET_PART[schema.GROUP_SHEET]: edit})


ZIP_BOMB_MB = 2048


def _bomb(folder: Path, declared: int | None) -> Path:
    """The good workbook whose 小组 part is replaced by 2 GB of deflated zeros (2 MB on disk),
    its size declared honestly or (``declared``) as a lie."""
    good = good_book(folder)
    members = _members(good)
    payload, crc, size = _deflated_zeros(ZIP_BOMB_MB)
    part = SHEET_PART[schema.GROUP_SHEET]
    members = [
        (name, payload, crc, declared or size) if name == part else (name, data, c, s)
        for name, data, c, s in members
    ]
    return raw_zip(good, members)


def zip_bomb(folder: Path) -> Path:
    return _bomb(folder, None)


def zip_bomb_lying(folder: Path) -> Path:
    """The same bomb declaring 4,000 bytes: the ratio check cannot see it, the reader must stop."""
    return _bomb(folder, 4000)


# --- hostile text --------------------------------------------------------------------------

FORMULA_TEXT = {
    "小组名称": '=HYPERLINK("http://example.invalid","点击")',
    "地址": "+86 江苏省泰州市",
    "直接联系人": "@王晓东 ",  # the trailing space makes normalize rewrite it
    "联系部门": "-运维检修部",
    "推荐意见": "=1+1",
    "邮箱": "@wangxd",
}
FORMULA_CODE = "=G001"
MARKUP_TEXT = {
    "组织名称": '江苏<泰州>&"电力"有限公司',
    "小组名称": "{{ 7*7 }}{% for x in range(3) %}QC{% endfor %}小组",
    "活动综述": "</w:t></w:r><w:r><w:t>注入{{ config }}&amp;&lt;",
    "推荐意见": "{{ ''.__class__.__mro__ }}同意推荐",
}
PATH_NAMES = (
    ("../../etc", "passwd"),
    ("CON", "NUL"),
    ("COM1", "LPT1.txt"),
    ("a/b\\c:d*e?f", '"<g>|'),
    ("..", "."),
    ("国网江苏省电力有限公司泰州供电分公司 ", "配电运检QC小组. "),
)
EMOJI_TEXT = {
    "组织名称": "𠀀𡈼𪚥 科技有限公司",  # CJK Extension B, outside the BMP
    "小组名称": "追光😀QC小组👩‍🔧",
    "活动综述": "小组🎯目标：降低停电时长🔌。𠮷野家",
}


def formula_text(folder: Path) -> Path:
    """Values starting with = + - @ typed as text (the clerk's '=… or a pasted value), the
    小组编号 "=G001" on every sheet (it is copied to 校验结果) and an invalid 邮箱 "@wangxd" (R13,
    so the value is quoted in a note and a message)."""
    write_proofs(folder)
    code = {"小组编号": FORMULA_CODE}
    group = {**GOOD_GROUP, **FORMULA_TEXT, **code}
    topics = [{**t, **code} for t in GOOD_TOPICS]
    members = [{**m, **code} for m in GOOD_MEMBERS]
    members[1]["姓名"] = "=李明"
    path = write_workbook(folder / BOOK, [group], topics, members)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        store_as_text(ws)
    wb.save(path)
    return path


def markup_text(folder: Path) -> Path:
    return good_book(folder, **MARKUP_TEXT)


def path_names(folder: Path) -> Path:
    """One good group per dangerous (组织名称, 小组名称) pair: export file names from these."""
    write_proofs(folder)
    groups, topics, members = [], [], []
    for i, (org, name) in enumerate(PATH_NAMES):
        code = f"G{i + 1:03d}"
        groups.append({**GOOD_GROUP, "小组编号": code, "组织名称": org, "小组名称": name})
        topics += [{**t, "小组编号": code} for t in GOOD_TOPICS]
        members += [{**m, "小组编号": code} for m in GOOD_MEMBERS]
    return write_workbook(folder / BOOK, groups, topics, members)


def emoji_text(folder: Path) -> Path:
    return good_book(folder, **EMOJI_TEXT)


# --- Word documents ------------------------------------------------------------------------


def docx_with_entities(folder: Path, laughs: bool = True) -> Path:
    """A filled-in form (.docx) whose document.xml declares an external entity pointing at a
    local file holding SECRET (and billion laughs), and uses them in a paragraph."""
    import docx

    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = folder / "申报表.docx"
    document = docx.Document()
    document.add_paragraph("组织名称：PLACEHOLDER")
    document.save(str(path))
    laughs_dtd = _LAUGHS if laughs else ""
    dtd = f'<!DOCTYPE w:document [{laughs_dtd}<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    used = "&xxe;&lol9;" if laughs else "&xxe;"
    return rewrite_zip(
        path,
        {
            "word/document.xml": lambda t: re.sub(
                r"(<\?xml[^>]*\?>)?\s*<w:document",
                lambda m: (m.group(1) or "") + dtd + "<w:document",
                t,
                count=1,
            ).replace("PLACEHOLDER", used)
        },
    )
