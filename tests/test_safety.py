"""Never lose or leak the clerk's work, part II (issue 11): export folders xlqc owns, proofs
from inside the workbook's folder only, in-place and batch writes, and one Chinese line for
every bad argument or file. Real files, symlinks, FIFOs and permission bits throughout; the
tests run as root here, so read-only and unreadable are judged by mode bits, which xlqc checks
itself rather than waiting for an EACCES root would never get."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, book_file, write_proofs, write_workbook
from hostile import assert_refused, run, snapshot
from hypothesis import given
from hypothesis import strategies as st

from xlqc import documents, safeio
from xlqc.documents import export, safe_file_name, safe_name
from xlqc.errors import XlqcError
from xlqc.reading import read_book
from xlqc.rules import check

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"SECRET-OF-THE-CLERKS-PC-42"


def xlqc_process(*args: str | Path, cwd: Path | None = None) -> subprocess.Popen[str]:
    """``python -m xlqc ARGS`` in a process of its own (this worktree's code)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "xlqc", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("xlqc did not finish: it hangs")
    return proc.returncode, out, err


def bad_group(code: str = "G001") -> dict[str, Any]:
    """A group with one error (registered too recently: R02 on 小组!D2)."""
    return {**GOOD_GROUP, "小组编号": code, "注册日期": "2025-01-01"}


def rows_of(code: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        [{**t, "小组编号": code} for t in GOOD_TOPICS],
        [{**m, "小组编号": code} for m in GOOD_MEMBERS],
    )


def exported(out: Path) -> dict[str, str]:
    """The export's files (the marker left out)."""
    return {k: v for k, v in snapshot(out).items() if Path(k).name != safeio.EXPORT_MARKER}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".xlqc-"))


# ----------------------------------------------------------------------------------------------
# 1. Export writes only what it owns


def test_export_into_the_workbooks_own_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    book = book_file(tmp_path / "收件")
    before = snapshot(tmp_path)
    monkeypatch.chdir(book.parent)
    assert_refused(run(capsys, "export", "总表.xlsx", "-o", "."), "包含总表")
    assert_refused(run(capsys, "export", book, "-o", tmp_path), "包含总表")  # a folder above
    assert snapshot(tmp_path) == before


def test_export_into_a_folder_holding_a_proof_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topics = [{**GOOD_TOPICS[0], "认可证明": "材料/证实性材料/扫描件.pdf"}, GOOD_TOPICS[1]]
    book = book_file(tmp_path, topics=topics)
    (tmp_path / "材料" / "证实性材料").mkdir(parents=True)
    (tmp_path / "材料" / "证实性材料" / "扫描件.pdf").write_bytes(b"scan")
    before = snapshot(tmp_path)
    assert_refused(run(capsys, "export", book, "-o", tmp_path / "材料"), "扫描件.pdf")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "clerks_file", ["证实性材料/扫描件.pdf", "附件2_申报表/定稿.docx", "清单.xlsx", "说明.txt"]
)
def test_a_folder_xlqc_did_not_write_is_refused_untouched(
    clerks_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = book_file(tmp_path / "in")
    out = tmp_path / "out"
    (out / clerks_file).parent.mkdir(parents=True, exist_ok=True)
    (out / clerks_file).write_bytes(b"the clerk's own")
    before = snapshot(tmp_path)
    assert_refused(run(capsys, "export", book, "-o", out), "不是 xlqc 导出的文件夹")
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_an_earlier_export_is_replaced_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topics, members = rows_of("G002")
    groups = [GOOD_GROUP, {**GOOD_GROUP, "小组编号": "G002", "小组名称": "第二小组"}]
    book = book_file(tmp_path / "in", groups, [*GOOD_TOPICS, *topics], [*GOOD_MEMBERS, *members])
    out = tmp_path / "out"
    assert run(capsys, "export", book, "-o", out, "--zip").code == 0
    first = exported(out)
    assert any("第二小组" in name for name in first)
    write_workbook(book, [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)  # G002 gone
    assert run(capsys, "export", book, "-o", out, "--zip").code == 0
    second = exported(out)
    assert not any("第二小组" in name for name in second), "files of the first export remain"
    marker = json.loads((out / safeio.EXPORT_MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == set(second)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("change", ["added", "edited", "linked"])
def test_an_earlier_export_the_clerk_changed_is_refused(
    change: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = book_file(tmp_path / "in")
    out = tmp_path / "out"
    assert run(capsys, "export", book, "-o", out).code == 0
    form = next((out / documents.FORM2_DIR).iterdir())
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (elsewhere / "扫描件.pdf").write_bytes(b"kept")
    if change == "added":
        (out / documents.FORM2_DIR / "定稿.docx").write_bytes(b"final")
    elif change == "edited":
        form.write_bytes(form.read_bytes() + b"edited in Word")
    else:  # 证实性材料 made a link to another folder: nothing of it may be replaced
        proofs = out / documents.PROOF_DIR
        os.rename(proofs, tmp_path / "旧证实性材料")
        proofs.symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)
    outcome = run(capsys, "export", book, "-o", out)
    assert_refused(outcome, "已拒绝")
    assert snapshot(tmp_path) == before
    assert (elsewhere / "扫描件.pdf").read_bytes() == b"kept"
    assert leftovers(tmp_path) == []


def test_replacing_moves_the_old_export_aside_until_the_new_one_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = read_book(book_file(tmp_path / "in"))
    out = tmp_path / "out"
    export(book, check(book), out)
    before = snapshot(out)
    real_rename = os.rename
    moves: list[tuple[str, str]] = []

    def failing(src: Any, dst: Any) -> None:
        moves.append((Path(src).name, Path(dst).name))
        if Path(dst) == out.resolve() and Path(src).name == "out":
            raise OSError(28, "No space left on device")  # the new folder cannot be moved in
        real_rename(src, dst)

    monkeypatch.setattr(safeio.os, "rename", failing)
    with pytest.raises(XlqcError, match="No space left on device"):
        export(book, check(book), out)
    monkeypatch.undo()
    assert moves[0][0] == "out" and moves[0][1].startswith(".xlqc-"), "old export moved aside"
    assert snapshot(out) == before, "the earlier export is back, whole"
    assert leftovers(tmp_path) == []


def test_concurrent_exports_to_one_folder(tmp_path: Path) -> None:
    """Four exports of two different workbooks race to replace one earlier export: each
    finishes or is refused in one line, and what stays is one whole export, its zip equal to
    the folder (a mix of two exports would show as a difference)."""
    books = []
    for unit, name in (("甲", "甲小组"), ("乙", "乙小组")):
        group = {**GOOD_GROUP, "小组名称": name}
        books.append(book_file(tmp_path / unit, [group]))
    out = tmp_path / "out"
    finish(xlqc_process("export", books[0], "-o", out, "--zip"))
    procs = [xlqc_process("export", books[n % 2], "-o", out, "--zip") for n in range(4)]
    results = [finish(p, 180) for p in procs]
    for code, _out, err in results:
        assert code == 0 or (code == 2 and "另一个 xlqc" in err), err
        assert "Traceback" not in err
    assert any(code == 0 for code, _o, _e in results)
    files = exported(out)
    (zip_name,) = [name for name in files if name.endswith(".zip")]
    with zipfile.ZipFile(out / zip_name) as zf:
        packed = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}
    assert set(packed) == set(files) - {zip_name}, "the zip holds exactly the folder"
    assert all(packed[name] == (out / name).read_bytes() for name in packed)
    assert len({name.split("_")[-1] for name in files if name.startswith("附件2")}) == 1
    assert leftovers(tmp_path) == []


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from xlqc import safeio
with safeio._folder_lock(Path(sys.argv[1])):
    Path(sys.argv[2]).write_text("locked")
    time.sleep(60)
"""


def test_an_export_waiting_too_long_for_another_is_refused_clearly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    flag = tmp_path / "locked.flag"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(out), str(flag)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        refused = pytest.raises(XlqcError, match="另一个 xlqc 正在写入输出文件夹")
        with refused, safeio._folder_lock(out, wait=0.5):
            pass
    finally:
        holder.kill()
        holder.wait()
    with safeio._folder_lock(out, wait=5):  # the OS let go of the dead holder's lock
        pass


_KILLED_EXPORT = """
import sys, time
from pathlib import Path
from xlqc import cli, documents
real = documents.manifest_workbook
def stuck(*args, **kwargs):
    Path(sys.argv[3]).write_text("building")
    time.sleep(600)
documents.manifest_workbook = stuck
sys.exit(cli.main(["export", sys.argv[1], "-o", sys.argv[2]]))
"""


def test_a_killed_exports_temporary_folder_is_cleaned_by_the_next(tmp_path: Path) -> None:
    book = book_file(tmp_path / "in")
    out = tmp_path / "out"
    flag = tmp_path / "building.flag"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_EXPORT, str(book), str(out), str(flag)], env=env
    )
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "export never started"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stale = leftovers(tmp_path)
    assert len(stale) == 1 and not out.exists()
    # folders xlqc cannot prove it made are left alone, whatever their names
    tag = stale[0].split("-")[1]
    unmarked = tmp_path / f".xlqc-{tag}-clerk"
    unmarked.mkdir()
    (unmarked / "note.txt").write_text("mine")
    code, _o, err = finish(xlqc_process("export", book, "-o", out))
    assert code == 0, err
    assert leftovers(tmp_path) == [unmarked.name]
    assert (unmarked / "note.txt").read_text() == "mine"
    assert exported(out)


def test_a_temporary_folder_in_use_is_not_taken_for_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    work = tmp_path / f".xlqc-{safeio._tag(out)}-busy"
    work.mkdir()
    fd = safeio._mark_temp(work, out)  # held, as a running export holds it
    try:
        with safeio._folder_lock(out):
            assert safeio.clean_stale(out) == []
        assert work.exists()
    finally:
        os.close(fd)
    with safeio._folder_lock(out):
        assert safeio.clean_stale(out) == [work]
    assert not work.exists()


# ----------------------------------------------------------------------------------------------
# 2. Proofs come from inside the workbook's folder


def outside_cases(tmp_path: Path) -> dict[str, str]:
    """Typed proof paths that lead out of the workbook's folder tmp/a/b (each to a file that
    exists, so that only the folder rule can stop it)."""
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(SECRET)
    folder = tmp_path / "a" / "b"
    (folder / "proofs").mkdir(parents=True, exist_ok=True)
    (folder / "proofs" / "link.pdf").symlink_to(secret)
    (folder / "proofs" / "up").symlink_to(tmp_path, target_is_directory=True)
    return {
        "etc-passwd": "/etc/passwd",
        "proc-environ": "/proc/self/environ",
        "dot-dot": "../../secret.pdf",
        "backslashes": "..\\..\\secret.pdf",
        "absolute": str(secret),
        "file-link": "proofs/link.pdf",
        "folder-link": "proofs/up/secret.pdf",
    }


CASES = ["etc-passwd", "proc-environ", "dot-dot", "backslashes", "absolute", "file-link"]


@pytest.mark.parametrize("case", [*CASES, "folder-link"])
def test_a_proof_outside_the_workbooks_folder_is_r14_and_never_copied(
    case: str, tmp_path: Path
) -> None:
    typed = outside_cases(tmp_path)[case]
    topics = [{**GOOD_TOPICS[0], "认可证明": typed}, GOOD_TOPICS[1]]
    book = read_book(book_file(tmp_path / "a" / "b", topics=topics))
    findings = check(book)
    (r14,) = [f for f in findings if f.rule == "R14"]
    assert (r14.severity, r14.cell) == ("error", "I2")
    assert r14.message.startswith("证实性材料须放在总表所在文件夹内：课题!I2")
    result = export(book, findings, tmp_path / "out", include_all=True, make_zip=True)
    assert any("证实性材料须放在总表所在文件夹内" in p for p in result.problems)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not any(p.name.startswith("课题1_认可证明") for p in written)
    assert not any(SECRET in p.read_bytes() for p in written)
    if case == "etc-passwd":
        assert not any(b"root:" in p.read_bytes() for p in written)


def test_proofs_inside_the_folder_by_absolute_path_or_inner_link_are_kept(
    tmp_path: Path,
) -> None:
    write_proofs(tmp_path)
    (tmp_path / "proofs" / "same-award.pdf").symlink_to(tmp_path / "proofs" / "award1.pdf")
    topics = [
        {**GOOD_TOPICS[0], "成果报告": str(tmp_path / "proofs" / "report1.docx")},
        {**GOOD_TOPICS[1], "外部认可": "国家级", "认可证明": "proofs/same-award.pdf"},
    ]
    book = read_book(book_file(tmp_path, topics=topics))
    assert [f for f in check(book) if f.rule == "R14"] == []
    result = export(book, check(book), tmp_path / "out")
    assert result.problems == []


def special_proof(folder: Path, kind: str) -> str:
    proofs = folder / "proofs"
    proofs.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(proofs / "pipe.pdf")
        return "proofs/pipe.pdf"
    if kind == "device":
        try:
            os.mknod(proofs / "null.pdf", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device file needs root")
        return "proofs/null.pdf"
    (proofs / "folder.pdf").mkdir()
    return "proofs/folder.pdf"


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_only_regular_files_are_proofs(kind: str, tmp_path: Path) -> None:
    write_proofs(tmp_path)
    typed = special_proof(tmp_path, kind)
    topics = [{**GOOD_TOPICS[0], "认可证明": typed}, GOOD_TOPICS[1]]
    book = read_book(book_file(tmp_path, topics=topics))
    (r14,) = [f for f in check(book) if f.rule == "R14"]
    assert r14.cell == "I2" and "不是普通文件" in r14.message
    result = export(book, check(book), tmp_path / "out", include_all=True)
    assert any("不是普通文件" in p for p in result.problems)


def test_an_over_long_proof_path_is_that_proofs_r14_not_an_export_failure(
    tmp_path: Path,
) -> None:
    long_name = "proofs/" + "证" * 90 + ".pdf"  # 270 bytes in one component
    members = [{**GOOD_MEMBERS[0], "能力证明": f"proofs/cert.pdf；{long_name}"}, *GOOD_MEMBERS[1:]]
    book = read_book(book_file(tmp_path, members=members))
    (r14,) = [f for f in check(book) if f.rule == "R14"]
    assert (r14.sheet, r14.cell) == ("成员", "D2") and "255 字节" in r14.message
    result = export(book, check(book), tmp_path / "out", include_all=True)
    assert result.exported == ["G001"]
    assert any("255 字节" in p for p in result.problems)
    assert any(p.name == "能力证明_王晓东.pdf" for p in (tmp_path / "out").rglob("*"))


def test_a_proof_in_a_folder_nobody_may_enter_is_r14_not_an_export_failure(
    tmp_path: Path,
) -> None:
    locked = tmp_path / "proofs" / "locked"
    locked.mkdir(parents=True)
    (locked / "c.pdf").write_bytes(b"cert")
    members = [{**GOOD_MEMBERS[0], "能力证明": "proofs/cert.pdf；proofs/locked/c.pdf"}]
    book = read_book(book_file(tmp_path, members=[*members, *GOOD_MEMBERS[1:]]))
    locked.chmod(0)
    try:
        (r14,) = [f for f in check(book) if f.rule == "R14"]
        assert r14.cell == "D2" and "没有读取权限" in r14.message
        result = export(book, check(book), tmp_path / "out", include_all=True)
    finally:
        locked.chmod(0o755)
    assert result.exported == ["G001"]
    assert any("没有读取权限" in p for p in result.problems)


def test_large_proofs_and_packages_are_warned_about(tmp_path: Path) -> None:
    path = book_file(tmp_path)
    for name, mb in (("report1.docx", 18), ("report2.docx", 18), ("award1.pdf", 21)):
        with open(tmp_path / "proofs" / name, "r+b") as fh:
            fh.truncate(mb * 1024 * 1024)
    book = read_book(path)
    findings = check(book)
    (big,) = [f for f in findings if f.rule == "R14"]
    assert (big.severity, big.cell) == ("warning", "I2") and "20 MB" in big.message
    result = export(book, findings, tmp_path / "out")
    assert result.exported == ["G001"], "a warning does not stop the export"
    assert any("award1.pdf" in p and "20 MB" in p for p in result.problems)
    assert any("超过 50 MB" in p for p in result.problems)


# ----------------------------------------------------------------------------------------------
# 5. In-place and batch writes


def test_in_place_writes_through_a_symlink_to_the_real_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_proofs(tmp_path / "real")
    real = write_workbook(tmp_path / "real" / "总表.xlsx", [bad_group()], GOOD_TOPICS, GOOD_MEMBERS)
    link = tmp_path / "总表.xlsx"
    link.symlink_to(real)
    (tmp_path / "proofs").symlink_to(tmp_path / "real" / "proofs")
    assert run(capsys, "validate", link, "--in-place").code == 1
    assert link.is_symlink() and link.resolve() == real
    assert openpyxl.load_workbook(real)["小组"]["D2"].comment is not None
    assert run(capsys, "clear", link, "--in-place").code == 0
    assert link.is_symlink() and openpyxl.load_workbook(real)["小组"]["D2"].comment is None


def test_import_into_a_symlinked_workbook_updates_the_real_one(tmp_path: Path) -> None:
    from intake_forms import official_form

    from xlqc.intake import import_forms

    write_proofs(tmp_path / "real")
    real = write_workbook(tmp_path / "real" / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    link = tmp_path / "总表.xlsx"
    link.symlink_to(real)
    result = import_forms([official_form(tmp_path / "f.docx")], link)
    assert [g.code for g in result.added] == ["G002"]
    assert link.is_symlink() and link.resolve() == real
    assert [c.value for c in openpyxl.load_workbook(real)["小组"]["A"]][1:] == ["G001", "G002"]


def test_a_read_only_workbook_is_not_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_proofs(tmp_path)
    book = write_workbook(tmp_path / "总表.xlsx", [bad_group()], GOOD_TOPICS, GOOD_MEMBERS)
    book.chmod(0o444)
    before = snapshot(tmp_path)
    assert_refused(run(capsys, "validate", book, "--in-place"), "只读")
    assert_refused(run(capsys, "normalize", book, "--in-place"), "只读")
    assert snapshot(tmp_path) == before
    assert not (tmp_path / safeio.BACKUP_FOLDER).exists()


def test_a_workbook_open_in_excel_is_not_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_proofs(tmp_path)
    book = write_workbook(tmp_path / "总表.xlsx", [bad_group()], GOOD_TOPICS, GOOD_MEMBERS)
    (tmp_path / "~$总表.xlsx").write_bytes(b"\x0bExcel owner")
    before = snapshot(tmp_path)
    assert_refused(run(capsys, "validate", book, "--in-place"), "总表正在 Excel 中打开，请先关闭")
    assert_refused(run(capsys, "clear", book, "--in-place"), "总表正在 Excel 中打开，请先关闭")
    assert snapshot(tmp_path) == before


def test_folder_runs_in_place_never_take_their_backups_for_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_proofs(tmp_path)
    book = write_workbook(tmp_path / "总表.xlsx", [bad_group()], GOOD_TOPICS, GOOD_MEMBERS)
    for n in range(1, 4):
        outcome = run(capsys, "validate", tmp_path, "--in-place", "--json")
        assert outcome.code == 1, outcome
        files = {f["file"] for f in json.JSONDecoder().raw_decode(outcome.out)[0]}
        assert files == {str(book)}, f"run {n} read {files}"
        assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["总表.xlsx"]
        assert len(list((tmp_path / safeio.BACKUP_FOLDER).iterdir())) == n


def test_mark_folder_keeps_two_books_of_the_same_name_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for unit, code in (("a", "G001"), ("b", "G777")):
        write_proofs(tmp_path / unit)
        topics, members = rows_of(code)
        write_workbook(tmp_path / unit / "总表.xlsx", [bad_group(code)], topics, members)
    marked = tmp_path / "标记"
    outcome = run(
        capsys,
        "validate",
        tmp_path / "a" / "总表.xlsx",
        tmp_path / "b" / "总表.xlsx",
        "--mark",
        marked,
    )
    assert outcome.code == 1, outcome
    codes = {
        p.relative_to(marked).as_posix(): openpyxl.load_workbook(p)["小组"]["A2"].value
        for p in marked.rglob("*.xlsx")
    }
    assert codes == {"a/总表.xlsx": "G001", "b/总表.xlsx": "G777"}


@pytest.mark.parametrize("name", ["标记.csv", "标记.xls", "标记", "标记.xlsm"])
def test_mark_output_must_end_like_the_workbook(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_proofs(tmp_path)
    book = write_workbook(tmp_path / "总表.xlsx", [bad_group()], GOOD_TOPICS, GOOD_MEMBERS)
    before = snapshot(tmp_path)
    assert_refused(run(capsys, "validate", book, "--mark", tmp_path / name), ".xlsx")
    assert snapshot(tmp_path) == before


# ----------------------------------------------------------------------------------------------
# 6. One Chinese line, exit 2


@pytest.mark.parametrize("jobs", ["-1", "0"])
def test_jobs_below_one_is_one_chinese_line(
    jobs: str, good_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_refused(run(capsys, "validate", good_book, "-j", jobs), "-j")


@pytest.mark.parametrize("command", ["validate", "export"])
def test_a_fifo_named_like_a_workbook_is_refused_without_hanging(
    command: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "总表.xlsx"
    os.mkfifo(fifo)
    extra = ["-o", str(tmp_path / "out")] if command == "export" else []
    code, out, err = finish(xlqc_process(command, fifo, *extra), timeout=30)
    assert code == 2 and "不是普通文件" in err and "Traceback" not in err + out
    assert len([line for line in err.splitlines() if line.strip()]) == 1


def test_a_device_named_like_a_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "总表.xlsx").symlink_to("/dev/zero")
    assert_refused(run(capsys, "validate", tmp_path / "总表.xlsx"), "不是普通文件")


def test_names_longer_than_255_bytes_are_cut_to_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = {**GOOD_GROUP, "组织名称": "𠀀" * 40, "小组名称": "😀" * 26}
    members = [{**m, "姓名": "😀" * 20} for m in GOOD_MEMBERS]
    topics = [{**t, "课题名称": "𠀀" * 40 + t["课题名称"]} for t in GOOD_TOPICS]
    book = book_file(tmp_path / "in", [group], topics, members)
    out = tmp_path / "out"
    outcome = run(capsys, "export", book, "-o", out, "--all", "--zip")
    assert outcome.code == 0, outcome
    names = [p.name for p in out.rglob("*")]
    assert len(names) > 8
    assert max(len(n.encode()) for n in names) <= 255 - 16  # room for a numeric suffix


WIDE = st.text(alphabet="𠀀😀中国a .", min_size=60, max_size=400)  # 4-, 3- and 1-byte characters


@given(st.one_of(st.text(max_size=400), WIDE), st.integers(min_value=1, max_value=200))
def test_safe_names_fit_in_bytes(text: str, max_len: int) -> None:
    assert len(safe_name(text, max_len).encode()) <= documents.NAME_BYTES
    name = safe_file_name(text, ".docx")
    assert len(name.encode()) <= documents.NAME_BYTES and name.endswith(".docx")
