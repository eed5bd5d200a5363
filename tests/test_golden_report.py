"""The full report on the bundled sample workbook, reviewed as text.

Regenerate after a reviewed change with ``XLQC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_report.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import check_golden

from xlqc import report
from xlqc.validate import validate_book

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.skipif(
    not (ROOT / "workbook").is_dir(), reason="needs the source tree's workbook/ folder"
)
def test_sample_workbook_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = validate_book(Path("workbook/示例总表.xlsx"))
    assert result.error is None
    check_golden(GOLDEN / "sample_report.txt", report.plain_text([result]))
    check_golden(GOLDEN / "sample_findings.json", report.to_json(result.findings) + "\n")
    # the sample exists to show each deliberate breach once; one of each kind at least
    rules = {f["rule"] for f in json.loads((GOLDEN / "sample_findings.json").read_text("utf-8"))}
    assert {"R02", "R03", "R04", "R05", "R06", "R13", "R14", "R15", "R16", "R17", "R18"} <= rules


def test_date_consequences_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full report on dates whose finding says what follows (issue 15): a topic ending after
    基准日期, the only 一等 topic with an unreadable end, a month across the 统计期's start."""
    from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook

    def rows(code: str, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        group = {**GOOD_GROUP, "小组编号": code, "小组名称": name}
        return group, [{**m, "小组编号": code} for m in GOOD_MEMBERS]

    first, second = ({**t, "活动开始": "2023.3"} for t in GOOD_TOPICS)
    cases = {
        ("G001", "配电运检QC小组"): [first, {**second, "活动结束": "2026-10-31"}],
        ("G002", "设备QC小组"): [
            {**first, "活动结束": "2024年13月"},
            second,
            {**second, "课题名称": "降低主变油温超限次数", "活动结束": "2025-06-30"},
        ],
        ("G003", "党建QC小组"): [first, {**second, "活动开始": "2022.3", "活动结束": "2023.10"}],
    }
    groups, topics, members = [], [], []
    for (code, name), its_topics in cases.items():
        group, its_members = rows(code, name)
        groups.append(group)
        topics += [{**t, "小组编号": code} for t in its_topics]
        members += its_members
    write_proofs(tmp_path)
    write_workbook(tmp_path / "总表.xlsx", groups, topics, members)
    monkeypatch.chdir(tmp_path)
    result = validate_book(Path("总表.xlsx"))
    check_golden(GOLDEN / "date_consequences_report.txt", report.plain_text([result]))
