"""The cost of resolving proof paths (xlqc.proofs) in R14: a master workbook whose every group
names five proof files of its own in a folder of its own, so that no look-up is cached.

    PYTHONPATH=. python benchmarks/proof_paths.py [GROUPS]

Prints the best of three ``rules.check`` runs. Run it from two checkouts to compare.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_workbook

from xlqc.reading import read_book
from xlqc.rules import check

FILES = ("report0.docx", "report1.docx", "award0.pdf", "award1.pdf", "cert.pdf")


def main(groups: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="xlqc-proofs-"))
    rows: tuple[list[dict[str, object]], ...] = ([], [], [])
    for i in range(groups):
        code = f"G{i:05d}"
        proofs = folder / "证实性材料" / code
        proofs.mkdir(parents=True)
        for name in FILES:
            (proofs / name).write_bytes(b"proof")
        rows[0].append({**GOOD_GROUP, "小组编号": code, "小组名称": f"小组{i}"})
        for j, topic in enumerate(GOOD_TOPICS):
            report, award = f"证实性材料/{code}/report{j}.docx", f"证实性材料/{code}/award{j}.pdf"
            rows[1].append({**topic, "小组编号": code, "成果报告": report, "认可证明": award})
        cert = f"证实性材料/{code}/cert.pdf"
        rows[2].append({**GOOD_MEMBERS[0], "小组编号": code, "能力证明": cert})
    book = read_book(write_workbook(folder / "总表.xlsx", *rows))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        check(book)
        times.append(time.perf_counter() - start)
    print(
        f"{groups} groups, {groups * len(FILES)} distinct proof paths: rules.check best of 3 "
        f"{min(times):.3f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
