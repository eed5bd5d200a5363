"""Character counting, R17 text issues and the normalize fix (xlqc/text.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlqc import text
from xlqc.text import char_count, normalize_text, text_issues

ORG = "国网江苏省电力有限公司泰州供电分公司"

# --- char_count -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("", 0),
        (ORG, 18),
        ("配电运检QC小组", 8),
        ("QC 小组", 4),  # the space is not counted
        ("第一段。\n第二段。\r\n第三段", 11),  # line breaks are not counted
        ("\u3000\u3000小组成立于2019年。", 11),  # nor full-width spaces (indent)
        ("配电\t运检\u00a0班", 5),  # nor tabs and no-break spaces
        ("获奖👍", 3),  # an emoji outside the BMP counts one
        ("𠀀字", 2),  # so does a rare Han character outside the BMP
        ("配\u200b电", 3),  # a zero-width space is a character (invisible, R17 flags it)
        ("（一）小组概况：", 8),  # punctuation counts
    ],
)
def test_char_count(s: str, expected: int) -> None:
    assert char_count(s) == expected


def test_char_count_of_a_long_summary_matches_the_limit_arithmetic() -> None:
    paragraph = "小组围绕降低配电线路故障停电时长开展活动" * 10  # 200 characters
    summary = "\n".join(["\u3000\u3000" + paragraph] * 15)  # 3000 characters plus white space
    assert char_count(summary) == 3000
    assert char_count(summary + "。") == 3001


# --- text_issues ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "s",
    [
        ORG,
        "配电运检QC小组",  # ASCII letters in a Chinese name are normal
        "QC 小组",  # one space between Latin and Chinese
        "ISO 9001(2015)",  # half-width brackets in Latin text
        "降低配电线路故障停电时长（2024）",
        "第一段，内容。\n第二段；内容：完成。",  # line breaks inside a long text
        "wangxd@js.sgcc.com.cn",
        "0523-86181234；13812345678",
        "1,000元",  # a thousands separator between digits
        "8:30开会",
        "",
        "地方、行业级",
    ],
)
def test_clean_text_has_no_issues(s: str) -> None:
    assert text_issues(s) == []
    assert normalize_text(s) == s


@pytest.mark.parametrize(
    ("s", "issue"),
    [
        (" 配电运检QC小组", text.ENDS),
        ("配电运检QC小组\u3000", text.ENDS),
        ("配电运检QC小组\n", text.ENDS),
        ("第一段。 \n第二段。", text.LINE_ENDS),
        ("配电  运检", text.DOUBLED),
        ("QC\u3000小组", text.FULL_SPACE),
        ("配电\t运检", text.TAB),
        ("配电\u00a0运检", text.ODD_SPACE),
        ("配\u200b电运检", text.INVISIBLE),
        ("\ufeff配电运检", text.INVISIBLE),
        ("配电运检\x07", text.INVISIBLE),
        ("第一段\r\n第二段", text.INVISIBLE),  # a Windows line break's carriage return
        ("ＱＣ小组", text.FULL_ALNUM),
        ("第１期", text.FULL_ALNUM),
        ("配电(运检)QC小组", text.HALF_PUNCT),
        ("降低故障率,提高效率", text.HALF_PUNCT),
        ("联系电话:0523-86181234", text.HALF_PUNCT),
        ("一是;二是", text.HALF_PUNCT),
        ("（ISO)", text.MIXED_BRACKETS),
        ("一、 小组概况", text.PUNCT_SPACE),
    ],
)
def test_issue_found(s: str, issue: str) -> None:
    assert issue in text_issues(s)
    assert text_issues(normalize_text(s)) == []


def test_issues_are_listed_once_each_in_a_fixed_order() -> None:
    issues = text_issues(" ＱＣ  小组(配电)\u200b ")
    assert issues == [text.INVISIBLE, text.ENDS, text.DOUBLED, text.FULL_ALNUM, text.HALF_PUNCT]


def test_single_space_issue_does_not_report_doubled_or_line_ends() -> None:
    assert text_issues(" 配电运检") == [text.ENDS]
    assert text_issues("配电  运检") == [text.DOUBLED]
    assert text_issues("第一段。  \n第二段") == [text.LINE_ENDS]  # not also PUNCT_SPACE


# --- normalize_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (" 配电运检QC小组  ", "配电运检QC小组"),
        ("配电  运检", "配电 运检"),
        ("配电\u3000运检", "配电运检"),  # full-width space between Chinese: dropped
        ("QC\u3000小组", "QC 小组"),  # next to Latin: one space
        ("配电\u3000 \u3000运检", "配电运检"),
        ("ＱＣ小组第１期", "QC小组第1期"),
        ("配电(运检)QC小组", "配电（运检）QC小组"),
        ("降低故障率,提高效率", "降低故障率，提高效率"),
        ("降低故障率, 提高效率", "降低故障率，提高效率"),  # no space left beside the comma
        ("一是;二是:三是", "一是；二是：三是"),
        ("小组(ISO)", "小组（ISO）"),  # the pair is converted together
        ("（ISO)", "（ISO）"),
        ("ISO 9001(2015)", "ISO 9001(2015)"),
        ("1,000元", "1,000元"),
        ("配\u200b电\ufeff运检\x07", "配电运检"),
        ("第一段\r\n第二段\r第三段", "第一段\n第二段\n第三段"),
        ("\u3000\u3000第一段。  \n\u3000\u3000第二段。\n\n", "第一段。\n第二段。"),
        ("第一段。\n\n第二段。", "第一段。\n\n第二段。"),  # paragraph breaks are kept
        ("配电\t运检", "配电 运检"),
        ("一、 小组概况", "一、小组概况"),
        ("（一） 课题背景", "（一）课题背景"),
        ("  \u3000 ", ""),
    ],
)
def test_normalize_text(before: str, after: str) -> None:
    assert normalize_text(before) == after


def test_normalize_keeps_chinese_punctuation_full_width() -> None:
    # NFKC would turn （）：，into ASCII; only letters and digits are narrowed.
    s = "小组概况（２０２４年）：成立，注册。"
    assert normalize_text(s) == "小组概况（2024年）：成立，注册。"


def test_normalize_long_summary_changes_only_the_problems() -> None:
    paragraph = "小组围绕降低配电线路故障停电时长开展活动，取得显著成效。" * 20
    messy = "\u3000\u3000" + paragraph + "  \n" + paragraph.replace("，", ",", 3) + "\u200b"
    fixed = normalize_text(messy)
    assert fixed == paragraph + "\n" + paragraph
    assert char_count(fixed) == 2 * char_count(paragraph)


# --- properties -------------------------------------------------------------------------------

# Characters that exercise every rule, mixed with arbitrary Unicode.
_TRICKY = st.sampled_from(
    list("配电运检小组QCa1 \u3000\t\n\r\u200b\u00a0\u2028\x0b\x07\ufeff(),;:（），、。ＱＣ１")
)
TEXTS = st.one_of(st.text(), st.text(_TRICKY), st.text(st.characters(codec=None)))
PROPS = settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(TEXTS)
def test_normalize_is_idempotent(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once


@PROPS
@given(TEXTS)
def test_no_issues_after_normalize(s: str) -> None:
    assert text_issues(normalize_text(s)) == []


@PROPS
@given(TEXTS)
def test_text_without_issues_is_left_alone(s: str) -> None:
    if not text_issues(s):
        assert normalize_text(s) == s


@PROPS
@given(TEXTS)
def test_issues_are_known_phrases(s: str) -> None:
    known = {
        text.ENDS,
        text.LINE_ENDS,
        text.DOUBLED,
        text.FULL_SPACE,
        text.TAB,
        text.ODD_SPACE,
        text.INVISIBLE,
        text.FULL_ALNUM,
        text.PUNCT_SPACE,
        text.HALF_PUNCT,
        text.MIXED_BRACKETS,
    }
    issues = text_issues(s)
    assert set(issues) <= known
    assert len(issues) == len(set(issues))


@PROPS
@given(TEXTS)
def test_char_count_never_raises_and_ignores_only_white_space(s: str) -> None:
    n = char_count(s)
    assert 0 <= n <= len(s)
    assert n == sum(1 for ch in s if not ch.isspace())


@PROPS
@given(TEXTS)
def test_normalize_never_adds_visible_characters(s: str) -> None:
    # it drops or swaps characters, never invents text
    assert char_count(normalize_text(s)) <= char_count(s)


def test_lone_surrogates_do_not_crash() -> None:
    assert normalize_text("配\ud800电") == "配电"
    assert text.INVISIBLE in text_issues("配\ud800电")


def test_zero_width_joiner_inside_an_emoji_is_part_of_the_picture() -> None:
    assert text_issues("👩\u200d🔧维修QC小组") == []
    assert normalize_text("👩\u200d🔧维修QC小组") == "👩\u200d🔧维修QC小组"
    assert text_issues("配电\u200d运检") != []
    assert normalize_text("配电\u200d运检") == "配电运检"


# --- the README says what is counted ------------------------------------------------------------


def _readme_char_count_section() -> str:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    start = readme.index("### 字数怎么算")
    return readme[start : readme.index("\n### ", start + 1)]


@pytest.mark.parametrize(("emoji", "count"), [("👨\u200d👩\u200d👧", 5), ("👍🏽", 2)])
def test_readme_counts_composed_emoji_as_xlqc_does(emoji: str, count: int) -> None:
    """The README names each composed emoji with the count char_count gives it (it once said an
    emoji counts one, which is true only of a single code point)."""
    section = _readme_char_count_section()
    assert char_count(emoji) == count
    assert emoji in section
    after = section[section.index(emoji) :]
    assert f"算 {count} 个" in after[: after.index("；")]
    assert "码位" in section
    assert "表情符号也算 1 个" not in section
