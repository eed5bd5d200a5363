"""Looking inside an .xlsx package before python-calamine reads it.

calamine holds a sheet as one dense rectangle from its first to its last cell with a value: one
stray value in XFD1048576 asks for 16,384 × 1,048,576 cells (550 GB) and the process aborts in
Rust, where Python cannot catch it; a value in XFD5000 costs seconds and gigabytes. So before
calamine sees a sheet, :func:`scan_sheet` streams its XML once and finds where its values lie
(and, on the way, the cells whose formula failed, which calamine reads as blank). A sheet whose
rectangle is small is read by calamine as it is. A larger one goes through
:func:`compact_package`: a copy of the package, in memory, whose sheet holds only the cells a
caller keeps, moved together (row after row, column after column) and mapped back by the caller.
The copy keeps the shared strings, styles and date system, so calamine reads each kept value
exactly as it would have in place.

Every function here reads the zip through :mod:`zipfile` and a few regular expressions over the
raw XML (cells never nest, and ``<`` never appears unescaped in text), in pieces of whole rows,
so memory stays bounded by one row whatever the sheet's size.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

CHUNK = 1 << 20

_PREFIX = rb"(?:[\w.-]+:)?"
_ROOT = re.compile(rb"<(" + _PREFIX + rb")worksheet\b[^>]*>")
_ROW_END = re.compile(rb"</" + _PREFIX + rb"row\s*>")
# the attributes of a start tag: quoted values may hold / or >
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# a cell in another form than <c r="A1" ...>: no r, r not first, lower case, or a prefix
_ODD_CELL = re.compile(rb'<c (?!r="[A-Z]{1,3}\d{1,7}")|<c[>/]')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
# a cell with a value (not self-closing) beyond column Z or row 99,999
_FAR_VALUED = re.compile(rb'<c r="(?:[A-Z]{2,3}\d{1,7}|[A-Z]\d{6,7})"' + _ATTRS + rb"(?<!/)>")
# a cell with a value, as Excel, WPS, LibreOffice and openpyxl write it
_PLAIN_VALUED = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"' + _ATTRS + rb"(?<!/)>")
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*? t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?<v>([^<]*)</v>',
    re.S,
)
PLAIN_ROWS, PLAIN_COLUMNS = 99_999, 26
# the careful tokenizer: rows (for their number) and whole cells, prefixed or not, r or no r
_TOKEN = re.compile(
    rb"<" + _PREFIX + rb"(?:(row)\b(" + _ATTRS + rb")>|c\b(" + _ATTRS + rb"?)(/>|>.*?</"
    + _PREFIX + rb"c\s*>))",
    re.S,
)  # fmt: skip
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})(\d{0,7})["']""")
_REF_ATTR = re.compile(rb"""\sr\s*=\s*(["'])[^"']*\1""")
_TYPE_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v>([^<]*)</" + _PREFIX + rb"v>")
_CELL_NAME = re.compile(rb"<(" + _PREFIX + rb")c\b")

_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class Package:
    """What workbook.xml and its relationships say: the date system and where each part is."""

    date1904: bool = False
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> part name
    shared: list[str] = field(default_factory=list)  # parts every sheet needs (strings, styles)


@dataclass
class SheetScan:
    """Where a sheet's values lie (1-based rows and columns) and its failed formulas. A plain
    sheet (values only in A–Z and rows below 100,000, every cell written <c r="A1"…>) is not
    measured further: its rectangle is at most 2.6 million cells."""

    max_row: int = 0
    max_col: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> #REF!
    plain: bool = False

    @property
    def area(self) -> int:
        """Cells in calamine's rectangle from A1 to the last value (0 for a plain sheet)."""
        return 0 if self.plain else self.max_row * self.max_col


class TooManyRows(Exception):
    """More rows hold values than a master workbook can have; ``row`` is where that was seen."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


def read_package(zf: zipfile.ZipFile) -> Package:
    """The date system and part names of the workbook in ``zf``."""
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    try:
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        rels = None
    targets: dict[str, str] = {}
    package = Package()
    for rel in rels if rels is not None else ():
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        targets[rel.get("Id", "")] = part
        if rel.get("Type", "").endswith(("/sharedStrings", "/styles")):
            package.shared.append(part)
    props = workbook.find("{*}workbookPr")
    package.date1904 = props is not None and props.get("date1904", "").lower() in ("1", "true")
    for sheet in workbook.iterfind(".//{*}sheet"):
        rid = sheet.get(f"{{{_REL_NS}}}id") or next(
            (v for k, v in sheet.attrib.items() if k.endswith("}id")), ""
        )
        if rid in targets:
            package.sheets[sheet.get("name", "")] = targets[rid]
    return package


def scan_sheet(zf: zipfile.ZipFile, part: str) -> SheetScan:
    """Where the values of sheet ``part`` lie, in one pass over its XML; a few searches per
    piece in the usual case, every cell looked at only when some value lies far out."""
    scan = SheetScan(plain=True)
    with zf.open(part) as fh:
        for piece in _pieces(fh):
            if _ODD_CELL.search(piece) or _PREFIXED_CELL.search(piece):
                return _scan_carefully(zf, part)  # no r, attributes in another order, x:c
            if _FAR_VALUED.search(piece):
                return _scan_exactly(zf, part)
            if b' t="e"' in piece:
                _errors(piece, scan)
    scan.max_row, scan.max_col = PLAIN_ROWS, PLAIN_COLUMNS
    return scan


def _errors(piece: bytes, scan: SheetScan) -> None:
    for m in _ERROR_CELL.finditer(piece):
        scan.errors[(int(m.group(2)), column_number(m.group(1)))] = m.group(3).decode(
            "utf-8", "replace"
        )


def _scan_exactly(zf: zipfile.ZipFile, part: str) -> SheetScan:
    scan = SheetScan()
    letters: set[bytes] = set()
    with zf.open(part) as fh:
        for piece in _pieces(fh):
            if found := _PLAIN_VALUED.findall(piece):
                letters.update(col for col, _ in found)
                scan.max_row = max(scan.max_row, max(int(row) for _, row in found))
            if b' t="e"' in piece:
                _errors(piece, scan)
    scan.max_col = max((column_number(c) for c in letters), default=0)
    return scan


def _scan_carefully(zf: zipfile.ZipFile, part: str) -> SheetScan:
    scan = SheetScan()
    with zf.open(part) as fh:
        for row, col, cell in cells(fh):
            if cell.group(4) == b"/>":
                continue
            scan.max_row, scan.max_col = max(scan.max_row, row), max(scan.max_col, col)
            if _TYPE_ERROR.search(cell.group(3)) and (v := _VALUE.search(cell.group(4))):
                scan.errors[(row, col)] = v.group(1).decode("utf-8", "replace")
    return scan


def cells(fh: IO[bytes]) -> Iterator[tuple[int, int, re.Match[bytes]]]:
    """(row, column, match) of every cell element, positions as calamine gives them: from the
    cell's r attribute, or following the previous cell (and row) where r is missing."""
    row = col = 0
    for piece in _pieces(fh):
        for m in _TOKEN.finditer(piece):
            if m.group(1):  # <row ...>
                ref = _REF.search(m.group(2))
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            ref = _REF.search(m.group(3))
            if ref and ref.group(1):
                col = column_number(ref.group(1).upper())
                row = int(ref.group(2)) if ref.group(2) else row
            else:
                col += 1
            yield row, col, m


def _pieces(fh: IO[bytes]) -> Iterator[bytes]:
    """The XML in pieces that end after a </row>: every cell lies whole in one piece."""
    tail = b""
    while data := fh.read(CHUNK):
        buf = tail + data
        cut = _after_last_row(buf)
        if cut:
            yield buf[:cut]
            tail = buf[cut:]
        else:
            tail = buf
    if tail:
        yield tail


def _after_last_row(buf: bytes) -> int:
    i = buf.rfind(b"row>")
    while i > 0:
        start = buf.rfind(b"</", 0, i)
        if start != -1 and _ROW_END.fullmatch(buf, start, i + 4):
            return i + 4
        i = buf.rfind(b"row>", 0, i)
    return 0


def column_number(letters: bytes | str) -> int:
    """A1-style column letters as a 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + ch - 64
    return number


def column_letters(number: int) -> str:
    """Excel's letters of column ``number`` (1 → A, 28 → AB). Not openpyxl's get_column_letter:
    importing openpyxl (and numpy with it) would double the start-up of a validating worker."""
    text = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def compact_package(
    zf: zipfile.ZipFile,
    package: Package,
    part: str,
    keep: Callable[[int, int], bool],
    errors_as_text: bool = True,
    max_rows: int | None = None,
) -> tuple[io.BytesIO, list[int], list[int]]:
    """A copy of the package (shared strings, styles, workbook) whose sheet ``part`` holds only
    the cells with a value for which ``keep(row, col)`` is true, moved to rows 1… and columns
    A… in their order. Returns the copy, and the original row and column of each new one.

    With ``errors_as_text`` a failed formula's cell becomes the text it shows (#REF!), which
    calamine would read as blank (what :class:`SheetScan` finds for a sheet read in place).
    :class:`TooManyRows` as soon as more than ``max_rows`` rows hold kept values."""
    kept: list[tuple[int, int, bytes, bytes, bytes]] = []  # row, col, prefix, attributes, rest
    seen: set[int] = set()
    root = b'<worksheet xmlns="' + _MAIN_NS + b'">'
    prefix = b""
    with zf.open(part) as fh:
        if m := _ROOT.search(fh.read(4096)):
            root, prefix = m.group(0), m.group(1)
    with zf.open(part) as fh:
        for row, col, cell in cells(fh):
            if cell.group(4) != b"/>" and keep(row, col):
                name = _CELL_NAME.match(cell.group(0))
                kept.append((row, col, name.group(1) if name else b"", cell[3], cell[4]))
                seen.add(row)
                if max_rows is not None and len(seen) > max_rows:
                    raise TooManyRows(row)
    rows = sorted(seen)
    cols = sorted({c for _, c, *_ in kept})
    new_row = {r: i + 1 for i, r in enumerate(rows)}
    new_col = {c: column_letters(i + 1) for i, c in enumerate(cols)}
    kept.sort(key=lambda k: (k[0], k[1]))
    out = [root, b"<", prefix, b"sheetData>"]
    current = 0
    for row, col, *cell in kept:
        if row != current:
            if current:
                out += [b"</", prefix, b"row>"]
            current = row
            out += [b"<", prefix, b'row r="', str(new_row[row]).encode(), b'">']
        out.append(_moved(*cell, f"{new_col[col]}{new_row[row]}".encode(), errors_as_text))
    if current:
        out += [b"</", prefix, b"row>"]
    out += [b"</", prefix, b"sheetData></", prefix, b"worksheet>"]
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as dst:
        names = set(zf.namelist())
        base = [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
        ]
        for name in [*base, *package.shared]:
            if name in names:
                dst.writestr(name, zf.read(name))
        dst.writestr(part, b"".join(out))
    copy.seek(0)
    return copy, rows, cols


def _moved(p: bytes, attrs: bytes, rest: bytes, ref: bytes, errors_as_text: bool) -> bytes:
    """The cell element (prefix, attributes, the rest) with its r attribute set to ``ref``; a
    failed formula as its text."""
    if errors_as_text and _TYPE_ERROR.search(attrs):
        shown = v.group(1) if (v := _VALUE.search(rest)) else b""
        return (
            b"<" + p + b'c r="' + ref + b'" t="inlineStr"><' + p + b"is><" + p + b"t>" + shown
            + b"</" + p + b"t></" + p + b"is></" + p + b"c>"
        )  # fmt: skip
    if _REF_ATTR.search(attrs):
        attrs = _REF_ATTR.sub(lambda _m: b' r="' + ref + b'"', attrs, count=1)
    else:
        attrs = b' r="' + ref + b'"' + attrs
    return b"<" + p + b"c" + attrs + rest
