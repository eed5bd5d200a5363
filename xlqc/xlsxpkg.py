"""Editing an .xlsx/.xlsm package in place: zip entries and byte-spliced XML (DESIGN.md §6).

Every write of a clerk's workbook (marks, clear, normalize) goes through :class:`Package`:

* entries xlqc does not change are copied as they are — same names, same order, same bytes;
* XML is never re-serialised: xlqc finds elements by scanning the bytes and splices in, out or
  over exactly the span it owns, so namespaces, prefixes, ``mc:Ignorable`` declarations, unknown
  attributes (``xr:uid``, ``cm``, ``vm``…) and everything else stay as the clerk's program wrote
  them; formula cells keep their cached values because xlqc never rewrites a ``<f>`` or ``<v>``;
* parts are found through relationships, never by file-name convention; new parts get unused
  names and relationship ids; content types get an Override only when the part has none;
* the result is written through :func:`xlqc.safeio.atomic_path`.

No XML parser reads the parts: the byte scanner resolves no entities and fetches nothing, and
a package whose XML holds a document type declaration is refused (defusedxml's rule), so no
entity expansion can reach what xlqc writes back. Size limits are those of
:func:`xlqc.reading.check_workbook_file`, which every command applies first.

The scanner assumes what SpreadsheetML guarantees for the elements it looks up (rows, cells,
comments, relationships…): they do not nest inside an element of the same name. A ``<`` in text is
always escaped in XML, so a tag pattern cannot match inside cell text; a CDATA section in a touched
part is refused.

Public API (used by :mod:`xlqc.marks`, :mod:`xlqc.normalize`):
:class:`Package` (``open``, ``read``, ``write``, ``add``, ``delete``, ``save``, relationships,
content types, sheets, shared strings, cell values), :class:`Tag` / :func:`find` / :func:`find_all`
(elements in bytes), :func:`get_attr` / :func:`set_attr` / :func:`del_attr`, :func:`esc_text` /
:func:`esc_attr` / :func:`unesc`, :func:`cell_ref` / :func:`split_ref`.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from xlqc.errors import XlqcError
from xlqc.safeio import atomic_path
from xlqc.sheetxml import column_letters as col_letters
from xlqc.sheetxml import column_number

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = REL_NS + "/"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)  # new entries: the same bytes for the same edit


# --------------------------------------------------------------------------------------------
# Elements in bytes


_NAME = rb"[A-Za-z_][\w.\-]*"
_ATTRS = rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*"
_TAG_CACHE: dict[str, re.Pattern[bytes]] = {}


def _tag_re(local: str) -> re.Pattern[bytes]:
    pattern = _TAG_CACHE.get(local)
    if pattern is None:
        pattern = re.compile(
            rb"<(?:("
            + _NAME
            + rb"):)?"
            + re.escape(local.encode())
            + rb"("
            + _ATTRS
            + rb")\s*(/?)>"
        )
        _TAG_CACHE[local] = pattern
    return pattern


@dataclass(frozen=True)
class Tag:
    """One element found in a part's bytes: ``data[start:end]`` is the whole element,
    ``data[start:head_end]`` its start tag, ``data[head_end:inner_end]`` its content."""

    start: int
    head_end: int
    inner_end: int
    end: int
    prefix: str  # "" or "x:"

    def head(self, data: bytes) -> bytes:
        return data[self.start : self.head_end]

    def inner(self, data: bytes) -> bytes:
        return data[self.head_end : self.inner_end]

    def whole(self, data: bytes) -> bytes:
        return data[self.start : self.end]

    def attr(self, data: bytes, name: str) -> str | None:
        return get_attr(self.head(data), name)

    @property
    def empty(self) -> bool:
        return self.head_end == self.end


def _tag_at(data: bytes, m: re.Match[bytes], local: str) -> Tag:
    prefix = m.group(1).decode() + ":" if m.group(1) else ""
    if m.group(3):
        return Tag(m.start(), m.end(), m.end(), m.end(), prefix)
    c = _close_re(prefix + local).search(data, m.end())
    if c is None:
        raise XlqcError(f"工作簿的 XML 不完整（<{prefix}{local}> 没有结束），无法改写")
    return Tag(m.start(), m.end(), c.start(), c.end(), prefix)


@functools.lru_cache(maxsize=256)
def _close_re(qname: str) -> re.Pattern[bytes]:
    return re.compile(rb"</" + re.escape(qname.encode()) + rb"\s*>")


def find_all(data: bytes, local: str, start: int = 0, end: int | None = None) -> Iterator[Tag]:
    """Every ``local`` element (any prefix) starting in ``data[start:end]``, in order; an
    element found is skipped over, so children of the same name are not reported."""
    pattern = _tag_re(local)
    stop = len(data) if end is None else end
    pos = start
    while True:
        m = pattern.search(data, pos, stop)
        if m is None:
            return
        tag = _tag_at(data, m, local)
        yield tag
        pos = tag.end


def find(data: bytes, local: str, start: int = 0, end: int | None = None) -> Tag | None:
    """The first ``local`` element in ``data[start:end]``."""
    return next(find_all(data, local, start, end), None)


def root_prefix(data: bytes) -> str:
    """The prefix of the document element ("" or "x:")."""
    m = re.search(rb"<(?!\?|!)(?:(" + _NAME + rb"):)?" + _NAME, data)
    return m.group(1).decode() + ":" if m and m.group(1) else ""


@functools.lru_cache(maxsize=256)
def _attr_re(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"(\s)" + re.escape(name.encode()) + rb"\s*=\s*(\"([^\"]*)\"|'([^']*)')")


def get_attr(head: bytes, name: str) -> str | None:
    m = _attr_re(name).search(head)
    if m is None:
        return None
    raw = m.group(3) if m.group(3) is not None else m.group(4)
    return unesc(raw.decode("utf-8"))


def set_attr(head: bytes, name: str, value: str) -> bytes:
    """``head`` (a start tag) with ``name`` set: replaced where it stands, else appended."""
    new = f'{name}="{esc_attr(value)}"'.encode()
    pattern = _attr_re(name)
    if pattern.search(head):
        return pattern.sub(lambda m: m.group(1) + new, head, count=1)
    m = re.search(rb"\s*/?>$", head)
    assert m is not None
    return head[: m.start()] + b" " + new + head[m.start() :]


def del_attr(head: bytes, name: str) -> bytes:
    return _attr_re(name).sub(b"", head, count=1)


def unesc(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x") or ref.startswith("#X"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(ref, m.group(0))

    return re.sub(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z]+);", one, text)


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def ooxml_string(text: str) -> str:
    """``text`` as a workbook may hold it: control characters as Excel's ``_xHHHH_`` escapes,
    and a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_`` so it reads back unchanged."""
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """The text a reader shows for a stored string: ``_xHHHH_`` decoded."""
    if "_x" not in text:
        return text
    return re.sub(
        r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text
    )  # _x005F_ → "_", so _x005F_x0001_ → "_x0001_"


def esc_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return (
        esc_text(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def inner_text(data: bytes) -> str:
    """The text of a string item (``<si>``, ``<is>``, a comment's ``<text>``): every ``<t>``
    outside phonetic runs, unescaped."""
    data = re.sub(
        rb"<(?:" + _NAME + rb":)?rPh\b.*?</(?:" + _NAME + rb":)?rPh>", b"", data, flags=re.S
    )
    parts = []
    for t in find_all(data, "t"):
        parts.append(unesc(t.inner(data).decode("utf-8")))
    return ooxml_unescape("".join(parts))


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def split_ref(ref: str) -> tuple[int, int]:
    """(row, column) of "D5", both from 1."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_number(m.group(1).upper())


def split_range(ref: str) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of "A1:D5" or of one cell "D5"."""
    first, _, last = ref.partition(":")
    return (*split_ref(first), *split_ref(last or first))


def cell_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


# --------------------------------------------------------------------------------------------
# Sheet XML: rows and cells


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    tag: Tag


@dataclass(frozen=True)
class Row:
    row: int
    tag: Tag
    explicit: bool  # has its own r attribute


def sheet_rows(data: bytes) -> tuple[Tag | None, list[Row]]:
    """The ``<sheetData>`` element and its rows (implicit numbers made explicit here)."""
    sd = find(data, "sheetData")
    if sd is None:
        return None, []
    return sd, list(iter_rows(data, sd))


def iter_rows(data: bytes, sd: Tag) -> Iterator[Row]:
    """The rows of ``<sheetData>`` ``sd``, lazily."""
    if b"<![CDATA[" in sd.inner(data):
        raise XlqcError("工作表中含有 CDATA 段，xlqc 无法安全改写")
    last = 0
    for tag in find_all(data, "row", sd.head_end, sd.inner_end):
        r = tag.attr(data, "r")
        number = int(r) if r and r.isdigit() else last + 1
        yield Row(number, tag, r is not None)
        last = number


def row_cells(data: bytes, row: Row) -> list[tuple[Cell, bool]]:
    """The cells of ``row`` with whether each has its own ``r``."""
    cells = []
    last = 0
    for tag in find_all(data, "c", row.tag.head_end, row.tag.inner_end):
        ref = tag.attr(data, "r")
        if ref:
            r, col = split_ref(ref)
        else:
            r, col = row.row, last + 1
        cells.append((Cell(r, col, tag), ref is not None))
        last = col
    return cells


def cell_value(data: bytes, tag: Tag, shared: list[str]) -> str | None:
    """The text a cell shows as stored (cached value of a formula included), or None."""
    if tag.empty:
        return None
    inner = tag.inner(data)
    t = tag.attr(data, "t") or "n"
    if t == "inlineStr":
        is_ = find(inner, "is")
        return inner_text(is_.inner(inner)) if is_ else ""
    v = find(inner, "v")
    if v is None:
        return None
    text = unesc(v.inner(inner).decode("utf-8"))
    if t == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return None
    return ooxml_unescape(text) if t == "str" else text


def has_formula(data: bytes, tag: Tag) -> bool:
    return not tag.empty and find(tag.inner(data), "f") is not None


# --------------------------------------------------------------------------------------------
# The package


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # part name, resolved ("xl/comments1.xml"); the raw Target when external
    external: bool


@dataclass(frozen=True)
class SheetRef:
    name: str
    sheet_id: int
    rid: str
    state: str  # "visible", "hidden", "veryHidden"
    part: str
    index: int  # position in <sheets>, from 0


class Package:
    """An open .xlsx/.xlsm package: entry bytes in their order, edited in memory, saved once."""

    def __init__(self, path: Path, infos: list[zipfile.ZipInfo], data: dict[str, bytes]) -> None:
        self.path = path
        self._infos = infos
        self._data = data
        self._shared: list[str] | None = None
        self._sheets_key: tuple[bytes, bytes | None] | None = None
        self._sheets_cache: list[SheetRef] = []
        self.workbook = self._find_workbook()

    # --- opening and saving

    @classmethod
    def open(cls, path: Path) -> Package:
        """Read ``path``; :class:`XlqcError` for anything that is not an editable package
        (encrypted, .xls, Strict OOXML, damaged)."""
        path = Path(path)
        name = path.name
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise XlqcError(f"无法读取「{name}」：{exc.strerror or exc}") from None
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise XlqcError(
                f"「{name}」是加密的工作簿或旧版 .xls 文件，请取消密码并另存为 .xlsx 后再试"
            )
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
                data = {i.filename: zf.read(i) for i in infos if not i.is_dir()}
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
            raise XlqcError(f"「{name}」已损坏，无法作为 .xlsx 打开") from None
        infos = [i for i in infos if not i.is_dir()]
        for entry, content in data.items():
            if (
                entry.lower().endswith((".xml", ".rels", ".vml"))
                and b"<!DOCTYPE" in content.upper()
            ):
                raise XlqcError(
                    f"「{name}」的 {entry} 含有文档类型声明（DTD），可能是恶意构造的文件，已拒绝改写"
                )
        return cls(path, infos, data)

    def _find_workbook(self) -> str:
        name = self.path.name
        rels = self.rels("")
        for rel in rels:
            if rel.type.startswith(STRICT_NS):
                raise XlqcError(
                    f"「{name}」是 Strict Open XML 格式，xlqc 不能改写；请在 Excel 中另存为"
                    "「Excel 工作簿（*.xlsx）」后再试"
                )
            if rel.type == REL + "officeDocument" and rel.target in self._data:
                data = self._data[rel.target]
                if STRICT_NS.encode() + b"spreadsheetml" in data[:2000]:
                    raise XlqcError(
                        f"「{name}」是 Strict Open XML 格式，xlqc 不能改写；请在 Excel 中另存为"
                        "「Excel 工作簿（*.xlsx）」后再试"
                    )
                return rel.target
        raise XlqcError(f"「{name}」是压缩文件，但不是 Excel 工作簿")

    def save(self, dst: Path) -> None:
        with atomic_path(Path(dst)) as tmp, zipfile.ZipFile(tmp, "w") as out:
            for info in self._infos:
                out.writestr(info, self._data[info.filename])

    # --- entries

    @property
    def names(self) -> list[str]:
        return [i.filename for i in self._infos]

    def has(self, name: str) -> bool:
        return name in self._data

    def read(self, name: str) -> bytes:
        return self._data[name]

    def write(self, name: str, data: bytes) -> None:
        """Replace an entry's bytes, or add a new entry at the end."""
        if name not in self._data:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            self._infos.append(info)
        self._data[name] = data
        if name == self._shared_name():
            self._shared = None

    def delete(self, name: str) -> None:
        if name in self._data:
            del self._data[name]
            self._infos = [i for i in self._infos if i.filename != name]

    def unused_name(self, template: str) -> str:
        """``template`` ("xl/comments{}.xml") with the lowest number no entry uses, compared
        without case (OPC part names are case-insensitive)."""
        taken = {n.lower() for n in self._data}
        n = 1
        while template.format(n).lower() in taken:
            n += 1
        return template.format(n)

    # --- relationships

    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def rels(self, part: str) -> list[Rel]:
        name = self.rels_name(part)
        if name not in self._data:
            return []
        data = self._data[name]
        folder = posixpath.dirname(part)
        out = []
        for tag in find_all(data, "Relationship"):
            target = tag.attr(data, "Target") or ""
            external = tag.attr(data, "TargetMode") == "External"
            if not external:
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
            out.append(
                Rel(tag.attr(data, "Id") or "", tag.attr(data, "Type") or "", target, external)
            )
        return out

    def rel_target(self, part: str, rid: str) -> str | None:
        return next((r.target for r in self.rels(part) if r.id == rid), None)

    def add_rel(self, part: str, type_: str, target: str) -> str:
        """A new relationship from ``part`` to the part ``target``; its id."""
        name = self.rels_name(part)
        data = self._data.get(name)
        if data is None:
            data = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"></Relationships>'
            )
        used = {r.id.lower() for r in self.rels(part)} if name in self._data else set()
        n = 1
        while f"rid{n}" in used:
            n += 1
        rid = f"rId{n}"
        rel = posixpath.relpath(target, posixpath.dirname(part) or ".")
        element = f'<Relationship Id="{rid}" Type="{esc_attr(type_)}" Target="{esc_attr(rel)}"/>'
        self.write(name, insert_child(data, "Relationships", element.encode()))
        self.ensure_default("rels", CT_RELS)
        return rid

    def remove_rel(self, part: str, rid: str, drop_empty: bool = False) -> None:
        """Remove relationship ``rid`` of ``part``; with ``drop_empty`` (xlqc made the .rels
        part) the part goes too when nothing is left in it."""
        name = self.rels_name(part)
        data = self._data.get(name)
        if data is None:
            return
        for tag in find_all(data, "Relationship"):
            if tag.attr(data, "Id") == rid:
                data = data[: tag.start] + data[tag.end :]
                break
        if drop_empty and find(data, "Relationship") is None:
            self.delete(name)
        else:
            self.write(name, data)

    # --- content types

    def content_type(self, part: str) -> str | None:
        data = self._data["[Content_Types].xml"]
        for tag in find_all(data, "Override"):
            if (tag.attr(data, "PartName") or "").lstrip("/").lower() == part.lower():
                return tag.attr(data, "ContentType")
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        for tag in find_all(data, "Default"):
            if (tag.attr(data, "Extension") or "").lower() == ext:
                return tag.attr(data, "ContentType")
        return None

    def add_override(self, part: str, ctype: str) -> None:
        if self.content_type(part) == ctype:
            return
        element = f'<Override PartName="/{esc_attr(part)}" ContentType="{esc_attr(ctype)}"/>'
        self.write(
            "[Content_Types].xml",
            insert_child(self._data["[Content_Types].xml"], "Types", element.encode()),
        )

    def remove_override(self, part: str) -> None:
        data = self._data["[Content_Types].xml"]
        for tag in find_all(data, "Override"):
            if (tag.attr(data, "PartName") or "").lstrip("/").lower() == part.lower():
                self.write("[Content_Types].xml", data[: tag.start] + data[tag.end :])
                return

    def ensure_default(self, ext: str, ctype: str) -> bool:
        """Add a Default for ``ext`` unless one exists; whether one was added."""
        data = self._data["[Content_Types].xml"]
        for tag in find_all(data, "Default"):
            if (tag.attr(data, "Extension") or "").lower() == ext.lower():
                return False
        element = f'<Default Extension="{ext}" ContentType="{ctype}"/>'
        self.write("[Content_Types].xml", insert_child(data, "Types", element.encode(), first=True))
        return True

    def remove_default(self, ext: str) -> None:
        data = self._data["[Content_Types].xml"]
        for tag in find_all(data, "Default"):
            if (tag.attr(data, "Extension") or "").lower() == ext.lower():
                self.write("[Content_Types].xml", data[: tag.start] + data[tag.end :])
                return

    # --- workbook

    def sheets(self) -> list[SheetRef]:
        key = (self._data[self.workbook], self._data.get(self.rels_name(self.workbook)))
        if (
            self._sheets_key is not None
            and self._sheets_key[0] is key[0]
            and self._sheets_key[1] is key[1]
        ):
            return list(self._sheets_cache)
        self._sheets_cache = self._read_sheets()
        self._sheets_key = key
        return list(self._sheets_cache)

    def _read_sheets(self) -> list[SheetRef]:
        data = self._data[self.workbook]
        box = find(data, "sheets")
        if box is None:
            return []
        rels = {r.id: r.target for r in self.rels(self.workbook)}
        out = []
        for i, tag in enumerate(find_all(data, "sheet", box.head_end, box.inner_end)):
            rid = tag.attr(data, "r:id") or _any_ns_attr(tag.head(data), "id") or ""
            out.append(
                SheetRef(
                    name=tag.attr(data, "name") or "",
                    sheet_id=int(tag.attr(data, "sheetId") or 0),
                    rid=rid,
                    state=tag.attr(data, "state") or "visible",
                    part=rels.get(rid, ""),
                    index=i,
                )
            )
        return out

    def sheet(self, name: str) -> SheetRef | None:
        return next((s for s in self.sheets() if s.name == name), None)

    def _shared_name(self) -> str | None:
        for rel in self.rels(self.workbook) if hasattr(self, "workbook") else []:
            if rel.type == REL + "sharedStrings":
                return rel.target
        return None

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            name = self._shared_name()
            data = self._data.get(name or "", b"")
            self._shared = [inner_text(si.inner(data)) for si in find_all(data, "si")]
        return self._shared

    def styles_name(self) -> str | None:
        for rel in self.rels(self.workbook):
            if rel.type == REL + "styles":
                return rel.target
        return None

    def cell_values(self, part: str, max_row: int | None = None) -> dict[tuple[int, int], str]:
        """(row, column) -> shown text of every cell with a value, rows up to ``max_row``."""
        data = self._data[part]
        shared = self.shared_strings()
        out: dict[tuple[int, int], str] = {}
        sd = find(data, "sheetData")
        for row in iter_rows(data, sd) if sd is not None else ():
            if max_row is not None and row.row > max_row:
                break
            for cell, _explicit in row_cells(data, row):
                value = cell_value(data, cell.tag, shared)
                if value is not None:
                    out[(cell.row, cell.col)] = value
        return out


def _any_ns_attr(head: bytes, local: str) -> str | None:
    m = re.search(rb"\s" + _NAME + rb":" + local.encode() + rb"\s*=\s*\"([^\"]*)\"", head)
    return unesc(m.group(1).decode()) if m else None


def insert_child(data: bytes, container: str, child: bytes, first: bool = False) -> bytes:
    """``data`` with ``child`` added as the last (or first) child of the first ``container``;
    a self-closing container is opened."""
    tag = find(data, container)
    if tag is None:
        raise XlqcError(f"工作簿的 XML 缺少 <{container}>，无法改写")
    if tag.empty:
        head = tag.head(data)
        opened = re.sub(rb"\s*/>$", b">", head)
        return (
            data[: tag.start]
            + opened
            + child
            + f"</{tag.prefix}{container}>".encode()
            + data[tag.end :]
        )
    at = tag.head_end if first else tag.inner_end
    return data[:at] + child + data[at:]


def insert_in_order(
    data: bytes, parent: Tag, element: bytes, local: str, order: tuple[str, ...]
) -> tuple[bytes, int]:
    """Insert ``element`` (named ``local``) among ``parent``'s children at its place in the
    schema ``order``: before the first child that must come after it. Returns the new data
    and the offset where it went."""
    later = set(order[order.index(local) + 1 :])
    pattern = re.compile(rb"<(?:(" + _NAME + rb"):)?(" + _NAME + rb")[\s/>]")
    pos = parent.head_end
    at = parent.inner_end
    depth_end = parent.inner_end
    while pos < depth_end:
        m = pattern.search(data, pos, depth_end)
        if m is None:
            break
        name = m.group(2).decode()
        # the child element's own span, to step over its content
        child = _tag_at(data, _tag_re(name).match(data, m.start()) or _fail(name), name)
        if name in later or (name == "AlternateContent" and _alternate_later(data, child, later)):
            at = child.start
            break
        pos = child.end
    return data[:at] + element + data[at:], at


def _alternate_later(data: bytes, tag: Tag, later: set[str]) -> bool:
    inner = tag.inner(data)
    m = re.search(
        rb"<(?:" + _NAME + rb":)?Choice\b[^>]*>\s*<(?:" + _NAME + rb":)?(" + _NAME + rb")", inner
    )
    return bool(m and m.group(1).decode() in later)


def _fail(name: str) -> re.Match[bytes]:
    raise XlqcError(f"工作簿的 XML 无法解析（<{name}>），无法改写")


# --------------------------------------------------------------------------------------------
# Editing one worksheet's cells

WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
)  # fmt: skip


@dataclass(frozen=True)
class CellView:
    """One cell element, cut out of its row: ``elem`` is the whole ``<c>``, ``tag`` its
    spans within ``elem``."""

    row: int
    col: int
    elem: bytes
    tag: Tag

    def attr(self, name: str) -> str | None:
        return self.tag.attr(self.elem, name)

    def head(self) -> bytes:
        return self.tag.head(self.elem)

    def whole(self) -> bytes:
        return self.elem

    def rest(self) -> bytes:
        """Everything after the start tag (content and end tag; b"" when self-closing)."""
        return self.elem[self.tag.head_end :]

    @property
    def empty(self) -> bool:
        return self.tag.empty

    def has_formula(self) -> bool:
        return has_formula(self.elem, self.tag)

    def value(self, shared: list[str]) -> str | None:
        return cell_value(self.elem, self.tag, shared)


class SheetXml:
    """A worksheet part's bytes held as head, rows and tail, so that cell edits cost the size
    of one row, not of the sheet; :attr:`data` joins them (cached until the next edit)."""

    def __init__(self, data: bytes) -> None:
        self._load(data)

    def _load(self, data: bytes) -> None:
        self.prefix = root_prefix(data)
        self._data = data
        self._dirty = False
        sd = find(data, "sheetData")
        self._gaps: list[bytes] = []
        self._elems: list[bytes] = []
        self._nums: list[int] = []
        self._explicit: list[bool] = []
        self._sd_empty = sd is not None and sd.empty
        self.spans_before: dict[int, str] = {}  # row -> spans before ensure_cell widened it
        if sd is None or sd.empty:
            self._head, self._tail = data, b""
            self._has_data = sd is not None
            self._pos: dict[int, int] = {}
            return
        self._has_data = True
        if b"<![CDATA[" in sd.inner(data):
            raise XlqcError("工作表中含有 CDATA 段，xlqc 无法安全改写")
        self._head = data[: sd.head_end]
        last_end, last = sd.head_end, 0
        for tag in find_all(data, "row", sd.head_end, sd.inner_end):
            r = tag.attr(data, "r")
            number = int(r) if r and r.isdigit() else last + 1
            self._gaps.append(data[last_end : tag.start])
            self._elems.append(data[tag.start : tag.end])
            self._nums.append(number)
            self._explicit.append(r is not None)
            last_end, last = tag.end, number
        self._tail = data[last_end:]
        self._reindex()

    def _reindex(self) -> None:
        self._pos = {n: i for i, n in enumerate(self._nums)}

    @property
    def data(self) -> bytes:
        if self._dirty:
            body = b"".join(g + e for g, e in zip(self._gaps, self._elems, strict=True))
            self._data = self._head + body + self._tail
            self._dirty = False
        return self._data

    # --- rows and cells

    def row_numbers(self) -> list[int]:
        return list(self._nums)

    def _row_tag(self, i: int) -> Tag:
        tag = find(self._elems[i], "row")
        assert tag is not None
        return tag

    def _cells(self, i: int) -> list[tuple[int, Tag, bool]]:
        elem = self._elems[i]
        row = self._row_tag(i)
        out, last = [], 0
        for tag in find_all(elem, "c", row.head_end, row.inner_end):
            ref = tag.attr(elem, "r")
            col = split_ref(ref)[1] if ref else last + 1
            out.append((col, tag, ref is not None))
            last = col
        return out

    def cell(self, row: int, col: int) -> CellView | None:
        i = self._pos.get(row)
        if i is None:
            return None
        elem = self._elems[i]
        for c, tag, _ in self._cells(i):
            if c == col:
                return CellView(row, col, elem[tag.start : tag.end], _shift(tag, -tag.start))
        return None

    def replace(self, cell: CellView, new: bytes) -> None:
        """Replace a cell found by :meth:`cell` with ``new``."""
        self.put(cell.row, cell.col, new)

    def put(self, row: int, col: int, new: bytes) -> None:
        """Replace the element of an existing cell with ``new`` (b"" removes it)."""
        i = self._pos[row]
        elem = self._elems[i]
        for c, tag, _ in self._cells(i):
            if c == col:
                self._elems[i] = elem[: tag.start] + new + elem[tag.end :]
                self._dirty = True
                return
        raise KeyError((row, col))

    def row_attr(self, row: int, name: str) -> str | None:
        i = self._pos.get(row)
        return None if i is None else self._row_tag(i).attr(self._elems[i], name)

    def ensure_cell(self, row: int, col: int) -> tuple[CellView, str] | None:
        """The cell at (row, col), created empty when missing. Returns it and what was made:
        "" (it existed), "cell" or "row". None when it cannot be placed without shifting cells
        or rows that have no ``r`` of their own."""
        found = self.cell(row, col)
        if found is not None:
            return found, ""
        if not self._has_data:
            return None
        if self._sd_empty:  # <sheetData/>: open it
            sd = find(self._data, "sheetData")
            assert sd is not None
            opened = re.sub(rb"\s*/>$", b">", sd.head(self._data))
            closing = f"</{sd.prefix}sheetData>".encode()
            self._load(self._data[: sd.start] + opened + closing + self._data[sd.end :])
        c = f'<{self.prefix}c r="{cell_ref(row, col)}"/>'.encode()
        i = self._pos.get(row)
        if i is not None:
            if not self._explicit[i]:
                return None
            cells = self._cells(i)
            after = [(tag, explicit) for cc, tag, explicit in cells if cc > col]
            if any(not explicit for _, explicit in after):
                return None
            elem = self._elems[i]
            row_tag = self._row_tag(i)
            if after:
                at = after[0][0].start
                elem = elem[:at] + c + elem[at:]
            elif row_tag.empty:
                head = re.sub(rb"\s*/>$", b">", row_tag.head(elem))
                elem = head + c + f"</{row_tag.prefix}row>".encode()
            else:
                elem = elem[: row_tag.inner_end] + c + elem[row_tag.inner_end :]
            self._elems[i] = elem
            self._widen_spans(i, col)
            made = "cell"
        else:
            at = bisect.bisect(self._nums, row)
            if not all(self._explicit[at:]):
                return None
            element = f'<{self.prefix}row r="{row}">'.encode() + c + f"</{self.prefix}row>".encode()
            self._gaps.insert(at, b"")
            self._elems.insert(at, element)
            self._nums.insert(at, row)
            self._explicit.insert(at, True)
            self._reindex()
            made = "row"
        self._dirty = True
        found = self.cell(row, col)
        assert found is not None
        return found, made

    def _widen_spans(self, i: int, col: int) -> None:
        """A row's ``spans`` (a hint Excel checks) made to cover ``col``; the old value is
        kept in :attr:`spans_before` so that it can be put back."""
        elem = self._elems[i]
        tag = self._row_tag(i)
        spans = tag.attr(elem, "spans")
        m = re.fullmatch(r"(\d+):(\d+)", spans or "")
        if m is None or int(m.group(1)) <= col <= int(m.group(2)):
            return
        wide = f"{min(int(m.group(1)), col)}:{max(int(m.group(2)), col)}"
        self.spans_before[self._nums[i]] = spans or ""
        self._elems[i] = set_attr(tag.head(elem), "spans", wide) + elem[tag.head_end :]

    def set_spans(self, row: int, spans: str) -> None:
        i = self._pos.get(row)
        if i is None:
            return
        elem = self._elems[i]
        tag = self._row_tag(i)
        self._elems[i] = set_attr(tag.head(elem), "spans", spans) + elem[tag.head_end :]
        self._dirty = True

    def widen_dimension(self, row: int, col: int) -> str | None:
        """Make ``<dimension ref>`` cover (row, col); the old ref when it changed."""
        old = self.dimension()
        if old is None:
            return None
        try:
            r1, c1, r2, c2 = split_range(old)
        except ValueError:
            return None
        if r1 <= row <= r2 and c1 <= col <= c2:
            return None
        new = f"{cell_ref(min(r1, row), min(c1, col))}:{cell_ref(max(r2, row), max(c2, col))}"
        self.set_dimension(new)
        return old

    def dimension(self) -> str | None:
        tag = find(self._head, "dimension")
        return tag.attr(self._head, "ref") if tag is not None else None

    def set_dimension(self, ref: str) -> None:
        tag = find(self._head, "dimension")
        if tag is None:
            return
        head = set_attr(tag.head(self._head), "ref", ref)
        self._head = self._head[: tag.start] + head + self._head[tag.head_end :]
        self._dirty = True

    def remove_cell(self, row: int, col: int, made: str) -> None:
        """Remove a cell xlqc made (and its row, when xlqc made that too and it is empty)."""
        if self.cell(row, col) is None:
            return
        self.put(row, col, b"")
        i = self._pos[row]
        if made == "row" and not self._cells(i) and self._explicit[i]:
            for items in (self._gaps, self._elems, self._nums, self._explicit):
                del items[i]  # type: ignore[attr-defined]
            self._reindex()
        self._dirty = True

    # --- the rest of the sheet

    def splice(self, tag: Tag, new: bytes) -> None:
        """Replace an element found in :attr:`data` (outside the rows)."""
        data = self.data
        self._load(data[: tag.start] + new + data[tag.end :])

    def merged_anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), or (row, col)."""
        for tag in find_all(self._tail, "mergeCell"):
            try:
                r1, c1, r2, c2 = split_range(tag.attr(self._tail, "ref") or "")
            except ValueError:
                continue
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col

    def default_style(self, row: int, col: int) -> int:
        """The xf a cell without a ``<c>`` shows: its row's when customFormat, else its
        column's, else 0 (ECMA-376 §18.3.1.73)."""
        if self.row_attr(row, "customFormat") in ("1", "true"):
            return int(self.row_attr(row, "s") or 0)
        for tag in find_all(self._head, "col"):
            lo, hi = int(tag.attr(self._head, "min") or 0), int(tag.attr(self._head, "max") or 0)
            if lo <= col <= hi:
                return int(tag.attr(self._head, "style") or 0)
        return 0

    def insert_element(self, local: str, element: bytes) -> None:
        """Add a child of the worksheet at its place in CT_Worksheet order."""
        data = self.data
        data, _ = insert_in_order(data, root_tag(data), element, local, WORKSHEET_ORDER)
        self._load(data)

    def rel_ns_prefix(self) -> str | None:
        """The prefix the root declares for the relationships namespace, if any."""
        root = root_tag(self._head)
        m = re.search(
            rb"xmlns:(" + _NAME + rb")\s*=\s*\"" + re.escape(REL_NS.encode()) + rb"\"",
            root.head(self._head),
        )
        return m.group(1).decode() if m else None


def _shift(tag: Tag, by: int) -> Tag:
    return Tag(tag.start + by, tag.head_end + by, tag.inner_end + by, tag.end + by, tag.prefix)


def root_tag(data: bytes) -> Tag:
    m = re.search(rb"<(?!\?|!)(?:(" + _NAME + rb"):)?(" + _NAME + rb")", data)
    if m is None:
        raise XlqcError("工作簿的 XML 为空，无法改写")
    local = m.group(2).decode()
    hit = _tag_re(local).match(data, m.start())
    if hit is None:
        raise XlqcError("工作簿的 XML 无法解析，无法改写")
    # the root's end tag is the last one of that name
    prefix = m.group(1).decode() + ":" if m.group(1) else ""
    if hit.group(3):
        return Tag(hit.start(), hit.end(), hit.end(), hit.end(), prefix)
    close = data.rfind(f"</{prefix}{local}".encode())
    end = data.find(b">", close) + 1
    return Tag(hit.start(), hit.end(), close, end, prefix)


def inline_cell(head: bytes, text: str) -> bytes:
    """A cell element holding ``text`` as an inline string (never a formula), keeping the
    attributes of ``head`` (its start tag) but its type; "" gives an empty cell."""
    head = re.sub(rb"\s*/?>$", b"", del_attr(head, "t"))
    prefix = re.match(rb"<((?:" + _NAME + rb":)?)c", head)
    p = prefix.group(1).decode() if prefix else ""
    if not text:
        return head + b"/>"
    value = esc_text(ooxml_string(text))
    return (
        head
        + b' t="inlineStr">'
        + f'<{p}is><{p}t xml:space="preserve">{value}</{p}t></{p}is></{p}c>'.encode()
    )


# --------------------------------------------------------------------------------------------
# Sheets of the workbook

WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr",
    "absPath", "workbookProtection", "bookViews", "sheets", "functionGroups",
    "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
    "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
    "webPublishObjects", "extLst",
)  # fmt: skip
_BAD_SHEET_CHARS = re.compile(r"[:\\/?*\[\]]")


def free_sheet_name(names: Iterable[str], wanted: str) -> str:
    """``wanted``, or ``wanted(xlqc)``, ``wanted(xlqc2)``… — the first none of the sheets
    ``names`` uses (compared without case), at most 31 characters. Shared by the file path
    (names of a package's sheets) and the live path (names of the open workbook's)."""
    taken = {name.lower() for name in names}
    base = _BAD_SHEET_CHARS.sub("_", wanted)[:31]
    candidates = [base, f"{base}(xlqc)"] + [f"{base}(xlqc{n})" for n in range(2, 1000)]
    for name in candidates:
        if name[:31].lower() not in taken:
            return name[:31]
    raise XlqcError("工作簿的工作表太多，无法添加 xlqc 的工作表")


def _rel_attr(data: bytes, root: Tag) -> tuple[str, bytes]:
    """The qualified name to use for r:id on a new child of ``root``, and the namespace
    declaration to put on that child when the root has none."""
    m = re.search(
        rb"xmlns:(" + _NAME + rb")\s*=\s*\"" + re.escape(REL_NS.encode()) + rb"\"", root.head(data)
    )
    if m:
        return m.group(1).decode() + ":id", b""
    return "r:id", f' xmlns:r="{REL_NS}"'.encode()


def add_sheet(pkg: Package, name: str, xml: bytes, state: str = "visible") -> SheetRef:
    """Append a worksheet part and its ``<sheet>`` at the end of ``<sheets>``."""
    part = pkg.unused_name("xl/worksheets/sheet{}.xml")
    pkg.write(part, xml)
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(pkg.workbook, REL + "worksheet", part)
    data = pkg.read(pkg.workbook)
    sheet_id = max((s.sheet_id for s in pkg.sheets()), default=0) + 1
    attr, decl = _rel_attr(data, root_tag(data))
    prefix = root_prefix(data)
    hidden = f' state="{state}"' if state != "visible" else ""
    element = (
        f'<{prefix}sheet name="{esc_attr(name)}" sheetId="{sheet_id}"{hidden} '.encode()
        + decl.lstrip()
        + (b" " if decl else b"")
        + f'{attr}="{rid}"/>'.encode()
    )
    pkg.write(pkg.workbook, insert_child(data, "sheets", element))
    found = pkg.sheet(name)
    assert found is not None
    return found


def remove_sheet(pkg: Package, sheet: SheetRef, names_made: str = "") -> None:
    """Remove a sheet xlqc added: its ``<sheet>``, relationship, part, content type and the
    names scoped to it; later ``localSheetId`` and ``activeTab``/``firstSheet`` shift down."""
    data = pkg.read(pkg.workbook)
    box = find(data, "sheets")
    assert box is not None
    tags = list(find_all(data, "sheet", box.head_end, box.inner_end))
    tag = tags[sheet.index]
    data = data[: tag.start] + data[tag.end :]
    left = len(tags) - 1
    names = find(data, "definedNames")
    if names is not None:
        pieces: list[bytes] = []
        pos = names.head_end
        for dn in find_all(data, "definedName", names.head_end, names.inner_end):
            pieces.append(data[pos : dn.start])
            local = dn.attr(data, "localSheetId")
            if local is not None and local.isdigit() and int(local) == sheet.index:
                pass
            elif local is not None and local.isdigit() and int(local) > sheet.index:
                head = set_attr(dn.head(data), "localSheetId", str(int(local) - 1))
                pieces.append(head + data[dn.head_end : dn.end])
            else:
                pieces.append(dn.whole(data))
            pos = dn.end
        pieces.append(data[pos : names.inner_end])
        inner = b"".join(pieces)
        if names_made == "made" and find(inner, "definedName") is None:
            data = data[: names.start] + data[names.end :]
        elif names_made == "opened" and not inner:
            closed = re.sub(rb"\s*>$", b"/>", names.head(data))
            data = data[: names.start] + closed + data[names.end :]
        else:
            data = data[: names.head_end] + inner + data[names.inner_end :]
    for view in list(find_all(data, "workbookView")):
        head = view.head(data)
        new = head
        for attr in ("activeTab", "firstSheet"):
            value = get_attr(head, attr)
            if value is not None and value.isdigit():
                n = int(value)
                if n > sheet.index or (n == sheet.index and n > 0) or n >= left:
                    new = set_attr(new, attr, str(max(0, min(n - 1, left - 1))))
        if new != head:
            data = data[: view.start] + new + data[view.head_end :]
            break
    pkg.write(pkg.workbook, data)
    pkg.remove_rel(pkg.workbook, sheet.rid)
    if sheet.part:
        pkg.delete(sheet.part)
        pkg.delete(Package.rels_name(sheet.part))
        pkg.remove_override(sheet.part)
        pkg.remove_override(Package.rels_name(sheet.part))


def add_defined_name(
    pkg: Package, name: str, local_sheet: int, value: str, hidden: bool = False
) -> str:
    """Add a name scoped to sheet ``local_sheet``. Returns "made" when ``<definedNames>`` was
    created, "opened" when it was an empty ``<definedNames/>``, else ""."""
    data = pkg.read(pkg.workbook)
    prefix = root_prefix(data)
    flag = ' hidden="1"' if hidden else ""
    element = (
        f'<{prefix}definedName name="{esc_attr(name)}" localSheetId="{local_sheet}"{flag}>'
        f"{esc_text(value)}</{prefix}definedName>"
    ).encode()
    box = find(data, "definedNames")
    if box is not None:
        pkg.write(pkg.workbook, insert_child(data, "definedNames", element))
        return "opened" if box.empty else ""
    box = f"<{prefix}definedNames>".encode() + element + f"</{prefix}definedNames>".encode()
    data, _ = insert_in_order(data, root_tag(data), box, "definedNames", WORKBOOK_ORDER)
    pkg.write(pkg.workbook, data)
    return "made"


# --------------------------------------------------------------------------------------------
# Styles: append-only


STYLESHEET_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
    "tableStyles", "colors", "extLst",
)  # fmt: skip


class Styles:
    """styles.xml with appended fonts, fills and cell formats; every append is logged so that
    an untouched result can be given back byte for byte (:meth:`undo`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.prefix = root_prefix(data)
        self.log: list[list[str]] = []  # [container, appended element, old count or ""]

    def items(self, container: str) -> list[bytes]:
        box = find(self.data, container)
        if box is None:
            return []
        child = {"fonts": "font", "fills": "fill", "cellXfs": "xf", "borders": "border"}[container]
        return [t.whole(self.data) for t in find_all(self.data, child, box.head_end, box.inner_end)]

    def append(self, container: str, element: bytes) -> int:
        """Append ``element`` to ``container`` (counted); its index. An identical element this
        run appended before is reused."""
        items = self.items(container)
        for i, (kind, added, _) in enumerate(self.log):
            del i
            if kind == container and added.encode() == element and element in items:
                return len(items) - 1 - items[::-1].index(element)
        box = find(self.data, container)
        if box is None:
            raise XlqcError(f"工作簿的样式表缺少 <{container}>，无法写入底色")
        count = box.attr(self.data, "count")
        self.data = insert_child(self.data, container, element)
        box = find(self.data, container)
        assert box is not None
        head = set_attr(box.head(self.data), "count", str(len(items) + 1))
        self.data = self.data[: box.start] + head + self.data[box.head_end :]
        self.log.append([container, element.decode(), count or ""])
        return len(items)

    def undo(self, log: list[list[str]]) -> bytes | None:
        """The styles without the appends of ``log`` (from :attr:`log` of the run that made
        the current bytes); None when they are not where that run put them."""
        data = self.data
        for container, element, count in reversed(log):
            box = find(data, container)
            raw = element.encode()
            if box is None or not data[box.head_end : box.inner_end].endswith(raw):
                return None
            data = data[: box.inner_end - len(raw)] + data[box.inner_end :]
            box = find(data, container)
            assert box is not None
            head = box.head(data)
            head = set_attr(head, "count", count) if count else del_attr(head, "count")
            data = data[: box.start] + head + data[box.head_end :]
        return data
