"""Time and peak memory of reading a master workbook with one stray value far from its data.

    PYTHONPATH=. python benchmarks/stray_value.py

Each workbook is the valid one-group book of the tests plus one value ("x") in the named cell,
written by openpyxl. Each read runs in a fresh process (``python -c``), so its peak resident
memory (ru_maxrss) is its own: the interpreter, xlqc's imports, the reading and the rules.
Before the sheets were scanned, XFD1048576 aborted in calamine ("memory allocation of
549755813888 bytes failed", exit 134) and XFD5000 took 6–7 s and 3.2 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELLS = ("none", "成员!XFD1048576", "成员!XFD5000", "成员!A1048576", "小组!XFD1048576")

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from xlqc.validate import validate_book
from pathlib import Path
t1 = time.perf_counter()
result = validate_book(Path(sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_check_s": t2 - t1, "error": result.error,
    "findings": len(result.findings),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(folder: Path, where: str) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    import openpyxl
    from conftest import book_file

    path = book_file(folder)
    if where != "none":
        sheet, cell = where.split("!")
        wb = openpyxl.load_workbook(path)
        wb[sheet][cell] = "x"
        wb.save(path)
    return path


def main() -> int:
    print(
        f"{'stray value':<18}{'file KB':>9}{'exit':>6}{'read+rules s':>14}{'peak MB':>9}  findings"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for i, where in enumerate(CELLS):
            path = build(Path(tmp) / str(i), where)
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                capture_output=True,
                text=True,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                cwd=tmp,  # python -c puts the working folder first on sys.path
                timeout=600,
            )
            size = path.stat().st_size / 1024
            if done.returncode:
                print(
                    f"{where:<18}{size:>9.0f}{done.returncode:>6}  {done.stderr.strip().splitlines()[0][:60]}"
                )
                continue
            r = json.loads(done.stdout)
            print(
                f"{where:<18}{size:>9.0f}{0:>6}{r['read_check_s']:>14.3f}{r['peak_mb']:>9.0f}"
                f"  {r['findings']} {r['error'] or ''}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
