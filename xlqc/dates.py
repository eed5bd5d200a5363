"""Dates as clerks type them (DESIGN.md §1).

Accepted: real Excel dates, Excel serial numbers, and text such as 2023-05-01, 2023/5/1,
2023.5.1, 2023年5月1日, 20230501, 2023.5, 202305 or 2023年5月 (month precision), typed as text
or as a number, full-width digits included; a time after the date and zero-width characters
are ignored. A bare year (2023) is refused with a hint to add the month. Anything else is
:class:`DateError`, which the rules report as R08; nothing here raises anything else.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from xlqc.model import DateValue

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's leap-year bug included)
DAYS_1904 = 1462  # serial 0 of the 1904 date system (old Mac Excel) is serial 1462 of 1900's
MIN_YEAR, MAX_YEAR = 1950, 2100

_SEP = r"\s*[-/.．。、\\]\s*"
_DAY = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$")
_MONTH = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})$")
_CN_DAY = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_CN_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_TIME = re.compile(r"(?<=[\d日号])(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_YEAR_ONLY = re.compile(r"^(\d{4})\s*年?$")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")  # zero-width, BOM, soft hyphen


class DateError(ValueError):
    """The value is not a date xlqc can read; ``str()`` says why, in Chinese."""


def parse_date(value: Any, *, date1904: bool = False) -> DateValue | None:
    """Read one cell as a date. Blank gives ``None``; unreadable raises :class:`DateError`.

    A serial number is one of the workbook's date system: ``date1904`` for a workbook saved
    with the 1904 system (``date1904="1"`` in workbook.xml), where 43768 is 2023-10-31. Real
    date cells arrive as dates already (the reader converts them in the right system)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value.date(), "day")
    if isinstance(value, date):
        return _checked(value, "day")
    if isinstance(value, bool):
        raise DateError("不是日期")
    if isinstance(value, int) and abs(value) > 10**9:
        raise DateError("不是日期")  # also keeps float() below from overflowing
    if isinstance(value, int | float):
        return _from_number(float(value), date1904)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(value))).strip()
    if not text:
        return None
    return _from_text(text, date1904)


def _from_number(number: float, date1904: bool = False) -> DateValue:
    """A number in a date cell: an Excel serial, or 2023.5 / 20230501 typed into a General cell."""
    if number != number:  # NaN
        raise DateError("不是日期")
    if MIN_YEAR <= number < MAX_YEAR + 1 and not number.is_integer():
        text = repr(number)
        if text.endswith(".1"):
            raise DateError(
                f"「{text}」是数字，可能是 1 月也可能是 10 月（Excel 会把 {text}0 存成 {text}），"
                "请把单元格设为文本或日期格式后重新填写"
            )
        return _from_text(text)
    if number.is_integer() and (
        MIN_YEAR <= number <= MAX_YEAR  # a year: never a valid serial (those are 1905)
        or 190001 <= number <= 210012  # 202305 (serials this big are beyond 2100)
        or 19000101 <= number <= 21001231  # 20230501
    ):
        return _from_text(str(int(number)))
    return _from_serial(number, date1904)


def _from_serial(serial: float, date1904: bool = False) -> DateValue:
    if date1904:
        if serial < 0:
            raise DateError("不是有效的 Excel 日期序号")
        serial += DAYS_1904
    if not 1 <= serial < 2958466:  # beyond 9999-12-31
        raise DateError("不是有效的 Excel 日期序号")
    day = EXCEL_EPOCH + timedelta(days=int(serial))
    return _checked(day, "day")


def _from_text(text: str, date1904: bool = False) -> DateValue:
    text = _TIME.sub("", text)
    if text.isdecimal() and 4 < len(text) <= 5:  # an Excel serial stored as text
        return _from_serial(float(text), date1904)
    if m := _YEAR_ONLY.match(text):
        raise DateError(
            f"「{text}」只有年份，请至少填到月份，如 {m.group(1)}.5 或 {m.group(1)}年5月"
        )
    for pattern, precision in (
        (_DAY, "day"),
        (_CN_DAY, "day"),
        (_COMPACT, "day"),
        (_MONTH, "month"),
        (_CN_MONTH, "month"),
        (_COMPACT_MONTH, "month"),
    ):
        if m := pattern.match(text):
            parts = [int(p) for p in m.groups()]
            year, month = parts[0], parts[1]
            day = parts[2] if precision == "day" else 1
            try:
                value = date(year, month, day)
            except ValueError:
                raise DateError(f"不存在的日期「{text}」") from None
            return _checked(value, precision)
    raise DateError(f"无法识别的日期「{text}」")


def _checked(value: date, precision: str) -> DateValue:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateError(f"年份 {value.year} 不合理")
    return DateValue(value=value, precision=precision)  # type: ignore[arg-type]


def minus_years(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb becomes 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
