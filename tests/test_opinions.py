"""推荐意见草稿 (issue 14): drafts from the workbook's own facts, ≤ 300 characters, deterministic."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_SETTINGS, GOOD_TOPICS, book_file
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xlqc import rules, schema
from xlqc.builder import demo_workbook
from xlqc.model import Book, DateValue, Group, Member, Settings, Topic
from xlqc.opinions import draft_opinion, draft_opinions, facts, shorten
from xlqc.reading import read_book
from xlqc.text import char_count, normalize_text


def one_line(text: str) -> str:
    """A name as a draft states it: R17's fix applied, on one line."""
    return " ".join(normalize_text(text).split())


# --------------------------------------------------------------------------------------------
# The sample workbook with every 推荐意见 emptied


@pytest.fixture(scope="module")
def emptied_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "示例总表.xlsx"
    demo_workbook(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.GROUP_SHEET]
    col = next(c.column for c in ws[1] if c.value == "推荐意见")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, col).value = None
    wb.save(path)
    return path


def _numbers_outside_names(draft: str, book: Book, group: Group) -> set[int]:
    """Every figure of ``draft`` that is not part of a quoted name, the org or the group."""
    text = re.sub(r"「[^」]*」", "", draft).replace(one_line(group.org + group.name), "")
    return {int(n) for n in re.findall(r"\d+", text.replace(book.settings.opinion_closing, ""))}


def test_sample_every_recommended_group_gets_its_own_draft_naming_its_best_topic(
    emptied_sample: Path,
) -> None:
    book = read_book(emptied_sample)
    drafts = draft_opinions(book)
    recommended = {g.row for g in book.groups if g.recommended}
    assert set(drafts) == recommended and len(recommended) == len(book.groups) - 1
    assert len(set(drafts.values())) == len(drafts)  # no two identical
    for group in book.groups:
        if group.row not in drafts:
            continue
        draft = drafts[group.row]
        best = rules.printed_topics(book, group.code)[0]
        assert f"「{best.title}」" in draft
        assert draft.startswith(one_line(group.org + group.name))  # doubled spaces made single
        assert draft.endswith(schema.OPINION_CLOSING)
        assert char_count(draft) <= schema.MAX_OPINION_CHARS
        f = facts(book, group)
        allowed = {f.years, f.topics, f.first, f.members, f.certified}
        assert f.registered is not None
        allowed |= {f.registered.value.year, f.registered.value.month}
        assert _numbers_outside_names(draft, book, group) <= allowed  # no invented figures
        assert f"近三年完成课题{f.topics}项" in draft or f"近三年共完成课题{f.topics}项" in draft
        assert f"成员{f.members}人" in draft


def test_sample_drafts_pass_r01_and_r07_and_the_same_book_gives_the_same_drafts(
    emptied_sample: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "副本.xlsx"
    shutil.copy(emptied_sample, copy)
    drafts = draft_opinions(read_book(emptied_sample))
    assert draft_opinions(read_book(copy)) == drafts  # same workbook, same drafts

    wb = openpyxl.load_workbook(copy)
    ws = wb[schema.GROUP_SHEET]
    col = next(c.column for c in ws[1] if c.value == "推荐意见")
    for row, text in drafts.items():
        ws.cell(row, col).value = text
    wb.save(copy)
    book = read_book(copy)
    findings = rules.check(book)
    opinion_cells = {g.cell("opinion") for g in book.groups if g.row in drafts}
    assert not [f for f in findings if f.rule in ("R01", "R07") and f.cell in opinion_cells], (
        "a draft breaks R01 or R07"
    )
    assert draft_opinions(book) == {}  # every recommended group now has text: nothing to draft


# --------------------------------------------------------------------------------------------
# Which groups are drafted


def test_only_recommended_groups_with_an_empty_opinion_are_drafted(tmp_path: Path) -> None:
    groups = [
        {**GOOD_GROUP, "小组编号": "G001", "推荐意见": None},
        {**GOOD_GROUP, "小组编号": "G002", "小组名称": "二组", "推荐意见": "  \n "},
        {**GOOD_GROUP, "小组编号": "G003", "小组名称": "三组"},  # has text: kept
        {**GOOD_GROUP, "小组编号": "G004", "小组名称": "四组", "推荐意见": None, "是否推荐": "否"},
        {**GOOD_GROUP, "小组编号": "G005", "小组名称": "五组", "推荐意见": None, "是否推荐": None},
        {**GOOD_GROUP, "小组编号": "G006", "小组名称": "六组", "推荐意见": "#REF!"},
    ]
    book = read_book(book_file(tmp_path, groups=groups))
    drafted = {book.groups[r - 2].code for r in draft_opinions(book)}
    assert drafted == {"G001", "G002", "G005"}


def test_closing_sentence_comes_from_settings(tmp_path: Path) -> None:
    group = {**GOOD_GROUP, "推荐意见": None}
    book = read_book(book_file(tmp_path, groups=[group]))
    (draft,) = draft_opinions(book).values()
    assert draft.endswith("经审核，材料真实准确，同意推荐。")

    own = {**GOOD_SETTINGS, "推荐意见结语": "  经本会审核，同意推荐。 "}
    book = read_book(book_file(tmp_path / "own", groups=[group], settings=own))
    (draft,) = draft_opinions(book).values()
    assert draft.endswith("经本会审核，同意推荐。") and "材料真实准确" not in draft


# --------------------------------------------------------------------------------------------
# Phrasings chosen by the facts


def _topic(title: str, ended: str, level: str, recognition: str) -> dict[str, Any]:
    return {
        **GOOD_TOPICS[0],
        "课题名称": title,
        "活动开始": "2023.11",
        "活动结束": ended,
        "成果水平": level,
        "外部认可": recognition,
    }


CASES: dict[str, tuple[Any, list[dict[str, Any]], list[str], list[str]]] = {
    # case: (注册日期, topics, phrases the draft has, phrases it must not have)
    "one 一等 with 国家级": (
        date(2019, 3, 1),
        [_topic("甲课题", "2024.6", "一等", "国家级"), _topic("乙课题", "2025.6", "二等", "无")],
        ["代表性成果「甲课题」达到一等水平，并获得国家级认可", "另有「乙课题」成果水平为二等"],
        ["地方、行业级"],
    ),
    "several 一等": (
        date(2019, 3, 1),
        [
            _topic("甲课题", "2024.6", "一等", "地方、行业级"),
            _topic("乙课题", "2025.6", "一等奖", "无"),
            _topic("丙课题", "2026.6", "三等", "无"),
        ],
        ["近三年完成课题3项，其中2项成果达到一等水平", "「乙课题」获一等奖"],
        ["国家级", "丙课题"],
    ),
    "only 地方、行业级": (
        date(2019, 3, 1),
        [
            _topic("甲课题", "2024.6", "二等", "地方、行业级"),
            _topic("乙课题", "2025.6", "一等", "地方、行业级"),
        ],
        ["近三年完成课题2项：「乙课题」达到一等水平，并获得地方、行业级认可；「甲课题」"],
        ["国家级"],
    ),
    "no outside recognition": (
        date(2019, 3, 1),
        [_topic("甲课题", "2024.6", "一等", "无"), _topic("乙课题", "2025.6", "二等", "无")],
        ["近三年共完成课题2项，主要有「甲课题」达到一等水平"],
        ["认可"],
    ),
    "young, just past three years": (
        date(2023, 10, 20),
        [_topic("甲课题", "2024.6", "一等", "国家级"), _topic("乙课题", "2025.6", "二等", "无")],
        ["于2023年10月注册，至基准日刚满三年"],
        ["已满"],
    ),
    "long-standing": (
        date(2008, 5, 1),
        [_topic("甲课题", "2024.6", "一等", "国家级"), _topic("乙课题", "2025.6", "二等", "无")],
        ["自2008年5月注册以来，已满18年"],
        [],
    ),
}


def _shape(draft: str, group: Group) -> str:
    """The draft's sentence pattern: names, quoted titles and figures taken out."""
    text = draft.replace(one_line(group.org + group.name), "〇")
    return re.sub(r"\d+", "#", re.sub(r"「[^」]*」", "「」", text))


def test_phrasing_follows_the_groups_facts(tmp_path: Path) -> None:
    shapes = set()
    for i, (case, (registered, topics, has, lacks)) in enumerate(CASES.items()):
        group = {**GOOD_GROUP, "注册日期": registered, "推荐意见": None}
        book = read_book(book_file(tmp_path / str(i), groups=[group], topics=topics))
        (draft,) = draft_opinions(book).values()
        for phrase in has:
            assert phrase in draft, f"{case}: {phrase!r} not in {draft!r}"
        for phrase in lacks:
            assert phrase not in draft, f"{case}: {phrase!r} in {draft!r}"
        shapes.add(_shape(draft, book.groups[0]))
    assert len(shapes) == len(CASES)  # six facts, six different sentence patterns


def test_members_sentence_states_who_holds_a_certificate(tmp_path: Path) -> None:
    group = {**GOOD_GROUP, "推荐意见": None}
    none_hold = [{**m, "能力证明": None} for m in GOOD_MEMBERS]
    all_hold = [{**m, "能力证明": "proofs/cert.pdf"} for m in GOOD_MEMBERS]
    said = {}
    for name, members in (("none", none_hold), ("all", all_hold), ("one", GOOD_MEMBERS)):
        book = read_book(book_file(tmp_path / name, groups=[group], members=members))
        (said[name],) = draft_opinions(book).values()
    assert "小组现有成员5人。" in said["none"] and "能力证明" not in said["none"]
    assert "小组现有成员5人，均持有能力证明。" in said["all"]
    assert "小组现有成员5人，其中1人持有能力证明。" in said["one"]


def test_long_topic_names_are_shortened_then_the_second_dropped(tmp_path: Path) -> None:
    long_a, long_b = "降低" + "甲" * 200 + "故障率", "提高" + "乙" * 200 + "合格率"
    topics = [_topic(long_a, "2024.6", "一等", "国家级"), _topic(long_b, "2025.6", "二等", "无")]
    group = {**GOOD_GROUP, "推荐意见": None}
    book = read_book(book_file(tmp_path, groups=[group], topics=topics))
    (draft,) = draft_opinions(book).values()
    assert char_count(draft) <= 300
    assert "「降低甲甲" in draft and "…」" in draft and "故障率" not in draft
    assert draft.endswith(schema.OPINION_CLOSING)

    medium = [_topic("降低" + "甲" * 60, "2024.6", "一等", "国家级"), topics[1]]
    book = read_book(book_file(tmp_path / "m", groups=[group], topics=medium))
    (draft,) = draft_opinions(book).values()
    assert char_count(draft) <= 300 and "「降低甲甲" in draft


def test_shorten_counts_as_r07_does() -> None:
    assert shorten("一二三四五", 5) == "一二三四五"
    assert shorten("一二三四五六", 5) == "一二三四…"
    assert char_count(shorten("一 二 三 四 五 六", 4)) == 4
    assert shorten("😀😀😀😀", 2) == "😀…"


# --------------------------------------------------------------------------------------------
# Generated extremes: never over 300, always the same


COLUMNS = {"code": "A", "org": "B", "name": "C", "opinion": "L", "title": "B", "cert": "D"}
NAME = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), min_size=150, max_size=700),
    st.sampled_from(
        ["国网江苏省电力有限公司泰州供电分公司", "😀🎉👩‍👩‍👧‍👦" * 60, " \n\t ", "a" * 400]
    ),
)
DATES = st.one_of(st.none(), st.dates(min_value=date(1980, 1, 1), max_value=date(2030, 12, 31)))
LEVELS = st.one_of(st.sampled_from(schema.LEVEL_CHOICES), st.text(max_size=40))
RECOGNITIONS = st.one_of(st.sampled_from(schema.RECOGNITION_CHOICES), st.text(max_size=5))


@st.composite
def books(draw: st.DrawFn) -> Book:
    ref = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
    book_settings = Settings(
        unit="江苏省质量协会",
        ref_date=ref,
        window_start=ref - timedelta(days=3 * 365),
        window_end=ref,
        opinion_closing=draw(st.one_of(st.just(schema.OPINION_CLOSING), NAME)),
    )
    registered = draw(DATES)
    group = Group(
        sheet="小组",
        row=2,
        columns=COLUMNS,
        code="G001",
        org=draw(NAME),
        name=draw(NAME),
        registered=DateValue(value=registered) if registered else None,
    )
    topics = []
    for i in range(draw(st.integers(0, 20))):
        end = draw(DATES)
        topics.append(
            Topic(
                sheet="课题",
                row=i + 2,
                columns=COLUMNS,
                group="G001",
                title=draw(NAME),
                end=DateValue(value=end) if end else None,
                level=draw(LEVELS),
                recognition=draw(RECOGNITIONS),
            )
        )
    members = [
        Member(
            sheet="成员",
            row=i + 2,
            columns=COLUMNS,
            group="G001",
            name=f"成员{i}",
            cert=["c.pdf"] if draw(st.booleans()) else [],
        )
        for i in range(draw(st.integers(0, 12)))
    ]
    return Book(settings=book_settings, groups=[group], topics=topics, members=members)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
@example(  # the longest names everywhere, twenty topics
    Book(
        groups=[
            Group(
                sheet="小组",
                row=2,
                columns=COLUMNS,
                code="G1",
                org="组" * 900,
                name="名" * 900,
                registered=DateValue(value=date(2001, 2, 3)),
            )
        ],
        topics=[
            Topic(
                sheet="课题",
                row=i + 2,
                columns=COLUMNS,
                group="G1",
                title="题" * 900,
                end=DateValue(value=date(2025, 1, 1)),
                level="一等",
                recognition="国家级",
            )
            for i in range(20)
        ],
        members=[Member(sheet="成员", row=2, columns=COLUMNS, group="G1", name="甲", cert=["c"])],
        settings=Settings(opinion_closing="结" * 1000),
    )
)
def test_a_draft_never_exceeds_300_characters_and_is_always_the_same(book: Book) -> None:
    group = book.groups[0]
    draft = draft_opinion(book, group)
    assert char_count(draft) <= schema.MAX_OPINION_CHARS
    assert draft_opinion(book, group) == draft
    assert draft_opinions(book) == {2: draft}
    best = rules.printed_topics(book, group.code)
    ordinary = all(char_count(s) <= 40 for s in (group.org, group.name))
    if best and ordinary and char_count(best[0].title) <= 40 and "\n" not in best[0].title:
        assert one_line(best[0].title) in draft  # the best topic is named in full
