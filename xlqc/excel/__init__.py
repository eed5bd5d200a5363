"""The Excel front end: what the ribbon tab 「QC小组」 runs on the open workbook (DESIGN.md §5).

The add-in's one VBA entry point runs ``import xlqc.excel; xlqc.excel.on_ribbon('<button id>')``
through xlwings; :data:`HANDLERS` maps every button id of ``macros/customUI14.xml`` to its
handler in :mod:`xlqc.excel.handlers`. :mod:`xlqc.excel.live` reads and writes the workbook in
bulk; :mod:`xlqc.excel.marking` is the live twin of :mod:`xlqc.marks`.

This module is the smallest entry point on purpose: it imports nothing but the standard library
until a button is pressed, so an install missing a dependency (openpyxl, pydantic, xlwings' own
parts…) ends in one Chinese sentence in xlwings' error box, not in an English traceback.
"""

from __future__ import annotations

import sys
from typing import Any

BROKEN_INSTALL = (
    "xlqc 安装不完整，无法运行（缺少 {name}）。请负责安装的同事在命令提示符中运行 "
    "py -m pip install --force-reinstall xlqc 的安装包，再运行 py -m xlqc addin check 检查。"
)


def on_ribbon(control_id: str, xbook: Any = None) -> None:
    """Run the handler of ribbon button ``control_id`` (see :func:`handlers.on_ribbon`)."""
    try:
        from xlqc.excel.handlers import on_ribbon as run
    except ImportError as exc:  # xlwings shows what Python wrote to stderr in its error box
        sys.stderr.write(BROKEN_INSTALL.format(name=(exc.name or str(exc)).split(".")[0]) + "\n")
        raise SystemExit(1) from None
    run(control_id, xbook)


def __getattr__(name: str) -> Any:
    """``HANDLERS`` and ``read_live_book``, imported when first asked for."""
    if name == "HANDLERS":
        from xlqc.excel.handlers import HANDLERS

        return HANDLERS
    if name == "read_live_book":
        from xlqc.excel.live import read_live_book

        return read_live_book
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["HANDLERS", "on_ribbon", "read_live_book"]
