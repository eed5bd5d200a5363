"""Where a proof path typed in the workbook leads: one answer for R14 and for export.

A proof must be a regular file inside the folder that holds the workbook (DESIGN.md §4): the
typed path is taken relative to that folder (Windows back-slashes understood everywhere), every
symbolic link on the way is followed, and the real file must still lie inside the folder. So
``/etc/passwd``, ``..\\..\\x`` or a link in 证实性材料/ pointing elsewhere are refused, and a
workbook received from someone else cannot make the clerk mail files from their own PC. A
folder, pipe or device is never opened.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAX_PROOF_BYTES = 20 * 1024 * 1024  # one attachment a mail server will usually still take
MAX_PACKAGE_BYTES = 50 * 1024 * 1024  # a whole mail package
RELATIVE = "（路径相对于总表所在文件夹）"
_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:|\\\\|//")  # C:…, \\server\share

Kind = Literal["ok", "missing", "outside", "special", "unreadable"]


@dataclass(frozen=True)
class Proof:
    """A typed proof path and what it leads to: ``path`` (the real file) only when ``kind`` is
    "ok"; otherwise ``detail`` says why it cannot be used."""

    typed: str
    kind: Kind
    path: Path | None = None
    size: int = 0
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.kind == "ok"

    def reason(self, at: str, shown_value: str | None = None) -> str:
        """The Chinese sentence for a proof that cannot be used; ``at`` names its cell,
        ``shown_value`` is the typed path as messages show it (default: as typed)."""
        shown = f"「{self.typed if shown_value is None else shown_value}」"
        if self.kind == "outside":
            return f"证实性材料须放在总表所在文件夹内：{at}{shown}在该文件夹之外{self.detail}"
        if self.kind == "special":
            return f"{at}{shown}不是普通文件（{self.detail}），不能作为证实性材料"
        if self.kind == "unreadable":
            return f"{at}：无法读取{shown}（{self.detail}）"
        return f"{at}：找不到文件{shown}{RELATIVE}"


def locate(folder: Path, typed: str) -> Proof:
    """What the proof path ``typed`` (relative to ``folder``, the workbook's folder) leads to."""
    return ProofFolder(folder).locate(typed)


class ProofFolder:
    """The workbook's folder, resolved once, answering :meth:`locate` for many typed paths
    (R14 asks for every proof of every group: plain strings inside, each folder on the way
    resolved and checked once)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root: str | None = None
        self._dirs: dict[str, str] = {}  # folder as typed -> its real path
        self._enterable: dict[str, bool] = {}

    @property
    def root(self) -> str:
        if self._root is None:
            self._root = os.path.realpath(self.folder)
        return self._root

    def inside(self, real: str) -> bool:
        root, real = os.path.normcase(self.root), os.path.normcase(real)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def locate(self, typed: str) -> Proof:
        text = typed.strip()
        if os.sep == "/":
            if _WINDOWS_ABSOLUTE.match(text):
                return Proof(typed, "outside", detail="（Windows 绝对路径）")
            text = text.replace("\\", "/")
        try:
            real, st = self._real(text)
        except (FileNotFoundError, NotADirectoryError):
            return Proof(typed, "missing")
        except (OSError, ValueError) as exc:
            return Proof(typed, "unreadable", detail=_why(exc))
        if not self.inside(real):
            return Proof(typed, "outside")
        if st is None:
            return Proof(typed, "missing")
        if stat.S_ISDIR(st.st_mode):
            return Proof(typed, "special", detail="是文件夹")
        if not stat.S_ISREG(st.st_mode):
            return Proof(typed, "special", detail="是管道、设备或套接字")
        readable = st.st_mode & 0o444 and os.access(real, os.R_OK)
        if not readable or not self._enters(os.path.dirname(real)):
            return Proof(typed, "unreadable", detail="没有读取权限")
        return Proof(typed, "ok", path=Path(real), size=st.st_size)

    def _real(self, text: str) -> tuple[str, os.stat_result | None]:
        """The path with every link followed (os.path.realpath; the folder part resolved once
        per folder, as proofs mostly share a few folders) and its status (None: not there)."""
        full = os.path.join(self.root, text)  # an absolute ``text`` stands alone
        parent, name = os.path.split(full)
        if name in ("", ".", ".."):
            real = os.path.realpath(full)
        else:
            if parent not in self._dirs:
                self._dirs[parent] = os.path.realpath(parent)
            real = os.path.join(self._dirs[parent], name)
            try:
                st = os.lstat(real)
            except (FileNotFoundError, NotADirectoryError):
                return real, None
            if not stat.S_ISLNK(st.st_mode):
                return real, st
            real = os.path.realpath(real)
        try:
            return real, os.stat(real)
        except (FileNotFoundError, NotADirectoryError):
            return real, None

    def _enters(self, folder: str) -> bool:
        """Whether the folders from the workbook's down to ``folder`` may be entered by their
        mode bits, which an administrator's process would otherwise ignore."""
        if folder not in self._enterable:
            if os.path.normcase(folder) == os.path.normcase(self.root) or not self.inside(folder):
                return True
            try:
                ok = bool(os.stat(folder).st_mode & 0o111)
            except OSError:
                ok = False
            self._enterable[folder] = ok and self._enters(os.path.dirname(folder))
        return self._enterable[folder]


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return "路径中有一段超过 255 字节，文件名过长"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if isinstance(exc, ValueError):
        return "路径含有不可用的字符"
    return str(getattr(exc, "strerror", None) or exc)


def open_regular(path: Path) -> int:
    """Open ``path`` for reading without following a link and without waiting on a pipe, and
    make sure it is still a regular file (it may have been swapped since :func:`locate`).
    Returns the descriptor; :class:`OSError` otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "不是普通文件")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB"
