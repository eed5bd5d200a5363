"""Timing of ``xlqc export`` with and without ``--pdf`` (issue 12).

    python benchmarks/pdf_export.py          # best of 3 runs of each; about 3 minutes

Two workbooks: the sample of ``xlqc demo`` (11 groups exported) and a synthetic workbook of 100
groups (benchmarks/synth.py). Each export runs as a clerk runs it, ``python -m xlqc export BOOK
-o DIR [--pdf]`` in a fresh process (wall time, start-up included). Then the conversion alone of
the documents that export wrote: one LibreOffice start for all of them (what ``--pdf`` does now),
one start per folder (附件2_申报表/, then 附件3 and 附件4: what it did before), and for 100 groups
two processes side by side, one start each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from synth import write_synthetic  # noqa: E402

from xlqc import builder, pdf  # noqa: E402

REPEAT = 3


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def export(book: Path, out: Path, *extra: str) -> None:
    shutil.rmtree(out, ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "xlqc", "export", str(book), "-o", str(out), *extra],
        capture_output=True,
        env=env,
    )
    if done.returncode not in (0, 1):  # 1: some groups were left out for their errors
        raise SystemExit(done.stderr.decode())


def documents_of(out: Path) -> tuple[list[Path], list[Path]]:
    """The 附件2 forms, and 附件3 + 附件4, that an export wrote."""
    forms = sorted((out / "附件2_申报表").glob("*.docx"))
    return forms, [out / "附件3_推荐意见.docx", out / "附件4_推荐汇总表.docx"]


def convert(groups: list[list[Path]], work: Path, lanes: int = 1) -> None:
    shutil.rmtree(work, ignore_errors=True)
    for n, files in enumerate(groups):
        pdf.to_pdf(files, work / str(n), lanes=lanes)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="xlqc-bench-pdf-") as name:
        tmp = Path(name)
        demo = tmp / "demo" / "示例.xlsx"
        builder.demo_workbook(demo)
        big = write_synthetic(tmp / "big" / "总表.xlsx", 100, seed=7)
        print(f"best of {REPEAT}; {os.cpu_count()} cores; LibreOffice {pdf.find_soffice()}")
        for label, book in (("demo", demo), ("100 groups", big)):
            out = tmp / "out"
            plain = best(lambda book=book, out=out: export(book, out))
            with_pdf = best(lambda book=book, out=out: export(book, out, "--pdf"))
            forms, summaries = documents_of(out)
            count = len(forms) + len(summaries)
            work = tmp / "pdf"
            one = best(lambda f=forms, s=summaries, w=work: convert([f + s], w))
            two = best(lambda f=forms, s=summaries, w=work: convert([f, s], w))
            print(
                f"{label}: {len(forms)} forms + 附件3/4 ({count} PDFs) | export {plain:.2f} s"
                f" | export --pdf {with_pdf:.2f} s | conversion alone: one start {one:.2f} s,"
                f" one start per folder (before) {two:.2f} s",
                end="",
            )
            if label != "demo":
                lanes = best(lambda f=forms, s=summaries, w=work: convert([f + s], w, lanes=2))
                print(f", two processes side by side {lanes:.2f} s", end="")
            print()


if __name__ == "__main__":
    main()
