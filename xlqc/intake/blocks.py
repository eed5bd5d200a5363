"""A filled Word form as a stream of rows of cell texts, straight from the package XML.

The parser (:mod:`xlqc.intake.parse`) finds fields by their labels, so all it needs is the
document in reading order: every table row as its cells (merged cells once, with the layout-grid
columns they cover) and every paragraph outside a table as a one-cell row. Reading the XML
directly, rather than through python-docx's object model, lets this see what a clerk's forms
really hold: check-box content controls (``w14:checkbox``), legacy FORMCHECKBOX fields, ticks
typed in the Wingdings fonts, tracked deletions, content controls around rows and cells, and
documents that python-docx itself refuses to open.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from xlqc.errors import XlqcError

WIDE = 1_000_000  # grid span of a paragraph outside any table: it lies under every column
MAX_XML_BYTES = 30 * 1024 * 1024  # document.xml of a form is well under 1 MB
TICKED, UNTICKED = "☑", "☐"

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
# Glyphs of the symbol fonts people tick boxes with (「输入 R，字体设为 Wingdings 2」).
_SYMBOL_FONTS: dict[str, dict[int, str]] = {
    "wingdings 2": {0x52: "☑", 0x53: "☒", 0x54: "☒", 0x50: "✓", 0xA3: "☐"},
    "wingdings": {0xFE: "☑", 0xFD: "☒", 0xFC: "✓", 0xA8: "☐", 0x6F: "☐", 0x6E: "■"},
}
_WRAPPERS = ("sdt", "sdtContent", "customXml")  # containers that only wrap rows, cells or blocks
_INLINE_WRAPPERS = (
    "hyperlink",
    "ins",
    "smartTag",
    "customXml",
    "fldSimple",
    "moveTo",
    "dir",
    "bdo",
)


@dataclass(frozen=True)
class Cell:
    """The text of one table cell (paragraphs joined by line breaks) and the layout-grid
    columns it covers; a paragraph outside a table is a cell at column 0 spanning :data:`WIDE`."""

    text: str
    col: int = 0
    span: int = WIDE

    @property
    def in_table(self) -> bool:
        return self.span != WIDE

    def overlaps(self, col: int, span: int) -> bool:
        return self.col < col + span and col < self.col + self.span


Block = list[Cell]


def read_blocks(path: Path) -> list[Block]:
    """The document body of the .docx at ``path`` in reading order; :class:`XlqcError` (one
    Chinese line naming the file) for anything that is not a readable Word document.
    Placeholder text (a content control still showing its grey prompt, or the prompt's
    sentence typed or pasted anywhere) reads as empty."""
    body = _body(_document_xml(path), path.name)
    _blank_placeholders(body)
    return list(_emit(body))


# The prompts Word and WPS show in an empty content control, in the languages of the Office
# builds clerks use (Word 2013+ and 2010 zh-CN, zh-TW, en; WPS reuses Word's zh-CN text).
PLACEHOLDERS = (
    "单击或点击此处输入文字",
    "单击此处输入文字",
    "点击此处输入文字",
    "单击或点击以输入日期",
    "单击此处输入日期",
    "点击此处输入日期",
    "按一下或點選這裡以輸入文字",
    "按一下這裡以輸入文字",
    "Click or tap here to enter text",
    "Click here to enter text",
    "Click or tap to enter a date",
    "Click here to enter a date",
)
CHOICE_PROMPTS = ("选择一项", "Choose an item")  # a drop-down's: only a whole paragraph
_PLACEHOLDER = re.compile(
    "|".join(
        r"[\s\u3000]*".join(re.escape(ch) for ch in text if not ch.isspace())
        for text in PLACEHOLDERS
    ).join(("(?:", r")[\s\u3000]*[。.．]?")),
    re.IGNORECASE,
)


_CHOICE_PROMPT = re.compile(
    "|".join(re.escape(t) for t in CHOICE_PROMPTS).join((r"^[\s\u3000]*(?:", r")[。.．]?\s*$")),
    re.IGNORECASE,
)


def strip_placeholders(text: str) -> str:
    """``text`` without the prompt sentences of empty content controls."""
    if not text:
        return text
    return _CHOICE_PROMPT.sub("", _PLACEHOLDER.sub("", text))


def _blank_placeholders(body: etree._Element) -> None:
    """Empty the text of every content control that still shows its placeholder
    (``w:showingPlcHdr``): the grey prompt is not what the group wrote."""
    for sdt in body.iter("{*}sdt"):
        props = _child(sdt, "sdtPr")
        flag = _child(props, "showingPlcHdr")
        if flag is None or (_attr(flag, "val") or "1").lower() in ("0", "false", "off"):
            continue
        if _child(props, "checkbox") is not None:
            continue  # a check box shows its state, never a prompt
        content = _child(sdt, "sdtContent")
        for el in content.iter("{*}t") if content is not None else ():
            el.text = ""


def _document_xml(path: Path) -> bytes:
    name = path.name
    if name.startswith("~$"):
        raise XlqcError(f"「{name}」是 Word 打开文档时留下的锁定文件，不是申报表")
    if not path.is_file():
        raise XlqcError(f"找不到文件「{path}」")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise XlqcError(f"无法读取「{name}」：{exc.strerror or exc}（文件可能被占用）") from None
    suffix = path.suffix.lower()
    if head.startswith(_OLE):
        if suffix in (".doc", ".dot", ".wps"):
            kind = "WPS 文字（.wps）" if suffix == ".wps" else "旧版 Word（.doc）"
            raise XlqcError(f"「{name}」是{kind}文件，请在 Word 中另存为 .docx 后再导入")
        raise XlqcError(
            f"「{name}」是加密的 Word 文档或实为旧版 .doc 文件，请取消密码并另存为 .docx 后再导入"
        )
    if head.startswith(b"{\\rtf"):
        raise XlqcError(f"「{name}」是 RTF 文件，请在 Word 中另存为 .docx 后再导入")
    if not head.startswith(b"PK"):
        raise XlqcError(f"「{name}」不是 Word 文档（.docx），无法导入")
    try:
        with zipfile.ZipFile(path) as zf:
            part = _main_part(zf)
            if part is None:
                raise XlqcError(f"「{name}」是压缩文件，但不是 Word 文档（.docx）")
            info = zf.getinfo(part)
            if info.file_size > MAX_XML_BYTES:
                raise XlqcError(f"「{name}」的正文异常巨大，已拒绝读取")
            return zf.read(part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError, EOFError):
        raise XlqcError(f"「{name}」已损坏，无法作为 .docx 打开") from None
    except NotImplementedError:  # an unsupported compression method
        raise XlqcError(
            f"「{name}」使用了无法识别的压缩方式，请在 Word 中重新另存为 .docx"
        ) from None


def _main_part(zf: zipfile.ZipFile) -> str | None:
    """The main document part, as the package relationships name it (usually word/document.xml)."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(zf.read("_rels/.rels"), _PARSER)
        except etree.XMLSyntaxError:
            rels = None
        for rel in rels if rels is not None else ():
            if str(rel.get("Type", "")).endswith("/officeDocument"):
                target = str(PurePosixPath(rel.get("Target", "").lstrip("/")))
                if target in names:
                    return target
    return "word/document.xml" if "word/document.xml" in names else None


def _body(xml: bytes, name: str) -> etree._Element:
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        raise XlqcError(
            f"「{name}」已损坏（正文不是有效的 XML），请在 Word 中打开后另存一份"
        ) from None
    for child in root:
        if _local(child) == "body":
            return child
    raise XlqcError(f"「{name}」没有正文，不是申报表")


def _local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _attr(el: etree._Element | None, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (w:val, w14:val, strict OOXML)."""
    if el is None:
        return None
    for key, value in el.attrib.items():
        if key == name or key.endswith("}" + name):
            return str(value)
    return None


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for child in el:
        if _local(child) == name:
            return child
    return None


def _children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Children named ``name``, looking through content controls and custom XML around them."""
    for child in el:
        local = _local(child)
        if local == name:
            yield child
        elif local in _WRAPPERS:
            yield from _children(child, name)


def _blocks(el: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of a body or cell, in order."""
    for child in el:
        local = _local(child)
        if local in ("p", "tbl"):
            yield child
        elif local in _WRAPPERS:
            yield from _blocks(child)


def _emit(container: etree._Element) -> Iterator[Block]:
    for el in _blocks(container):
        if _local(el) == "p":
            yield [Cell(_paragraph_text(el))]
        else:
            yield from _table(el)


def _table(tbl: etree._Element) -> Iterator[Block]:
    """Rows of a table; a cell spanning several rows (vMerge) appears in its first row only."""
    above: dict[int, etree._Element] = {}  # grid column -> the cell that covers it in the last row
    seen: set[etree._Element] = set()
    for tr in _children(tbl, "tr"):
        col = int(_attr(_child(_child(tr, "trPr"), "gridBefore"), "val") or 0)
        row: list[tuple[etree._Element, int, int]] = []  # (content cell, first column, span)
        for tc in _children(tr, "tc"):
            props = _child(tc, "tcPr")
            span = max(1, int(_attr(_child(props, "gridSpan"), "val") or 1))
            vmerge = _child(props, "vMerge")
            hmerge = _attr(_child(props, "hMerge"), "val")
            if hmerge == "continue" and row:  # Word 97 horizontal merge
                first, start, width = row[-1]
                row[-1] = (first, start, width + span)
                col += span
                continue
            root = tc
            if vmerge is not None and (_attr(vmerge, "val") or "continue") == "continue":
                root = above.get(col, tc)
            row.append((root, col, span))
            col += span
        for root, start, span in row:
            for c in range(start, start + span):
                above[c] = root
        fresh = [(root, start, span) for root, start, span in row if root not in seen]
        seen.update(root for root, _, _ in fresh)
        if any(_has_table(root) for root, _, _ in fresh):
            # A table inside a cell (a whole form boxed in a layout table): read every
            # cell's content as blocks of its own, in order.
            for root, _, _ in fresh:
                yield from _emit(root)
        else:
            yield [Cell(_cell_text(root), start, span) for root, start, span in fresh]


def _has_table(tc: etree._Element) -> bool:
    return any(_local(b) == "tbl" for b in _blocks(tc))


def _cell_text(tc: etree._Element) -> str:
    return "\n".join(_paragraph_text(p) for p in _blocks(tc) if _local(p) == "p")


def _paragraph_text(p: etree._Element) -> str:
    out: list[str] = []
    _inline(p, out)
    return strip_placeholders("".join(out))


def _inline(el: etree._Element, out: list[str]) -> None:
    for child in el:
        local = _local(child)
        if local == "r":
            _run(child, out)
        elif local == "sdt":
            state = _checkbox(child)
            if state is not None:
                out.append(TICKED if state else UNTICKED)
            else:
                content = _child(child, "sdtContent")
                if content is not None:
                    _inline(content, out)
        elif local in _INLINE_WRAPPERS:
            _inline(child, out)
        # del, moveFrom (tracked deletions), pPr, bookmarks, proofErr, ...: no visible text


def _checkbox(sdt: etree._Element) -> bool | None:
    """The state of a check-box content control, or None when ``sdt`` is not one."""
    props = _child(sdt, "sdtPr")
    box = _child(props, "checkbox")
    if box is None:
        return None
    checked = _attr(_child(box, "checked"), "val")
    return (checked or "0").lower() in ("1", "true", "on")


def _run(r: etree._Element, out: list[str]) -> None:
    fonts = _child(_child(r, "rPr"), "rFonts")
    symbols = _symbol_map(" ".join(v for v in (fonts.attrib.values() if fonts is not None else ())))
    for child in r:
        local = _local(child)
        if local == "t":
            text = child.text or ""
            out.append("".join(_symbol(symbols, ch) for ch in text) if symbols else text)
        elif local in ("tab", "ptab"):
            out.append("\t")
        elif local in ("br", "cr"):
            out.append("\n")
        elif local == "noBreakHyphen":
            out.append("-")
        elif local == "sym":
            table = _symbol_map(_attr(child, "font") or "")
            code = int(_attr(child, "char") or "0", 16) & 0xFF
            out.append(table.get(code, ""))
        elif local == "fldChar":
            box = _child(_child(child, "ffData"), "checkBox")
            if box is not None:  # a legacy FORMCHECKBOX field
                checked = _child(box, "checked")
                value = _attr(checked, "val") if checked is not None else None
                if checked is None:
                    value = _attr(_child(box, "default"), "val") or "0"
                on = (value or "1").lower() in ("1", "true", "on")
                out.append(TICKED if on else UNTICKED)


def _symbol(table: dict[int, str], ch: str) -> str:
    """``ch`` typed in a symbol font: its glyph when it is a box or tick (as 0x52 or U+F052)."""
    code = ord(ch)
    if code < 0x100 or 0xF000 <= code <= 0xF0FF:
        return table.get(code & 0xFF, ch)
    return ch


def _symbol_map(fonts: str) -> dict[int, str]:
    names = fonts.lower()
    for font, table in _SYMBOL_FONTS.items():  # "wingdings 2" is tried before "wingdings"
        if re.search(rf"\b{font}\b", names):
            return table
    return {}
