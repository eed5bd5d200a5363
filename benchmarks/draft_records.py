"""What reading the state sheet's 推荐意见 drafts (issue 14) adds to ``read_book``.

    PYTHONPATH=. python benchmarks/draft_records.py

Four files from the sample workbook: as shipped (no state sheet); with every 推荐意见 emptied and
drafted by ``write_drafts`` (a state sheet of 18 draft records); that book with a clerk's hidden
sheet of 20,000 × 10 values placed before the state sheet; and the same re-saved by LibreOffice
(every string, the state sheet's marker too, becomes a shared string; skipped without soffice).
A hidden sheet is looked into only when A1 holds the marker, told from the first 64 KB of its
XML and the shared strings part, so the clerk's sheet is never read. Prints the median of 7
``read_book`` runs, and for the last file the same with the draft reading switched off.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import openpyxl

import xlqc.reading as reading
from xlqc.opinions import write_drafts
from xlqc.reading import read_book
from xlqc.xlsxpkg import Package, SheetXml, inline_cell, split_ref

ROOT = Path(__file__).resolve().parents[1]


def median_ms(path: Path) -> tuple[float, int]:
    times, drafts = [], 0
    for _ in range(7):
        start = time.perf_counter()
        drafts = len(read_book(path).drafts)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, drafts


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="xlqc-drafts-"))
    plain = work / "plain.xlsx"
    shutil.copy(ROOT / "workbook" / "示例总表.xlsx", plain)
    emptied = work / "emptied.xlsx"
    pkg = Package.open(plain)
    ref = pkg.sheet("小组")
    assert ref is not None
    xml = SheetXml(pkg.read(ref.part))
    for group in read_book(plain).groups:
        cell = xml.cell(*split_ref(group.cell("opinion")))
        if cell is not None:
            xml.replace(cell, inline_cell(cell.head(), ""))
    pkg.write(ref.part, xml.data)
    pkg.save(emptied)
    drafted = work / "drafted.xlsx"
    write_drafts(emptied, drafted)
    big = work / "drafted_big_hidden.xlsx"
    wb = openpyxl.load_workbook(drafted)
    ws = wb.create_sheet("clerk")
    ws.sheet_state = "hidden"
    for r in range(20000):
        ws.append([f"v{r}-{c}" for c in range(10)])
    wb.move_sheet("clerk", offset=-1)  # before the state sheet
    wb.save(big)
    files = [plain, drafted, big]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        out = work / "lo"
        profile = (work / ".profile").resolve().as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
             "--outdir", str(out), str(big)],
            capture_output=True, check=True, timeout=300,
        )  # fmt: skip
        files.append(out / big.name)
    for path in files:
        ms, drafts = median_ms(path)
        label = ("LibreOffice " if path.parent.name == "lo" else "") + path.name
        print(f"{label:42} drafts={drafts:3}  read_book median {ms:7.1f} ms")
    reading._read_drafts = lambda *args: {}  # type: ignore[assignment]
    ms, _ = median_ms(files[-1])
    print(f"{'(same, drafts not read)':42}             read_book median {ms:7.1f} ms")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
