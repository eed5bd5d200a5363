"""Dates as clerks type them (xlqc/dates.py, DESIGN.md §1)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_GROUP, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from xlqc.dates import DateError, minus_years, parse_date
from xlqc.model import DateValue
from xlqc.reading import read_book

DAY = DateValue(value=date(2023, 5, 1), precision="day")
MONTH = DateValue(value=date(2023, 5, 1), precision="month")
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "value",
    [
        "2023-05-01",
        "2023-5-1",
        "2023/5/1",
        "2023/05/01",
        "2023.5.1",
        "2023.05.01",
        "2023年5月1日",
        "2023年05月01日",
        "2023年5月1号",
        "2023 年 5 月 1 日",
        "2023年5月1",
        "20230501",
        "2023．5．1",  # full-width stops
        "2023。5。1",
        "2023、5、1",
        "２０２３－０５－０１",  # full-width digits and hyphens
        "２０２３年５月１日",
        " 2023-05-01 ",
        "\u30002023/5/1\u3000",  # full-width spaces
        "2023-05-01\u200b",  # a zero-width space pasted from a web page
        "2023-05-01 00:00:00",  # a date exported with its time
        "2023-05-01T10:30",
        "2023/5/1 10:30",
        "2023年5月1日 8:00",
        datetime(2023, 5, 1),
        datetime(2023, 5, 1, 14, 30),
        date(2023, 5, 1),
        20230501,
        20230501.0,
        45047,  # Excel serial of 2023-05-01
        45047.0,
        45047.75,  # serial with a time of day
        "45047",  # a serial stored as text
    ],
)
def test_day_precision(value: Any) -> None:
    assert parse_date(value) == DAY


@pytest.mark.parametrize(
    "value",
    [
        "2023.5",
        "2023.05",
        "2023-5",
        "2023/05",
        "2023年5月",
        "2023年05月",
        "2023年5",
        "202305",
        "２０２３年５月",
        "２０２３．５",
        2023.5,  # typed into a General cell: Excel stores a number
        2023.05,
        202305,
    ],
)
def test_month_precision(value: Any) -> None:
    parsed = parse_date(value)
    assert parsed == MONTH
    assert parsed is not None and parsed.last == date(2023, 5, 31)


def test_month_precision_numbers_other_than_one() -> None:
    assert parse_date(2023.12) == DateValue(value=date(2023, 12, 1), precision="month")
    assert parse_date(2023.11) == DateValue(value=date(2023, 11, 1), precision="month")
    assert parse_date(2024.2) == DateValue(value=date(2024, 2, 1), precision="month")


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\u200b"])
def test_blank_is_none(value: Any) -> None:
    assert parse_date(value) is None


def test_ambiguous_number_2023_1_is_refused_with_the_reason() -> None:
    # 2023.10 typed into a General cell is stored as 2023.1: January or October?
    with pytest.raises(DateError) as err:
        parse_date(2023.1)
    assert "1 月" in str(err.value) and "10 月" in str(err.value)
    with pytest.raises(DateError):
        parse_date(2023.10)
    # as text the clerk's intent is clear
    assert parse_date("2023.1") == DateValue(value=date(2023, 1, 1), precision="month")
    assert parse_date("2023.10") == DateValue(value=date(2023, 10, 1), precision="month")


@pytest.mark.parametrize(
    "value",
    ["2023-02-30", "2023-13-01", "2023/2/29", "2023年13月", "2023.0.1", "2023-04-31", "20231301"],
)
def test_impossible_dates(value: str) -> None:
    with pytest.raises(DateError, match="不存在的日期"):
        parse_date(value)


def test_leap_day_exists_in_leap_years() -> None:
    assert parse_date("2024-02-29") == DateValue(value=date(2024, 2, 29))


@pytest.mark.parametrize(
    "value",
    [
        "去年五月",
        "二〇二三年五月",
        "5/1/2023",
        "2023-05-01至2023-12-31",
        "待定",
        "N/A",
        "2023.5.1.1",
        "abc",
        "2023年5月份左右",
    ],
)
def test_garbage_is_a_chinese_error(value: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(value)
    assert CHINESE.search(str(err.value))


@pytest.mark.parametrize("value", ["2023", "2023年", 2023, 2023.0])
def test_bare_year_asks_for_the_month(value: Any) -> None:
    with pytest.raises(DateError, match="只有年份"):
        parse_date(value)


@pytest.mark.parametrize(
    "value",
    [1900, "1949-12-31", date(1899, 12, 31), datetime(2101, 1, 1), "2101-01-01", 1, 100, 60],
)
def test_unreasonable_years(value: Any) -> None:
    with pytest.raises(DateError):
        parse_date(value)


@pytest.mark.parametrize(
    "value",
    [True, False, -1, 0, 10**400, float("nan"), float("inf"), -float("inf"), 3e6, time(10, 30)],
)
def test_non_dates_of_other_types(value: Any) -> None:
    with pytest.raises(DateError):
        parse_date(value)


def test_decimal_is_read_like_its_text() -> None:
    assert parse_date(Decimal("2023.5")) == MONTH


def test_minus_years() -> None:
    assert minus_years(date(2026, 10, 30), 3) == date(2023, 10, 30)
    assert minus_years(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert minus_years(date(2024, 2, 29), 4) == date(2020, 2, 29)


def test_dates_read_back_from_a_real_workbook(tmp_path: Path) -> None:
    """Every way a date arrives in a saved .xlsx, read through the file reader."""
    values: list[tuple[Any, DateValue]] = [
        (date(2019, 3, 1), DateValue(value=date(2019, 3, 1))),  # a real Excel date
        (datetime(2019, 3, 1, 9, 15), DateValue(value=date(2019, 3, 1))),
        (43525, DateValue(value=date(2019, 3, 1))),  # a serial in a General cell
        (2019.3, DateValue(value=date(2019, 3, 1), precision="month")),  # number 2019.3
        ("2019年3月", DateValue(value=date(2019, 3, 1), precision="month")),
        ("２０１９．３．１", DateValue(value=date(2019, 3, 1))),
        (20190301, DateValue(value=date(2019, 3, 1))),
    ]
    groups = [
        dict(GOOD_GROUP, 小组编号=f"G{i:03d}", 注册日期=value)
        for i, (value, _) in enumerate(values)
    ]
    book = read_book(write_workbook(tmp_path / "总表.xlsx", groups))
    assert [g.registered for g in book.groups] == [expected for _, expected in values]


def test_unreadable_date_in_a_workbook_is_kept_raw_not_a_crash(tmp_path: Path) -> None:
    book = read_book(
        write_workbook(tmp_path / "总表.xlsx", [dict(GOOD_GROUP, 注册日期="2019年13月")])
    )
    group = book.groups[0]
    assert group.registered is None
    assert group.raw["registered"] == "2019年13月"
    with pytest.raises(DateError):
        parse_date(group.raw["registered"])


# --- properties -------------------------------------------------------------------------------

_DATEISH = st.text(
    st.sampled_from(list("0123456789０５年月日号.-/ T:．。、\u3000\u200b")), max_size=20
)
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    _DATEISH,
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False),
)


@settings(max_examples=1000)
@given(ANY_VALUE)
def test_parse_date_returns_a_date_none_or_date_error(value: Any) -> None:
    try:
        parsed = parse_date(value)
    except DateError as err:
        assert str(err)  # always says why
        return
    assert parsed is None or isinstance(parsed, DateValue)
    if parsed is not None:
        assert 1950 <= parsed.value.year <= 2100
        assert parsed.value <= parsed.last


@settings(max_examples=300)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_every_reasonable_day_round_trips_through_its_text_forms(day: date) -> None:
    expected = DateValue(value=day)
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ):
        assert parse_date(text) == expected, text


# --- the 1904 date system ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [
        (45230, False, date(2023, 10, 31)),
        (43768, True, date(2023, 10, 31)),  # the same day in a workbook of old Mac Excel
        (43768.75, True, date(2023, 10, 31)),  # a time of day
        ("43768", True, date(2023, 10, 31)),  # a serial stored as text: the workbook's too
        (44863, True, date(2026, 10, 30)),
    ],
)
def test_serials_of_either_date_system(serial: Any, date1904: bool, expected: date) -> None:
    assert parse_date(serial, date1904=date1904) == DateValue(value=expected)


def test_1904_serials_below_zero_are_not_dates() -> None:
    with pytest.raises(DateError):
        parse_date(-5, date1904=True)


# Dates of a group that breaks R02 (registered 2023-10-31), with a topic after 基准日期 (R08), one
# before the 统计期 (R18) and one inside it.
DATES_1904 = {
    "注册日期": date(2023, 10, 31),
    "基准日期": date(2026, 10, 30),
    "活动": [
        (date(2024, 3, 1), date(2024, 11, 30)),
        (date(2026, 3, 1), date(2026, 11, 2)),
        (date(2022, 3, 1), date(2023, 10, 30)),
    ],
}


def _serial(day: date, date1904: bool) -> int:
    return (day - (date(1904, 1, 1) if date1904 else date(1899, 12, 30))).days


def _dated_book(folder: Path, form: str, date1904: bool, by_xml: bool = False) -> Path:
    """The data above with every date as a number (a serial of the book's system), a date cell
    or text; the 1904 system set through openpyxl, or (``by_xml``) by editing workbook.xml."""
    import zipfile

    import openpyxl
    from conftest import GOOD_MEMBERS, GOOD_TOPICS, write_proofs
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    def typed(day: date) -> Any:
        if form == "number":
            return _serial(day, date1904)
        return day if form == "date" else day.isoformat()

    write_proofs(folder)
    topics = [
        {**GOOD_TOPICS[i % 2], "课题名称": f"课题{i}", "活动开始": typed(s), "活动结束": typed(e)}
        for i, (s, e) in enumerate(DATES_1904["活动"])
    ]
    group = {**GOOD_GROUP, "注册日期": typed(DATES_1904["注册日期"])}
    settings = {"推荐单位": "江苏省质量协会", "基准日期": typed(DATES_1904["基准日期"])}
    path = write_workbook(folder / "总表.xlsx", [group], topics, GOOD_MEMBERS, settings)
    if date1904 and not by_xml:
        wb = openpyxl.load_workbook(path)
        wb.epoch = CALENDAR_MAC_1904
        for ws in wb.worksheets:  # date cells are written again in the 1904 system
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, datetime):
                        cell.value = cell.value.date()
        wb.save(path)
    elif date1904:
        with zipfile.ZipFile(path) as zf:
            parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        xml = parts["xl/workbook.xml"].decode()
        parts["xl/workbook.xml"] = re.sub(
            r"<workbookPr\b([^>]*?)/?>", r'<workbookPr\1 date1904="1"/>', xml, count=1
        ).encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
    return path


def _findings(path: Path, date1904: bool) -> list[tuple[str, str, str, str]]:
    """(rule, sheet, cell, message) with each quoted serial replaced by the day it means."""
    from xlqc.rules import check

    book = read_book(path)
    assert book.date1904 == date1904
    days = [DATES_1904["注册日期"], DATES_1904["基准日期"], *sum(DATES_1904["活动"], ())]
    out = []
    for f in check(book):
        message = f.message
        for day in days:
            message = message.replace(f"「{_serial(day, date1904)}」", f"「{day}」")
        out.append((f.rule, f.sheet, f.cell, message))
    return out


@pytest.mark.parametrize("form", ["number", "date", "text"])
def test_a_1904_workbook_gives_the_findings_of_the_same_data_in_1900(
    tmp_path: Path, form: str
) -> None:
    """A number in a date column of a 1904 workbook was read as a 1900 serial, four years and
    a day off: 注册日期 43768 passed R02 as 2019-10-30, and a 基准日期 of 44863 made every date
    in the book an R08."""
    expected = _findings(_dated_book(tmp_path / "1900", form, False), False)
    assert {r for r, *_ in expected} == {"R02", "R08", "R18"}
    # date1904="1" set in workbook.xml by hand too (date cells would then move: not for them)
    for by_xml in (False, True) if form != "date" else (False,):
        folder = tmp_path / f"1904-{by_xml}"
        book = _dated_book(folder, form, True, by_xml)
        assert _findings(book, True) == expected, (form, by_xml)
    settings = read_book(_dated_book(tmp_path / "s", form, True)).settings
    assert (settings.ref_date, settings.window_start) == (date(2026, 10, 30), date(2023, 10, 31))
