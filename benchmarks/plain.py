"""The plain paths the benchmark measures xlqc against, and the checks that both agree.

* :func:`plain_findings` — openpyxl's own reader into the same model and rules (the fast path
  reads with python-calamine);
* :func:`render_forms` with :func:`naive_renderer` — every 申报表 from a fresh
  ``docxtpl.DocxTemplate``, the way docxtpl's documentation renders one document (the fast path
  compiles the template once: :mod:`xlqc.templating`);
* :func:`docx_text` — what a reader sees of a .docx, to compare documents;
* :func:`count_validate_calls` — the live-Excel 校验 on the call-counting xlwings double of
  ``tests/xlwings_double.py`` (``tests/`` must be on ``sys.path``).
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from xlqc.findings import Finding
from xlqc.model import Book, Group

Render = Callable[[Mapping[str, Any]], bytes]

# xlqc.documents (openpyxl, docxtpl) is imported where used: a benchmark process that validates
# should carry no more modules than xlqc's own validate does.


def plain_findings(path: Path) -> list[Finding]:
    """The findings of ``path`` read by openpyxl (read-only, cached values) instead of calamine."""
    import openpyxl

    from xlqc.reading import build_book
    from xlqc.rules import check

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()
    return check(build_book(grids, path), file=str(path))


def finding_keys(findings: list[Finding]) -> list[tuple[str, ...]]:
    return [(f.rule, f.severity, f.sheet, f.cell, f.group, f.message) for f in findings]


# ----------------------------------------------------------------------------------------------
# 申报表


def exported_groups(book: Book, findings: list[Finding]) -> list[tuple[Group, bool]]:
    """The groups ``documents.export(..., include_all=True)`` writes a form for, with their
    草稿 flag, in the same order."""
    from xlqc import documents

    counts = documents.error_counts(book, findings)
    return [(g, n > 0) for g, n in zip(book.groups, counts, strict=True) if g.recommended]


def render_forms(book: Book, findings: list[Finding], out_dir: Path, render: Render) -> list[Path]:
    """One 附件2 per exported group, rendered by ``render`` from the context export uses;
    written as ``0001.docx`` … in export order."""
    from xlqc import documents

    out_dir.mkdir(parents=True, exist_ok=True)
    view = documents.narrowed(book)
    written = []
    for n, (group, draft) in enumerate(exported_groups(book, findings), 1):
        context = documents.form2_context(view(group.code), group, draft=draft)
        path = out_dir / f"{n:04d}.docx"
        path.write_bytes(render(context))
        written.append(path)
    return written


def fast_renderer(template: str = "") -> Render:
    """xlqc's own: the template (default 附件2) compiled once."""
    from xlqc import documents
    from xlqc.templating import load_template

    return load_template(template or documents.FORM2_TEMPLATE).render


def naive_renderer(template: str = "") -> Render:
    """A fresh DocxTemplate (default 附件2) for every document, in xlqc's sandbox with
    autoescape."""
    from docxtpl import DocxTemplate

    from xlqc import documents
    from xlqc.resources import read_resource
    from xlqc.templating import sandbox

    data = read_resource("templates", template or documents.FORM2_TEMPLATE)

    def render(context: Mapping[str, Any]) -> bytes:
        doc = DocxTemplate(io.BytesIO(data))
        doc.render(dict(context), jinja_env=sandbox(), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    return render


def naive_lists(book: Book, findings: list[Finding], today: date | None = None) -> dict[str, bytes]:
    """附件3 and 附件4 (.docx) from fresh DocxTemplates, as export fills them."""
    from xlqc import documents

    chosen = exported_groups(book, findings)
    groups = [g for g, _ in chosen]
    draft = any(d for _, d in chosen)
    return {
        documents.FORM3_FILE: naive_renderer(documents.FORM3_TEMPLATE)(
            documents.form3_context(book, groups, draft=draft)
        ),
        documents.FORM4_FILE: naive_renderer(documents.FORM4_TEMPLATE)(
            documents.form4_context(book, groups, draft=draft, today=today)
        ),
    }


def docx_text(source: Path | bytes) -> list[str]:
    """Every paragraph's text, then every table cell's, of a .docx (file or bytes)."""
    import docx

    doc = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return [p.text for p in doc.paragraphs] + cells


# ----------------------------------------------------------------------------------------------
# Live Excel


def count_validate_calls(path: Path) -> tuple[Counter[str], int, float]:
    """Calls to Excel of the 校验 button on ``path`` opened in the xlwings double, the number
    of cells it marked, and the seconds the button took (loading the double not counted)."""
    import xlwings_double as xd

    from xlqc.excel import on_ribbon

    book = xd.load(path)
    xd.reset_calls(book)
    start = time.perf_counter()
    on_ribbon("validate", book)
    took = time.perf_counter() - start
    marked = sum(len(s._notes) for s in book._sheets)
    return Counter(xd.calls(book)), marked, took


def count_again_calls(path: Path) -> tuple[int, int]:
    """Calls to Excel of pressing 校验 a second time on ``path`` opened in the xlwings double
    (the first marks are cleared by their state records, then marked again), and of
    清除标记 after it."""
    import xlwings_double as xd

    from xlqc.excel import on_ribbon

    book = xd.load(path)
    on_ribbon("validate", book)
    found = []
    for button in ("validate", "clear"):
        xd.reset_calls(book)
        on_ribbon(button, book)
        found.append(sum(xd.calls(book).values()))
    return found[0], found[1]
