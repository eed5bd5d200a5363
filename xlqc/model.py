"""The data model: what the master workbook says, every value with the cell it came from.

Readers (file and live Excel) produce the same :class:`Book`; rules, marks and documents only
ever see this model.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from xlqc.schema import OPINION_CLOSING

# What Excel shows in a cell whose formula failed. Readers keep it in ``Row.raw``; for the rules
# the field is blank, and R01 says the cell holds an error rather than nothing.
ERROR_VALUES = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!")
)  # fmt: skip


class Loc(BaseModel):
    """A cell of the workbook."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    cell: str  # "D5"


class DateValue(BaseModel):
    """A date as the clerk typed it; month precision when only year and month were given."""

    model_config = ConfigDict(frozen=True)

    value: date  # the first day it can mean
    precision: Literal["day", "month"] = "day"

    @property
    def last(self) -> date:
        """The last day it can mean (the month's last day for month precision)."""
        if self.precision == "day":
            return self.value
        nxt = date(self.value.year + (self.value.month == 12), self.value.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def dotted(self) -> str:
        """Printed form used on the forms: 2024.03."""
        return f"{self.value.year}.{self.value.month:02d}"

    def __str__(self) -> str:
        if self.precision == "month":
            return f"{self.value.year}年{self.value.month}月"
        return self.value.isoformat()


class Row(BaseModel):
    """One data row of a sheet. ``raw`` keeps each value exactly as read, for the rules that
    look at what was typed (dates, spacing) and for messages that quote it."""

    sheet: str
    row: int
    # Not validated, so not copied: a national office's 40,000 rows share one dict per sheet
    # and keep the dict the reader built (30% of building a row, and its memory).
    columns: SkipValidation[dict[str, str]] = Field(repr=False)  # field -> column letter
    raw: SkipValidation[dict[str, Any]] = Field(default_factory=dict, repr=False)  # as read

    def cell(self, field: str) -> str:
        """Address of ``field`` in this row ("D5"); the first column when the field is absent."""
        letter = self.columns.get(field) or next(iter(self.columns.values()), "A")
        return f"{letter}{self.row}"

    def loc(self, field: str) -> Loc:
        return Loc(sheet=self.sheet, cell=self.cell(field))

    def shown(self, field: str) -> str:
        """The value as the clerk sees it, for messages."""
        return text_of(self.raw.get(field))


class Group(Row):
    code: str = ""
    org: str = ""
    name: str = ""
    registered: DateValue | None = None
    reg_no: str = ""
    dept: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""
    opinion: str = ""
    recommend: str = ""  # blank means 是
    status: str = ""

    @property
    def recommended(self) -> bool:
        return self.recommend.strip() in ("", "是")


class Topic(Row):
    group: str = ""
    title: str = ""
    start: DateValue | None = None
    end: DateValue | None = None
    level: str = ""
    recognition: str = ""
    recognition_note: str = ""
    report: list[str] = Field(default_factory=list)
    proof: list[str] = Field(default_factory=list)


class Member(Row):
    group: str = ""
    seq: str = ""
    name: str = ""
    cert: list[str] = Field(default_factory=list)


class Settings(BaseModel):
    """设置 with defaults applied. ``locs`` gives the value cell of each key found;
    ``problems`` lists keys whose value could not be used (R19)."""

    unit: str = ""
    ref_date: date = date(2026, 10, 30)
    window_start: date = date(2023, 10, 31)
    window_end: date = date(2026, 10, 30)
    first_levels: list[str] = Field(
        default_factory=lambda: ["一等", "一等奖", "特等奖", "一类", "I类", "示范级"]
    )
    filler: str = ""
    filler_phone: str = ""
    fill_date: date | None = None
    opinion_closing: str = OPINION_CLOSING
    locs: dict[str, Loc] = Field(default_factory=dict)  # key (中文) -> value cell
    raw: dict[str, Any] = Field(default_factory=dict)  # key (中文) -> value as read
    problems: list[str] = Field(default_factory=list)  # keys (中文) whose value is unusable

    def loc(self, key: str) -> Loc:
        """Value cell of ``key``; B1 of 设置 when the key is missing."""
        return self.locs.get(key) or Loc(sheet="设置", cell="B1")


class Book(BaseModel):
    """A whole master workbook."""

    path: Path | None = None  # the workbook file; proofs are relative to its folder
    date1904: bool = False  # numbers in date cells are serials of the 1904 date system
    settings: Settings = Field(default_factory=Settings)
    groups: list[Group] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    members: list[Member] = Field(default_factory=list)
    # sheet -> field -> column letter, for every data sheet that was read
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    # (sheet, cell) -> the 推荐意见 draft xlqc wrote there (the state sheet's "draft" records)
    drafts: dict[tuple[str, str], str] = Field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def topics_of(self, code: str) -> list[Topic]:
        return [t for t in self.topics if t.group == code]

    def members_of(self, code: str) -> list[Member]:
        return [m for m in self.members if m.group == code]

    def still_drafted(self, group: Group) -> bool:
        """Whether ``group``'s 推荐意见 still holds exactly the draft xlqc wrote (recorded in
        :attr:`drafts`): any edit of the text ends it."""
        if "opinion" not in group.columns:
            return False
        text = self.drafts.get((group.sheet, group.cell("opinion")))
        return text is not None and group.raw.get("opinion") == text


def text_of(value: Any) -> str:
    """A cell value as text, the way Excel shows it: 13800138000.0 -> "13800138000"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, date):  # datetime included
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat(sep=" ")
    return str(value)


def _is_midnight(value: date) -> bool:
    return not hasattr(value, "hour") or (value.hour, value.minute, value.second) == (0, 0, 0)
