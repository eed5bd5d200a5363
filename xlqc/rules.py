"""The rules R01–R20 of DESIGN.md §2: a :class:`~xlqc.model.Book` in, findings out.

Each rule is one function registered with :func:`rule`. :func:`check` builds a :class:`Context`
once (rows indexed by 小组编号, the 统计期 topics of every group, a cache of file look-ups) and
runs every rule over it, so a national office's 2,000 groups cost one pass per rule, not one
pass per group. A finding carries its own severity: R12 registers as error but says warning for
an unusual 成果水平.

Consequences kept deliberately (one cause, one finding): an unreadable date is R08 only; a topic
outside the 统计期 is R18 and neither counted (R03, R04, R15) nor checked for proofs (R14); rows
whose 小组编号 is not on 小组 are R10 and take no part in the group-level rules.

One finding per cause, but the finding says what follows from it, so that fixing a date never
brings a new error by surprise: a topic whose 活动结束 is unreadable or after 基准日期 does not
count, and where R03 or R04 stay silent only because it might count once fixed, its R08 says
what not counting it means (计入后仅 1 项，不满足近三年至少两项 / 唯一的一等水平课题不计入). A
活动结束 given as a month that straddles a boundary of the 统计期 (2023.10 when it starts on
2023-10-31) cannot decide the rule: the topic is counted, as every month that can lie in the
统计期 is, and a warning (R08) asks for the day and says what would follow were it outside.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from xlqc import schema
from xlqc.dates import DateError, minus_years, parse_date
from xlqc.findings import Finding, Severity
from xlqc.model import ERROR_VALUES, Book, DateValue, Group, Member, Row, Settings, Topic, text_of
from xlqc.proofs import MAX_PROOF_BYTES, Proof, ProofFolder, megabytes
from xlqc.text import char_count, text_issues, visible

# ----------------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    title: str
    func: Callable[[Context], Iterable[Finding]]


RULES: dict[str, RuleInfo] = {}


def rule(
    rule_id: str, severity: Severity, title: str
) -> Callable[[Callable[[Context], Iterable[Finding]]], Callable[[Context], Iterable[Finding]]]:
    """Register a rule function under ``rule_id``."""

    def register(
        func: Callable[[Context], Iterable[Finding]],
    ) -> Callable[[Context], Iterable[Finding]]:
        RULES[rule_id] = RuleInfo(rule_id, severity, title, func)
        return func

    return register


def check(book: Book, file: str = "") -> list[Finding]:
    """Every rule over ``book``, sorted by sheet (设置, 小组, 课题, 成员), row, column, rule."""
    ctx = Context(book)
    findings = [f for info in sorted(RULES.values(), key=lambda i: i.id) for f in info.func(ctx)]
    if file:
        for f in findings:
            f.file = file
    findings.sort(key=_sort_key)
    return findings


_SHEET_ORDER = {
    schema.SETTINGS_SHEET: 0,
    schema.GROUP_SHEET: 1,
    schema.TOPIC_SHEET: 2,
    schema.MEMBER_SHEET: 3,
}
_CELL = re.compile(r"([A-Z]+)(\d+)")


def _sort_key(f: Finding) -> tuple[int, int, int, str, str]:
    m = _CELL.fullmatch(f.cell)
    row, letters = (int(m.group(2)), m.group(1)) if m else (0, "")
    # columns in Excel's order: fewer letters first (Z before AA), then alphabetical
    return _SHEET_ORDER.get(f.sheet, len(_SHEET_ORDER)), row, len(letters), letters, f.rule


# ----------------------------------------------------------------------------------------------
# Public helpers (documents use them too)

NATIONAL, REGIONAL = schema.RECOGNITION_CHOICES[:2]


def window_topics(book: Book, code: str) -> list[Topic]:
    """The topics of group ``code`` whose 活动结束 lies in the 统计期, in workbook order."""
    return [t for t in book.topics_of(code) if in_window(book.settings, t)]


def printed_topics(book: Book, code: str) -> list[Topic]:
    """The (at most three) topics 附件2 prints for group ``code``, in R15's order."""
    return _printed(window_topics(book, code), first_levels(book.settings))


def is_first_level(book: Book, topic: Topic) -> bool:
    """Whether the topic's 成果水平 is one of the 一等水平取值 (spacing and width ignored)."""
    return squash(topic.level) in first_levels(book.settings)


def recognition(topic: Topic) -> str:
    """外部认可 as one of 国家级 / 地方、行业级 / 无, or "" when it is none of them."""
    value = _nospace(topic.recognition)
    return value if value in schema.RECOGNITION_CHOICES else ""


def in_window(settings: Settings, topic: Topic) -> bool:
    """Whether 活动结束 can lie in the 统计期 (a month given as 2024.3 counts if any day can)."""
    end = topic.end
    return (
        end is not None and end.last >= settings.window_start and end.value <= settings.window_end
    )


def first_levels(settings: Settings) -> set[str]:
    return {squash(level) for level in settings.first_levels}


def squash(text: str) -> str:
    """Text compared loosely: NFKC (full width → half width), no white space, case folded."""
    return _nospace(unicodedata.normalize("NFKC", text)).casefold()


_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")


def _nospace(text: str) -> str:
    return _SPACE.sub("", text)


def _printed(topics: list[Topic], levels: set[str]) -> list[Topic]:
    rank = {NATIONAL: 0, REGIONAL: 1}

    def key(t: Topic) -> tuple[bool, int, int]:
        end = t.end.last.toordinal() if t.end else 0
        return squash(t.level) not in levels, rank.get(recognition(t), 2), -end

    return sorted(topics, key=key)[: schema.TOPIC_SLOTS]  # sorted() is stable: row order on ties


# ----------------------------------------------------------------------------------------------
# Context: what every rule needs, computed once per check


class Context:
    """The book plus its indexes. Rows of one group are found by dict look-up, never by scan."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.settings = book.settings
        self.first_levels = first_levels(book.settings)
        self.groups: dict[str, Group] = {}  # 小组编号 -> its first row on 小组
        for g in book.groups:
            if g.code:
                self.groups.setdefault(g.code, g)
        self.topics: dict[str, list[Topic]] = {}
        for t in book.topics:
            self.topics.setdefault(t.group, []).append(t)
        self.members: dict[str, list[Member]] = {}
        for m in book.members:
            self.members.setdefault(m.group, []).append(m)
        # an empty 统计期 (统计期起 after 统计期止) is R19's: the rules that count in it stay silent
        self.window_ok = self.settings.window_start <= self.settings.window_end
        self.window: dict[str, list[Topic]] = {}
        # topics whose 活动结束 R01/R08 report (blank, unreadable, after 基准日期): they may count
        # once fixed, so R03/R04 say nothing a fixed date could undo
        self.undated: dict[str, list[Topic]] = {}
        for t in book.topics:
            if in_window(self.settings, t):
                self.window.setdefault(t.group, []).append(t)
            elif t.end is None or self.after_ref(t.end):
                self.undated.setdefault(t.group, []).append(t)
        self._files: dict[str, Proof] = {}
        self._proof_folder = ProofFolder(book.folder)

    def primary_groups(self) -> Iterable[Group]:
        """One row per 小组编号 (later duplicates are R09's and take no part elsewhere)."""
        return self.groups.values()

    def counted_groups(self) -> Iterable[Group]:
        """The groups whose 统计期 topics R03, R04 and R15 count; none when the 统计期 is empty."""
        return self.groups.values() if self.window_ok else ()

    def topics_of(self, code: str) -> list[Topic]:
        return self.topics.get(code, [])

    def members_of(self, code: str) -> list[Member]:
        return self.members.get(code, [])

    def window_of(self, code: str) -> list[Topic]:
        return self.window.get(code, [])

    def undated_of(self, code: str) -> list[Topic]:
        return self.undated.get(code, [])

    def is_first(self, topic: Topic) -> bool:
        return squash(topic.level) in self.first_levels

    def proof(self, path: str) -> Proof:
        """Where a proof path leads (inside the workbook's folder, a regular file); cached."""
        if path not in self._files:
            self._files[path] = self._proof_folder.locate(path)
        return self._files[path]

    def file_exists(self, path: str) -> bool:
        """Whether a proof path names a file xlqc may use (see :meth:`proof`)."""
        return self.proof(path).usable

    def after_ref(self, value: DateValue | None) -> bool:
        return value is not None and value.value > self.settings.ref_date

    def window_text(self) -> str:
        return f"{self.settings.window_start} 至 {self.settings.window_end}"


# ----------------------------------------------------------------------------------------------
# Building findings and messages


def _finding(
    rule_id: str, row: Row, field: str, message: str, severity: Severity | None = None
) -> Finding:
    return Finding(
        rule=rule_id,
        severity=severity or RULES[rule_id].severity,
        sheet=row.sheet,
        cell=row.cell(field),
        group=_code(row),
        message=message,
    )


def _code(row: Row) -> str:
    return row.code if isinstance(row, Group) else getattr(row, "group", "")


def _header(row: Row, field: str) -> str:
    return schema.column(row.sheet, field).header


def _at(row: Row, field: str) -> str:
    """「小组!D5 注册日期」: where a message is about."""
    return f"{row.sheet}!{row.cell(field)} {_header(row, field)}"


def _said(row: Row, field: str) -> str:
    """「小组!D5 注册日期「2024-05-01」」: where, and the value found there."""
    return f"{_at(row, field)}「{quote(row.shown(field))}」"


QUOTE_LIMIT = 40


def quote(text: str) -> str:
    """A value fit to sit in a message: invisible characters shown, long text shortened."""
    head = text[: QUOTE_LIMIT + 1]  # every character shows as one or more: the rest is cut
    shown = visible(head)
    return shown if len(shown) <= QUOTE_LIMIT else shown[: QUOTE_LIMIT - 1] + "…"


_WHITE = " \t\r\n\u3000\u00a0\u200b\u200c\u200d\ufeff"


def _blank(row: Row, field: str) -> bool:
    """Empty, or nothing but white space (raw holds no None or "" values; numbers are not blank)."""
    value = row.raw.get(field)
    return (
        value is None
        or value in ERROR_VALUES
        or (isinstance(value, str) and not value.strip(_WHITE))
    )


def _listed(values: Iterable[str]) -> str:
    return "".join(f"「{v}」" for v in values)


# ----------------------------------------------------------------------------------------------
# Rules


def _columns(keep: Callable[[schema.Column], bool]) -> dict[str, tuple[schema.Column, ...]]:
    return {s: tuple(c for c in cols if keep(c)) for s, cols in schema.DATA_SHEETS.items()}


_REQUIRED = _columns(lambda c: c.required)
_DATES = _columns(lambda c: c.kind == "date")
_TEXTS = _columns(lambda c: c.kind not in ("date", "paths", "status"))  # what R17 reads


def _cells(book: Book, columns: dict[str, tuple[schema.Column, ...]]) -> Iterator[tuple[Row, str]]:
    """(row, field) for the given columns of every data row: 小组, then 课题, then 成员."""
    rows: tuple[list[Group], list[Topic], list[Member]] = (book.groups, book.topics, book.members)
    for sheet_rows in rows:
        for row in sheet_rows:
            for col in columns[row.sheet]:
                yield row, col.field


@rule("R01", "error", "必填项为空")
def r01_required(ctx: Context) -> Iterator[Finding]:
    for row, field in _cells(ctx.book, _REQUIRED):
        if _blank(row, field):
            shown = row.raw.get(field)
            found = f"是公式错误值「{shown}」" if shown in ERROR_VALUES else "为空"
            yield _finding(
                "R01",
                row,
                field,
                f"{_at(row, field)}{found}：「{row.sheet}」表的「{_header(row, field)}」必须填写",
            )
    for group in ctx.primary_groups():
        if not ctx.members_of(group.code):
            yield _finding(
                "R01",
                group,
                "code",
                f"{_said(group, 'code')}在「成员」表中没有成员：请在成员表按一人一行填写小组成员",
            )


@rule("R02", "error", "注册未满三年")
def r02_registered(ctx: Context) -> Iterator[Finding]:
    ref = ctx.settings.ref_date
    limit = minus_years(ref, 3)
    expected = f"应不晚于 {limit}（基准日期 {ref} 前三年）"
    for group in ctx.book.groups:
        reg = group.registered
        if reg is None or ctx.after_ref(reg):  # blank: R01; unreadable or after 基准日期: R08
            continue
        if reg.value > limit:
            text = f"{_said(group, 'registered')}不满三年：{expected}"
        elif reg.last > limit:
            text = (
                f"{_said(group, 'registered')}只填到月，无法确认是否满三年，请填写具体日期："
                f"{expected}"
            )
        else:
            continue
        yield _finding("R02", group, "registered", text)


@rule("R03", "error", "近三年完成课题少于两项")
def r03_topic_count(ctx: Context) -> Iterator[Finding]:
    for group in ctx.counted_groups():
        window = ctx.window_of(group.code)
        if len(window) + len(ctx.undated_of(group.code)) >= 2:
            continue
        others = _not_counted(ctx, group.code)
        yield _finding(
            "R03",
            group,
            "code",
            f"{_said(group, 'code')}近三年（统计期 {ctx.window_text()}）完成课题 {len(window)} 项"
            f"{others}，少于两项：申报条件要求近三年至少完成两项课题（以活动结束日期计）",
        )


def _not_counted(ctx: Context, code: str) -> str:
    undated = len(ctx.undated_of(code))
    outside = len(ctx.topics_of(code)) - len(ctx.window_of(code)) - undated
    parts = []
    if outside:
        parts.append(f"{outside} 项不在统计期内")
    if undated:
        parts.append(f"{undated} 项活动结束有误")
    return f"（另有 {'，'.join(parts)}）" if parts else ""


@rule("R04", "error", "近三年无一等水平成果")
def r04_first_level(ctx: Context) -> Iterator[Finding]:
    levels = "、".join(ctx.settings.first_levels)
    for group in ctx.counted_groups():
        window = ctx.window_of(group.code)
        if any(ctx.is_first(t) for t in (*window, *ctx.undated_of(group.code))):
            continue
        if window:
            found = f"近三年课题的成果水平为{_listed(quote(t.level) or '空' for t in window)}"
        else:
            found = "近三年没有课题"
        yield _finding(
            "R04",
            group,
            "code",
            f"{_said(group, 'code')}{found}，无一等水平成果：应至少一项达到一等水平"
            f"（设置「一等水平取值」：{levels}）",
        )


@rule("R05", "error", "小组成员超过 10 人")
def r05_member_count(ctx: Context) -> Iterator[Finding]:
    for group in ctx.primary_groups():
        members = ctx.members_of(group.code)
        if len(members) > schema.MAX_MEMBERS:
            extra = members[schema.MAX_MEMBERS :]
            rows = f"{extra[0].row}" if len(extra) == 1 else f"{extra[0].row}–{extra[-1].row}"
            yield _finding(
                "R05",
                group,
                "code",
                f"{_said(group, 'code')}有成员 {len(members)} 人，超过 {schema.MAX_MEMBERS} 人上限"
                f"（成员表第 {rows} 行超出）：申报表只能填写 {schema.MAX_MEMBERS} 名成员",
            )


def _too_long(ctx: Context, rule_id: str, field: str, limit: int) -> Iterator[Finding]:
    for group in ctx.book.groups:
        count = char_count(group.shown(field))
        if count > limit:
            yield _finding(
                rule_id,
                group,
                field,
                f"{_at(group, field)} {count} 字，超过 {limit} 字上限（按字符数不计空格统计）",
            )


@rule("R06", "error", "活动综述超过 3000 字")
def r06_summary(ctx: Context) -> Iterator[Finding]:
    return _too_long(ctx, "R06", "summary", schema.MAX_SUMMARY_CHARS)


@rule("R07", "error", "推荐意见超过 300 字")
def r07_opinion(ctx: Context) -> Iterator[Finding]:
    return _too_long(ctx, "R07", "opinion", schema.MAX_OPINION_CHARS)


_DATE_EXAMPLES = "如 2024-03-01、2024/3/1、2024年3月1日 或只到月的 2024.3、2024年3月"


@rule("R08", "error", "日期无法识别或不合理")
def r08_dates(ctx: Context) -> Iterator[Finding]:
    ref = ctx.settings.ref_date
    for row, field in _cells(ctx.book, _DATES):
        value: DateValue | None = getattr(row, field)
        if value is None and not _blank(row, field):
            text = (
                f"{_said(row, field)}无法识别（{_date_error(row.raw.get(field), ctx.book.date1904)}）："
                f"请填写日期，{_DATE_EXAMPLES}"
            )
        elif value is not None and value.value > ref:
            text = f"{_said(row, field)}晚于基准日期 {ref}：应不晚于 {ref}"
        elif value is not None and field == "end" and _straddles(ctx.settings, value):
            assert isinstance(row, Topic)
            yield _finding("R08", row, field, _straddle_text(ctx, row), "warning")
            continue
        else:
            continue
        if isinstance(row, Topic) and field == "end" and (then := _uncounted(ctx, row)):
            text += f"；此课题不计入近三年课题：{then}"
        yield _finding("R08", row, field, text)
    for topic in ctx.book.topics:
        start, end = topic.start, topic.end
        if start and end and start.value > end.last:
            yield _finding(
                "R08",
                topic,
                "start",
                f"{_said(topic, 'start')}晚于活动结束「{quote(topic.shown('end'))}」"
                f"（{topic.cell('end')}）：活动开始应不晚于活动结束",
            )


def _straddles(settings: Settings, end: DateValue) -> bool:
    """Whether a month given as 活动结束 lies partly inside and partly outside the 统计期."""
    return end.precision == "month" and (
        end.value < settings.window_start <= end.last or end.value <= settings.window_end < end.last
    )


def _straddle_text(ctx: Context, topic: Topic) -> str:
    text = (
        f"{_said(topic, 'end')}只填到月，无法确认是否在统计期 {ctx.window_text()} 内："
        f"课题「{quote(topic.title)}」暂按统计期内计入，请填写具体日期"
    )
    if then := _uncounted(ctx, topic):
        text += f"；若实际在统计期外，此课题不计入近三年课题：{then}"
    return text


def _uncounted(ctx: Context, topic: Topic) -> str:
    """What not counting ``topic`` means for its group, where no other finding says it: R03 and
    R04 stay silent while a topic whose 活动结束 R08 reports might count once fixed."""
    if topic.group not in ctx.groups or not ctx.window_ok:
        return ""  # R10's, or no 统计期 to count in (R19)
    counted = [t for t in ctx.window_of(topic.group) if t is not topic]
    maybe = [*ctx.window_of(topic.group), *ctx.undated_of(topic.group)]
    others = [t for t in maybe if t is not topic]
    parts = []
    if len(counted) < 2 <= len(maybe):  # below two without it, and R03 silent
        parts.append(f"计入后仅 {len(counted)} 项，不满足近三年至少两项")
    if ctx.is_first(topic) and not any(ctx.is_first(t) for t in counted):  # R04 silent
        if any(ctx.is_first(t) for t in others):
            parts.append("计入的课题中没有一等水平成果，不满足一等水平要求")
        else:
            parts.append("唯一的一等水平课题不计入，不满足一等水平要求")
    return "；".join(parts)


def _date_error(raw: object, date1904: bool = False) -> str | None:
    """Why ``raw`` is not a date (serials in the workbook's date system); None when it is one."""
    try:
        parse_date(raw, date1904=date1904)
    except DateError as exc:
        return str(exc)
    return None


@rule("R09", "error", "小组重复")
def r09_duplicates(ctx: Context) -> Iterator[Finding]:
    names: dict[tuple[str, str], Group] = {}
    for group in ctx.book.groups:
        first = ctx.groups.get(group.code)
        if first is not None and first is not group:
            yield _finding(
                "R09",
                group,
                "code",
                f"{_said(group, 'code')}与 {first.sheet}!{first.cell('code')} 重复：小组编号必须唯一",
            )
            continue
        key = (squash(group.org), squash(group.name))
        if not all(key):
            continue
        seen = names.setdefault(key, group)
        if seen is not group:
            yield _finding(
                "R09",
                group,
                "name",
                f"{_at(group, 'name')}：组织名称「{quote(group.org)}」+ 小组名称"
                f"「{quote(group.name)}」与 {seen.sheet}!{seen.cell('name')}（小组编号"
                f"「{quote(seen.code)}」）相同：同一小组只能登记一次",
            )


@rule("R10", "error", "引用了不存在的小组编号")
def r10_unknown_group(ctx: Context) -> Iterator[Finding]:
    loose = {squash(code): code for code in ctx.groups}
    rows: list[Topic | Member] = [*ctx.book.topics, *ctx.book.members]
    for row in rows:
        if not row.group or row.group in ctx.groups:
            continue
        guess = loose.get(squash(row.group))
        hint = f"（是否应为「{guess}」？）" if guess else ""
        yield _finding(
            "R10",
            row,
            "group",
            f"{_said(row, 'group')}不在「小组」表中{hint}：应为「小组」表中已有的小组编号",
        )


_NAME_SEP = re.compile(r"[、，,;；/／\n]")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·•]{2,5}")
# 欧阳 娜娜 is one person: two parts after a compound surname are not two names
_COMPOUND_SURNAMES = frozenset(
    re.findall(
        r"\w\w",
        "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文司徒夏侯令狐端木独孤南宫西门轩辕呼延澹台公冶申屠太史闻人万俟钟离赫连百里东郭拓跋第五",
    )
)


@rule("R11", "error", "成员姓名重复或含分隔符「、」")
def r11_member_names(ctx: Context) -> Iterator[Finding]:
    one_per_row = "一行只填一人，多名成员请分行填写"
    for members in ctx.members.values():
        seen: dict[str, Member] = {}
        for member in members:
            name = member.name
            if not name:
                continue  # R01
            if sep := _NAME_SEP.search(name):
                shown = "换行" if sep.group() == "\n" else f"「{sep.group()}」"
                yield _finding(
                    "R11", member, "name", f"{_said(member, 'name')}含分隔符{shown}：{one_per_row}"
                )
            elif _joined_by_spaces(name):
                yield _finding(
                    "R11",
                    member,
                    "name",
                    f"{_said(member, 'name')}像是用空格隔开的多个人名：{one_per_row}"
                    "（若确为一人的姓名，请删去空格）",
                    "warning",
                )
            first = seen.setdefault(squash(name), member)
            if first is not member and member.group:
                yield _finding(
                    "R11",
                    member,
                    "name",
                    f"{_said(member, 'name')}与 {first.sheet}!{first.cell('name')} 重复："
                    "同一小组内成员姓名不能重复",
                )


def _joined_by_spaces(name: str) -> bool:
    parts = name.split()
    return (
        len(parts) >= 2
        and all(_CJK_NAME.fullmatch(p) for p in parts)
        and not (len(parts) == 2 and parts[0] in _COMPOUND_SURNAMES)
    )


_KNOWN_LEVELS = (
    *schema.LEVEL_CHOICES,
    *("特等", "一等", "二等", "三等", "优秀奖", "发表奖", "鼓励奖", "优胜奖"),
    *("一类", "二类", "三类", "I类", "II类", "III类", "示范级", "金奖", "银奖", "铜奖"),
)


@rule("R12", "error", "取值不在允许范围")
def r12_choices(ctx: Context) -> Iterator[Finding]:
    for group in ctx.book.groups:
        if _nospace(group.recommend) not in ("", *schema.RECOMMEND_CHOICES):
            yield _finding(
                "R12",
                group,
                "recommend",
                f"{_said(group, 'recommend')}不在允许范围：应为「是」或「否」（空白视为「是」）",
            )
    known = {squash(level) for level in _KNOWN_LEVELS} | ctx.first_levels
    for topic in ctx.book.topics:
        if topic.recognition and not recognition(topic):
            yield _finding(
                "R12",
                topic,
                "recognition",
                f"{_said(topic, 'recognition')}不在允许范围：应为"
                f"{_listed(schema.RECOGNITION_CHOICES)}之一（省市或行业协会的认可填「{REGIONAL}」）",
            )
        if topic.level and squash(topic.level) not in known:
            yield _finding(
                "R12",
                topic,
                "level",
                f"{_said(topic, 'level')}不是常见的成果水平：应为 一等、二等、三等、特等奖… 之一；"
                f"计为一等水平的取值见设置「一等水平取值」（{'、'.join(ctx.settings.first_levels)}）",
                "warning",
            )


_SEP = r"\s;；,，、/／"  # between several phone numbers or e-mail addresses
_SEPARATORS = re.compile(f"[{_SEP}]+")
_PHONE = re.compile(
    r"(?:"
    r"(?:\+?86[- ]?)?1[3-9]\d(?:-?\d{4}){2}"  # mobile: 13812345678, 138-1234-5678
    r"|(?P<area>\(0\d{2,3}\)|0\d{2,3})[- ]?\d{7,8}"  # landline with area code
    r"(?:\s*(?:转|-|ext\.?|x|分机)\s*\d{1,6})?"  # extension
    r"|(?P<bare>\d{7,8})"  # another number of the same area: (010)68416388；68416376
    rf")(?=[{_SEP}]|$)",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)


def bad_phones(text: str) -> list[str]:
    """The pieces of a 电话 cell that are not phone numbers (empty list: all fine)."""
    s = unicodedata.normalize("NFKC", text).strip()
    bad: list[str] = []
    pos, area = 0, False
    while pos < len(s):
        if sep := _SEPARATORS.match(s, pos):
            pos = sep.end()
            continue
        m = _PHONE.match(s, pos)
        if m and (area or not m.group("bare")):
            area = area or bool(m.group("area"))
            pos = m.end()
            continue
        nxt = _SEPARATORS.search(s, pos)
        end = nxt.start() if nxt else len(s)
        bad.append(s[pos:end])
        pos = end
    return bad


def bad_emails(text: str) -> list[str]:
    """The pieces of a 邮箱 cell that are not e-mail addresses."""
    pieces = [p for p in _SEPARATORS.split(text) if p]
    return [p for p in pieces if not _EMAIL.fullmatch(p) or ".." in p]


@rule("R13", "error", "电话或邮箱格式错误")
def r13_contact(ctx: Context) -> Iterator[Finding]:
    for group in ctx.book.groups:
        if group.phone and (bad := bad_phones(group.phone)):
            yield _finding(
                "R13",
                group,
                "phone",
                f"{_said(group, 'phone')}格式不对：{_listed(quote(b) for b in bad)}不是有效号码；"
                "应为 11 位手机号或带区号的座机（如 0523-86012345、(010)68416388 转 8001），"
                "多个号码用；分隔",
            )
        if group.email and (bad := bad_emails(group.email)):
            width = "（含全角字符）" if any(not b.isascii() for b in bad) else ""
            yield _finding(
                "R13",
                group,
                "email",
                f"{_said(group, 'email')}格式不对：{_listed(quote(b) for b in bad)}不是有效邮箱"
                f"{width}；应如 name@example.com，多个邮箱用；分隔",
            )


_WORD_SUFFIXES = (".doc", ".docx")


@rule("R14", "error", "证实性材料缺失")
def r14_proofs(ctx: Context) -> Iterator[Finding]:
    """Proofs of the 统计期 topics and the members' 能力证明: present, regular files, inside the
    workbook's folder (xlqc.proofs); one over 20 MB is a warning (a mail server may refuse it).
    Topics whose 活动结束 R01/R08 report are checked too: they count once the date is fixed,
    and the clerk who fixes it must not meet a new error then."""
    for group in ctx.primary_groups():
        for topic in (*ctx.window_of(group.code), *ctx.undated_of(group.code)):
            yield from _topic_proofs(ctx, topic)
        members = ctx.members_of(group.code)
        present = False
        for member in members:
            for path in member.cert:
                present = present or ctx.proof(path).usable
                yield from _proof_findings(ctx, member, "cert", path)
        if members and not present:
            listed = any(m.cert for m in members)
            why = "填写的能力证明文件都找不到或不可用" if listed else "没有任何成员填写「能力证明」"
            yield _finding(
                "R14",
                group,
                "code",
                f"{_said(group, 'code')}{why}：至少应有一名成员提供 QC 小组活动专业能力、"
                "评审能力培训的证实材料（成员表「能力证明」列）",
            )


def _topic_proofs(ctx: Context, topic: Topic) -> Iterator[Finding]:
    if not topic.report:
        yield _finding(
            "R14",
            topic,
            "report",
            f"{_at(topic, 'report')}为空：近三年课题须提供成果报告（Word 文件 .doc/.docx）",
        )
    for path in topic.report:
        if not path.lower().endswith(_WORD_SUFFIXES):
            yield _finding(
                "R14",
                topic,
                "report",
                f"{_at(topic, 'report')}「{quote(path)}」不是 Word 文件：通知要求成果报告为 "
                "Word 格式（.doc/.docx）",
            )
        else:
            yield from _proof_findings(ctx, topic, "report", path)
    needs_proof = recognition(topic) in (NATIONAL, REGIONAL)
    if needs_proof and not topic.proof:
        yield _finding(
            "R14",
            topic,
            "proof",
            f"{_at(topic, 'proof')}为空：外部认可为「{recognition(topic)}」，须提供获得外部认可的"
            "证实材料",
        )
    for path in topic.proof:
        yield from _proof_findings(ctx, topic, "proof", path)


def _proof_findings(ctx: Context, row: Row, field: str, path: str) -> list[Finding]:
    """An error when the proof cannot be used (missing, outside the workbook's folder, not a
    regular file, unreadable); a warning when it is larger than a mail server may take."""
    proof = ctx.proof(path)
    if not proof.usable:
        return [_finding("R14", row, field, proof.reason(_at(row, field), quote(path)))]
    if proof.size > MAX_PROOF_BYTES:
        message = (
            f"{_at(row, field)}「{quote(path)}」有 {megabytes(proof.size)}，超过 "
            f"{MAX_PROOF_BYTES // 1048576} MB：邮件服务器可能拒收，请压缩或另行寄送"
        )
        return [_finding("R14", row, field, message, severity="warning")]
    return []


@rule("R15", "warning", "近三年课题超过三项")
def r15_too_many_topics(ctx: Context) -> Iterator[Finding]:
    for group in ctx.counted_groups():
        window = ctx.window_of(group.code)
        if len(window) <= schema.TOPIC_SLOTS:
            continue
        printed = _printed(window, ctx.first_levels)
        shown = "".join(f"「{quote(t.title)}」（{t.cell('title')}）" for t in printed)
        yield _finding(
            "R15",
            group,
            "code",
            f"{_said(group, 'code')}近三年课题 {len(window)} 项，申报表只能填写三项，将打印：{shown}"
            "（一等水平优先，其次国家级、地方、行业级认可，再按活动结束从近到远）；"
            "如需打印其他课题，请删去或调整课题表",
        )


_COMPLETE_COMPANY = re.compile(r"(?<!分)公司")  # a 分公司 carries its parent's name: correct
_PARENT = re.compile(r"公司|集团|医院|研究院|研究所|设计院|厂")
_BELOW = re.compile(
    r"(车间|班组|班|科|科室|作业区|项目部|项目经理部|工区|工段|室|队|小组|(?<![分总本])(?<!营业)部)$"
)


def parent_problem(org: str) -> str:
    """Why an 组织名称 looks like it carries a parent or a sub-unit; "" when it looks right."""
    name = squash(org)
    companies = _COMPLETE_COMPANY.findall(name)
    if len(companies) >= 2:
        return f"名称中有 {len(companies)} 个完整的「公司」（分公司除外），像是把上级单位和本单位连在一起"
    parents = list(_PARENT.finditer(name))
    if parents and (below := _BELOW.search(name[parents[-1].end() :])):
        return f"以「{below.group(1)}」结尾，像是盖章单位下属的部门或班组"
    return ""


@rule("R16", "warning", "组织名称疑似挂上级部门")
def r16_parent(ctx: Context) -> Iterator[Finding]:
    for group in ctx.book.groups:
        if group.org and (why := parent_problem(group.org)):
            yield _finding(
                "R16",
                group,
                "org",
                f"{_said(group, 'org')}{why}：通知要求组织名称以公章为准、不要挂上级部门，"
                "请填写公章上的全称",
            )


@rule("R17", "warning", "文本含多余空白、不可见字符或全半角混用")
def r17_text(ctx: Context) -> Iterator[Finding]:
    clean: set[str] = set()  # texts found clean: codes, levels, units repeat from row to row
    for row, field in _cells(ctx.book, _TEXTS):
        raw = row.raw.get(field)
        if not isinstance(raw, str) or raw in clean:
            continue
        issues = text_issues(raw)
        if not issues:
            clean.add(raw)
        elif not _blank(row, field):  # white space only: the cell is empty (R01 where required)
            yield _finding(
                "R17",
                row,
                field,
                f"{_said(row, field)}{'；'.join(issues)}：可用「规范文本」或 xlqc normalize 修正",
            )


@rule("R18", "info", "课题不在统计期内")
def r18_outside_window(ctx: Context) -> Iterator[Finding]:
    for topic in ctx.book.topics if ctx.window_ok else ():
        if topic.end is None or in_window(ctx.settings, topic) or ctx.after_ref(topic.end):
            continue  # unreadable or after 基准日期: R08
        yield _finding(
            "R18",
            topic,
            "end",
            f"{_said(topic, 'end')}不在统计期 {ctx.window_text()} 内：此课题不计入近三年课题，"
            "也不印在申报表上",
        )


_SETTING_HINTS = {
    "基准日期": "请填写如 2026-10-30 的日期（留空＝2026-10-30）",
    "统计期起": "请填写日期，或留空（＝基准日期前三年的次日）",
    "统计期止": "请填写日期，或留空（＝基准日期）",
    "填表日期": "请填写日期，或留空（＝导出当天）",
}


@rule("R19", "error", "设置缺失或无效")
def r19_settings(ctx: Context) -> Iterator[Finding]:
    settings = ctx.settings
    for key in dict.fromkeys(settings.problems):
        loc = settings.loc(key)
        where = f"{loc.sheet}!{loc.cell}"
        raw = settings.raw.get(key)
        if key not in settings.locs:
            text = f"{where} 设置表中没有「{key}」：请在 A 列添加「{key}」，B 列填写其值"
        elif key == "推荐单位":
            text = f"{where} 推荐单位为空：请填写推荐省区市、行业质协名称（印在各附件的盖章处）"
        elif (error := _date_error(raw, ctx.book.date1904)) is not None:
            hint = _SETTING_HINTS.get(key, "请填写日期")
            text = f"{where} {key}「{quote(text_of(raw))}」无法识别（{error}）：{hint}"
        elif key == "统计期起":
            text = (
                f"{where} 统计期起「{quote(text_of(raw))}」晚于统计期止 {settings.window_end}："
                "统计期起应早于统计期止"
            )
        else:
            text = f"{where} {key}「{quote(text_of(raw))}」无效"
        yield Finding(rule="R19", severity="error", sheet=loc.sheet, cell=loc.cell, message=text)


@rule("R20", "info", "推荐意见为自动生成草稿")
def r20_draft_opinion(ctx: Context) -> Iterator[Finding]:
    for group in ctx.book.groups:
        if ctx.book.still_drafted(group):
            yield _finding(
                "R20",
                group,
                "opinion",
                f"{_at(group, 'opinion')}为自动生成的草稿，请审核修改（改动任意文字后不再提示）",
            )
