"""Findings: what the rules say, in the one form every sink (terminal, JSON, marks) reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    """One breach of one rule at one cell. Field order is the JSON order of DESIGN.md §3."""

    file: str = ""
    rule: str
    severity: Severity
    sheet: str
    cell: str
    group: str = ""
    message: str

    def json_dict(self) -> dict[str, str]:
        return self.model_dump()


def counts(findings: Iterable[Finding]) -> Counter[str]:
    """Number of findings per severity."""
    return Counter(f.severity for f in findings)


def has_error(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def groups_with_errors(findings: Iterable[Finding]) -> set[str]:
    return {f.group for f in findings if f.severity == "error" and f.group}
