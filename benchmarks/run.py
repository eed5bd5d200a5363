"""Benchmark: xlqc at the national office's scale (issue 5).

    python benchmarks/run.py            # all scenarios
    python benchmarks/run.py validate   # one of: validate folder export live

Each scenario runs in a fresh child process (so peak memory is its own) and prints wall time,
peak memory and the ratio against a baseline timed in the same run. Each also checks that the
fast path gives the same results as the plain one. Targets are printed beside the numbers;
nothing here is a pass/fail test.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from benchmarks.synth import write_synthetic  # noqa: E402

MB = 1024 * 1024


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # ru_maxrss is in KiB on Linux


def _finding_keys(findings: list[Any]) -> list[tuple[str, ...]]:
    return [(f.rule, f.sheet, f.cell, f.message) for f in findings]


def plain_findings(path: Path) -> list[Any]:
    """The plain path: openpyxl's own reader into the same model and rules."""
    import openpyxl

    from xlqc.reading import build_book
    from xlqc.rules import check

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    wb.close()
    return check(build_book(grids, path), file=str(path))


def scenario_validate(work: Path) -> dict[str, Any]:
    import openpyxl

    from xlqc.validate import validate_book

    path = write_synthetic(work / "2000.xlsx", 2000)
    baseline, _ = _timed(lambda: openpyxl.load_workbook(path), repeat=2)
    took, result = _timed(lambda: validate_book(path), repeat=3)
    same = _finding_keys(result.findings) == _finding_keys(plain_findings(path))
    return {
        "scenario": "validate 1 workbook of 2,000 groups",
        "seconds": took,
        "baseline": f"openpyxl.load_workbook {baseline:.2f} s",
        "ratio": took / baseline,
        "target": "≤ 2 s and ≤ 0.7× openpyxl.load_workbook",
        "same results": same,
        "findings": len(result.findings),
    }


def scenario_folder(work: Path) -> dict[str, Any]:
    from xlqc.validate import expand_paths, validate_paths

    folder = work / "folder"
    folder.mkdir()
    for i in range(100):
        write_synthetic(folder / f"unit{i:03d}.xlsx", 20, seed=i)
    paths = expand_paths([folder])
    one_core, serial = _timed(lambda: validate_paths(paths, jobs=1))
    took, parallel = _timed(lambda: validate_paths(paths))
    same = [_finding_keys(r.findings) for r in serial] == [
        _finding_keys(r.findings) for r in parallel
    ]
    return {
        "scenario": "validate a folder of 100 workbooks × 20 groups",
        "seconds": took,
        "baseline": f"one process {one_core:.2f} s",
        "ratio": took / one_core,
        "target": f"≤ 10 s, using all {os.cpu_count()} cores",
        "same results": same,
        "findings": sum(len(r.findings) for r in parallel),
    }


def scenario_export(work: Path) -> dict[str, Any]:
    from xlqc.documents import export, naive_render_forms
    from xlqc.validate import validate_book

    path = write_synthetic(work / "1000.xlsx", 1000)
    result = validate_book(path)
    assert result.book is not None
    out = work / "out"
    took, exported = _timed(lambda: export(result.book, result.findings, out, include_all=True))
    naive_dir = work / "naive"
    baseline, naive = _timed(lambda: naive_render_forms(result.book, result.findings, naive_dir))
    forms = sorted((out / "附件2_申报表").glob("*.docx"))
    same = len(forms) == len(naive) and all(
        _docx_text(a) == _docx_text(b) for a, b in zip(forms, sorted(naive), strict=True)
    )
    return {
        "scenario": f"export {len(forms)} 申报表 (+ 附件3/4, proofs, manifest)",
        "seconds": took,
        "baseline": f"fresh DocxTemplate per form {baseline:.2f} s",
        "ratio": took / baseline,
        "target": "≤ 10 s and ≥ 3× faster than the naive loop (ratio ≤ 0.33)",
        "same results": same,
        "findings": len(exported.written) if hasattr(exported, "written") else "",
    }


def _docx_text(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return [p.text for p in doc.paragraphs] + cells


def scenario_live(work: Path) -> dict[str, Any]:
    from xlwings_double import count_validate_calls  # tests/xlwings_double.py

    path = write_synthetic(work / "live.xlsx", 2000)
    small = write_synthetic(work / "live_small.xlsx", 200)
    took, calls = _timed(lambda: count_validate_calls(path))
    _, calls_small = _timed(lambda: count_validate_calls(small))
    return {
        "scenario": "live Excel 校验 on 2,000 groups (call-counting double)",
        "seconds": took,
        "baseline": f"{calls_small['reads']} reads at 200 groups",
        "ratio": calls["reads"] / max(calls_small["reads"], 1),
        "target": "reads do not grow with rows (ratio 1.0)",
        "same results": calls["reads"] == calls_small["reads"],
        "findings": f"{calls['reads']} reads, {calls['writes']} writes",
    }


SCENARIOS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "validate": scenario_validate,
    "folder": scenario_folder,
    "export": scenario_export,
    "live": scenario_live,
}


def _child(name: str, queue: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="xlqc-bench-") as tmp:
        try:
            row = SCENARIOS[name](Path(tmp))
        except Exception as exc:  # report and go on with the other scenarios
            row = {"scenario": name, "error": f"{type(exc).__name__}: {exc}"}
        row["peak MB"] = _peak_mb()
        queue.put(row)


def main(names: list[str]) -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    ctx = mp.get_context("spawn")
    for name in names or list(SCENARIOS):
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(name, queue))
        proc.start()
        row = queue.get()
        proc.join()
        if "error" in row:
            print(f"- {row['scenario']}: FAILED {row['error']}")
            continue
        print(
            f"- {row['scenario']}: {row['seconds']:.2f} s, peak {row['peak MB']:.0f} MB "
            f"(target < 400 MB); vs {row['baseline']}: ratio {row['ratio']:.2f}; "
            f"target {row['target']}; same results as plain path: {row['same results']}"
            f"; {row['findings']}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
