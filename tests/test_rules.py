"""Rules R01–R19 on real .xlsx workbooks: exact rule ids, cells, and what the messages say."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    GOOD_GROUP,
    GOOD_MEMBERS,
    GOOD_SETTINGS,
    GOOD_TOPICS,
    book_file,
    write_proofs,
    write_workbook,
)

from xlqc import schema
from xlqc.findings import Finding
from xlqc.proofs import Proof, ProofFolder
from xlqc.reading import build_book, read_book
from xlqc.rules import (
    RULES,
    Context,
    bad_emails,
    bad_phones,
    check,
    is_first_level,
    parent_problem,
    printed_topics,
    window_topics,
)

Hit = tuple[str, str, str]  # (rule, sheet, cell)


def run(
    tmp_path: Path,
    groups: list[dict[str, Any]] | None = None,
    topics: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
) -> list[Finding]:
    """Write the workbook (GOOD_* where not given) with its proof files, read it, check it."""
    path = book_file(tmp_path, groups, topics, members, settings)
    return check(read_book(path), file=str(path))


def hits(findings: list[Finding], severity: str | None = None) -> set[Hit]:
    return {(f.rule, f.sheet, f.cell) for f in findings if severity in (None, f.severity)}


def only(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule_id]


def group(**changes: Any) -> dict[str, Any]:
    return {**GOOD_GROUP, **changes}


def topic(i: int, **changes: Any) -> dict[str, Any]:
    return {**GOOD_TOPICS[i], **changes}


def topics_with(i: int, **changes: Any) -> list[dict[str, Any]]:
    """GOOD_TOPICS with topic ``i`` changed."""
    return [topic(j, **changes) if j == i else dict(t) for j, t in enumerate(GOOD_TOPICS)]


def member(name: str, **changes: Any) -> dict[str, Any]:
    return {"小组编号": "G001", "姓名": name, **changes}


# ----------------------------------------------------------------------------------------------
# The registry and the good book


def test_registry_has_every_rule_with_the_contract_severity() -> None:
    expected = {f"R{i:02d}": "error" for i in range(1, 20)}
    expected |= {"R15": "warning", "R16": "warning", "R17": "warning", "R18": "info"}
    expected["R20"] = "info"  # issue 14: a 推荐意见 still holding xlqc's draft
    assert {k: v.severity for k, v in RULES.items()} == expected
    assert all(info.id == key and info.title for key, info in RULES.items())


def test_good_book_has_no_finding(good_book: Path) -> None:
    findings = check(read_book(good_book), file="a.xlsx")
    assert findings == []


def test_findings_carry_file_and_group_and_are_sorted(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        groups=[group(联系部门=None), group(小组编号="G002", 小组名称="二组", 电话="12345")],
        topics=[*GOOD_TOPICS, topic(0, 小组编号="G002", 外部认可="省级")],
        members=[*GOOD_MEMBERS, member("赵六", 小组编号="G002")],
        settings={"推荐单位": None},
    )
    keys = [(f.sheet, f.cell, f.rule) for f in findings]
    assert keys[0] == ("设置", "B2", "R19")
    assert keys.index(("小组", "F2", "R01")) < keys.index(("小组", "A3", "R03"))
    assert keys.index(("小组", "A3", "R03")) < keys.index(("小组", "A3", "R14"))
    assert keys.index(("小组", "A3", "R14")) < keys.index(("小组", "I3", "R13"))
    assert keys.index(("小组", "I3", "R13")) < keys.index(("课题", "F4", "R12"))
    assert all(f.file == str(tmp_path / "总表.xlsx") for f in findings)
    by_cell = {(f.sheet, f.cell): f.group for f in findings}
    assert by_cell[("设置", "B2")] == ""
    assert by_cell[("小组", "F2")] == "G001"
    assert by_cell[("小组", "I3")] == "G002"
    assert by_cell[("课题", "F4")] == "G002"


# ----------------------------------------------------------------------------------------------
# R01 required


def test_r01_blank_required_cells_on_each_sheet(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        groups=[group(联系部门="  ", 推荐意见=None)],
        topics=topics_with(1, 成果水平=None),
        members=[*GOOD_MEMBERS[:4], {**GOOD_MEMBERS[4], "姓名": "\u3000"}],
    )
    assert hits(only(findings, "R01")) == {
        ("R01", "小组", "F2"),
        ("R01", "小组", "L2"),
        ("R01", "课题", "E3"),
        ("R01", "成员", "C6"),
    }
    message = next(f.message for f in findings if f.cell == "F2")
    assert message.startswith("小组!F2 联系部门为空")


def test_r01_group_without_members_points_at_its_code(tmp_path: Path) -> None:
    findings = run(tmp_path, members=[])
    assert hits(findings) == {("R01", "小组", "A2")}
    assert "「G001」" in findings[0].message and "成员" in findings[0].message


# ----------------------------------------------------------------------------------------------
# R02 registration


def test_r02_registered_less_than_three_years(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(注册日期=date(2024, 5, 1))])
    assert hits(findings) == {("R02", "小组", "D2")}
    message = findings[0].message
    assert message.startswith("小组!D2 注册日期「2024-05-01」不满三年")
    assert "应不晚于 2023-10-30" in message and "基准日期 2026-10-30" in message


@pytest.mark.parametrize(
    ("registered", "breach"),
    [
        (date(2023, 10, 30), None),  # exactly three years: eligible
        (date(2023, 10, 31), "不满三年"),
        ("2023.9", None),  # the whole month is early enough
        ("2023年10月", "只填到月"),  # 10-01 is fine, 10-31 is not: ask for the day
        ("2023.11", "不满三年"),
    ],
)
def test_r02_boundary_and_month_precision(
    tmp_path: Path, registered: Any, breach: str | None
) -> None:
    findings = only(run(tmp_path, groups=[group(注册日期=registered)]), "R02")
    if breach is None:
        assert findings == []
    else:
        assert [f.cell for f in findings] == ["D2"]
        assert breach in findings[0].message
        assert ("只填到月" in findings[0].message) == (breach == "只填到月")


def test_r02_follows_the_configured_reference_date(tmp_path: Path) -> None:
    settings = {**GOOD_SETTINGS, "基准日期": "2022-01-01"}
    topics = [
        topic(0, 活动开始="2020.3", 活动结束="2020.10"),
        topic(1, 活动开始="2021.3", 活动结束="2021.10"),
    ]
    assert hits(run(tmp_path, topics=topics, settings=settings)) == {("R02", "小组", "D2")}


# ----------------------------------------------------------------------------------------------
# R03 / R04 / R18 window


def test_r03_fewer_than_two_window_topics_and_r18_for_the_old_one(tmp_path: Path) -> None:
    old = topic(1, 活动开始="2022.3", 活动结束="2023-10-30", 成果报告="nowhere.docx")
    findings = run(tmp_path, topics=[GOOD_TOPICS[0], old])
    # the old topic's missing report is not R14's business: it is not counted
    assert hits(findings) == {("R03", "小组", "A2"), ("R18", "课题", "D3")}
    r03 = only(findings, "R03")[0]
    assert "完成课题 1 项" in r03.message and "2023-10-31 至 2026-10-30" in r03.message
    assert "1 项不在统计期内" in r03.message
    r18 = only(findings, "R18")[0]
    assert r18.severity == "info"
    assert r18.message.startswith(
        "课题!D3 活动结束「2023-10-30」不在统计期 2023-10-31 至 2026-10-30"
    )


def test_window_boundaries(tmp_path: Path) -> None:
    topics = [
        topic(0, 活动开始="2023.1", 活动结束="2023-10-31"),  # first day of the window
        topic(1, 活动开始="2023.1", 活动结束="2023年10月"),  # a month that reaches the window
    ]
    path = write_workbook(tmp_path / "b.xlsx", [GOOD_GROUP], topics, GOOD_MEMBERS)
    book = read_book(path)
    assert [t.row for t in window_topics(book, "G001")] == [2, 3]
    assert window_topics(book, "G999") == []


def test_r04_no_first_level_topic(tmp_path: Path) -> None:
    findings = run(tmp_path, topics=topics_with(0, 成果水平="二等奖"))
    assert hits(findings) == {("R04", "小组", "A2")}
    assert "「二等奖」「二等」" in findings[0].message
    assert "一等；" not in findings[0].message and "一等、一等奖" in findings[0].message


@pytest.mark.parametrize("level", ["一等", " 一 等 ", "一等奖", "特等奖", "Ⅰ类", "I类"])
def test_r04_first_level_matched_loosely(tmp_path: Path, level: str) -> None:
    findings = run(tmp_path, topics=topics_with(0, 成果水平=level))
    assert not only(findings, "R04")
    assert not only(findings, "R12")


def test_r04_first_level_from_settings(tmp_path: Path) -> None:
    settings = {**GOOD_SETTINGS, "一等水平取值": "金奖；一等"}
    findings = run(tmp_path, topics=topics_with(0, 成果水平="金奖"), settings=settings)
    assert findings == []
    settings = {**GOOD_SETTINGS, "一等水平取值": "金奖"}
    findings = run(tmp_path, settings=settings)  # 一等 no longer counts
    assert hits(findings) == {("R04", "小组", "A2")}


def test_r04_counts_window_topics_only(tmp_path: Path) -> None:
    old_first = topic(0, 活动开始="2021.1", 活动结束="2021.12")
    second = topic(1, 课题名称="第三项", 活动开始="2024.1", 活动结束="2024.6")
    findings = run(tmp_path, topics=[old_first, GOOD_TOPICS[1], second])
    assert hits(findings) == {("R04", "小组", "A2"), ("R18", "课题", "D2")}


def test_is_first_level_uses_settings(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "b.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    book = read_book(path)
    assert [is_first_level(book, t) for t in book.topics] == [True, False]


# ----------------------------------------------------------------------------------------------
# R05 members, R10 unknown group


def test_r05_more_than_ten_members(tmp_path: Path) -> None:
    names = [
        "王晓东",
        "李明",
        "张华",
        "刘洋",
        "陈静",
        "杨帆",
        "黄磊",
        "赵敏",
        "吴刚",
        "周婷",
        "徐亮",
    ]
    members = [member(n, 能力证明="proofs/cert.pdf") for n in names]
    findings = run(tmp_path, members=members)
    assert hits(findings) == {("R05", "小组", "A2")}
    assert "11 人" in findings[0].message and "第 12 行" in findings[0].message


def test_members_of_unknown_group_are_r10_not_r05(tmp_path: Path) -> None:
    strays = [member(f"成员{i}", 小组编号="G009") for i in range(11)]
    findings = run(tmp_path, members=[*GOOD_MEMBERS, *strays])
    assert hits(findings) == {("R10", "成员", f"A{r}") for r in range(7, 18)}


def test_r10_topic_of_unknown_group_with_a_hint(tmp_path: Path) -> None:
    stray = topic(1, 小组编号="g001", 课题名称="第三项")
    findings = run(tmp_path, topics=[*GOOD_TOPICS, stray])
    assert hits(findings) == {("R10", "课题", "A4")}
    assert findings[0].message.startswith("课题!A4 小组编号「g001」不在「小组」表中")
    assert "是否应为「G001」" in findings[0].message
    assert findings[0].group == "g001"


# ----------------------------------------------------------------------------------------------
# R06 / R07 length (Word's 字符数(不计空格))


def test_r06_summary_over_3000_characters(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(活动综述="质" * 3125)])
    assert hits(findings) == {("R06", "小组", "K2")}
    assert (
        findings[0].message == "小组!K2 活动综述 3125 字，超过 3000 字上限（按字符数不计空格统计）"
    )


def test_r06_spaces_do_not_count(tmp_path: Path) -> None:
    text = "质量 " * 1500 + "\n"  # 3000 characters without white space
    assert only(run(tmp_path, groups=[group(活动综述=text)]), "R06") == []


def test_r07_opinion_over_300_characters(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(推荐意见="同意推荐。" * 61)])
    assert hits(findings) == {("R07", "小组", "L2")}
    assert "305 字，超过 300 字上限" in findings[0].message


# ----------------------------------------------------------------------------------------------
# R08 dates


def test_r08_unreadable_date_is_r08_only(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(注册日期="2019年13月")])
    assert hits(findings) == {("R08", "小组", "D2")}
    message = findings[0].message
    assert message.startswith("小组!D2 注册日期「2019年13月」无法识别")
    assert "2024-03-01" in message  # says what is expected


def test_r08_unreadable_end_gives_no_r03_r04_noise_but_its_proofs_are_checked(
    tmp_path: Path,
) -> None:
    """The topic counts once its date is fixed: its missing 成果报告 is said now (R14 on H2),
    not after the clerk has fixed the date."""
    findings = run(tmp_path, topics=topics_with(0, 活动结束="去年十一月", 成果报告=None))
    assert hits(findings) == {("R08", "课题", "D2"), ("R14", "课题", "H2")}
    fixed = run(tmp_path / "fixed", topics=topics_with(0, 活动结束="2024-11-30", 成果报告=None))
    assert hits(fixed) == {("R14", "课题", "H2")}  # nothing new once the date is right


def test_r08_start_after_end(tmp_path: Path) -> None:
    findings = run(tmp_path, topics=topics_with(0, 活动开始="2024-12-01"))
    assert hits(findings) == {("R08", "课题", "C2")}
    assert "活动结束「2024-11-30」" in findings[0].message


def test_r08_same_month_is_not_start_after_end(tmp_path: Path) -> None:
    assert run(tmp_path, topics=topics_with(0, 活动开始="2024-11-20", 活动结束="2024.11")) == []


def test_r08_dates_after_the_reference_date(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        groups=[group(注册日期=date(2027, 1, 5))],
        topics=topics_with(1, 活动结束="2026-11-15"),
    )
    # no R02 for the registration and no R18 / R03 for the topic: the date is wrong
    assert hits(findings) == {("R08", "小组", "D2"), ("R08", "课题", "D3")}
    assert "晚于基准日期 2026-10-30" in only(findings, "R08")[1].message


# R08 says what follows from a date it reports, so that fixing the date brings no new error that
# the clerk was not told about.

COUNT_SHORT = "此课题不计入近三年课题：计入后仅 1 项，不满足近三年至少两项"
ONLY_FIRST = "唯一的一等水平课题不计入，不满足一等水平要求"
ANNOUNCED = {"R03": "不满足近三年至少两项", "R04": "不满足一等水平要求"}


def _errors_after_fixing(
    tmp_path: Path, topics: list[dict[str, Any]], i: int, end: Any
) -> set[str]:
    fixed = [dict(t, 活动结束=end) if j == i else t for j, t in enumerate(topics)]
    found = run(tmp_path / f"fixed-{end}", topics=fixed)
    return {f.rule for f in found if f.severity == "error"}


def test_r08_after_the_reference_date_says_the_topic_count_falls_short(tmp_path: Path) -> None:
    """The second of two topics ends one day after 基准日期: R08 only (no R03), and its message
    says that, not counted, the group has one topic."""
    topics = topics_with(1, 活动结束="2026-10-31")
    findings = run(tmp_path, topics=topics)
    assert hits(findings) == {("R08", "课题", "D3")}
    assert findings[0].message == (
        "课题!D3 活动结束「2026-10-31」晚于基准日期 2026-10-30：应不晚于 2026-10-30；" + COUNT_SHORT
    )


def test_r08_unreadable_end_of_the_only_first_level_topic_says_r04_follows(
    tmp_path: Path,
) -> None:
    third = topic(1, 课题名称="第三项", 活动结束="2025-06-30")
    topics = [topic(0, 活动结束="2024年13月"), GOOD_TOPICS[1], third]
    findings = run(tmp_path, topics=topics)
    assert hits(findings) == {("R08", "课题", "D2")}
    assert findings[0].message.endswith("；此课题不计入近三年课题：" + ONLY_FIRST)
    assert COUNT_SHORT not in findings[0].message  # two topics count without it


def test_r08_both_consequences_in_one_message(tmp_path: Path) -> None:
    findings = run(tmp_path, topics=topics_with(0, 活动结束="去年十一月"))
    assert hits(findings) == {("R08", "课题", "D2")}
    assert findings[0].message.endswith(
        "此课题不计入近三年课题：计入后仅 1 项，不满足近三年至少两项；" + ONLY_FIRST
    )


def test_r08_says_nothing_more_where_r03_says_it_already(tmp_path: Path) -> None:
    findings = run(tmp_path, topics=[topic(1, 活动结束="2027.1")])  # one topic, after 基准日期
    assert hits(findings) == {("R08", "课题", "D2"), ("R03", "小组", "A2"), ("R04", "小组", "A2")}
    assert "此课题不计入" not in only(findings, "R08")[0].message


@pytest.mark.parametrize(
    ("i", "bad", "fixes"),
    [
        (1, "2026-10-31", ["2026-10-30", "2023-10-30", "2022.5"]),
        (0, "去年十一月", ["2024-11-30", "2023-10-30", "2023.9"]),
        (1, "2023.10", ["2023-10-31", "2023-10-30", "2023-10-01"]),  # month across the start
        (1, "2026.10", ["2026-10-30", "2026-10-31"]),  # month across the end
    ],
)
def test_fixing_a_reported_date_brings_no_unannounced_error(
    tmp_path: Path, i: int, bad: str, fixes: list[str]
) -> None:
    """Whatever day the clerk then types, every new error was announced by the date's finding."""
    topics = topics_with(i, 活动开始="2022.3", 活动结束=bad)
    before = run(tmp_path / "before", topics=topics)
    said = " ".join(f.message for f in before if f.rule == "R08")
    assert said, before
    old = {f.rule for f in before if f.severity == "error"}
    for fix in fixes:
        new = _errors_after_fixing(tmp_path, topics, i, fix) - old - {"R08", "R18"}
        unannounced = {rule for rule in new if ANNOUNCED.get(rule, "?") not in said}
        assert not unannounced, (fix, new, said)


@pytest.mark.parametrize(
    ("end", "straddles"),
    [
        ("2023.10", True),  # 10-01 … 10-31: the 统计期 starts on 10-31
        ("2023年10月", True),
        ("2023.11", False),
        ("2026.10", True),  # 10-01 … 10-31: the 统计期 ends on 10-30
        ("2026.9", False),
        ("2023-10-31", False),
    ],
)
def test_month_only_end_across_a_window_boundary_is_a_warning(
    tmp_path: Path, end: str, straddles: bool
) -> None:
    """活动结束 2023.10 counted silently although the 统计期 starts on 2023-10-31 (R02 already asked
    for the day of a registration month across its limit). Now it is counted, with a warning
    that names the topic, says so and asks for the day."""
    findings = run(tmp_path, topics=topics_with(1, 活动开始="2022.3", 活动结束=end))
    if not straddles:
        assert findings == []
        return
    assert hits(findings) == {("R08", "课题", "D3")}
    warning = findings[0]
    assert warning.severity == "warning"
    assert warning.message == (
        f"课题!D3 活动结束「{end}」只填到月，无法确认是否在统计期 2023-10-31 至 2026-10-30 内："
        "课题「提高配网自动化终端在线率」暂按统计期内计入，请填写具体日期；"
        f"若实际在统计期外，{COUNT_SHORT}"
    )


def test_month_only_end_across_the_start_still_counts_and_prints(tmp_path: Path) -> None:
    path = book_file(tmp_path, topics=topics_with(1, 活动开始="2022.3", 活动结束="2023.10"))
    book = read_book(path)
    assert [t.row for t in window_topics(book, "G001")] == [2, 3]
    assert [t.row for t in printed_topics(book, "G001")] == [2, 3]


def test_month_only_registration_across_its_limit_stays_an_error(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(注册日期="2023.10")])
    assert [(f.rule, f.severity) for f in findings] == [("R02", "error")]
    assert "只填到月，无法确认是否满三年，请填写具体日期" in findings[0].message


# ----------------------------------------------------------------------------------------------
# R09 duplicates


def test_r09_duplicate_code_marks_the_second(tmp_path: Path) -> None:
    second = group(小组名称="变电检修QC小组")
    findings = run(tmp_path, groups=[GOOD_GROUP, second])
    assert hits(findings) == {("R09", "小组", "A3")}
    assert "小组!A2" in findings[0].message


def test_r09_same_org_and_name_after_normalising(tmp_path: Path) -> None:
    second = group(
        小组编号="G002",
        组织名称=" 国网江苏省电力有限公司 泰州供电分公司",
        小组名称="配电运检ＱＣ小组",
    )
    findings = only(run(tmp_path, groups=[GOOD_GROUP, second]), "R09")
    assert [(f.cell, f.group) for f in findings] == [("C3", "G002")]
    assert "小组!C2" in findings[0].message and "「G001」" in findings[0].message


def test_r09_same_name_in_another_org_is_fine(tmp_path: Path) -> None:
    other = group(小组编号="G002", 组织名称="国网江苏省电力有限公司扬州供电分公司")
    assert only(run(tmp_path, groups=[GOOD_GROUP, other]), "R09") == []


# ----------------------------------------------------------------------------------------------
# R11 member names


def test_r11_joined_names_and_duplicates(tmp_path: Path) -> None:
    members = [
        *GOOD_MEMBERS,
        member("赵六、孙七"),
        member("周八，吴九"),
        member("郑十 冯十一"),  # probably two people: warning
        member("李 明"),  # 李明 again, spaced
        member("欧阳 娜娜"),  # one person with a compound surname
        member("张 蕾"),  # one person, spaced as in the notice
    ]
    findings = only(run(tmp_path, members=members), "R11")
    assert hits(findings, "error") == {
        ("R11", "成员", "C7"),
        ("R11", "成员", "C8"),
        ("R11", "成员", "C10"),
    }
    assert hits(findings, "warning") == {("R11", "成员", "C9")}
    by_cell = {f.cell: f.message for f in findings}
    assert "「、」" in by_cell["C7"] and "一行只填一人" in by_cell["C7"]
    assert "「，」" in by_cell["C8"]
    assert by_cell["C10"].startswith("成员!C10 姓名「李 明」与 成员!C3 重复")


def test_r11_same_name_in_two_groups_is_fine(tmp_path: Path) -> None:
    second = group(小组编号="G002", 小组名称="二组")
    members = [*GOOD_MEMBERS, *({**m, "小组编号": "G002"} for m in GOOD_MEMBERS)]
    topics = [*GOOD_TOPICS, *({**t, "小组编号": "G002"} for t in GOOD_TOPICS)]
    assert run(tmp_path, groups=[GOOD_GROUP, second], topics=topics, members=members) == []


# ----------------------------------------------------------------------------------------------
# R12 choices


def test_r12_values_outside_the_lists(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        groups=[group(是否推荐="同意")],
        topics=[
            topic(0, 外部认可="省级"),
            topic(1, 外部认可="地方、行业级", 成果水平="银质奖", 认可证明="proofs/award1.pdf"),
        ],
    )
    assert hits(findings, "error") == {("R12", "小组", "M2"), ("R12", "课题", "F2")}
    assert hits(findings, "warning") == {("R12", "课题", "E3")}
    by_cell = {f.cell: f.message for f in findings}
    assert by_cell["M2"].startswith("小组!M2 是否推荐「同意」不在允许范围")
    assert "「国家级」「地方、行业级」「无」" in by_cell["F2"]
    assert "「银质奖」" in by_cell["E3"] and "一等水平取值" in by_cell["E3"]


@pytest.mark.parametrize("value", ["否", "是", " 是 ", None])
def test_r12_recommend_accepted(tmp_path: Path, value: str | None) -> None:
    assert only(run(tmp_path, groups=[group(是否推荐=value)]), "R12") == []


def test_r12_recognition_lenient_on_spacing_only(tmp_path: Path) -> None:
    spaced = topic(1, 外部认可="地方、 行业级", 认可证明="proofs/award1.pdf")
    slashed = topic(1, 课题名称="第三项", 外部认可="地方/行业级", 认可证明="proofs/award1.pdf")
    findings = run(tmp_path, topics=[GOOD_TOPICS[0], spaced, slashed])
    assert hits(findings, "error") == {("R12", "课题", "F4")}
    assert hits(findings, "warning") == {("R17", "课题", "F3")}  # the space is R17's


# ----------------------------------------------------------------------------------------------
# R13 phone and e-mail


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "138-1234-5678",
        "+86 13812345678",
        "0523-86012345",
        "052386012345",
        "0523 86012345",
        "(010)68416388",
        "（010）68416388；68416376",  # the notice's own form
        "010-68416388-8001",
        "0523-86012345转8001",
        "0523-86012345 ext. 8001",
        "13812345678；0523-86012345",
        "13812345678, 13987654321",
        "13812345678 13987654321",
        "13812345678、13987654321",
        "13812345678/0523-86012345",
        "１３８１２３４５６７８",  # full width: R17's business, not R13's
    ],
)
def test_r13_good_phones(phone: str) -> None:
    assert bad_phones(phone) == []


@pytest.mark.parametrize(
    ("phone", "bad"),
    [
        ("1381234567", ["1381234567"]),
        ("138123456789", ["138123456789"]),
        ("12812345678", ["12812345678"]),
        ("86012345", ["86012345"]),  # no area code
        ("0523-860123", ["0523-860123"]),
        ("13812345678；电话待定", ["电话待定"]),
        ("手机13812345678", ["手机13812345678"]),
    ],
)
def test_r13_bad_phones(phone: str, bad: list[str]) -> None:
    assert bad_phones(phone) == bad


@pytest.mark.parametrize(
    ("email", "bad"),
    [
        ("wangxd@js.sgcc.com.cn", []),
        ("qc@caq.org.cn；wang_xd+qc@163.com", []),
        ("a@b.cn, c.d@qq.com", []),
        ("wangxd@js", ["wangxd@js"]),
        ("wangxd＠163.com", ["wangxd＠163.com"]),
        ("wang..xd@163.com", ["wang..xd@163.com"]),
        ("王晓东@163.com", ["王晓东@163.com"]),
        ("wangxd@163.com 待补", ["待补"]),
    ],
)
def test_r13_emails(email: str, bad: list[str]) -> None:
    assert bad_emails(email) == bad


def test_r13_findings_name_the_bad_piece(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(电话="13812345678；8601234", 邮箱="wangxd＠163.com")])
    assert hits(findings) == {("R13", "小组", "I2"), ("R13", "小组", "J2")}
    phone, email = findings
    assert phone.message.startswith("小组!I2 电话「13812345678；8601234」格式不对：「8601234」")
    assert "带区号的座机" in phone.message
    assert "「wangxd＠163.com」" in email.message and "全角" in email.message


def test_r13_phone_stored_as_number(tmp_path: Path) -> None:
    assert run(tmp_path, groups=[group(电话=13812345678)]) == []


# ----------------------------------------------------------------------------------------------
# R14 proofs


def test_r14_report_missing_wrong_type_or_empty(tmp_path: Path) -> None:
    third = topic(1, 课题名称="第三项", 成果报告=None)
    findings = run(
        tmp_path,
        topics=[
            topic(0, 成果报告="proofs/report9.docx"),
            topic(1, 成果报告="proofs/award1.pdf"),
            third,
        ],
    )
    assert hits(findings) == {("R14", "课题", "H2"), ("R14", "课题", "H3"), ("R14", "课题", "H4")}
    by_cell = {f.cell: f.message for f in findings}
    assert "找不到文件「proofs/report9.docx」" in by_cell["H2"]
    assert "「proofs/award1.pdf」不是 Word 文件" in by_cell["H3"]
    assert by_cell["H4"].startswith("课题!H4 成果报告为空")


def test_r14_recognition_proof_needed_for_national_and_regional(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        topics=[
            topic(0, 认可证明=None),
            topic(1, 外部认可="地方、行业级", 认可证明="proofs/gone.pdf"),
            topic(1, 课题名称="第三项", 外部认可="无", 认可证明=None),
        ],
    )
    assert hits(findings) == {("R14", "课题", "I2"), ("R14", "课题", "I3")}
    assert "「国家级」" in only(findings, "R14")[0].message


def test_r14_several_paths_and_absolute_and_windows_separators(tmp_path: Path) -> None:
    absolute = str(tmp_path / "proofs" / "report1.docx")
    findings = run(
        tmp_path,
        topics=[
            topic(0, 成果报告=absolute, 认可证明="proofs\\award1.pdf；proofs/missing.pdf"),
            GOOD_TOPICS[1],
        ],
    )
    assert hits(findings) == {("R14", "课题", "I2")}
    assert "「proofs/missing.pdf」" in findings[0].message


def test_r14_no_member_has_a_certificate(tmp_path: Path) -> None:
    members = [{**m, "能力证明": None} for m in GOOD_MEMBERS]
    findings = run(tmp_path, members=members)
    assert hits(findings) == {("R14", "小组", "A2")}
    assert "没有任何成员填写「能力证明」" in findings[0].message


def test_r14_certificates_listed_but_missing(tmp_path: Path) -> None:
    members = [
        {**m, "能力证明": "proofs/cert-old.pdf" if i < 2 else None}
        for i, m in enumerate(GOOD_MEMBERS)
    ]
    findings = run(tmp_path, members=members)
    assert hits(findings) == {("R14", "小组", "A2"), ("R14", "成员", "D2"), ("R14", "成员", "D3")}
    assert "都找不到" in only(findings, "R14")[0].message


def test_r14_one_certificate_is_enough_but_missing_ones_are_reported(tmp_path: Path) -> None:
    members = [*GOOD_MEMBERS[:4], {**GOOD_MEMBERS[4], "能力证明": "proofs/none.pdf"}]
    assert hits(run(tmp_path, members=members)) == {("R14", "成员", "D6")}


def test_r14_file_checks_are_cached(
    tmp_path: Path, good_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = read_book(good_book)
    calls: list[str] = []
    real = ProofFolder.locate

    def counting(self: ProofFolder, typed: str) -> Proof:
        calls.append(typed)
        return real(self, typed)

    monkeypatch.setattr(ProofFolder, "locate", counting)
    ctx = Context(book)
    assert ctx.file_exists("proofs/cert.pdf") and ctx.file_exists("proofs/cert.pdf")
    assert not ctx.file_exists("proofs/none.pdf") and not ctx.file_exists("proofs/none.pdf")
    assert len(calls) == 2


# ----------------------------------------------------------------------------------------------
# R15 more than three topics, printed_topics


def test_r15_says_which_three_are_printed(tmp_path: Path) -> None:
    topics = [
        topic(1, 课题名称="甲 二等 无 2024", 活动开始="2024.1", 活动结束="2024.6"),
        topic(1, 课题名称="乙 二等 地方 2024", 活动开始="2024.1", 活动结束="2024.5", 外部认可="地方、行业级", 认可证明="proofs/award1.pdf"),
        topic(1, 课题名称="丙 二等 无 2026", 活动开始="2026.1", 活动结束="2026.6"),
        topic(0, 课题名称="丁 一等 国家 2024", 活动开始="2024.1", 活动结束="2024.3"),
        topic(1, 课题名称="戊 二等 国家 2025", 活动开始="2024.9", 活动结束="2025.1", 外部认可="国家级", 认可证明="proofs/award1.pdf"),
    ]  # fmt: skip
    findings = run(tmp_path, topics=topics)
    assert hits(findings) == {("R15", "小组", "A2")}
    message = findings[0].message
    assert "近三年课题 5 项" in message
    assert (
        "「丁 一等 国家 2024」（B5）「戊 二等 国家 2025」（B6）「乙 二等 地方 2024」（B3）"
        in message
    )
    book = read_book(tmp_path / "总表.xlsx")
    assert [t.title[0] for t in printed_topics(book, "G001")] == ["丁", "戊", "乙"]


def test_printed_topics_latest_first_among_equals(tmp_path: Path) -> None:
    topics = [
        topic(1, 课题名称="A", 活动开始="2024.1", 活动结束="2024.6"),
        topic(1, 课题名称="B", 活动开始="2025.1", 活动结束="2025.6"),
        topic(
            1, 课题名称="C", 活动开始="2021.1", 活动结束="2021.6"
        ),  # outside the window: never printed
    ]
    path = write_workbook(tmp_path / "b.xlsx", [GOOD_GROUP], topics, GOOD_MEMBERS)
    assert [t.title for t in printed_topics(read_book(path), "G001")] == ["B", "A"]


# ----------------------------------------------------------------------------------------------
# R16 organisation carrying its parent


@pytest.mark.parametrize(
    "org",
    [
        "国网江苏省电力有限公司泰州供电分公司",
        "中国石油化工股份有限公司镇海炼化分公司",
        "中国移动通信集团江苏有限公司",
        "中国移动通信集团江苏有限公司南京分公司",
        "宝山钢铁股份有限公司",
        "中国石油天然气股份有限公司长庆油田分公司第三采油厂",
        "国家电网有限公司华东分部",
        "中国工商银行股份有限公司泰州分行营业部",
        "北京协和医院",
        "中国航天科工集团第二研究院",
        "中国铁路上海局集团有限公司南京工务段",
        "海尔集团公司",
        "中国建筑第八工程局有限公司",
        "一汽-大众汽车有限公司",
        "中国石化销售股份有限公司江苏南京石油分公司",
        "国网上海市电力公司",
        "江苏省人民医院",
        "苏州科达科技股份有限公司",
        "中国电信股份有限公司南京分公司网络运维中心",
    ],
)
def test_r16_legit_names(org: str) -> None:
    assert parent_problem(org) == ""


@pytest.mark.parametrize(
    ("org", "why"),
    [
        ("中铁一局集团有限公司第五工程有限公司", "2 个完整的「公司」"),
        ("中国华能集团有限公司华能国际电力股份有限公司", "2 个完整的「公司」"),
        ("中国石油天然气集团公司大庆石化公司", "2 个完整的「公司」"),
        ("上海汽车集团股份有限公司上汽大众汽车有限公司", "2 个完整的「公司」"),
        ("国网江苏省电力有限公司泰州供电分公司运维检修部", "「部」"),
        ("国网泰州供电公司变电运维车间", "「车间」"),
        ("宝山钢铁股份有限公司炼钢厂转炉车间", "「车间」"),
        ("中国石油天然气股份有限公司长庆油田分公司第三采油厂第一作业区", "「作业区」"),
        ("中铁十四局集团有限公司济南地铁项目部", "「项目部」"),
        ("中国建筑第八工程局有限公司上海分公司第三项目经理部", "「项目经理部」"),
        ("江苏省人民医院检验科", "「科」"),
        ("国网泰州供电公司配电运检班", "「班」"),
        ("徐工集团工程机械股份有限公司质量管理部", "「部」"),
        ("中车戚墅堰机车有限公司检修车间电机班组", "「班组」"),
        ("国网江苏省电力有限公司 泰州供电分公司 配电运检QC小组", "「小组」"),
    ],
)
def test_r16_suspicious_names(org: str, why: str) -> None:
    assert why in parent_problem(org)


def test_r16_finding(tmp_path: Path) -> None:
    findings = run(tmp_path, groups=[group(组织名称="中铁一局集团有限公司第五工程有限公司")])
    assert hits(findings) == {("R16", "小组", "B2")}
    assert findings[0].severity == "warning"
    assert findings[0].message.startswith(
        "小组!B2 组织名称「中铁一局集团有限公司第五工程有限公司」"
    )
    assert "以公章为准" in findings[0].message


# ----------------------------------------------------------------------------------------------
# R17 text


def test_r17_text_cells_but_not_dates_or_paths(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        groups=[
            group(组织名称=" 国网江苏省电力有限公司泰州供电分公司", 小组名称="配电运检ＱＣ１小组")
        ],
        topics=topics_with(1, 活动开始=" 2025.3", 成果报告="proofs/report2.docx  "),
        members=[*GOOD_MEMBERS[:4], {**GOOD_MEMBERS[4], "姓名": "陈\u200b静"}],
    )
    assert hits(findings) == {("R17", "小组", "B2"), ("R17", "小组", "C2"), ("R17", "成员", "C6")}
    assert all(f.severity == "warning" for f in findings)
    by_cell = {f.cell: f.message for f in findings}
    assert by_cell["B2"].startswith("小组!B2 组织名称「 国网")
    assert "xlqc normalize" in by_cell["C2"] and "规范文本" in by_cell["C2"]
    assert "<U+200B>" in by_cell["C6"]  # the invisible character made visible


# ----------------------------------------------------------------------------------------------
# R19 settings


def test_r19_unit_missing_key_points_at_b1(tmp_path: Path) -> None:
    findings = run(tmp_path, settings={"基准日期": date(2026, 10, 30)})
    assert hits(findings) == {("R19", "设置", "B1")}
    assert "没有「推荐单位」" in findings[0].message


def test_r19_empty_unit_and_unreadable_date_at_their_cells(tmp_path: Path) -> None:
    findings = run(tmp_path, settings={"推荐单位": " ", "基准日期": "明年十月"})
    assert hits(findings) == {("R19", "设置", "B2"), ("R19", "设置", "B3")}
    unit, ref = findings
    assert unit.message.startswith("设置!B2 推荐单位为空")
    assert ref.message.startswith("设置!B3 基准日期「明年十月」无法识别")
    assert all(f.group == "" for f in findings)


def test_r19_window_start_after_end_is_the_only_finding(tmp_path: Path) -> None:
    settings = {**GOOD_SETTINGS, "统计期起": "2026-10-01", "统计期止": "2024-01-01"}
    findings = run(tmp_path, settings=settings)
    # the 统计期 is empty: no R03/R04/R18 for every group and topic, only the cause
    assert [(f.rule, f.cell, f.message.split("：")[0]) for f in findings] == [
        ("R19", "B4", "设置!B4 统计期起「2026-10-01」晚于统计期止 2024-01-01")
    ]


def test_custom_window(tmp_path: Path) -> None:
    settings = {**GOOD_SETTINGS, "统计期起": "2024-01-01", "统计期止": "2025年6月"}
    findings = run(tmp_path, settings=settings)
    assert hits(findings) == {("R03", "小组", "A2"), ("R18", "课题", "D3")}
    assert "2024-01-01 至 2025-06-30" in findings[0].message


# ----------------------------------------------------------------------------------------------
# Scale


def _grids(groups: int) -> dict[str, list[list[Any]]]:
    heads = {s: [c.header for c in cols] for s, cols in schema.DATA_SHEETS.items()}
    grid: dict[str, list[list[Any]]] = {s: [h] for s, h in heads.items()}
    grid[schema.SETTINGS_SHEET] = [["推荐单位", "江苏省质量协会"], ["基准日期", "2026-10-30"]]

    def row(sheet: str, values: dict[str, Any]) -> list[Any]:
        return [values.get(h) for h in heads[sheet]]

    for g in range(groups):
        code = f"G{g:05d}"
        grid[schema.GROUP_SHEET].append(row(schema.GROUP_SHEET, {**GOOD_GROUP, "小组编号": code, "小组名称": f"第{g}小组", "活动综述": "质" * 2500}))  # fmt: skip
        for t in range(4):
            grid[schema.TOPIC_SHEET].append(row(schema.TOPIC_SHEET, {**GOOD_TOPICS[t % 2], "小组编号": code, "成果报告": f"proofs/r{g}-{t}.docx"}))  # fmt: skip
        for m in range(8):
            grid[schema.MEMBER_SHEET].append(row(schema.MEMBER_SHEET, {**GOOD_MEMBERS[m % 5], "小组编号": code, "姓名": f"成员{m}"}))  # fmt: skip
    return grid


def test_national_office_scale_gives_exactly_the_expected_findings(tmp_path: Path) -> None:
    # Speed is measured by benchmarks/run.py, not asserted here.
    write_proofs(tmp_path)
    for g in range(2000):
        for t in range(4):
            (tmp_path / "proofs" / f"r{g}-{t}.docx").touch()
    book = build_book(_grids(2000), tmp_path / "全国.xlsx")
    assert (len(book.topics), len(book.members)) == (8000, 16000)
    findings = check(book)
    # every group has four topics in the window (R15), nothing else is wrong
    assert hits(findings) == {("R15", "小组", f"A{r}") for r in range(2, 2002)}
