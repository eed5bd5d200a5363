"""The full report on the bundled sample workbook, reviewed as text.

Regenerate after a reviewed change with ``XLQC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_report.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

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
