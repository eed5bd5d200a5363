"""A filled 申报表 (附件2) read back into data, field by field, by its labels.

The official CAQ form typed into by hand, the form xlqc itself exports and the variations people
make of either all say the same things with the same labels, but never in the same cells. So
nothing here depends on a position: every cell is first asked whether it is a label (组织名称,
QC 小组名称, 课题名称 1, 活动时间, …), ignoring spaces, full-width forms, colons and notes in
brackets; a label's value is the text after it in the same cell, else the following cells of
its row up to the next label, else the cells below it. Values are kept exactly as typed (a
full-width bracket in an organisation name is the clerk's to keep or fix, not ours).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from xlqc.dates import DateError, parse_date
from xlqc.errors import XlqcError
from xlqc.intake.blocks import WIDE, Block, Cell, read_blocks
from xlqc.model import DateValue
from xlqc.reading import clean_text

NATIONAL, LOCAL, NONE = "国家级", "地方、行业级", "无"
SUMMARY_UNREAD = "没有读到小组活动综述，活动综述未导入"
AS_NONE = "，已按「无」导入（总表中已填的外部认可不改）"  # after an ambiguous tick


class FormTopic(BaseModel):
    """One 课题 slot of the form."""

    title: str = ""
    start: DateValue | None = None
    end: DateValue | None = None
    period: str = ""  # 活动时间 as written
    recognition: str = ""  # 国家级 / 地方、行业级 / 无, or "" when the form does not say
    recognition_problem: str = ""  # why 外部认可 could not be read (then it is 无 or "")


class FormData(BaseModel):
    """What one filled 申报表 says. Fields the form does not carry (注册日期, 成果水平, proof
    paths, 推荐意见) are not here: the clerk adds them in the workbook."""

    source: str = ""  # the form's file name (or path relative to the folder imported)
    org: str = ""
    name: str = ""
    topics: list[FormTopic] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)
    dept: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""  # paragraphs joined by \n
    warnings: list[str] = Field(default_factory=list)  # what could not be read, in Chinese


def parse_form(path: Path) -> FormData:
    """Read the filled 申报表 at ``path``; :class:`XlqcError` when it is not one."""
    path = Path(path)
    reader = _Reader()
    for block in read_blocks(path):
        reader.feed(block)
    return reader.form(path.name)


# --- labels ---------------------------------------------------------------------------------

SCALARS = ("org", "name", "dept", "address", "contact", "phone", "email")
TOPIC_FIELDS = ("title", "period", "start", "end", "recognition")
MULTI = ("members", "summary")  # take every row below them until the next label
_LABEL_NAMES = {"org": "组织名称", "name": "小组名称"}

_ALIASES: dict[str, tuple[str, ...]] = {
    "org": ("组织名称", "单位名称", "组织全称", "单位全称"),
    "name": ("QC小组名称", "小组名称", "QC小组全称", "小组全称"),
    "period": ("活动时间", "活动起止时间", "活动起止日期", "起止时间", "活动期间"),
    "start": ("活动开始时间", "活动开始日期", "活动开始", "开始时间", "开始日期"),
    "end": ("活动结束时间", "活动结束日期", "活动结束", "结束时间", "结束日期", "完成时间"),
    "recognition": ("获得外部认可", "外部认可情况", "外部认可"),
    "members": ("小组成员名单", "小组成员姓名", "小组成员", "成员名单", "成员姓名"),
    "dept": ("小组联系部门", "联系部门", "所在部门"),
    "address": ("联系地址", "通讯地址", "通信地址", "地址"),
    "contact": ("直接联系人", "小组联系人", "联系人"),
    "phone": ("电话/手机", "手机/电话", "联系电话", "手机号码", "移动电话", "电话", "手机"),
    "email": ("电子邮箱", "电子邮件", "电子信箱", "邮件地址", "E-mail", "Email", "邮箱"),
}
_SPACE = r"[\s\u3000]*"
_NUMERAL = r"[(（]?[\s\u3000]*(?:[0-9０-９]{1,2}|[一二三四五六七八九十①-⑩])[\s\u3000]*[)）]?"
# After a label: notes in brackets (组织名称（公章为准）), then a colon, then the value.
_AFTER = r"(?P<sep>(?:[\s\u3000]*[(（][^()（）\n]*[)）])*[\s\u3000]*[:：]?[\s\u3000]*)"


def _char_class(ch: str) -> str:
    """One character of a label: either width, either case; other characters literally."""
    if ch.isascii() and ch.isalnum():
        wide = chr(ord(ch.upper()) + 0xFEE0) + chr(ord(ch.lower()) + 0xFEE0)
        return f"[{ch.upper()}{ch.lower()}{wide}]"
    if ch in "/-":
        return "[/／、-]" if ch == "/" else "[-－‐]?"
    return re.escape(ch)


def _label_pattern(alias: str) -> str:
    return _SPACE.join(_char_class(ch) for ch in alias)


_LABELS: list[tuple[str, re.Pattern[str]]] = sorted(
    (
        (kind, re.compile(rf"^{_SPACE}{_label_pattern(alias)}{_AFTER}"))
        for kind, aliases in _ALIASES.items()
        for alias in aliases
    ),
    key=lambda item: -len(item[1].pattern),
)
_TITLE = re.compile(
    rf"^{_SPACE}课{_SPACE}题{_SPACE}(?:名{_SPACE}称)?{_SPACE}(?P<num>{_NUMERAL})?{_AFTER}"
)
_SECTION = re.compile(r"^近三年.{0,8}课题成果|^课题成果$|^近三年课题$")
# The 综述 label, by what it says: 综述 after words such as 近三年 / QC / 小组 / 活动 (any order:
# 「近三年 QC 小组活动综述」, 「小组近三年活动综述（限3000字）」), then nothing, a note or a clause.
_SUMMARY = re.compile(
    r"^(?:近三年|近3年|最近三年|三年来|近年来?|qc|小组|活动|开展|情况|工作|的|简要|主要|基本)*"
    r"综述(?:如下)?(?:$|[,，。.;；:：(（\[【]|内容)",
    re.IGNORECASE,
)
_NOTE_LINE = re.compile(r"^[(（【\[][^()（）]*[)）】\]]$")  # （限3000字） on a line of its own
_STOP = re.compile(  # 单位盖章, （单位盖章）, 申报单位（盖章）, 单位公章, 年 月 日, 注：
    r"^(?:\(?(?:申报)?(?:单位)?\(?[盖公]章|年月日$|\d{4}年\d{1,2}月\d{1,2}日$|注:|注$)"
)
_PARENS = re.compile(r"\([^()]*\)")
_COLON = re.compile(r"[:：]")


@dataclass(frozen=True)
class Label:
    kind: str  # a SCALARS / TOPIC_FIELDS / MULTI name, or "section"
    inline: str  # what follows the label in its own cell ("" when nothing)


def squash(text: str) -> str:
    """``text`` for comparison: NFKC (full-width forms folded) without any white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def match_label(text: str) -> Label | None:
    """The label ``text`` starts with, and the value typed after it, or None for a value."""
    text = text.strip(" \t\r\n\u3000\u00a0")
    if not text:
        return None
    first, _, rest = text.partition("\n")
    key = _PARENS.sub("", squash(first))
    if _SECTION.match(key) and not rest.strip():
        return Label("section", "")
    if summary := _summary_label(first, rest):
        return summary
    for kind, pattern in (("title", _TITLE), *_LABELS):
        m = pattern.match(text)
        if m is None:
            continue
        after = text[m.end() :]
        separated = m.group("sep") or (kind == "title" and m.group("num"))
        if separated or not after.strip():
            return Label(kind, _clean(after))
    return None


def _summary_label(first: str, rest: str) -> Label | None:
    """The 综述 label: 「近三年 QC 小组活动综述，内容涵盖…（3000 字以内）」 on its own line, or
    「活动综述：…」 with the text after the colon."""
    head, colon, tail = (
        first.partition(m.group()) if (m := _COLON.search(first)) else (first, "", "")
    )
    key = squash(head)
    if len(key) > 60 or not _SUMMARY.match(key):
        return None
    note, _, after = rest.partition("\n")
    if _NOTE_LINE.match(squash(note)):  # 「小组近三年活动综述」 then 「（限3000字）」 below it
        rest = after
    return Label("summary", "\n".join(part for part in (tail if colon else "", rest) if part))


def _clean(text: str) -> str:
    """A value without surrounding white space or the underscores of a fill-in line."""
    return clean_text(clean_text(text).strip("_＿"))


# What a group writes in a field it leaves empty on purpose: a stroke (/, —, －, -) or 无 / 空.
_STRUCK = re.compile(r"^(?:[/\\\-—–―─━‐‑]+|无|空|暂无|没有)$")


def is_struck(text: str) -> bool:
    """Whether ``text`` is a mark striking a field out (「/」「——」「－」「无」「空」)."""
    return bool(_STRUCK.match(squash(text)))


def _value(text: str) -> str:
    """A field's value: "" when empty or struck out."""
    text = _clean(text)
    return "" if is_struck(text) else text


def is_stop(line: str) -> bool:
    """The seal and note lines that end the form (单位盖章, 年 月 日, 注：…)."""
    return bool(_STOP.match(squash(line)))


# --- values ---------------------------------------------------------------------------------

_NAME_SPLIT = re.compile(
    r"[、,，;；/／|｜\n\t]+|[(（]?[0-9０-９]{1,2}[)）]?[\s\u3000]*[.．、:：)）]?|[①-⑳]"
)
_ROLE = re.compile(r"[(（][^()（）]*[)）]")  # 张三（组长）


def split_members(text: str) -> list[str]:
    """Names in one cell or line: 「1.张三」, 「张三、李四，王五」, 「张三 李四」; a name padded
    with spaces to line up in the form (「王  强」, 「欧阳 修」) stays one name."""
    names: list[str] = []
    for piece in _NAME_SPLIT.split(text):
        tokens = [t.strip("._-—·．") for t in _ROLE.sub("", piece).split()]
        names.extend(_join_padded([t for t in tokens if any(ch.isalpha() for ch in t)]))
    return [n for n in names if not is_struck(n)]


def _join_padded(tokens: list[str]) -> list[str]:
    """Names from space-separated tokens, where a single character is half of a name padded
    to line up (李 强): a short piece is one name, elsewhere two lone characters make one."""
    joined = "".join(tokens)
    if len(tokens) > 1 and all(_is_cjk(ch) for ch in joined):
        if len(joined) <= 4 and any(len(t) == 1 for t in tokens):
            return [joined]
        out: list[str] = []
        for t in tokens:
            if len(t) == 1 and out and len(out[-1]) == 1:
                out[-1] += t
            else:
                out.append(t)
        return out
    return tokens


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


_DATE_TOKEN = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}(?!\d)\s*[日号]?)?"
    r"|\d{8}(?!\d)"
    r"|\d{4}\s*([./-])\s*\d{1,2}(?!\d)(?:\s*\1\s*\d{1,2}(?!\d))?"
)
_SAME_YEAR_END = re.compile(  # 2024.3-11, 2024年3月至11月, 2024.3.1-11.30, …至11月30日
    r"^\s*[-~至到—–―]+\s*(\d{1,2})\s*(?:月|[./])?\s*(?:(\d{1,2})\s*[日号]?)?\s*$"
)


def parse_period(text: str) -> tuple[DateValue | None, DateValue | None]:
    """活动时间 as start and end: 2024.03—2024.11, 2024年3月至2024年11月, 2024.3-2024.11,
    2024.03~2024.11, 2024.3.1-2024.11.30, 2024.3-11. Raises :class:`DateError` when it
    cannot be read as two dates."""
    norm = unicodedata.normalize("NFKC", text).strip()
    if not norm:
        return None, None
    tokens = list(_DATE_TOKEN.finditer(norm))
    if len(tokens) >= 2:
        return parse_date(tokens[0].group()), parse_date(tokens[-1].group())
    if len(tokens) == 1:
        start = parse_date(tokens[0].group())
        m = _SAME_YEAR_END.match(norm[tokens[0].end() :])
        if start is not None and m:
            year, day = start.value.year, m.group(2)
            end = parse_date(f"{year}.{m.group(1)}" + (f".{day}" if day else ""))
            if end is not None and end.value < start.value:  # 2024.10-3: into the next year
                end = parse_date(f"{year + 1}.{m.group(1)}" + (f".{day}" if day else ""))
            return start, end
    raise DateError(f"无法识别的活动时间「{text.strip()}」")


_CHOICE = re.compile(
    r"(?P<national>国家级|全国)"
    r"|(?P<local>地方\W{0,2}(?:或|及|和)?\W{0,2}行业级|地方级|行业级|省部级|省级|市级)"
    r"|(?P<mark>[☑☒■√✓✔●◉▣⊠☐□○◻❏❑⬜]|[(\[【〔][ \t\u3000]*[)\]】〕])"  # （ ）: an empty box
)
_TICKS = set("☑☒■√✓✔●◉▣⊠")


def parse_recognition(text: str) -> tuple[str, str]:
    """外部认可 from the cell as ticked: (国家级 / 地方、行业级 / 无 / "", problem or "").

    A tick belongs to the option it touches (「☑国家级」, 「国家级√」, 「地方、行业级（√）」); one
    that touches both or neither belongs to the option on the side the boxes stand (before
    their options when the cell starts with a box). Ticks that cannot be told apart, or both
    options ticked, give 无 with the problem; a cell that names no option gives "" with it."""
    norm = unicodedata.normalize("NFKC", text)
    if not norm.strip():
        return "", ""
    tokens = list(_CHOICE.finditer(norm))
    options = [m for m in tokens if m.lastgroup != "mark"]
    shown = " ".join(text.split())
    if not options:
        if is_struck(norm) or squash(norm) == "否":
            return NONE, ""
        return "", f"外部认可「{shown}」无法识别"
    kinds = {m.lastgroup for m in options}
    boxes = len(tokens) - len(options)
    if not boxes:  # no boxes: the other option was deleted, or nothing was marked
        if len(kinds) == 1:
            return (NATIONAL if "national" in kinds else LOCAL), ""
        return NONE, f"外部认可「{shown}」两项都在且都没有勾选标记，无法判断{AS_NONE}"
    before = tokens[0].lastgroup == "mark"  # ☐国家级 (boxes before) or 国家级☐ (after)
    laid_out = boxes >= len(options)  # a box for every option: their side is known
    ticked: set[str] = set()
    lost = False
    for k, mark in enumerate(tokens):
        if mark.lastgroup != "mark" or mark.group() not in _TICKS:
            continue
        left = tokens[k - 1] if k else None
        right = tokens[k + 1] if k + 1 < len(tokens) else None
        prev = left if left is not None and left.lastgroup != "mark" else None
        nxt = right if right is not None and right.lastgroup != "mark" else None
        touch_prev = prev is not None and _touching(norm[prev.end() : mark.start()])
        touch_next = nxt is not None and _touching(norm[mark.end() : nxt.start()])
        owner: re.Match[str] | None = None
        if touch_prev != touch_next:
            owner = prev if touch_prev else nxt
        elif prev is not None and nxt is not None:
            owner = (nxt if before else prev) if laid_out else None
        elif (prev is not None and right is None) or (nxt is not None and left is None):
            owner = prev or nxt  # the first or last thing in the cell, beside one option
        if owner is None:
            lost = True
        else:
            ticked.add(owner.lastgroup or "")
    if len(ticked) == 2:
        return NONE, f"外部认可「国家级」和「地方、行业级」都勾选了{AS_NONE}"
    if lost:
        return NONE, f"外部认可「{shown}」的勾选标记不知属于哪一项{AS_NONE}"
    if ticked:
        return (NATIONAL if "national" in ticked else LOCAL), ""
    return NONE, ""


def _touching(gap: str) -> bool:
    """Whether a tick and an option with ``gap`` between them touch (brackets aside)."""
    return not re.sub(r"[()\[\]【】〔〕]", "", gap)


# --- the reader -----------------------------------------------------------------------------


@dataclass
class _Pending:
    """A label whose value is in the row(s) below, under the columns it covers."""

    kind: str
    col: int
    span: int
    multi: bool
    in_table: bool = True  # a label in a table takes only rows below it (and 综述 paragraphs)


@dataclass
class _Reader:
    scalars: dict[str, str] = field(default_factory=dict)
    topics: list[dict[str, str]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    found: set[str] = field(default_factory=set)
    not_a_form: str = ""  # what the document is instead (推荐汇总表 …), from its title
    repeated: list[str] = field(default_factory=list)  # org/name given twice, differently
    sealed: bool = False  # the 综述 has reached 单位盖章 / 年 月 日: nothing more belongs to it

    def feed(self, block: Block) -> None:
        if not any(c.text.strip() for c in block):
            return  # an extra blank row
        if not block[0].in_table and not self.found and (title := _other_form(block[0].text)):
            self.not_a_form = title
        if len(block) == 1 and is_stop(block[0].text.strip().split("\n")[0]):
            self.pending = []
            return
        labels = [match_label(c.text) for c in block]
        if not any(labels):
            self._below(block)
            return
        self.pending = []
        i = 0
        while i < len(block):
            label = labels[i]
            j = i + 1
            while j < len(block) and labels[j] is None:
                j += 1
            if label is not None and label.kind != "section":
                self._label(label, block[i], block[i + 1 : j])
            i = j

    def _label(self, label: Label, cell: Cell, after: list[Cell]) -> None:
        self.found.add(label.kind)
        texts = [label.inline] if label.inline else []
        texts += [c.text for c in after]
        if texts:
            self._assign(label.kind, texts)
            if label.kind in MULTI and not (label.kind == "summary" and self.sealed):
                self.pending.append(_Pending(label.kind, 0, WIDE, True, cell.in_table))
        else:
            multi = label.kind in MULTI or label.kind in TOPIC_FIELDS
            self.pending.append(_Pending(label.kind, cell.col, cell.span, multi, cell.in_table))

    def _below(self, block: Block) -> None:
        """A row without labels: the values of the labels above it."""
        targets = self.pending
        if not block[0].in_table:  # a paragraph: the 综述 goes on, or a paragraph label's value
            targets = [p for p in targets if p.kind == "summary" or not p.in_table]
        elif any(p.kind == "title" for p in targets):
            self.topics.append({})  # a table of topics with a header row: one topic per row
        for p in sorted(targets, key=lambda p: p.col):
            texts = [c.text for c in block if c.overlaps(p.col, p.span)]
            if texts:
                self._assign(p.kind, texts)
        self.pending = [p for p in self.pending if p.multi]

    def _assign(self, kind: str, texts: list[str]) -> None:
        if kind in SCALARS:
            joiner = "；" if kind in ("phone", "email") else ""
            value = joiner.join(
                v for v in (_value(line) for t in texts for line in t.split("\n")) if v
            )
            known = self.scalars.get(kind)
            if value and not known:
                self.scalars[kind] = value
            elif value and kind in _LABEL_NAMES and squash(value) != squash(known or ""):
                self.repeated.append(_LABEL_NAMES[kind])
        elif kind in TOPIC_FIELDS:
            if kind == "title":
                value = "".join(_clean(line) for t in texts for line in t.split("\n"))
            else:
                value = " ".join(texts)
            last = self.topics[-1] if self.topics else None
            if last is None or kind in last:
                last = {}
                self.topics.append(last)
            last[kind] = value
        elif kind == "members":
            for text in texts:
                self.members.extend(split_members(text))
        elif kind == "summary":
            self._summary(texts)

    def _summary(self, texts: list[str]) -> None:
        for text in texts:
            for line in text.split("\n"):
                if self.sealed or is_stop(line):
                    self.sealed = True
                    self.pending = [p for p in self.pending if p.kind != "summary"]
                    return
                if line := _clean(line):
                    self.summary.append(line)

    def form(self, source: str) -> FormData:
        if self.not_a_form:
            raise XlqcError(f"「{source}」是{self.not_a_form}，不是申报表（附件2），未导入")
        if self.repeated:
            raise XlqcError(
                f"「{source}」里有不止一份申报表（{self.repeated[0]}出现了两个不同的值），"
                "请每个小组单独保存为一个 .docx 后再导入"
            )
        missing = [_LABEL_NAMES[k] for k in ("org", "name") if k not in self.found]
        if len(missing) == 2:
            raise XlqcError(f"「{source}」不像申报表：没有找到「组织名称」和「小组名称」栏目")
        if missing:
            raise XlqcError(f"「{source}」没有找到「{missing[0]}」栏目，无法识别为申报表")
        for key in ("org", "name"):
            if not self.scalars.get(key):
                raise XlqcError(f"「{source}」没有填写{_LABEL_NAMES[key]}，无法导入")
        summary = "\n".join(self.summary)
        form = FormData(source=source, members=self.members)
        form.summary = "" if is_struck(summary) else summary
        for key, value in self.scalars.items():
            setattr(form, key, value)
        if not form.summary:
            form.warnings.append(
                SUMMARY_UNREAD
                + ("（栏目为空）" if "summary" in self.found else "（没有找到综述栏目）")
            )
        for raw in self.topics:
            topic = _topic(raw, form.warnings)
            if topic is not None:
                form.topics.append(topic)
        return form


_OTHER_FORMS = (("推荐汇总表", "推荐汇总表（附件4）"), ("推荐意见", "推荐意见（附件3）"))


def _other_form(text: str) -> str:
    """The name of the other 附件 whose title ``text`` is, or ""."""
    key = squash(text)
    if len(key) <= 30 and "申报表" not in key:
        for word, name in _OTHER_FORMS:
            if word in key:
                return name
    return ""


def _topic(raw: dict[str, str], warnings: list[str]) -> FormTopic | None:
    title = _value(raw.get("title", ""))
    period = _value(raw.get("period", ""))
    start_text, end_text = _value(raw.get("start", "")), _value(raw.get("end", ""))
    if not (title or period or start_text or end_text):
        return None  # an empty or struck-out slot (its boxes are still there, unticked)
    topic = FormTopic(title=title, period=period)
    named = f"课题「{title}」" if title else "未写名称的课题"
    try:
        if period:
            topic.start, topic.end = parse_period(period)
        else:
            topic.period = "—".join(t for t in (start_text, end_text) if t)
            topic.start, topic.end = parse_date(start_text), parse_date(end_text)
    except DateError:
        topic.start = topic.end = None
        warnings.append(f"{named}的活动时间「{topic.period}」无法识别")
    topic.recognition, problem = parse_recognition(raw.get("recognition", ""))
    if problem:
        topic.recognition_problem = problem
        warnings.append(f"{named}：{problem}")
    return topic
