"""Property tests: whatever a clerk (or a damaged file) puts in any cell, the readers, the rules
and the date parser give a value, a finding or one XlqcError — never another exception."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hostile import needs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xlqc import schema
from xlqc.dates import DateError, parse_date
from xlqc.errors import XlqcError
from xlqc.model import Book, DateValue
from xlqc.reading import build_book

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What python-calamine can hand over for one cell, plus what a live Excel range gives.
DATE_LIKE = st.from_regex(
    r"\A\s?[0-9０-９]{1,8}\s?([-/.．。、年]\s?[0-9]{0,3}\s?([-/.月]\s?[0-9]{0,3}\s?[日号]?)?)?\s?\Z"
)
TEXT = st.text(
    st.characters(exclude_categories=["Cs"]), max_size=40
)  # control chars, emoji, CJK, RTL…
CELL = st.one_of(
    st.none(),
    st.just(""),
    TEXT,
    DATE_LIKE,
    st.sampled_from(["是", "否", "国家级", "地方、行业级", "无", "一等", "=1+1", "#REF!", "  "]),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=1940, max_value=2110),  # 2023.5 typed into a General cell
    st.integers(min_value=18_000_000, max_value=22_000_000),  # 20230501
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


@st.composite
def sheet_grid(draw: st.DrawFn, sheet: str) -> list[list[Any]]:
    """A data sheet: its headers in some order (maybe with a title row above, an extra column,
    or a header replaced by junk), then rows of arbitrary cells of uneven length."""
    headers: list[Any] = [c.header for c in schema.DATA_SHEETS[sheet]]
    headers = draw(st.permutations(headers))
    if draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), draw(TEXT))  # the clerk's own column
    if draw(st.integers(0, 9)) == 7:
        headers[draw(st.integers(0, len(headers) - 1))] = draw(CELL)  # a damaged header
    grid: list[list[Any]] = [[draw(CELL)]] if draw(st.integers(0, 4)) == 3 else []
    grid.append(headers)
    width = len(headers) + 2
    grid += draw(st.lists(st.lists(CELL, max_size=width), max_size=6))
    return grid


@st.composite
def book_grids(draw: st.DrawFn) -> dict[str, list[list[Any]]]:
    keys = [k.key for k in schema.SETTING_KEYS]
    settings_rows = [["项目", "内容"]] + [
        [draw(st.sampled_from(keys)) if draw(st.booleans()) else draw(CELL), draw(CELL)]
        for _ in range(draw(st.integers(0, 10)))
    ]
    grids = {schema.SETTINGS_SHEET: settings_rows}
    for sheet in schema.DATA_SHEETS:
        grids[sheet] = draw(sheet_grid(sheet))
    # shared 小组编号 values, so that rules that join the sheets have something to join
    codes = ["G001", "G002", draw(TEXT)]
    for sheet in schema.DATA_SHEETS:
        grid = grids[sheet]
        top = next((i for i, row in enumerate(grid[:2]) if "小组编号" in row), None)
        if top is None:
            continue
        col = grid[top].index("小组编号")
        for row in grid[top + 1 :]:
            if col < len(row) and draw(st.booleans()):
                row[col] = draw(st.sampled_from(codes))
    if draw(st.integers(0, 9)) == 7:
        del grids[draw(st.sampled_from(list(grids)))]  # a missing sheet
    return grids


@SETTINGS
@given(book_grids())
def test_any_grid_gives_a_book_or_one_chinese_error(grids: dict[str, list[list[Any]]]) -> None:
    try:
        book = build_book(grids, None)
    except XlqcError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert isinstance(book, Book)
    for row in [*book.groups, *book.topics, *book.members]:
        assert row.row >= 2 and row.cell("name")[0].isalpha()


@needs("xlqc.rules")
@SETTINGS
@given(book_grids())
def test_rules_never_raise(grids: dict[str, list[list[Any]]]) -> None:
    from xlqc.rules import check

    try:
        book = build_book(grids, None)
    except XlqcError:
        return
    findings = check(book, file="总表.xlsx")
    for f in findings:
        assert f.rule and f.message and f.sheet
        assert f.severity in ("error", "warning", "info")


@settings(max_examples=500, deadline=None)
@given(CELL)
@example(float("nan"))
@example(float("inf"))
@example(-1.0)
@example(2958466.0)  # one past 9999-12-31
@example(2023.1)  # 2023.10 as Excel stores it
@example(True)
@example(time(1))
@example(timedelta(days=1))
@example("0000-00-00")
@example("2023-02-29")
@example("99999")
@example("2023年13月")
def test_date_parser_gives_a_date_none_or_date_error(value: Any) -> None:
    try:
        parsed = parse_date(value)
    except DateError as exc:
        assert str(exc)
        return
    if parsed is not None:
        assert isinstance(parsed, DateValue)
        assert parsed.value <= parsed.last
        assert 1950 <= parsed.value.year <= 2100


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_every_typed_form_of_a_day_reads_back(day: date) -> None:
    """The forms of DESIGN.md §1 for one day all parse to that day; the real date and its
    Excel serial too."""
    y, m, d = day.year, day.month, day.day
    for text in (f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}年{m}月{d}日"):
        parsed = parse_date(text)
        assert parsed is not None and (parsed.value, parsed.precision) == (day, "day"), text
    serial = (day - date(1899, 12, 30)).days
    parsed = parse_date(float(serial))
    assert parsed is not None and parsed.value == day
    assert parse_date(datetime.combine(day, time(0, 0))) == DateValue(value=day)
    for text in (f"{y}年{m}月", f"{y}-{m:02d}"):
        month = parse_date(text)
        assert month is not None and month.precision == "month"
        assert month.value == day.replace(day=1) and month.last >= day
