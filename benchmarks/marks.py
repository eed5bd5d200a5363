"""Seconds to mark, re-mark and clear a synthetic master workbook through the package editor.

    python benchmarks/marks.py [GROUPS ...]      # default: 500 2000

Prints one line per size: groups, marked cells, file size and the seconds of each step
(one run each, on this machine; the workbook is written first by benchmarks/synth.py).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synth import write_synthetic
from xlqc.marks import clear_file, mark_file, mark_plan
from xlqc.validate import validate_book


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for groups in sizes:
            path = write_synthetic(Path(tmp) / f"g{groups}" / "总表.xlsx", groups)
            result = validate_book(path)
            assert result.book is not None
            marks = len(mark_plan(result.book, result.findings))
            steps = {}
            t = time.perf_counter()
            mark_file(path, path.with_name("m.xlsx"), result.book, result.findings)
            steps["mark"] = time.perf_counter() - t
            t = time.perf_counter()
            mark_file(
                path.with_name("m.xlsx"), path.with_name("m2.xlsx"), result.book, result.findings
            )
            steps["re-mark"] = time.perf_counter() - t
            t = time.perf_counter()
            clear_file(path.with_name("m.xlsx"), path.with_name("c.xlsx"))
            steps["clear"] = time.perf_counter() - t
            size = path.stat().st_size / 1e6
            shown = "  ".join(f"{k} {v:.2f} s" for k, v in steps.items())
            print(f"{groups} groups, {marks} marked cells, {size:.1f} MB: {shown}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
