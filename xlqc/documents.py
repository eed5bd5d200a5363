"""The official documents and the mail package (DESIGN.md §4).

:func:`export` writes, for the groups with 是否推荐 = 是 and no error (every recommended group
with ``include_all``, those with errors stamped 草稿):

* ``附件2_申报表/NN_组织名称_小组名称.docx`` — one form per group;
* ``附件3_推荐意见.docx``, ``附件4_推荐汇总表.docx`` and ``.xlsx`` — one row per group;
* ``证实性材料/NN_组织名称_小组名称/`` — every proof the group references, renamed by what it
  proves;
* ``清单.xlsx`` — every file written, its source and size; optionally PDFs and a ``.zip``.

The output folder must be new, empty or an earlier xlqc export (``safeio.export_folder``), and
may not hold the workbook or its proofs (:func:`check_output_folder`); everything is built in a
temporary folder and replaces the folder only when complete. Proofs are read only from inside
the workbook's folder (``xlqc.proofs``, as R14 checks them). ``NN`` is the
序号 on 附件3/4: the group's position among the exported groups, in workbook order.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xlqc import __version__, proofs, rules, schema, sheetprint
from xlqc.errors import XlqcError
from xlqc.findings import Finding
from xlqc.model import Book, DateValue, Group, Member, Row, Topic
from xlqc.safeio import export_folder, export_folder_problem, inside
from xlqc.templating import load_template

FORM2_TEMPLATE = "附件2_申报表.docx"
FORM3_TEMPLATE = "附件3_推荐意见.docx"
FORM4_TEMPLATE = "附件4_推荐汇总表.docx"
FORM2_DIR = "附件2_申报表"
PROOF_DIR = "证实性材料"
FORM3_FILE = "附件3_推荐意见.docx"
FORM4_FILE = "附件4_推荐汇总表.docx"
FORM4_XLSX = "附件4_推荐汇总表.xlsx"
MANIFEST_FILE = "清单.xlsx"
PACKAGE_NAME = "全国优秀质量管理小组推荐材料"

CHECKED, UNCHECKED = "☑", "☐"
BLANK_UNIT = "　" * 8  # underlined on the form: a line to write the unit on
NAME_MAX = 80  # characters per file or folder name
# bytes (UTF-8) per name: file systems allow 255, and _Package.claim may add "_NN" to make a
# name unique, so 16 bytes are kept free for that
NAME_BYTES = 255 - 16
ORG_MAX, GROUP_MAX, TITLE_MAX, PERSON_MAX = 40, 30, 40, 20

Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------------------------
# Result


@dataclass
class Skipped:
    """A group that was not exported, and why (in Chinese)."""

    code: str
    label: str  # 组织名称 小组名称
    reason: str


@dataclass
class ExportResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)  # every file written, final paths
    exported: list[str] = field(default_factory=list)  # 小组编号 in 序号 order
    drafts: list[str] = field(default_factory=list)  # 小组编号 exported as 草稿
    draft_opinions: list[str] = field(default_factory=list)  # 推荐意见 still xlqc's draft
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # proofs not copied, members not printed
    manifest: Path | None = None
    zip_path: Path | None = None

    def lines(self) -> list[str]:
        """What the command line prints."""
        if not self.exported:
            out = ["没有可导出的小组，未生成任何文件。"]
        else:
            out = [
                f"已为 {len(self.exported)} 个小组生成申报材料，共 {len(self.files)} 个文件：{self.out_dir}"
            ]
        if self.drafts:
            out.append(
                f"其中 {len(self.drafts)} 个小组仍有错误，申报表已加「草稿」字样："
                + "、".join(self.drafts)
            )
        if self.draft_opinions:
            out.append("推荐意见仍为自动草稿，请审核：" + "、".join(self.draft_opinions))
        for s in self.skipped:
            out.append(f"未导出 {s.code or '（无编号）'} {s.label}：{s.reason}")
        out.extend(self.problems)
        if self.manifest:
            out.append(f"清单：{self.manifest}")
        if self.zip_path:
            out.append(f"压缩包：{self.zip_path}")
        return out


# ----------------------------------------------------------------------------------------------
# Safe file names


_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


def safe_name(text: str, max_len: int = NAME_MAX, max_bytes: int = NAME_BYTES) -> str:
    """``text`` as one file or folder name Windows accepts: no <>:"/\\|?* or control or
    invisible format characters, no leading/trailing dots or spaces, not a reserved device name
    (CON, NUL, COM1 … also with an extension), at most ``max_len`` characters and ``max_bytes``
    bytes in UTF-8 (file systems count bytes: 64 characters outside the BMP are 256), never
    empty."""
    name = unicodedata.normalize("NFC", text)
    # zero-width and bidi controls (Cf), lone surrogates (Cs) no file system takes
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cs"))
    name = _SPACES.sub(" ", name)
    name = _FORBIDDEN.sub("_", name).strip(" .")
    name = _cut(name, max_len, max_bytes)
    if _RESERVED.fullmatch(name.split(".")[0].rstrip(" ")):
        name = _cut(f"_{name}", max_len, max_bytes)
    return name or "未命名"


def _cut(name: str, max_len: int, max_bytes: int) -> str:
    """At most ``max_len`` characters and ``max_bytes`` UTF-8 bytes, cut between characters."""
    name = name[:max_len]
    if len(name.encode("utf-8")) > max_bytes:
        name = name.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")
    return name.rstrip(" .")


def safe_file_name(
    stem: str, suffix: str, max_len: int = NAME_MAX, max_bytes: int = NAME_BYTES
) -> str:
    """``stem`` made safe, plus ``suffix`` (kept only when it is a plain .ext); the whole name
    within ``max_len`` characters and ``max_bytes`` bytes."""
    suffix = suffix.lower() if _SUFFIX.fullmatch(suffix) else ""
    return safe_name(stem, max_len - len(suffix), max_bytes - len(suffix)) + suffix


# ----------------------------------------------------------------------------------------------
# What the forms print


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\s*[\r\n\t\v\f]+\s*")


def one_line(value: str) -> str:
    """A value printed on one line: line breaks become spaces, characters XML refuses go."""
    return _LINE_BREAKS.sub(" ", _XML_ILLEGAL.sub("", value)).strip()


def paragraphs(value: str) -> list[str]:
    """Multi-line text as paragraphs: one per line, blank lines dropped."""
    lines = re.split(r"[\r\n\v\f]+", _XML_ILLEGAL.sub("", value))
    return [line.strip() for line in lines if line.strip()]


def member_order(m: Member) -> tuple[int, float, int]:
    """Sort key of members as 附件2 prints them: 序号 order, then row order."""
    digits = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*", m.seq)
    return (0, float(digits.group(1)), m.row) if digits else (1, 0.0, m.row)


def member_names(book: Book, code: str) -> list[str]:
    """Names of the group's members in 序号 order (then row order), blanks left out."""
    members = sorted(book.members_of(code) if code else [], key=member_order)
    return [n for n in (one_line(m.name) for m in members) if n]


def narrowed(book: Book) -> Callable[[str], Book]:
    """Per 小组编号, the book cut down to that group's topics and members, so that look-ups for
    one group (rules.printed_topics, Book.topics_of) cost its rows, not the whole book's."""
    topics: dict[str, list[Topic]] = {}
    members: dict[str, list[Member]] = {}
    for t in book.topics:
        topics.setdefault(t.group, []).append(t)
    for m in book.members:
        members.setdefault(m.group, []).append(m)
    return lambda code: book.model_copy(
        update={"topics": topics.get(code, []), "members": members.get(code, [])}
    )


def _dotted(value: DateValue | None, row: Row, field_name: str) -> str:
    return value.dotted() if value else one_line(row.shown(field_name))


def period(topic: Topic) -> str:
    """活动时间 as the form prints it: 2024.03—2024.11."""
    parts = [_dotted(topic.start, topic, "start"), _dotted(topic.end, topic, "end")]
    return "—".join(p for p in parts if p)


def topic_slot(topic: Topic | None) -> dict[str, str]:
    if topic is None:
        return {"title": "", "period": "", "national": UNCHECKED, "local": UNCHECKED}
    level = rules.recognition(topic)
    return {
        "title": one_line(topic.title),
        "period": period(topic),
        "national": CHECKED if level == "国家级" else UNCHECKED,
        "local": CHECKED if level == "地方、行业级" else UNCHECKED,
    }


def unit_of(book: Book) -> str:
    return one_line(book.settings.unit) or BLANK_UNIT


def form2_context(book: Book, group: Group, *, draft: bool = False) -> dict[str, Any]:
    """Everything 附件2 prints for one group."""
    topics: list[Topic | None] = list(rules.printed_topics(book, group.code) if group.code else [])
    topics += [None] * (schema.TOPIC_SLOTS - len(topics))
    names = member_names(book, group.code)[: schema.MAX_MEMBERS]
    return {
        "unit": unit_of(book),
        "draft": draft,
        "org": one_line(group.org),
        "name": one_line(group.name),
        "topics": [topic_slot(t) for t in topics[: schema.TOPIC_SLOTS]],
        "members": names + [""] * (schema.MAX_MEMBERS - len(names)),
        "dept": one_line(group.dept),
        "address": one_line(group.address),
        "contact": one_line(group.contact),
        "phone": one_line(group.phone),
        "email": one_line(group.email),
        "summary": paragraphs(group.summary),
    }


def form3_context(book: Book, groups: Sequence[Group], *, draft: bool = False) -> dict[str, Any]:
    rows = [
        {
            "no": n,
            "org": one_line(g.org),
            "name": one_line(g.name),
            "opinion": paragraphs(g.opinion),
        }
        for n, g in enumerate(groups, 1)
    ]
    return {"unit": unit_of(book), "draft": draft, "rows": rows}


def form4_rows(book: Book, groups: Sequence[Group]) -> list[dict[str, Any]]:
    view = narrowed(book)
    return [
        {
            "no": n,
            "org": one_line(g.org),
            "name": one_line(g.name),
            "members": "、".join(member_names(view(g.code), g.code)),
        }
        for n, g in enumerate(groups, 1)
    ]


def fill_date(book: Book, today: date | None = None) -> str:
    d = book.settings.fill_date or today or date.today()
    return f"{d.year}年{d.month}月{d.day}日"


def form4_context(
    book: Book, groups: Sequence[Group], *, draft: bool = False, today: date | None = None
) -> dict[str, Any]:
    return {
        "unit": unit_of(book),
        "draft": draft,
        "rows": form4_rows(book, groups),
        "filler": one_line(book.settings.filler),
        "filler_phone": one_line(book.settings.filler_phone),
        "fill_date": fill_date(book, today),
    }


# ----------------------------------------------------------------------------------------------
# Which groups


_CELL_ROW = re.compile(r"[A-Z]+(\d+)")


def error_counts(book: Book, findings: Iterable[Finding]) -> list[int]:
    """Number of error findings per group (index in ``book.groups``). A finding belongs to the
    groups with its 小组编号, or to the 小组 row it points at; errors of 设置 belong to all."""
    counts = [0] * len(book.groups)
    by_code: dict[str, list[int]] = {}
    by_row: dict[int, int] = {}
    for i, g in enumerate(book.groups):
        by_code.setdefault(g.code, []).append(i)
        by_row[g.row] = i
    for f in findings:
        if f.severity != "error":
            continue
        if f.sheet == schema.SETTINGS_SHEET and not f.group:
            targets: Iterable[int] = range(len(counts))
        elif f.group:
            targets = by_code.get(f.group, [])
        elif f.sheet == schema.GROUP_SHEET and (m := _CELL_ROW.fullmatch(f.cell)):
            row = by_row.get(int(m.group(1)))
            targets = [] if row is None else [row]
        else:
            targets = []
        for i in targets:
            counts[i] += 1
    return counts


def group_label(group: Group) -> str:
    return " ".join(p for p in (one_line(group.org), one_line(group.name)) if p) or "（未填名称）"


# ----------------------------------------------------------------------------------------------
# The package folder


@dataclass
class _Record:
    rel: PurePosixPath
    source: str
    group: str


class _Package:
    """The folder being built: unique, safe names per sub-folder, and a record of each file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: list[_Record] = []
        self._used: dict[str, set[str]] = {}
        self._folders: dict[str, Path] = {}

    def claim(self, folder: str, name: str) -> str:
        """``name``, or ``name_2`` … when that is taken in ``folder`` (case-insensitively)."""
        used = self._used.setdefault(folder, set())
        stem, suffix = _split(name)
        candidate, n = name, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{stem}_{n}{suffix}"
        used.add(candidate.casefold())
        return candidate

    def target(self, folder: str, name: str) -> Path:
        """A fresh path for ``name`` in ``folder`` (made unique), checked to lie inside."""
        candidate = self.claim(folder, name)
        parent = self._folders.get(folder)
        if parent is None:
            parent = self.root / folder
            if not inside(self.root, parent):  # cannot happen with safe names
                raise XlqcError(f"拒绝写入输出文件夹以外的位置：{folder}")
            parent.mkdir(parents=True, exist_ok=True)
            self._folders[folder] = parent
        if candidate in (".", "..") or "/" in candidate or "\\" in candidate:
            raise XlqcError(f"拒绝写入输出文件夹以外的位置：{folder}/{candidate}")
        return parent / candidate

    def record(self, path: Path, source: str, group: str = "") -> Path:
        self.records.append(
            _Record(PurePosixPath(path.relative_to(self.root).as_posix()), source, group)
        )
        return path

    def write(self, folder: str, name: str, data: bytes, source: str, group: str = "") -> Path:
        path = self.target(folder, name)
        path.write_bytes(data)
        return self.record(path, source, group)


def _split(name: str) -> tuple[str, str]:
    m = re.fullmatch(r"(.+?)(\.[A-Za-z0-9]{1,10})?", name)
    assert m is not None
    return m.group(1), m.group(2) or ""


def copy_proofs(pkg: _Package, book: Book, group: Group, folder: str) -> list[str]:
    """Copy every file the group's topics and members reference into ``folder``, named by what
    it proves (课题N follows the form's slots, then the topics not printed; a second file of
    the same kind gets _2); a file referenced twice is copied once. Paths are resolved by
    :class:`xlqc.proofs.ProofFolder`, as R14 resolves them, and a proof R14 refuses
    (missing, outside the workbook's folder, not a regular file, unreadable) is never read.
    Returns the problems."""
    problems: list[str] = []
    copied: set[str] = set()
    code = group.code
    resolver = proofs.ProofFolder(book.folder)

    def take(row: Row, field_name: str, typed: str, stem: str) -> None:
        at = f"{row.sheet}!{row.cell(field_name)}"
        proof = resolver.locate(typed)
        if proof.path is None:
            if proof.kind == "missing":
                problems.append(f"{code}：找不到证实性材料「{typed}」（{at}），未复制")
            else:
                problems.append(f"{code}：{proof.reason(at)}，未复制")
            return
        key = os.path.normcase(str(proof.path))
        if key in copied:
            return
        copied.add(key)
        target = pkg.target(folder, safe_file_name(stem, proof.path.suffix))
        try:
            copy_regular(proof.path, target)
        except OSError as exc:
            problems.append(f"{code}：无法读取「{typed}」（{exc.strerror or exc}），未复制")
            target.unlink(missing_ok=True)
            return
        pkg.record(target, f"{at}：{typed}", code)
        if proof.size > proofs.MAX_PROOF_BYTES:
            problems.append(
                f"注意：{code} 的「{typed}」有 {proofs.megabytes(proof.size)}，超过 "
                f"{proofs.MAX_PROOF_BYTES // 1048576} MB，邮件服务器可能拒收"
            )

    if not code:
        return problems
    printed = rules.printed_topics(book, code)
    shown = {id(t) for t in printed}
    topics = printed + [t for t in book.topics_of(code) if id(t) not in shown]
    for n, topic in enumerate(topics, 1):
        title = safe_name(one_line(topic.title), TITLE_MAX)
        for typed in topic.report:
            take(topic, "report", typed, f"课题{n}_成果报告_{title}")
        for typed in topic.proof:
            take(topic, "proof", typed, f"课题{n}_认可证明")
    for member in sorted(book.members_of(code), key=lambda m: m.row):
        for typed in member.cert:
            take(member, "cert", typed, f"能力证明_{safe_name(one_line(member.name), PERSON_MAX)}")
    return problems


def copy_regular(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``, reading it only if it is (still) a regular file."""
    fd = proofs.open_regular(source)
    with os.fdopen(fd, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def typed_proofs(book: Book) -> Iterable[str]:
    """Every proof path the workbook names (reports, recognition proofs, certificates)."""
    for topic in book.topics:
        yield from topic.report
        yield from topic.proof
    for member in book.members:
        yield from member.cert


def check_output_folder(book: Book, out_dir: Path) -> None:
    """Refuse an output folder that is, or holds, the workbook's inputs: the workbook's own
    folder, a folder above it, or one a referenced proof lies in (replacing the export would
    delete them)."""
    real = Path(os.path.realpath(out_dir))
    if book.path is not None:
        source = Path(os.path.realpath(book.path))
        if source.parent == real or source.is_relative_to(real):
            raise XlqcError(
                f"输出文件夹「{out_dir}」包含总表「{book.path.name}」及其证实性材料，导出会覆盖"
                "它们，已拒绝；请另选一个新的或空的文件夹（例如总表旁的「xlqc输出」）"
            )
    folder = proofs.ProofFolder(book.folder)
    for typed in dict.fromkeys(typed_proofs(book)):
        proof = folder.locate(typed)
        if proof.path is not None and proof.path.is_relative_to(real):
            raise XlqcError(
                f"输出文件夹「{out_dir}」中有总表引用的证实性材料「{typed}」，导出会删除它，"
                "已拒绝；请把证实性材料放到别处，或另选一个新的或空的输出文件夹"
            )


# ----------------------------------------------------------------------------------------------
# Workbooks (附件4 .xlsx, 清单): user text always stored as text, never as a formula


def put(ws: Worksheet, row: int, col: int, value: str | int) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _XML_ILLEGAL.sub("", value)
        cell.data_type = "s"  # "=1+1" stays text
    else:
        cell.value = value


FORM4_COLUMNS = (  # header, width (Excel units)
    ("序号", 6),
    ("组织名称（以公章为准）", 36),
    ("小组名称", 24),
    ("小组成员（10 人以内请用“、”隔开）", 52),
)
MANIFEST_COLUMNS = (("序号", 6), ("文件", 64), ("来源", 44), ("小组编号", 10), ("大小（字节）", 12))


def form4_workbook(
    book: Book, groups: Sequence[Group], *, draft: bool, today: date | None = None
) -> openpyxl.Workbook:
    """附件4 as a workbook: title, unit, the bordered table (heading row repeated on every printed
    page, rows as tall as their wrapped member lists), 填表人 / 电话 / 日期."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推荐汇总表"
    title = "全国优秀质量管理小组推荐汇总表" + ("（草稿）" if draft else "")
    put(ws, 1, 1, title)
    ws.merge_cells("A1:D1")
    ws["A1"].font = Font(name=sheetprint.HEAD_FONT.name, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    put(ws, 2, 1, f"推荐省区市、行业质协（盖章）：{one_line(book.settings.unit)}")
    ws["A2"].font = sheetprint.BODY_FONT
    ws.merge_cells("A2:D2")
    for col, (header, width) in enumerate(FORM4_COLUMNS, 1):
        put(ws, 3, col, header)
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 3
    for row, item in enumerate(form4_rows(book, groups), 4):
        for col, key in enumerate(("no", "org", "name", "members"), 1):
            put(ws, row, col, item[key])
    sheetprint.style_table(ws, 3, row, len(FORM4_COLUMNS))
    sheetprint.fit_row_heights(ws, 3, row, len(FORM4_COLUMNS))
    row += 2
    for label, value in (
        ("填表人", book.settings.filler),
        ("电话", book.settings.filler_phone),
        ("日期", fill_date(book, today)),
    ):
        put(ws, row, 1, f"{label}：{one_line(value)}")
        ws.cell(row=row, column=1).font = sheetprint.BODY_FONT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
    sheetprint.print_setup(ws, "3:3")
    ws.freeze_panes = "A4"
    if draft:
        ws.oddHeader.right.text = "草稿"
    return wb


def manifest_workbook(root: Path, records: Sequence[_Record]) -> openpyxl.Workbook:
    """清单: every file written, its source and size; bordered, wrapped, printed one page wide
    with the heading row on every page."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    for col, (header, width) in enumerate(MANIFEST_COLUMNS, 1):
        put(ws, 1, col, header)
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, rec in enumerate(records, 1):
        size = (root / rec.rel).stat().st_size
        for col, value in enumerate((n, str(rec.rel), rec.source, rec.group, size), 1):
            put(ws, n + 1, col, value)
    last = len(records) + 1
    sheetprint.style_table(ws, 1, last, len(MANIFEST_COLUMNS), centred=(1, 4))
    sheetprint.fit_row_heights(ws, 1, last, len(MANIFEST_COLUMNS))
    sheetprint.print_setup(ws, "1:1")
    ws.freeze_panes = "A2"
    return wb


def save_workbook(pkg: _Package, wb: openpyxl.Workbook, name: str, source: str) -> PurePosixPath:
    path = pkg.target("", name)
    wb.save(path)
    pkg.record(path, source)
    return pkg.records[-1].rel


# Already compressed: deflating them again costs time and saves nothing.
_COMPRESSED = frozenset(
    (".docx", ".xlsx", ".pptx", ".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif")
)


def write_zip(pkg: _Package, name: str) -> PurePosixPath:
    """A .zip of everything written so far, under one top folder (names stored as UTF-8)."""
    path = pkg.target("", name)
    top = PurePosixPath(Path(name).stem)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rec in pkg.records:
            packed = rec.rel.suffix.lower() in _COMPRESSED
            method = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            zf.write(pkg.root / rec.rel, str(top / rec.rel), compress_type=method)
    return PurePosixPath(name)


# ----------------------------------------------------------------------------------------------
# Export


def export(
    book: Book,
    findings: list[Finding],
    out_dir: Path,
    *,
    include_all: bool = False,
    pdf: bool = False,
    make_zip: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
    only: Literal["forms", "summary"] | None = None,
) -> ExportResult:
    """Write the documents of ``book`` into ``out_dir`` (see the module docstring).

    ``only="forms"`` writes 附件2 and the proofs, ``only="summary"`` 附件3 and 附件4 (the
    ribbon's 生成申报表 / 生成汇总表); the manifest is always written.

    Groups with 是否推荐 = 否 are never exported; groups with errors only with ``include_all``,
    stamped 草稿. ``progress(done, total)`` is called once per group of the workbook. Nothing
    is left behind if anything fails. ``today`` is the default 填表日期 (tests fix it).
    """
    out_dir = Path(out_dir)
    check_output_folder(book, out_dir)
    problem = export_folder_problem(Path(os.path.realpath(out_dir)))
    if problem:  # said before anything is written (export_folder checks again, locked)
        raise XlqcError(problem)
    if pdf:
        from xlqc.pdf import find_soffice

        find_soffice()  # say so before writing anything
    result = ExportResult(out_dir=out_dir)
    chosen: list[tuple[Group, bool]] = []
    for group, errors in zip(book.groups, error_counts(book, findings), strict=True):
        if not group.recommended:
            result.skipped.append(Skipped(group.code, group_label(group), "是否推荐=否"))
        elif errors and not include_all:
            result.skipped.append(Skipped(group.code, group_label(group), f"{errors} 个错误"))
        else:
            chosen.append((group, errors > 0))
    result.draft_opinions = [g.code or group_label(g) for g, _ in chosen if book.still_drafted(g)]
    tick = _ticker(len(book.groups), progress)
    for _ in result.skipped:
        tick()
    if not chosen:
        return result
    try:
        with export_folder(out_dir, __version__) as tmp:
            pkg = _Package(tmp)
            _write_documents(pkg, book, chosen, result, tick, today, only)
            if pdf:
                _convert(pkg)
            manifest = manifest_workbook(tmp, pkg.records)
            result.manifest = out_dir / save_workbook(pkg, manifest, MANIFEST_FILE, "xlqc")
            if make_zip:
                result.zip_path = out_dir / write_zip(pkg, _zip_name(book))
            result.files = [out_dir / rec.rel for rec in pkg.records]
    except PermissionError as exc:
        raise XlqcError(
            f"无法写入「{exc.filename or out_dir}」：文件可能正在 Word 或 Excel 中打开，"
            "请关闭后再试"
        ) from None
    except OSError as exc:
        raise XlqcError(f"无法写入输出文件夹「{out_dir}」：{exc.strerror or exc}") from None
    if result.zip_path:
        result.files.append(result.zip_path)
    _warn_size(result)
    return result


def _warn_size(result: ExportResult) -> None:
    """A line when the mail package (the .zip, else the whole folder) is larger than a mail
    server may take."""
    try:
        files = [result.zip_path] if result.zip_path else result.files
        size = sum(f.stat().st_size for f in files)
    except OSError:
        return
    if size > proofs.MAX_PACKAGE_BYTES:
        what = "压缩包" if result.zip_path else "材料"
        result.problems.append(
            f"注意：{what}共 {proofs.megabytes(size)}，超过 {proofs.MAX_PACKAGE_BYTES // 1048576} MB，"
            "邮件服务器可能拒收；可分几封邮件寄出"
        )


def _ticker(total: int, progress: Progress | None) -> Callable[[], None]:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return tick


def _zip_name(book: Book) -> str:
    unit = one_line(book.settings.unit)
    stem = f"{safe_name(unit, ORG_MAX)}_{PACKAGE_NAME}" if unit else PACKAGE_NAME
    return safe_file_name(stem, ".zip")


def _write_documents(
    pkg: _Package,
    book: Book,
    chosen: Sequence[tuple[Group, bool]],
    result: ExportResult,
    tick: Callable[[], None],
    today: date | None,
    only: str | None = None,
) -> None:
    """附件2 and the proofs of each group, then 附件3 and 附件4 (.docx, .xlsx)."""
    form2 = load_template(FORM2_TEMPLATE)
    width = max(2, len(str(len(chosen))))
    view = narrowed(book)
    for n, (group, draft) in enumerate(chosen, 1):
        result.exported.append(group.code)
        if draft:
            result.drafts.append(group.code)
        if only == "summary":
            tick()
            continue
        part = view(group.code)
        org, name = (
            safe_name(one_line(group.org), ORG_MAX),
            safe_name(one_line(group.name), GROUP_MAX),
        )
        base = safe_name(f"{n:0{width}d}_{org}_{name}")
        data = form2.render(form2_context(part, group, draft=draft))
        source = f"{schema.GROUP_SHEET}!{group.cell('code')}"
        pkg.write(FORM2_DIR, safe_file_name(base, ".docx"), data, source, group.code)
        result.problems += copy_proofs(pkg, part, group, f"{PROOF_DIR}/{base}")
        extra = member_names(part, group.code)[schema.MAX_MEMBERS :]
        if extra:
            result.problems.append(
                f"{group.code}：成员超过 {schema.MAX_MEMBERS} 人，申报表未印出：" + "、".join(extra)
            )
        tick()
    if only == "forms":
        return
    groups = [g for g, _ in chosen]
    draft = bool(result.drafts)
    sheet = schema.GROUP_SHEET
    form3 = load_template(FORM3_TEMPLATE).render(form3_context(book, groups, draft=draft))
    pkg.write("", FORM3_FILE, form3, f"{sheet}「推荐意见」")
    form4 = form4_context(book, groups, draft=draft, today=today)
    pkg.write("", FORM4_FILE, load_template(FORM4_TEMPLATE).render(form4), f"{sheet}、成员")
    wb = form4_workbook(book, groups, draft=draft, today=today)
    save_workbook(pkg, wb, FORM4_XLSX, f"{sheet}、成员")


def _convert(pkg: _Package) -> None:
    """A PDF beside every generated Word document: 附件2 of every group, 附件3 and 附件4, all in
    one LibreOffice start (starting it costs seconds, a form a fraction of one)."""
    from xlqc.pdf import to_pdf

    recs = [
        rec for rec in pkg.records if rec.rel.suffix == ".docx" and rec.rel.parts[0] != PROOF_DIR
    ]
    made = to_pdf([pkg.root / rec.rel for rec in recs])
    for rec, pdf_path in zip(recs, made, strict=True):
        folder = str(rec.rel.parent)
        pkg.claim("" if folder == "." else folder, pdf_path.name)
        pkg.record(pdf_path, f"由「{rec.rel.name}」转换", rec.group)
