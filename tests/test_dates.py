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
