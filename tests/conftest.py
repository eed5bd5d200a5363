"""Shared test helpers: real .xlsx workbooks written with openpyxl."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xlqc import schema

# A group that passes every rule when written with make_workbook() and its proof files.
GOOD_GROUP: dict[str, Any] = {
    "小组编号": "G001",
    "组织名称": "国网江苏省电力有限公司泰州供电分公司",
    "小组名称": "配电运检QC小组",
    "注册日期": date(2019, 3, 1),
    "联系部门": "运维检修部",
    "地址": "江苏省泰州市海陵区青年南路2号",
    "直接联系人": "王晓东",
    "电话": "13812345678",
    "邮箱": "wangxd@js.sgcc.com.cn",
    "活动综述": "小组成立于2019年，近三年完成课题三项。",
    "推荐意见": "该小组活动扎实，成果显著，同意推荐。",
    "是否推荐": "是",
}
GOOD_TOPICS: list[dict[str, Any]] = [
    {
        "小组编号": "G001",
        "课题名称": "降低配电线路故障停电时长",
        "活动开始": date(2024, 3, 1),
        "活动结束": date(2024, 11, 30),
        "成果水平": "一等",
        "外部认可": "国家级",
        "成果报告": "proofs/report1.docx",
        "认可证明": "proofs/award1.pdf",
    },
    {
        "小组编号": "G001",
        "课题名称": "提高配网自动化终端在线率",
        "活动开始": "2025.3",
        "活动结束": "2025年10月",
        "成果水平": "二等",
        "外部认可": "无",
        "成果报告": "proofs/report2.docx",
    },
]
GOOD_MEMBERS: list[dict[str, Any]] = [
    {
        "小组编号": "G001",
        "序号": i + 1,
        "姓名": n,
        "能力证明": "proofs/cert.pdf" if i == 0 else None,
    }
    for i, n in enumerate(["王晓东", "李明", "张华", "刘洋", "陈静"])
]
GOOD_SETTINGS: dict[str, Any] = {"推荐单位": "江苏省质量协会", "基准日期": date(2026, 10, 30)}


def write_workbook(
    path: Path,
    groups: Iterable[Mapping[str, Any]] = (),
    topics: Iterable[Mapping[str, Any]] = (),
    members: Iterable[Mapping[str, Any]] = (),
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """A master workbook with the contract's headers and the given rows (dicts keyed by header)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = schema.SETTINGS_SHEET
    ws.append(["项目", "内容"])
    for key, value in (settings if settings is not None else GOOD_SETTINGS).items():
        ws.append([key, value])
    for sheet, rows in (
        (schema.GROUP_SHEET, groups),
        (schema.TOPIC_SHEET, topics),
        (schema.MEMBER_SHEET, members),
    ):
        ws = wb.create_sheet(sheet)
        headers = [c.header for c in schema.DATA_SHEETS[sheet]]
        ws.append(headers)
        for row in rows:
            extra = [h for h in row if h not in headers]
            assert not extra, f"unknown headers {extra}"
            ws.append([row.get(h) for h in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_proofs(folder: Path) -> None:
    """The proof files GOOD_* refer to."""
    proofs = folder / "proofs"
    proofs.mkdir(parents=True, exist_ok=True)
    for name in ("report1.docx", "report2.docx", "award1.pdf", "cert.pdf"):
        (proofs / name).write_bytes(b"proof " + name.encode())


def book_file(
    folder: Path,
    groups: list[dict[str, Any]] | None = None,
    topics: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """总表.xlsx in ``folder`` with its proof files; GOOD_* for every sheet not given."""
    write_proofs(folder)
    return write_workbook(
        folder / "总表.xlsx",
        [GOOD_GROUP] if groups is None else groups,
        GOOD_TOPICS if topics is None else topics,
        GOOD_MEMBERS if members is None else members,
        settings,
    )


def check_golden(path: Path, text: str) -> None:
    """``text`` equals the golden file; XLQC_UPDATE_GOLDEN=1 rewrites it after a reviewed change."""
    if os.environ.get("XLQC_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with XLQC_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def good_book(tmp_path: Path) -> Path:
    """A saved workbook with one fully valid group and its proof files."""
    write_proofs(tmp_path)
    return write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
