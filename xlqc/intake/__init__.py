"""Intake: the groups' filled 申报表 (.docx) read back into the master workbook.

* :mod:`xlqc.intake.blocks` — a .docx as rows of cell texts (merged cells once, ticks resolved);
* :mod:`xlqc.intake.parse` — those rows as :class:`FormData`, fields found by their labels;
* :mod:`xlqc.intake.merge` — forms into 小组/课题/成员 of the workbook (:func:`import_forms`).
"""

from __future__ import annotations

from xlqc.intake.merge import import_forms
from xlqc.intake.parse import FormData, FormTopic, parse_form
from xlqc.intake.result import FieldDiff, FileProblem, GroupOutcome, ImportResult

__all__ = [
    "FieldDiff",
    "FileProblem",
    "FormData",
    "FormTopic",
    "GroupOutcome",
    "ImportResult",
    "import_forms",
    "parse_form",
]
