"""What rewriting a workbook with openpyxl would lose, found before anything is written.

openpyxl rewrites a whole package from its own object model: parts it does not model (shapes,
form controls, ActiveX, slicers, extension-list data validation and conditional formats, a
ribbon part) are silently dropped. ``--in-place`` must never do that to a clerk's file, so it
is refused with a message naming what would be lost (DESIGN.md §6).
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
import zlib
from pathlib import Path

from xlqc.errors import XlqcError

# (what openpyxl drops, how to recognise it in the package) — names shown to the clerk.
_PART_FEATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("表单控件", re.compile(r"^xl/ctrlProps/")),
    ("ActiveX 控件", re.compile(r"^xl/activeX/")),
    ("切片器", re.compile(r"^xl/(slicers|slicerCaches|timelines)/")),
    ("自定义功能区", re.compile(r"^customUI/")),
    ("宏（VBA）", re.compile(r"^xl/vbaProject\.bin$")),
    ("新版批注（讨论串）", re.compile(r"^xl/threadedComments/")),
)
_PICTURE = re.compile(r"^xl/media/.+\.(png|jpe?g|gif|bmp|tiff?|wmf|emf)$", re.I)
_METAFILE = re.compile(r"\.(wmf|emf)$", re.I)
_XML_FEATURES: tuple[tuple[str, re.Pattern[str], bytes], ...] = (
    ("形状或文本框", re.compile(r"^xl/drawings/drawing\d+\.xml$"), b"<xdr:sp>"),
    ("形状或文本框", re.compile(r"^xl/drawings/drawing\d+\.xml$"), b"<xdr:sp "),
    ("形状或文本框", re.compile(r"^xl/drawings/drawing\d+\.xml$"), b"<xdr:cxnSp"),
    ("形状或文本框", re.compile(r"^xl/drawings/drawing\d+\.xml$"), b"<xdr:grpSp"),
    ("扩展数据验证", re.compile(r"^xl/worksheets/sheet\d+\.xml$"), b"x14:dataValidation"),
    ("扩展条件格式", re.compile(r"^xl/worksheets/sheet\d+\.xml$"), b"x14:conditionalFormatting"),
    ("迷你图", re.compile(r"^xl/worksheets/sheet\d+\.xml$"), b"x14:sparklineGroup"),
)

# openpyxl keeps pictures only through Pillow (not a dependency), and WMF/EMF ones never.
_PILLOW = importlib.util.find_spec("PIL") is not None


def lost_features(path: Path) -> list[str]:
    """Names of the features of ``path`` that saving it with openpyxl would drop."""
    keeps_vba = path.suffix.lower() == ".xlsm"  # written back with keep_vba=True
    found: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename
                for label, pattern in _PART_FEATURES:
                    if pattern.search(name) and not (keeps_vba and label == "宏（VBA）"):
                        found.append(label)
                if _PICTURE.search(name) and (_METAFILE.search(name) or not _PILLOW):
                    found.append("图片")
                for label, pattern, marker in _XML_FEATURES:
                    if label not in found and pattern.search(name) and marker in zf.read(name):
                        found.append(label)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        # a damaged part (bad CRC, a size that lies): the zip directory looked fine
        raise XlqcError(f"「{path.name}」已损坏，无法作为 .xlsx 打开") from None
    return list(dict.fromkeys(found))


def check_in_place(path: Path) -> None:
    """Refuse in-place rewriting of a workbook that would lose features."""
    from xlqc.reading import check_workbook_file

    check_workbook_file(path)
    lost = lost_features(path)
    if lost:
        raise XlqcError(
            f"「{path.name}」含有{'、'.join(lost)}，直接改写会丢失这些内容，已拒绝 --in-place；"
            "请改用 --mark 输出一份副本"
        )
