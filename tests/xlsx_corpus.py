"""Workbooks with what a clerk's real file may hold, built in code, and a structural validator
of .xlsx packages (lossless-xlsx.md §5.4) run on every file xlqc writes in the tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from lxml import etree
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from xlqc import schema
from xlqc.xlsxpkg import WORKSHEET_ORDER

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
R = RNS + "/"
THREAD_GUID = "{6A5B3C1D-0000-4F00-9E00-0000000000A1}"
PRECIOUS = (
    "xl/embeddings/oleObject1.bin",
    "xl/connections.xml",
    "xl/metadata.xml",
    "docMetadata/LabelInfo.xml",
    "xl/vbaProject.bin",
    "xl/drawings/drawing1.xml",
    "xl/threadedComments/threadedComment1.xml",
    "xl/persons/person.xml",
    "xl/calcChain.xml",
    "xl/worksheets/sheet5.xml",  # 统计: dynamic array, shared formulas
    "xl/worksheets/sheet6.xml",  # 附注: rows without r
    "docProps/core.xml",
    "docProps/app.xml",
)
X14_DV = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>设置!$A$2:$A$4</xm:f>'
    "</x14:formula1><xm:sqref>M2:M200</xm:sqref></x14:dataValidation></x14:dataValidations>"
    "</ext></extLst>"
)
DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    "<xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0"
    "</xdr:rowOff></xdr:from><xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6"
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr>'
    '<xdr:cNvPr id="2" name="文本框 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
    "<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>填表说明</a:t></a:r></a:p></xdr:txBody></xdr:sp>"
    "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
)
THREADED = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<threadedComment ref="{{ref}}" dT="2026-05-01T08:00:00.00" personId="{{{{P}}}}" '
    f'id="{THREAD_GUID}"><text>电话号码请再核对</text></threadedComment></ThreadedComments>'
)
PERSONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<person displayName="王晓东" id="{P}" userId="wxd@example.cn" providerId="None"/></personList>'
)


def letter(sheet: str, header: str) -> str:
    headers = [c.header for c in schema.DATA_SHEETS[sheet]]
    return openpyxl.utils.get_column_letter(headers.index(header) + 1)


def edit_zip(path: Path, edits: dict[str, Any], add: dict[str, str | bytes] | None = None) -> None:
    """Rewrite entries in place (order kept) and append new ones."""
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    names = [n for n, _ in entries]
    out = []
    for name, data in entries:
        if name in edits:
            data = edits[name](data.decode("utf-8")).encode("utf-8")
        out.append((name, data))
    for name, _extra in edits.items():
        assert name in names or name in (add or {}), name
    for name, content in (add or {}).items():
        out.append((name, content.encode("utf-8") if isinstance(content, str) else content))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in out:
            zf.writestr(name, data)


def _rels(*items: tuple[str, str, str]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_RELS}">{body}</Relationships>'


def _add_rel(xml: str, rid: str, type_: str, target: str) -> str:
    return xml.replace(
        "</Relationships>",
        f'<Relationship Id="{rid}" Type="{type_}" Target="{target}"/></Relationships>',
    )


def _override(xml: str, part: str, ctype: str) -> str:
    return xml.replace("</Types>", f'<Override PartName="/{part}" ContentType="{ctype}"/></Types>')


def clerk_book(folder: Path) -> Path:
    """Two groups (G002 with breaches), the clerk's fills and notes (one on a cell xlqc marks),
    and two sheets of the clerk's own."""
    write_proofs(folder)
    bad = {**GOOD_GROUP, "小组编号": "G002", "小组名称": "变电检修QC小组", "电话": "12345",
           "邮箱": "not-an-email", "注册日期": "2025-02-30"}  # fmt: skip
    path = write_workbook(folder / "总表.xlsx", [GOOD_GROUP, bad], GOOD_TOPICS, GOOD_MEMBERS)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    ws[f"{letter(schema.GROUP_SHEET, '邮箱')}3"].comment = Comment("王晓东：邮箱待核实", "王晓东")
    ws[f"{letter(schema.GROUP_SHEET, '电话')}3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws[f"{letter(schema.GROUP_SHEET, '地址')}2"].comment = Comment("地址以营业执照为准", "王晓东")
    stats = wb.create_sheet("统计")
    stats.append(["值", "排序", "两倍"])
    stats.append([1, None, None])
    stats.append([2, None, None])
    notes = wb.create_sheet("附注")
    notes["A1"] = "占位"
    wb.save(path)
    return path


def corpus_book(folder: Path) -> Path:
    """:func:`clerk_book` as an .xlsm holding an embedded OLE object, a connection, dynamic-array
    metadata with a ``cm`` cell, a sensitivity label, x14 data validation, a shape, a VBA
    project, notes with VML, a threaded comment with its placeholder note on a cell xlqc marks,
    shared formulas, a calcChain and rows without ``r``."""
    path = clerk_book(folder)
    phone = f"{letter(schema.GROUP_SHEET, '电话')}3"
    wb = openpyxl.load_workbook(path)
    wb[schema.GROUP_SHEET][phone].comment = Comment(
        "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; "
        "however, any edits to it will get removed if the file is opened in a newer version of "
        "Excel.\nComment:\n    电话号码请再核对",
        f"tc={THREAD_GUID}",
    )
    wb.save(path)
    target = path.with_suffix(".xlsm")
    path.rename(target)
    path = target
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        group_rels = zf.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
    assert "xl/worksheets/_rels/sheet1.xml.rels" not in names
    assert "xl/worksheets/_rels/sheet3.xml.rels" not in names
    sheet5 = (
        '<c r="B2" cm="1"><f t="array" ref="B2:B3">_xlfn._xlws.SORT(A2:A3)</f><v>1</v></c>'
        '<c r="C2"><f t="shared" ref="C2:C3" si="0">A2*2</f><v>2</v></c>'
    )

    def stats(xml: str) -> str:
        xml = re.sub(
            r'(<row r="2"[^>]*>.*?)(</row>)',
            lambda m: m.group(1) + sheet5 + m.group(2),
            xml,
            count=1,
        )
        return re.sub(
            r'(<row r="3"[^>]*>.*?)(</row>)',
            lambda m: (
                m.group(1)
                + '<c r="B3"><v>2</v></c><c r="C3"><f t="shared" si="0"/><v>4</v></c>'
                + m.group(2)
            ),
            xml,
            count=1,
        )

    def rless(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B2"/>', xml)
        return re.sub(
            r"<sheetData>.*</sheetData>",
            '<sheetData><row><c t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>乙</t></is></c></row>'
            '<row><c t="inlineStr"><is><t>丙</t></is></c></row></sheetData>',
            xml,
            flags=re.S,
        )

    def setting(xml: str) -> str:
        return xml.replace(
            "</worksheet>",
            f'<oleObjects><oleObject progId="Package" shapeId="1025" r:id="rIdOle1" xmlns:r="{RNS}"/>'
            "</oleObjects></worksheet>",
        )

    def topics(xml: str) -> str:
        return re.sub(
            r"(<pageMargins[^>]*/>)", rf'\1<drawing xmlns:r="{RNS}" r:id="rIdDr1"/>', xml, count=1
        )

    def content_types(xml: str) -> str:
        xml = re.sub(
            r'(PartName="/xl/workbook.xml" ContentType=")[^"]+',
            r"\g<1>application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            xml,
        )
        for part, ctype in (
            (
                "xl/embeddings/oleObject1.bin",
                "application/vnd.openxmlformats-officedocument.oleObject",
            ),
            (
                "xl/connections.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
            ),
            (
                "xl/metadata.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml",
            ),
            ("docMetadata/LabelInfo.xml", "application/vnd.ms-office.classificationlabels+xml"),
            ("xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
            (
                "xl/drawings/drawing1.xml",
                "application/vnd.openxmlformats-officedocument.drawing+xml",
            ),
            (
                "xl/threadedComments/threadedComment1.xml",
                "application/vnd.ms-excel.threadedcomments+xml",
            ),
            ("xl/persons/person.xml", "application/vnd.ms-excel.person+xml"),
            (
                "xl/calcChain.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
            ),
        ):
            xml = _override(xml, part, ctype)
        return xml

    def workbook_rels(xml: str) -> str:
        for rid, type_, target in (
            ("rIdCn", R + "connections", "connections.xml"),
            ("rIdMd", R + "sheetMetadata", "metadata.xml"),
            (
                "rIdVba",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "vbaProject.bin",
            ),
            (
                "rIdPs",
                "http://schemas.microsoft.com/office/2017/10/relationships/person",
                "persons/person.xml",
            ),
            ("rIdCc", R + "calcChain", "calcChain.xml"),
        ):
            xml = _add_rel(xml, rid, type_, target)
        return xml

    connections = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<connections xmlns="{MAIN}">'
        '<connection id="1" name="查询 - 名单" type="5" refreshedVersion="8" background="1">'
        '<dbPr connection="Provider=Microsoft.Mashup.OleDb.1;Data Source=$Workbook$;Location=名单;" '
        'command="SELECT * FROM [名单]"/></connection></connections>'
    )
    metadata = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<metadata xmlns="{MAIN}" '
        'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
        '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
        'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
        'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
        '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
        '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
        '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
    )
    label = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata">'
        '<clbl:label id="{11111111-2222-3333-4444-555555555555}" enabled="1" method="Standard" '
        'siteId="{66666666-7777-8888-9999-000000000000}" removed="0"/></clbl:labelList>'
    )
    calc_chain = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{MAIN}"><c r="B2" i="5" a="1"/><c r="C2"/><c r="C3"/></calcChain>'
    edit_zip(
        path,
        {
            "xl/worksheets/sheet1.xml": setting,
            "xl/worksheets/sheet2.xml": lambda x: x.replace(
                "</worksheet>", X14_DV + "</worksheet>"
            ),
            "xl/worksheets/sheet3.xml": topics,
            "xl/worksheets/sheet5.xml": stats,
            "xl/worksheets/sheet6.xml": rless,
            "xl/worksheets/_rels/sheet2.xml.rels": lambda x: _add_rel(
                x,
                "rIdTc1",
                "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                "../threadedComments/threadedComment1.xml",
            ),
            "[Content_Types].xml": content_types,
            "xl/_rels/workbook.xml.rels": workbook_rels,
            "_rels/.rels": lambda x: _add_rel(
                x,
                "rIdLbl",
                "http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels",
                "docMetadata/LabelInfo.xml",
            ),
        },
        add={
            "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(range(256)) * 2,
            "xl/worksheets/_rels/sheet1.xml.rels": _rels(
                ("rIdOle1", R + "oleObject", "../embeddings/oleObject1.bin")
            ),
            "xl/connections.xml": connections,
            "xl/metadata.xml": metadata,
            "docMetadata/LabelInfo.xml": label,
            "xl/vbaProject.bin": b"\xcc\x61VBA-PROJECT" + bytes(range(256)) * 4,
            "xl/drawings/drawing1.xml": DRAWING,
            "xl/worksheets/_rels/sheet3.xml.rels": _rels(
                ("rIdDr1", R + "drawing", "../drawings/drawing1.xml")
            ),
            "xl/threadedComments/threadedComment1.xml": THREADED.replace("{ref}", phone),
            "xl/persons/person.xml": PERSONS,
            "xl/calcChain.xml": calc_chain,
        },
    )
    assert "comments" in group_rels
    check_package(path)
    return path


# --------------------------------------------------------------------------------------------
# The validator


def _parse(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:  # pragma: no cover - the failure is the message
        raise AssertionError(f"{name} is not well-formed: {exc}") from None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _resolve(owner: str, target: str) -> str:
    import posixpath

    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


def _ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    assert m, ref
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def check_package(path: Path) -> None:
    """Assert the structural rules of lossless-xlsx.md §5.4 on the package at ``path``."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        parts = {n: zf.read(n) for n in names}
    assert len({n.lower() for n in names}) == len(names), "duplicate part names"
    trees = {n: _parse(d, n) for n, d in parts.items() if n.endswith((".xml", ".rels", ".vml"))}
    types = trees["[Content_Types].xml"]
    defaults = {
        d.get("Extension").lower(): d.get("ContentType") for d in types if _local(d) == "Default"
    }
    overrides: dict[str, str] = {}
    for o in types:
        if _local(o) == "Override":
            key = o.get("PartName").lstrip("/").lower()
            assert key not in overrides, f"two Overrides for {key}"
            overrides[key] = o.get("ContentType")
    for n in names:
        if n == "[Content_Types].xml" or n.endswith("/"):
            continue
        ext = n.rsplit(".", 1)[-1].lower()
        assert n.lower() in overrides or ext in defaults, f"{n} has no content type"
    for key in overrides:
        assert key in {n.lower() for n in names}, f"Override for missing part {key}"
    rels: dict[str, dict[str, str]] = {}
    rel_types: dict[str, dict[str, str]] = {}
    for n, tree in trees.items():
        if not n.endswith(".rels"):
            continue
        folder, base = n.rsplit("_rels/", 1)
        owner = folder + base[: -len(".rels")]
        ids = [r.get("Id") for r in tree]
        assert len(ids) == len(set(ids)), f"duplicate relationship ids in {n}"
        rels[owner] = {}
        rel_types[owner] = {}
        for r in tree:
            if r.get("TargetMode") == "External":
                continue
            target = _resolve(owner, r.get("Target"))
            assert target in parts, f"{n}: {r.get('Id')} points at missing {target}"
            rels[owner][r.get("Id")] = target
            rel_types[owner][r.get("Id")] = r.get("Type")
    wb_part = next(t for t in rels[""].values() if t.endswith(".xml") and "workbook" in t)
    wb = trees[wb_part]
    sheets = [s for s in wb.iter(f"{{{MAIN}}}sheet")]
    sheet_ids = [s.get("sheetId") for s in sheets]
    assert len(sheet_ids) == len(set(sheet_ids)), "duplicate sheetId"
    assert len({s.get("name").lower() for s in sheets}) == len(sheets), "duplicate sheet names"
    visible = [i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"]
    assert visible, "no visible sheet"
    for dn in wb.iter(f"{{{MAIN}}}definedName"):
        if dn.get("localSheetId") is not None:
            assert int(dn.get("localSheetId")) < len(sheets), (
                f"dangling localSheetId {dn.get('name')}"
            )
    for view in wb.iter(f"{{{MAIN}}}workbookView"):
        active = int(view.get("activeTab", "0"))
        assert active in visible, f"activeTab {active} is not a visible sheet"
    styles_part = next(
        t for t in rels[wb_part].values() if t.endswith("styles.xml") or "style" in t
    )
    styles = trees[styles_part]
    for box in styles:
        if (
            _local(box)
            in (
                "fonts",
                "fills",
                "borders",
                "cellXfs",
                "cellStyleXfs",
                "numFmts",
                "dxfs",
            )
            and box.get("count") is not None
        ):
            assert int(box.get("count")) == len(box), f"styles {_local(box)} count"
    xf_count = len(next(b for b in styles if _local(b) == "cellXfs"))
    by_id = {s.get("sheetId"): s for s in sheets}
    formulas: dict[str, set[str]] = {}
    for sheet in sheets:
        rid = sheet.get(f"{{{RNS}}}id")
        part = rels[wb_part][rid]
        root = trees[part]
        order = [_local(c) for c in root if _local(c) and _local(c) != "AlternateContent"]
        ranks = [WORKSHEET_ORDER.index(c) for c in order]
        assert ranks == sorted(ranks), f"{part}: children out of order {order}"
        last_row = 0
        formulas[sheet.get("sheetId")] = set()
        dim = root.find(f"{{{MAIN}}}dimension")
        dim_box = None
        if dim is not None and ":" in dim.get("ref", ""):
            first, last = dim.get("ref").split(":")
            dim_box = (*_ref(first), *_ref(last))
        for row in root.iter(f"{{{MAIN}}}row"):
            r = int(row.get("r", last_row + 1))
            assert r > last_row, f"{part}: rows out of order at {r}"
            last_row = r
            last_col = 0
            spans = re.fullmatch(r"(\d+):(\d+)", row.get("spans") or "")
            for c in row:
                col = _ref(c.get("r"))[1] if c.get("r") else last_col + 1
                assert col > last_col, f"{part}: cells out of order in row {r}"
                if spans:
                    assert int(spans.group(1)) <= col <= int(spans.group(2)), f"{part}: spans {r}"
                if dim_box:
                    assert dim_box[0] <= r <= dim_box[2] and dim_box[1] <= col <= dim_box[3], (
                        f"{part}: {c.get('r')} outside <dimension>"
                    )
                last_col = col
                assert int(c.get("s", "0")) < xf_count, f"{part}: s beyond cellXfs"
                if c.find(f"{{{MAIN}}}f") is not None and c.get("r"):
                    formulas[sheet.get("sheetId")].add(c.get("r"))
        kinds = rel_types.get(part, {})
        comments = [t for i, t in rels.get(part, {}).items() if kinds[i] == R + "comments"]
        vmls = [t for i, t in rels.get(part, {}).items() if kinds[i] == R + "vmlDrawing"]
        assert len(comments) <= 1, f"{part}: more than one comments part"
        if comments:
            refs = [c.get("ref") for c in trees[comments[0]].iter(f"{{{MAIN}}}comment")]
            assert len(refs) == len(set(refs)), f"{part}: two notes on one cell"
            assert len(vmls) == 1, f"{part}: notes without VML"
            assert root.find(f"{{{MAIN}}}legacyDrawing") is not None, f"{part}: no legacyDrawing"
            places = set()
            excel = "urn:schemas-microsoft-com:office:excel"
            for data in trees[vmls[0]].iter(f"{{{excel}}}ClientData"):
                if data.get("ObjectType") == "Note":
                    row = int(data.find(f"{{{excel}}}Row").text)
                    col = int(data.find(f"{{{excel}}}Column").text)
                    places.add((row + 1, col + 1))
            for ref in refs:
                assert _ref(ref) in places, f"{part}: note {ref} has no shape"
    chain = next((t for t in rels[wb_part].values() if t.endswith("calcChain.xml")), None)
    if chain:
        sheet_id = None
        for c in trees[chain]:
            sheet_id = c.get("i", sheet_id)
            assert sheet_id in by_id, f"calcChain names sheet {sheet_id}"
            assert c.get("r") in formulas[sheet_id], f"calcChain: {c.get('r')} is not a formula"


def entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def calc_works(tmp: Path) -> bool:
    """LibreOffice with Calc (a Writer-only install cannot open .xlsx)."""
    if SOFFICE is None:
        return False
    probe = tmp / "probe.xlsx"
    openpyxl.Workbook().save(probe)
    try:
        convert(probe, tmp / "probe-out", "csv")
    except AssertionError:
        return False
    return True


def convert(path: Path, out_dir: Path, fmt: str) -> Path:
    """``soffice --headless --convert-to fmt`` into ``out_dir``; the converted file."""
    assert SOFFICE
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir / ".profile").resolve().as_uri()
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(out_dir), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    target = out_dir / (path.stem + "." + fmt.split(":")[0])
    assert target.exists(), f"LibreOffice did not convert {path.name}: {done.stdout} {done.stderr}"
    return target
