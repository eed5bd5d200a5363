"""Benchmark: xlqc at the national office's scale (issue 5).

    python benchmarks/run.py                 # every scenario
    python benchmarks/run.py validate live   # some of: validate folder export live

Inputs are synthetic workbooks (benchmarks/synth.py) written to a temporary folder. Every
measurement runs in a fresh child process, so its peak memory (ru_maxrss) is its own and one
measurement cannot warm another's caches: xlqc's path (best of three runs), then the baseline,
then the plain path whose results must equal the fast path's. Prints one line per scenario with
its target; nothing here is a pass/fail test (tests/test_benchmark_paths.py is).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from benchmarks import plain  # noqa: E402

REPEAT = 3
LIMIT_MB = 400


# ----------------------------------------------------------------------------------------------
# Measuring in a child process


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child process, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, kids / 1024  # ru_maxrss is in KiB on Linux


def _best(fn: Callable[[int], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls of ``fn(i)``, and what the last one returned."""
    best, result = float("inf"), None
    for i in range(repeat):
        result = None  # the last run's result is not kept alive during this one
        start = time.perf_counter()
        result = fn(i)
        best = min(best, time.perf_counter() - start)
    return best, result


def _child(job: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    try:
        result = job(*args)
    except BaseException as exc:  # reported by the parent, which goes on with the others
        queue.put(("error", f"{type(exc).__name__}: {exc}", _peak_mb()))
        return
    queue.put(("ok", result, _peak_mb()))


def measure(job: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """``job(*args)`` in a fresh process: (its result, its peak MB, its largest child's MB)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(job, args, queue))
    proc.start()
    status, result, (own, kids) = queue.get()
    proc.join()
    if status == "error":
        raise RuntimeError(result)
    return result, own, kids


# ----------------------------------------------------------------------------------------------
# Jobs (module level: a spawned child imports them from here)


def job_write(path: Path, groups: int, options: dict[str, Any]) -> Path:
    from benchmarks.synth import write_synthetic

    return write_synthetic(path, groups, **options)


def job_write_folder(folder: Path, books: int, groups: int) -> None:
    from benchmarks.synth import write_synthetic

    folder.mkdir()
    for i in range(books):
        write_synthetic(folder / f"unit{i:03d}.xlsx", groups, seed=i)


def synthetic(path: Path, groups: int, **options: Any) -> Path:
    """Written by a child process: Linux carries a process's peak memory over into the
    programs it starts, so this one stays small for the measurements after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return measure(job_write, path, groups, options)[0]


def job_validate(path: Path) -> tuple[float, list[tuple[str, ...]]]:
    from xlqc.validate import validate_book

    took, result = _best(lambda _: validate_book(path), REPEAT)
    assert result.error is None, result.error
    return took, plain.finding_keys(result.findings)


def job_openpyxl_load(path: Path) -> float:
    import openpyxl

    took, _ = _best(lambda _: openpyxl.load_workbook(path), REPEAT)
    return took


def job_plain_findings(path: Path) -> list[tuple[str, ...]]:
    return plain.finding_keys(plain.plain_findings(path))


def job_folder(
    folder: Path, jobs: int | None, start: str | None = None
) -> tuple[float, list[list[tuple[str, ...]]]]:
    """Validate the folder's workbooks; worker processes started the platform's usual way
    (fork on Linux, spawn on Windows and macOS: a spawned child like this one inherits spawn)
    or as ``start`` says."""
    from xlqc.validate import expand_paths, validate_paths

    mp.set_start_method(start or mp.get_all_start_methods()[0], force=True)
    paths = expand_paths([folder])
    took, results = _best(lambda _: validate_paths(paths, jobs=jobs), REPEAT)
    return took, [plain.finding_keys(r.findings) for r in results]


def job_export(path: Path, out: Path, today: date) -> dict[str, Any]:
    """The whole export, best of three (each into a fresh folder), and the forms alone."""
    from xlqc.documents import export
    from xlqc.validate import validate_book

    result = validate_book(path)
    assert result.book is not None
    book, findings = result.book, result.findings
    export_dirs = [out / f"export{i}" for i in range(REPEAT)]
    whole, done = _best(
        lambda i: export(book, findings, export_dirs[i], include_all=True, today=today), REPEAT
    )
    forms, written = _best(
        lambda i: plain.render_forms(book, findings, out / f"forms{i}", plain.fast_renderer()),
        REPEAT,
    )
    return {
        "whole": whole,
        "forms": forms,
        "exported": len(done.exported),
        "files": len(done.files),
        "folder": export_dirs[-1],
        "count": len(written),
    }


def job_naive_forms(path: Path, out: Path, today: date) -> tuple[float, dict[str, bytes]]:
    from xlqc.validate import validate_book

    result = validate_book(path)
    assert result.book is not None
    start = time.perf_counter()
    plain.render_forms(result.book, result.findings, out, plain.naive_renderer())
    took = time.perf_counter() - start
    return took, plain.naive_lists(result.book, result.findings, today)


def job_live(path: Path) -> tuple[float, dict[str, int], int, tuple[int, int]]:
    """The 校验 button on the double: its seconds, calls and marked cells; then the calls of
    校验 pressed again and of 清除标记 after it."""
    calls, marked, took = plain.count_validate_calls(path)
    return took, dict(calls), marked, plain.count_again_calls(path)


# ----------------------------------------------------------------------------------------------
# Scenarios: each returns one row for the table


def scenario_validate(work: Path) -> dict[str, Any]:
    path = synthetic(work / "2000.xlsx", 2000)
    (took, keys), own, _ = measure(job_validate, path)
    baseline, _, _ = measure(job_openpyxl_load, path)
    plain_keys, _, _ = measure(job_plain_findings, path)
    return {
        "scenario": "validate 1 workbook, 2,000 groups",
        "seconds": took,
        "baseline": f"openpyxl.load_workbook {baseline:.2f} s",
        "ratio": took / baseline,
        "peak": own,
        "target": "≤ 2 s and ≤ 0.7× openpyxl.load_workbook",
        "met": took <= 2 and took / baseline <= 0.7 and own < LIMIT_MB,
        "same": keys == plain_keys,
        "same as": "openpyxl reader, same model and rules",
        "notes": f"{len(keys)} findings, {path.stat().st_size / 2**20:.1f} MB file",
    }


def scenario_folder(work: Path) -> dict[str, Any]:
    folder = work / "folder"
    measure(job_write_folder, folder, 100, 20)
    (took, keys), own, worker = measure(job_folder, folder, None)
    (serial, serial_keys), serial_own, _ = measure(job_folder, folder, 1)
    (spawned, _), _, _ = measure(job_folder, folder, None, "spawn")
    cores = os.cpu_count() or 1
    peak = own + min(cores, 100) * worker  # the parent and every worker at their peaks at once
    return {
        "scenario": "validate a folder, 100 workbooks × 20 groups",
        "seconds": took,
        "baseline": f"one process {serial:.2f} s",
        "ratio": took / serial,
        "peak": peak,
        "target": f"≤ 10 s, on all {cores} cores",
        "met": took <= 10 and peak < LIMIT_MB,
        "same": keys == serial_keys,
        "same as": "one process",
        "notes": f"{sum(map(len, keys))} findings; workers started by spawn (as on Windows) "
        f"{spawned:.2f} s; peak = parent {own:.0f} MB + {min(cores, 100)} × worker {worker:.0f} MB "
        f"(one process: {serial_own:.0f} MB)",
    }


def scenario_export(work: Path) -> dict[str, Any]:
    path = synthetic(work / "1000.xlsx", 1000, declined_rate=0)  # every group exported
    today = date.today()
    fast, own, _ = measure(job_export, path, work / "fast", today)
    (naive, lists), _, _ = measure(job_naive_forms, path, work / "naive", today)
    same, _, _ = measure(job_same_documents, fast["folder"], work / "naive", lists)
    return {
        "scenario": f"export {fast['exported']} 申报表 + 附件3/4, proofs, manifest",
        "seconds": fast["whole"],
        "baseline": f"fresh DocxTemplate per form {naive:.2f} s (forms only; xlqc's forms "
        f"only {fast['forms']:.2f} s)",
        "ratio": fast["forms"] / naive,
        "peak": own,
        "target": "≤ 10 s and forms ≥ 3× faster than the naive loop (ratio ≤ 0.33)",
        "met": fast["whole"] <= 10 and fast["forms"] / naive <= 1 / 3 and own < LIMIT_MB,
        "same": same,
        "same as": "text of every form and of 附件3/4 from fresh DocxTemplates",
        "notes": f"{fast['files']} files written",
    }


def job_same_documents(export_dir: Path, naive_dir: Path, lists: dict[str, bytes]) -> bool:
    """Whether every exported form, 附件3 and 附件4 reads like its naive twin (in a child too:
    python-docx would leave this process big, and the processes it starts after with it)."""
    from xlqc.documents import FORM2_DIR

    exported = sorted((export_dir / FORM2_DIR).glob("*.docx"))
    naive = sorted(naive_dir.glob("*.docx"))
    if len(exported) != len(naive):
        return False
    if any(plain.docx_text(a) != plain.docx_text(b) for a, b in zip(exported, naive, strict=True)):
        return False
    return all(
        plain.docx_text(export_dir / name) == plain.docx_text(data) for name, data in lists.items()
    )


def scenario_live(work: Path) -> dict[str, Any]:
    sizes = {}
    for groups in (200, 2000):
        folder = work / f"clean{groups}"
        sizes[groups] = measure(job_live, synthetic(folder / "总表.xlsx", groups, clean=True))
    (took, calls, marked, real_again), own, _ = measure(
        job_live, synthetic(work / "real.xlsx", 2000)
    )
    small, large = (sum(sizes[n][0][1].values()) for n in (200, 2000))
    reads = sizes[2000][0][1].get("Range.value.get", 0)
    again = {n: sizes[n][0][3] for n in sizes}  # (校验 again, 清除标记) calls
    return {
        "scenario": "live Excel 校验, 2,000 groups (call-counting double)",
        "seconds": took,
        "baseline": f"{small} calls at 200 groups, {large} at 2,000 (no findings)",
        "ratio": large / small,
        "peak": max(own, *(sizes[n][1] for n in sizes)),
        "target": "calls do not grow with rows (ratio 1.00)",
        "met": large == small and again[200] == again[2000],
        "same": large == small,
        "same as": "calls at 200 groups",
        "notes": f"{reads} whole-sheet reads; 校验 again / 清除标记: {again[200]} calls at 200 "
        f"groups, {again[2000]} at 2,000; realistic 2,000 groups: {sum(calls.values())} calls "
        f"for {marked} marked cells, again / 清除标记 {real_again}; the peak includes the double "
        "itself (the whole workbook loaded by openpyxl, standing in for Excel)",
    }


SCENARIOS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "validate": scenario_validate,
    "folder": scenario_folder,
    "export": scenario_export,
    "live": scenario_live,
}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario {unknown}; choose from {list(SCENARIOS)}", file=sys.stderr)
        return 2
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}; {date.today()}")
    failed = False
    for name in names or list(SCENARIOS):
        work = Path(tempfile.mkdtemp(prefix=f"xlqc-bench-{name}-"))
        try:
            row = SCENARIOS[name](work)
        except Exception as exc:
            print(f"- {name}: FAILED {exc}")
            failed = True
            continue
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(
            f"- {row['scenario']}: {row['seconds']:.2f} s, peak {row['peak']:.0f} MB; "
            f"vs {row['baseline']}: ratio {row['ratio']:.2f}; target {row['target']}, "
            f"peak < {LIMIT_MB} MB: {'met' if row['met'] else 'NOT MET'}; "
            f"same results as {row['same as']}: {row['same']}; {row['notes']}",
            flush=True,
        )
        failed = failed or not (row["met"] and row["same"])
    # every child starts with this process's peak (Linux keeps it across exec): keep it small
    print(f"(this process peaked at {_peak_mb()[0]:.0f} MB; each child starts from that)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
