"""推荐意见草稿 (issue 14): a first draft of each recommended group's 推荐意见, from its own rows.

A draft states only what the workbook holds: the organisation and the group, the full years from
注册日期 to 基准日期, how many topics ended in the 统计期 and the best one or two of them (R15's
order: 一等水平 first, then 国家级, 地方、行业级, then the latest), their 成果水平 and 外部认可, the
number of members and how many hold a 能力证明, and the unit's closing sentence (设置 推荐意见结语,
by default 经审核，材料真实准确，同意推荐。). It praises nothing and invents nothing.

The phrasing follows the group's facts (one 一等 with 国家级 recognition, several 一等, only
地方、行业级 recognition, no outside recognition, a group just past three years, a long-standing
one…), so fifty drafts do not read as one sentence repeated. Nothing random and no clock: the
same workbook always gives the same drafts.

A draft never exceeds R07's 300 characters, counted as R07 counts (:func:`xlqc.text.char_count`),
whatever the names' lengths: topic names are shortened with …, then the second topic dropped,
then the organisation and group names shortened, then the members sentence left out, and as a
last resort the whole text cut.

:func:`write_drafts` writes the drafts into a saved workbook through the package editor
(:mod:`xlqc.xlsxpkg`): each into its empty 推荐意见 cell as text, and every draft recorded in
the state sheet (kind ``draft``: sheet, cell, ``{"text", "group"}``), in one atomic save. While
a cell still holds exactly its recorded text, the readers put it on :attr:`Book.drafts
<xlqc.model.Book.drafts>` and validate says it is a draft to review (R20).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlqc import marks, rules, schema, statesheet
from xlqc.model import Book, DateValue, Group, Topic
from xlqc.reading import read_book
from xlqc.text import char_count, normalize_text
from xlqc.xlsxpkg import Package, SheetXml, inline_cell, set_attr, split_ref

LIMIT = schema.MAX_OPINION_CHARS
ELLIPSIS = "…"
TITLE_FLOOR = 10  # a topic name is not shortened below this many characters while two are named
NAME_FLOOR = 8  # nor an organisation or group name below this, unless nothing else fits


@dataclass(frozen=True)
class Facts:
    """What a draft may say about one group, all taken from the workbook."""

    org: str
    name: str
    registered: DateValue | None
    years: int | None  # full years from 注册日期 to 基准日期; None when unknown or negative
    topics: int  # topics whose 活动结束 lies in the 统计期
    first: int  # of those, how many reached 一等水平
    national: int  # of those, how many have 国家级 recognition
    regional: int  # of those, how many have 地方、行业级 recognition
    best: tuple[Topic, ...]  # the best one or two, in R15's order
    best_first: tuple[bool, ...]  # whether each of ``best`` reached 一等水平
    members: int
    certified: int  # members holding a 能力证明
    closing: str


def facts(book: Book, group: Group) -> Facts:
    """The facts of ``group`` a draft may state."""
    window = rules.window_topics(book, group.code) if group.code else []
    best = tuple(rules.printed_topics(book, group.code)[:2]) if group.code else ()
    members = book.members_of(group.code) if group.code else []
    return Facts(
        org=_one_line(group.org),
        name=_one_line(group.name),
        registered=group.registered,
        years=_full_years(group.registered, book),
        topics=len(window),
        first=sum(rules.is_first_level(book, t) for t in window),
        national=sum(rules.recognition(t) == rules.NATIONAL for t in window),
        regional=sum(rules.recognition(t) == rules.REGIONAL for t in window),
        best=best,
        best_first=tuple(rules.is_first_level(book, t) for t in best),
        members=len(members),
        certified=sum(bool(m.cert) for m in members),
        closing=_one_line(book.settings.opinion_closing) or schema.OPINION_CLOSING,
    )


def needs_draft(group: Group) -> bool:
    """Whether ``group`` gets a draft: recommended (是 or blank) and its 推荐意见 cell holds
    nothing but white space (an error value such as #REF! is something, and is kept)."""
    return group.recommended and not group.shown("opinion").strip()


def draft_opinion(book: Book, group: Group) -> str:
    """A draft 推荐意见 for ``group`` of at most 300 characters (R07's count)."""
    f = facts(book, group)
    titles = [_one_line(t.title) for t in f.best]
    shapes: list[tuple[Callable[[list[str]], str], list[str], list[int]]] = []
    if len(titles) == 2:  # both topics, their names shortened no further than TITLE_FLOOR
        shapes.append(
            (
                lambda v: _compose(f, f.org, f.name, v, members=True),
                titles,
                [min(TITLE_FLOOR, char_count(t)) for t in titles],
            )
        )
    one = titles[:1]
    floor = [min(TITLE_FLOOR, char_count(t)) for t in one]
    shapes += [
        (lambda v: _compose(f, f.org, f.name, v, members=True), one, floor),
        # then the names too, down to their floors, the topic's name down to a few characters
        (
            lambda v: _compose(f, v[0], v[1], v[2:], members=True),
            [f.org, f.name, *one],
            [NAME_FLOOR, NAME_FLOOR, *[min(4, c) for c in floor]],
        ),
        (
            lambda v: _compose(f, v[0], v[1], v[2:], members=False),
            [f.org, f.name, *one],
            [NAME_FLOOR, NAME_FLOOR, *[min(4, c) for c in floor]],
        ),
    ]
    for render, values, floors in shapes:
        text = _fit(render, values, floors)
        if text is not None:
            return text
    # only an absurd 结语 or names of thousands of characters get here: cut the whole draft
    return shorten(_compose(f, f.org, f.name, one, members=False), LIMIT)


def draft_opinions(book: Book) -> dict[int, str]:
    """A draft for every group that :func:`needs_draft`, keyed by its row on 小组."""
    return {g.row: draft_opinion(book, g) for g in book.groups if needs_draft(g)}


@dataclass(frozen=True)
class Draft:
    """A draft :func:`write_drafts` wrote."""

    group: str  # 小组编号
    sheet: str
    cell: str  # "L5"
    text: str

    @property
    def chars(self) -> int:
        """Its length by R07's count."""
        return char_count(self.text)


def write_drafts(
    src: Path,
    dst: Path,
    book: Book | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Draft]:
    """Write the drafts of :func:`draft_opinions` into the empty 推荐意见 cells of ``src``
    and save it to ``dst`` (atomically; ``dst`` may be ``src`` when the caller keeps a backup).

    A cell is written only if it is still empty in the file and holds no formula (a formula
    whose value is blank included); the text goes in as an inline string (never a formula),
    keeping the cell's style. The drafts are recorded in the state sheet as ``draft`` records,
    with the earlier records whose cells still hold their text. Returns the drafts written;
    when there is none, ``dst`` is not written at all, so running it again changes nothing."""
    src, dst = Path(src), Path(dst)
    book = book if book is not None else read_book(src)
    planned = draft_opinions(book)
    if not planned:
        return []
    pkg = Package.open(src)
    ref = pkg.sheet(schema.GROUP_SHEET)
    if ref is None or not ref.part or not pkg.has(ref.part):
        return []
    xml = SheetXml(pkg.read(ref.part))
    shared = pkg.shared_strings()
    groups = {g.row: g for g in book.groups}
    written: list[Draft] = []
    for row, text in planned.items():
        group = groups[row]
        if "opinion" not in group.columns:
            continue
        cell = group.cell("opinion")
        r, c = split_ref(cell)
        placed = xml.ensure_cell(r, c)
        if placed is None:  # rows or cells without r after it: not placed blind
            continue
        tag, made = placed
        value = tag.value(shared)
        if tag.has_formula() or (value is not None and value.strip()):
            if made:
                xml.remove_cell(r, c, made)
            continue
        head = tag.head()
        if made:
            xml.widen_dimension(r, c)
            style = xml.default_style(r, c)
            if style:
                head = set_attr(head, "s", str(style))
        xml.replace(tag, inline_cell(head, text))
        written.append(Draft(group.code, ref.name, cell, text))
    if not written:
        return []
    pkg.write(ref.part, xml.data)
    drafted = {(d.sheet, d.cell) for d in written}
    new = [
        statesheet.Record(
            statesheet.DRAFT_KIND, d.sheet, d.cell, {"text": d.text, "group": d.group}
        )
        for d in written
    ]
    marks.put_records(
        pkg,
        statesheet.DRAFT_KIND,
        new,
        warn or _warn,
        keep=lambda rec: (
            (rec.sheet, rec.cell) not in drafted and _holds(xml, shared, rec, ref.name)
        ),
    )
    pkg.save(dst)
    return written


def _warn(message: str) -> None:
    warnings.warn(message, marks.XlqcWarning, stacklevel=3)


def _holds(xml: SheetXml, shared: list[str], rec: statesheet.Record, sheet: str) -> bool:
    """Whether an earlier draft record still describes its cell (records of other sheets are
    kept as they are)."""
    if rec.sheet != sheet:
        return True
    try:
        tag = xml.cell(*split_ref(rec.cell))
    except ValueError:
        return False
    return tag is not None and tag.value(shared) == rec.data.get("text")


# --------------------------------------------------------------------------------------------
# Phrasing


def _compose(f: Facts, org: str, name: str, titles: Sequence[str], *, members: bool) -> str:
    """The draft from its facts, with ``org``, ``name`` and topic ``titles`` as given (possibly
    shortened); ``titles`` names ``f.best`` in order, one or two of them."""
    parts = [_opening(f, org + name), _topics(f, titles)]
    if members:
        parts.append(_members(f))
    parts.append(f.closing)
    return "".join(parts)


def _opening(f: Facts, who: str) -> str:
    if f.years is None or f.registered is None:
        return f"{who}。"
    reg = f"{f.registered.value.year}年{f.registered.value.month}月"
    if f.years == 3:
        return f"{who}于{reg}注册，至基准日刚满三年。"
    if f.years >= 10:
        return f"{who}自{reg}注册以来，已满{f.years}年。"
    if f.years < 3:
        return f"{who}于{reg}注册，至基准日注册不满三年。"
    return f"{who}于{reg}注册，注册已满{f.years}年。"


def _topic(f: Facts, i: int, title: str, *, first_said: bool = False) -> str:
    """「title」 and what it reached: its 成果水平 and 外部认可 as the workbook says (a plain
    一等 left out when the sentence has already said 达到一等水平)."""
    level = _one_line(f.best[i].level)
    reached = []
    if level == "一等" and f.best_first[i]:
        if not first_said:
            reached.append("达到一等水平")
    elif level.endswith("奖"):
        reached.append(f"获{level}")
    elif level:
        reached.append(f"成果水平为{level}")
    recognised = rules.recognition(f.best[i])
    if recognised in (rules.NATIONAL, rules.REGIONAL):
        reached.append(f"获得{recognised}认可")
    return f"「{title}」" + "，并".join(reached)


def _topics(f: Facts, titles: Sequence[str]) -> str:
    if not titles:
        return ""
    done = f"近三年完成课题{f.topics}项"
    if f.first >= 2:  # several 一等 (R15's order names 一等 first: both named reached it)
        named = [_topic(f, i, t, first_said=True) for i, t in enumerate(titles)]
        return f"{done}，其中{f.first}项成果达到一等水平：{'；'.join(named)}。"
    named = [_topic(f, i, t) for i, t in enumerate(titles)]
    if f.best_first[0] and rules.recognition(f.best[0]) == rules.NATIONAL:  # 一等 and 国家级
        rest = f"；另有{named[1]}" if len(named) > 1 else ""
        lead = "代表性成果" if f.topics > 1 else ""
        return f"{done}，{lead}{named[0]}{rest}。"
    if f.national == 0 and f.regional > 0:  # recognised locally or by the industry only
        return f"{done}：{'；'.join(named)}。"
    if f.national == 0 and f.regional == 0:  # no outside recognition
        return f"近三年共完成课题{f.topics}项，主要有{'、'.join(named)}。"
    return f"{done}，其中{'；'.join(named)}。"


def _members(f: Facts) -> str:
    if f.members == 0:
        return ""
    if f.certified == 0:
        return f"小组现有成员{f.members}人。"
    if f.certified == f.members:
        return f"小组现有成员{f.members}人，均持有能力证明。"
    return f"小组现有成员{f.members}人，其中{f.certified}人持有能力证明。"


# --------------------------------------------------------------------------------------------
# Fitting into 300 characters


def shorten(text: str, count: int) -> str:
    """``text`` cut to ``count`` characters by R07's count, the last one an …; unchanged when
    it is not longer."""
    if char_count(text) <= count:
        return text
    kept, n = [], 0
    for ch in text:
        if n >= count - 1:
            break
        kept.append(ch)
        n += not ch.isspace()
    return "".join(kept).rstrip() + ELLIPSIS


def _fit(render: Callable[[list[str]], str], values: list[str], floors: list[int]) -> str | None:
    """``render(values)`` with the values shortened, the one with most room above its floor
    first, until it holds at most LIMIT characters; None when the floors do not allow it."""
    current = list(values)
    while True:
        text = render(current)
        over = char_count(text) - LIMIT
        if over <= 0:
            return text
        rooms = [char_count(v) - fl for v, fl in zip(current, floors, strict=True)]
        i = max(range(len(rooms)), key=lambda k: rooms[k], default=-1)
        if i < 0 or rooms[i] <= 0:
            return None
        # shortening to n characters (… included) lowers the draft's count by the difference
        current[i] = shorten(values[i], char_count(current[i]) - min(over, rooms[i]))


def _one_line(text: str) -> str:
    """Text as one line, with R17's fix applied (a draft does not copy a stray full-width
    ＱＣ or a doubled space into a new cell): white space runs, line breaks included, become
    one space."""
    return " ".join(normalize_text(text).split())


def _full_years(registered: DateValue | None, book: Book) -> int | None:
    if registered is None:
        return None
    ref, reg = book.settings.ref_date, registered.value
    years = ref.year - reg.year - ((ref.month, ref.day) < (reg.month, reg.day))
    return years if years >= 0 else None
