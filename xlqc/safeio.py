"""Writing files without ever leaving a clerk with a half-written one (DESIGN.md §6).

Every file xlqc writes goes to a temporary file in the destination's folder and is moved into
place with :func:`os.replace`, which is atomic on one file system; a destination that is a
symbolic link is written through to the real file. ``--in-place`` first keeps a timestamped
backup in the ``xlqc备份`` folder beside the original, and refuses a read-only workbook or one
Excel has open.

An export folder is written with :func:`export_folder`: it must be new, empty or an earlier xlqc
export (known by the marker file xlqc wrote there, listing every file it wrote), is built in a
temporary folder beside it, and replaces the earlier export only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from xlqc.errors import XlqcError

try:  # the lock of an export folder: flock where there is one (not by sys.platform, which
    import fcntl  # tests fake), the C runtime's locking on Windows

    msvcrt = None
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt  # type: ignore[no-redef]

BACKUP_FOLDER = "xlqc备份"  # beside the workbook; a folder run never looks inside it
EXPORT_MARKER = ".xlqc导出标记"  # in an export folder: every file xlqc wrote there (JSON)
TEMP_MARKER = ".xlqc-temp"  # in a temporary folder xlqc is building or removing
LOCK_WAIT = 60.0  # seconds an export waits for another one writing the same folder


def real_file(path: Path) -> Path:
    """``path`` with symbolic links followed, so that a rewrite replaces the real file and
    leaves the clerk's link a link."""
    path = Path(path)
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it replaces ``dest`` atomically,
    on any failure it is deleted and ``dest`` is untouched."""
    dest = real_file(dest)
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


def owner_file(path: Path) -> str:
    """The name of the owner file Excel keeps beside a workbook it has open: ``~$`` and the
    whole name (Word's form, ``~$`` over the first two characters, is not Excel's, and would
    take ``~$总表.xlsx`` of an open 总表.xlsx for the owner of a closed ab总表.xlsx)."""
    return f"~${path.name}"


def check_rewritable(path: Path) -> None:
    """Refuse to rewrite a workbook that is read-only or open in Excel (an owner file ``~$…``
    beside it or beside the real file behind a link). Read-only is judged from the mode bits
    too, since an administrator's process is allowed to write anything."""
    path = Path(path)
    real = real_file(path)
    try:
        st = os.stat(real)
    except OSError:
        return  # the reader says what is wrong with a file that is not there
    if not stat.S_ISREG(st.st_mode):
        raise XlqcError(f"「{path.name}」不是普通文件（可能是管道或设备），xlqc 不会改写它")
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise XlqcError(
            f"「{path.name}」是只读文件，xlqc 不会改写它；请先取消只读属性，或用 --mark/-o "
            "写一份副本"
        )
    for where in dict.fromkeys((path, real)):
        owner = owner_file(where)
        if os.path.lexists(where.parent / owner):
            raise XlqcError(
                f"总表正在 Excel 中打开，请先关闭：「{path.name}」旁有 Excel 的锁定文件"
                f"「{owner}」（Excel 已关闭时可删除它）"
            )


def backup(path: Path) -> Path:
    """Copy ``path`` (through a link, its real file) to
    ``xlqc备份/<stem>.备份-YYYYmmdd-HHMMSS<suffix>`` beside it and return the copy.

    Every in-place rewrite starts here, so this is also where a read-only workbook or one open
    in Excel is refused (:func:`check_rewritable`), before anything is written."""
    path = Path(path)
    check_rewritable(path)
    folder = path.parent / BACKUP_FOLDER
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder.mkdir(exist_ok=True)
        n = 1
        while True:
            extra = f"-{n}" if n > 1 else ""
            target = folder / f"{path.stem}.备份-{stamp}{extra}{path.suffix}"
            try:
                out = open(target, "xb")  # noqa: SIM115 (closed below, removed on failure)
            except FileExistsError:
                n += 1
                continue
            try:
                with out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out)
                shutil.copystat(path, target)
            except OSError:
                target.unlink(missing_ok=True)
                raise
            return target
    except OSError as exc:
        raise XlqcError(f"无法备份「{path.name}」：{exc.strerror or exc}") from None


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


# ----------------------------------------------------------------------------------------------
# Export folders: written only where xlqc owns the folder, replaced whole


def _tag(dest: Path) -> str:
    """A short name for ``dest`` in the names of its lock and temporary folders."""
    return hashlib.sha256(dest.name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _try_lock(fd: int) -> bool:
    """An exclusive, non-blocking lock on an open file; the OS releases it when the process
    dies, so a killed export never leaves a lock behind."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks from the current position: byte 0
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def _folder_lock(dest: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock of export folder ``dest`` (a file beside it, removed afterwards): only
    one xlqc at a time checks, replaces or cleans up around ``dest``."""
    lock = dest.parent / f".xlqc-{_tag(dest)}.lock"
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise XlqcError(f"无法在「{dest.parent}」写入文件：{exc.strerror or exc}") from None
        if _try_lock(fd):
            try:  # the previous holder may have removed the file after we opened it
                current = os.stat(lock)
            except FileNotFoundError:
                current = None
            if current is not None and os.path.samestat(os.fstat(fd), current):
                break
            _unlock(fd)
        os.close(fd)
        if time.monotonic() > deadline:
            raise XlqcError(f"另一个 xlqc 正在写入输出文件夹「{dest}」，请等它完成后再试")
        time.sleep(0.05)
    try:
        yield
    finally:
        if fcntl is not None:
            with contextlib.suppress(OSError):
                os.unlink(lock)
        _unlock(fd)
        os.close(fd)
        if fcntl is None:  # Windows: an open file cannot be removed there
            with contextlib.suppress(OSError):
                os.unlink(lock)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _listing(folder: Path) -> dict[str, dict[str, int | str]]:
    """Every file under ``folder`` (relative, /-separated) with its size and SHA-256."""
    files: dict[str, dict[str, int | str]] = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if rel != EXPORT_MARKER:
                files[rel] = {"size": path.stat().st_size, "sha256": _digest(path)}
    return files


def _read_marker(path: Path, kind: str) -> dict[str, object] | None:
    """The JSON of an xlqc marker file of ``kind``, or None when ``path`` is not one."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.lstat(path).st_size > 10_000_000:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("xlqc") == kind else None


def export_folder_problem(dest: Path) -> str | None:
    """Why xlqc may not write the export folder ``dest``, in Chinese; None when it is new,
    empty, or an earlier xlqc export of which nothing was added, changed or linked since."""
    try:
        st = os.lstat(dest)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"无法使用输出文件夹「{dest}」：{exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return f"「{dest}」是一个文件，不是文件夹，请换一个输出位置"
    try:
        if not any(os.scandir(dest)):
            return None
    except OSError as exc:
        return f"无法读取输出文件夹「{dest}」：{exc.strerror or exc}"
    refuse = "为免覆盖或删除其中的文件，已拒绝导出；请换一个新的或空的文件夹"
    marker = _read_marker(dest / EXPORT_MARKER, "export")
    listed = marker.get("files") if marker else None
    if not isinstance(listed, dict):
        return f"输出文件夹「{dest}」不是空文件夹，也不是 xlqc 导出的文件夹，{refuse}"
    foreign: list[str] = []
    changed: list[str] = []
    open_in_office: list[str] = []
    for root, dirs, names in os.walk(dest):
        for name in [*dirs, *names]:
            path = Path(root) / name
            rel = path.relative_to(dest).as_posix()
            if rel == EXPORT_MARKER:
                continue
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode):
                continue
            if name.startswith("~$"):
                open_in_office.append(rel)
            elif not stat.S_ISREG(mode) or rel not in listed:
                foreign.append(rel)  # a link, or a file xlqc did not write
            else:
                if not _unchanged(path, listed[rel]):
                    changed.append(rel)
    if open_in_office:
        return f"输出文件夹「{dest}」中的文件正在 Word 或 Excel 中打开（{_few(open_in_office)}），请先关闭"
    if foreign:
        return f"输出文件夹「{dest}」中有不是 xlqc 导出的文件或链接（{_few(foreign)}），{refuse}，或先移走这些文件"
    if changed:
        return f"输出文件夹「{dest}」中的「{_few(changed)}」在上次导出后被修改过，{refuse}，或先移走这些文件"
    return None


def _unchanged(path: Path, listed: object) -> bool:
    """Whether ``path`` is still the file the marker lists (size first, then SHA-256)."""
    if not isinstance(listed, dict) or listed.get("size") != os.lstat(path).st_size:
        return False
    return listed.get("sha256") == _digest(path)


def _few(items: list[str], n: int = 3) -> str:
    shown = "、".join(items[:n])
    return shown + (f" 等 {len(items)} 个" if len(items) > n else "")


def _mark_temp(folder: Path, dest: Path) -> int:
    """Write the marker that proves ``folder`` is xlqc's own temporary folder for ``dest``
    and return its descriptor, locked while the folder is in use."""
    fd = os.open(folder / TEMP_MARKER, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, json.dumps({"xlqc": "temp", "for": dest.name}).encode("utf-8"))
    _try_lock(fd)
    return fd


def _remove_marked(folder: Path) -> None:
    """Remove an xlqc temporary folder, its marker last, so that a removal cut short still
    leaves a folder the next export can prove is xlqc's."""
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name == TEMP_MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.unlink(folder / TEMP_MARKER)
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def clean_stale(dest: Path) -> list[Path]:
    """Remove the temporary folders a killed export to ``dest`` left beside it: only those
    holding xlqc's marker for ``dest`` whose marker no running xlqc holds locked. Call with
    the folder's lock held."""
    removed: list[Path] = []
    prefix = f".xlqc-{_tag(dest)}-"
    try:
        entries = [e for e in os.scandir(dest.parent) if e.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        folder = Path(entry.path)
        if not entry.is_dir(follow_symlinks=False):
            continue
        marker = _read_marker(folder / TEMP_MARKER, "temp")
        if not marker or marker.get("for") != dest.name:
            continue  # not provably ours: left alone
        try:
            fd = os.open(folder / TEMP_MARKER, os.O_RDWR)
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                continue  # another xlqc is building it right now
            _unlock(fd)
        finally:
            os.close(fd)
        _remove_marked(folder)
        removed.append(folder)
    return removed


@contextlib.contextmanager
def export_folder(dest: Path, version: str = "") -> Iterator[Path]:
    """Yield an empty temporary folder beside ``dest``; when the block ends without error, it
    becomes ``dest`` (with a marker listing every file), and an earlier export there is moved
    aside and removed only after that. :class:`XlqcError` before anything is written when
    ``dest`` is neither new, empty, nor an unchanged earlier export; nothing of the temporary
    folder remains after a failure. Two exports to one folder both finish (the later one's
    result stays) or one is refused after :data:`LOCK_WAIT` seconds."""
    dest = Path(os.path.realpath(dest))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise XlqcError(f"无法创建输出文件夹「{dest}」：{exc.strerror or exc}") from None
    with _folder_lock(dest):
        problem = export_folder_problem(dest)
        if problem:
            raise XlqcError(problem)
        clean_stale(dest)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".xlqc-{_tag(dest)}-", dir=dest.parent))
        except OSError as exc:
            raise XlqcError(f"无法创建输出文件夹「{dest}」：{exc.strerror or exc}") from None
        try:
            fd = _mark_temp(tmp, dest)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise XlqcError(f"无法创建输出文件夹「{dest}」：{exc.strerror or exc}") from None
    try:
        work = tmp / "out"
        work.mkdir()
        yield work
        marker = {"xlqc": "export", "version": version, "files": _listing(work)}
        (work / EXPORT_MARKER).write_text(
            json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with _folder_lock(dest):
            problem = export_folder_problem(dest)  # again: time passed while we built
            if problem:
                raise XlqcError(problem)
            _put_in_place(work, dest)
    finally:
        _unlock(fd)
        os.close(fd)
        _remove_marked(tmp)


def _put_in_place(work: Path, dest: Path) -> None:
    """Move the finished folder ``work`` to ``dest``; an earlier export or an empty folder
    there is moved aside first and removed once ``dest`` is complete."""
    aside: Path | None = None
    if os.path.lexists(dest):
        aside = dest.parent / f".xlqc-{_tag(dest)}-old{secrets.token_hex(4)}"
        try:
            os.rename(dest, aside)
        except OSError as exc:
            raise XlqcError(
                f"无法替换输出文件夹「{dest}」：{exc.strerror or exc}（其中的文件可能正在 Word 或"
                " Excel 中打开，请关闭后再试）"
            ) from None
        with contextlib.suppress(OSError):
            os.close(_mark_temp(aside, dest))  # provably ours should we die before removal
    try:
        os.rename(work, dest)
    except OSError as exc:
        if aside is not None:  # the earlier export goes back as it was
            with contextlib.suppress(OSError):
                os.unlink(aside / TEMP_MARKER)
                os.rename(aside, dest)
        raise XlqcError(f"无法写入输出文件夹「{dest}」：{exc.strerror or exc}") from None
    if aside is not None:
        _remove_marked(aside)
