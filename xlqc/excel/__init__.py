"""The Excel front end: what the ribbon tab 「QC小组」 runs on the open workbook (DESIGN.md §5).

The add-in's one VBA callback runs ``import xlqc.excel; xlqc.excel.on_ribbon('<button id>')``
through xlwings; :data:`HANDLERS` maps every button id of ``macros/customUI14.xml`` to its
handler in :mod:`xlqc.excel.handlers`. :mod:`xlqc.excel.live` reads and writes the workbook in
bulk; :mod:`xlqc.excel.marking` is the live twin of :mod:`xlqc.marks`.
"""

from xlqc.excel.handlers import HANDLERS, on_ribbon
from xlqc.excel.live import read_live_book

__all__ = ["HANDLERS", "on_ribbon", "read_live_book"]
