"""PDF copies of the generated Word documents, made with LibreOffice (``--pdf``).

Starting LibreOffice costs seconds, converting a form a fraction of one: one start converts every
file of an export (附件2 of every group, 附件3 and 附件4 together). Only many files (more than
:data:`BATCH`) are shared out over a few processes side by side, one start each. Each runs with a
private, throw-away profile, so it works while the clerk has LibreOffice open, and under a timeout.
Files are handed to it under plain ASCII names in a temporary folder, so no locale or odd
character in a name can trip it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from xlqc.errors import XlqcError

BATCH = 50  # files one LibreOffice start converts before a second one side by side pays
MAX_LANES = 4  # LibreOffice processes side by side, for many files
START_SECONDS = 90  # allowance for starting LibreOffice (a fresh profile is slow)
FILE_SECONDS = 20  # allowance per converted file
NOT_FOUND = "未找到 LibreOffice，无法生成 PDF；请安装 LibreOffice 或去掉 --pdf"

_USUAL_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def find_soffice() -> str:
    """The LibreOffice program, or :class:`XlqcError` saying how to get one."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in _USUAL_PLACES:
        if Path(place).is_file():
            return place
    raise XlqcError(NOT_FOUND)


def to_pdf(
    files: list[Path], out_dir: Path | None = None, *, lanes: int | None = None
) -> list[Path]:
    """Convert each file to ``<stem>.pdf`` in ``out_dir`` (default: beside the file); return
    the PDFs in the order given.

    One LibreOffice start converts them all. With more than :data:`BATCH` files, up to
    ``lanes`` processes (default: up to four, one per core) each convert an equal share, each
    with its own profile: still one start per process."""
    targets = [(out_dir or f.parent) / f"{f.stem}.pdf" for f in files]
    if len(set(targets)) != len(targets):
        raise ValueError("to_pdf needs files with distinct PDF names")
    soffice = find_soffice()
    if not files:
        return []
    for folder in {t.parent for t in targets}:
        folder.mkdir(parents=True, exist_ok=True)
    wanted = lanes or min(MAX_LANES, os.cpu_count() or 1)
    lanes = max(1, min(wanted, -(-len(files) // BATCH)))  # a process per BATCH files at most
    share = -(-len(files) // lanes)
    jobs = [
        list(zip(files[i : i + share], targets[i : i + share], strict=True))
        for i in range(0, len(files), share)
    ]
    with tempfile.TemporaryDirectory(prefix="xlqc-pdf-") as work_name:
        work = Path(work_name)

        def lane(k: int) -> None:
            _convert_batch(soffice, (work / f"profile{k}").as_uri(), jobs[k], work / str(k))

        if len(jobs) == 1:
            lane(0)
        else:
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                list(pool.map(lane, range(len(jobs))))
    return targets


def _convert_batch(soffice: str, profile: str, batch: list[tuple[Path, Path]], work: Path) -> None:
    """One LibreOffice start for ``batch`` (source, PDF), under plain names in ``work``."""
    inbox, outbox = work / "in", work / "out"
    inbox.mkdir(parents=True)
    plain = []
    for i, (src, _) in enumerate(batch):
        copy = inbox / f"{i:04d}{src.suffix.lower()}"
        shutil.copyfile(src, copy)
        plain.append(copy)
    _run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outbox),
            *map(str, plain),
        ],
        timeout=START_SECONDS + FILE_SECONDS * len(batch),
    )
    for (src, target), copy in zip(batch, plain, strict=True):
        made = outbox / f"{copy.stem}.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            raise XlqcError(f"LibreOffice 未能把「{src.name}」转换为 PDF")
        shutil.move(made, target)


def _run(cmd: list[str], timeout: float) -> None:
    """Run LibreOffice; on timeout end it and everything it started."""
    posix = sys.platform != "win32"
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=posix,
        )
    except OSError as exc:
        raise XlqcError(f"无法启动 LibreOffice：{exc.strerror or exc}") from None
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise XlqcError(f"LibreOffice 转换 PDF 超时（{int(timeout)} 秒），已中止") from None
    if proc.returncode != 0:
        tail = output.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise XlqcError(f"LibreOffice 转换 PDF 失败（退出码 {proc.returncode}）{tail[0]}")
