"""Writing files without ever leaving a clerk with a half-written one (DESIGN.md §6).

Every file xlqc writes goes to a temporary file in the destination's folder and is moved into
place with :func:`os.replace`, which is atomic on one file system; ``--in-place`` first keeps a
timestamped backup beside the original.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from xlqc.errors import XlqcError


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it replaces ``dest`` atomically,
    on any failure it is deleted and ``dest`` is untouched."""
    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".xlqc-", suffix=dest.suffix, dir=folder)
    except OSError as exc:
        raise XlqcError(f"无法在「{folder}」写入文件：{exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:  # disk full, quota, a vanished network folder
            raise XlqcError(f"无法写入「{dest.name}」：{exc.strerror or exc}") from None
        _set_mode(tmp, dest)
        try:
            os.replace(tmp, dest)
        except PermissionError:
            raise XlqcError(
                f"无法写入「{dest.name}」：文件可能正在 Excel 或 Word 中打开，请关闭后再试"
            ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _set_mode(tmp: Path, dest: Path) -> None:
    """mkstemp makes files private (0600); give the result the mode a plain write would:
    the replaced file's own mode, else the default under the user's umask."""
    try:
        mode = dest.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2.suffix``… when taken."""
    path, n = folder / f"{stem}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path


def output_folder(folder: Path) -> Path:
    """Where an export goes when no folder is named (the ribbon's buttons, ``xlqc export``
    without -o): a new folder in ``folder`` (the workbook's), xlqc输出_20261030-153000, with
    -2, -3… when a second export starts within the same second (never into the previous one)."""
    return free_name(folder, f"xlqc输出_{datetime.now():%Y%m%d-%H%M%S}", "")


def backup(path: Path) -> Path:
    """Copy ``path`` to ``<stem>.备份-YYYYmmdd-HHMMSS<suffix>`` beside it and return the copy."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.备份-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.备份-{stamp}-{n}{path.suffix}")
    try:
        shutil.copy2(path, target)
    except OSError as exc:
        raise XlqcError(f"无法备份「{path.name}」：{exc.strerror or exc}") from None
    return target


@contextlib.contextmanager
def atomic_folder(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``dest``; on success its contents are moved into
    ``dest`` (created if needed), on failure nothing of it remains."""
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".xlqc-", dir=dest.parent))
    except OSError as exc:
        raise XlqcError(f"无法创建输出文件夹「{dest}」：{exc.strerror or exc}") from None
    try:
        yield tmp
        if not dest.exists():
            os.replace(tmp, dest)
        else:
            for item in tmp.iterdir():
                target = dest / item.name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(item, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def inside(folder: Path, candidate: Path) -> bool:
    """Whether ``candidate`` resolves to a path inside ``folder``."""
    try:
        candidate.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
