"""Synthetic master workbooks at the national office's scale, for the benchmark.

Realistic field lengths: 1,500–3,000-character summaries, 3–5 topics and 5–10 members per
group, dates in several typed forms, proof files that exist. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from xlqc import schema

_ORGS = (
    "国网江苏省电力有限公司{}供电分公司",
    "中国石油化工股份有限公司{}分公司",
    "{}钢铁集团有限公司",
    "{}市第一人民医院",
    "中国铁路{}局集团有限公司",
    "{}卷烟厂",
)
_CITIES = [
    "泰州",
    "扬州",
    "镇江",
    "南通",
    "无锡",
    "常州",
    "苏州",
    "徐州",
    "盐城",
    "淮安",
    "宿迁",
    "连云港",
    "南京",
    "镇海",
    "茂名",
    "鞍山",
]
_PIECES = (
    "小组围绕降低设备故障率开展活动，",
    "运用排列图、因果图和关联图分析末端因素，",
    "制定对策并逐项实施，效果检查表明目标全部实现，",
    "巩固期内指标稳定，形成作业指导书两项，",
    "小组成员的质量意识、团队精神和解决问题的能力明显提高。",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _summary(rng: random.Random) -> str:
    target = rng.randint(1500, 3000)
    parts: list[str] = []
    while sum(map(len, parts)) < target:
        parts.append(rng.choice(_PIECES))
    return "".join(parts)[:target]


def write_synthetic(path: Path, groups: int, seed: int = 1) -> Path:
    """A valid-looking master workbook of ``groups`` groups, with its proof files beside it."""
    rng = random.Random(seed)
    proofs = path.parent / "proofs"
    proofs.mkdir(parents=True, exist_ok=True)
    for name in ("report.docx", "award.pdf", "cert.pdf"):
        (proofs / name).write_bytes(b"proof")
    wb = Workbook(write_only=True)
    settings = wb.create_sheet(schema.SETTINGS_SHEET)
    settings.append(["项目", "内容"])
    settings.append(["推荐单位", "江苏省质量协会"])
    settings.append(["基准日期", date(2026, 10, 30)])
    sheets = {name: wb.create_sheet(name) for name in schema.DATA_SHEETS}
    for name, ws in sheets.items():
        ws.append([c.header for c in schema.DATA_SHEETS[name]])
    for g in range(1, groups + 1):
        code = f"G{g:05d}"
        org = rng.choice(_ORGS).format(rng.choice(_CITIES) + str(g))
        sheets[schema.GROUP_SHEET].append(
            [code, org, f"第{g}QC小组", date(2018, rng.randint(1, 12), 1), f"QC-{g}",
             "质量管理部", "江苏省南京市鼓楼区中山路1号", "王伟", f"138{g:08d}",
             f"qc{g}@example.com.cn", _summary(rng), "该小组活动扎实，成果显著，同意推荐。" * 3,
             "是", None]
        )  # fmt: skip
        for t in range(rng.randint(3, 5)):
            year = 2024 + t % 3
            sheets[schema.TOPIC_SHEET].append(
                [code, f"降低第{t + 1}号生产线设备故障停机时间", f"{year}.3",
                 date(year, 10, 31) if t % 2 else f"{year}年10月", "一等" if t == 0 else "二等",
                 "国家级" if t == 0 else "无", "", "proofs/report.docx",
                 "proofs/award.pdf" if t == 0 else ""]
            )  # fmt: skip
        for m in range(rng.randint(5, 10)):
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + _GIVEN[m]
            sheets[schema.MEMBER_SHEET].append(
                [code, m + 1, name, "proofs/cert.pdf" if m == 0 else None]
            )
    wb.save(path)
    return path
