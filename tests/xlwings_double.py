"""An in-memory stand-in for the part of xlwings that xlqc.excel uses, counting every call.

Each public name here exists on the real xlwings class of the same name (tests/test_excel.py
checks that), and behaves as Excel does where xlqc relies on it: comma-joined addresses of at
most 255 characters, strings starting with = become formulas and with ' become plain text,
numbers come back as floats and dates as datetimes, a cell that already has a note refuses
another one, a cell formatted as text ("@") keeps what is written as text (a leading ' too),
formula cells carry their values, a protected sheet or workbook structure refuses changes,
``Book.fullname`` maps a OneDrive/SharePoint URL as xlwings does (or raises its
``XlwingsError``), a sheet is visible, hidden or very hidden, and ``used_range`` counts cells
that are only formatted.

Calls are round trips to Excel (COM), recorded in ``app._calls``: one per property read or
write and per method, and more where xlwings 0.37.8 makes more for one property
(``_xlwindows.py``/``main.py``): ``Range.color`` reads ``Interior`` then ``ColorIndex`` (and
``Interior.Color`` when there is a fill), setting it gets ``Interior`` and puts ``Color``;
``Range.note`` reads ``Comment`` once when there is none and twice in each of its two
evaluations when there is one; ``add_note`` checks ``shape`` (``Worksheet``, ``Row``,
``Column``, ``Rows.Count``, ``Columns.Count``), then ``note``, then calls ``AddComment``.

The native objects (``.api``) offer only what xlqc reads through them: ``Book.api``
(``FullName``, ``ProtectStructure``, ``VBProject`` is absent), ``Sheet.api`` (``Visible`` with
its three states, ``ProtectContents``), ``Note.api.Shape`` (``Width``, ``Height``) and
``App.api.Run`` (the add-in's ``RunButton``, as ``xlqc addin selftest`` calls it).

``load(path)`` opens a real .xlsx (values, cached formula values, solid fills, notes, text
formats, sheet states) as a double book.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904

Key = tuple[int, int]  # (row, column), 1-based
Area = tuple[int, int, int, int]  # first row, first column, last row, last column

MAX_ADDRESS = 255  # Excel refuses longer strings in Range("...")
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
TEXT = "@"
VISIBLE, HIDDEN, VERY_HIDDEN = -1, 0, 2  # XlSheetVisibility: what Sheet.Visible returns
_NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")
_HYPERLINK = re.compile(r'^=HYPERLINK\("(?:[^"]|"")*",\s*"((?:[^"]|"")*)"\)$')


class ProtectedError(Exception):
    """What COM raises when a protected sheet or workbook structure is changed."""


class App:
    def __init__(self, visible: bool = True, add_book: bool = False) -> None:
        self._calls: Counter[str] = Counter()
        self._books: list[Book] = []
        self._active: Book | None = None
        self._visible = visible
        self._display_alerts = True
        self._quit = False
        self._alerts: list[tuple[str, str | None, str | None]] = []  # prompt, title, mode
        self._answers: list[str] = []  # what the clerk presses in yes/no boxes, in order
        self._screen_updating = True
        self._enable_events = True

    def _count(self, name: str, trips: int = 1) -> None:
        self._calls[name] += trips

    @property
    def visible(self) -> bool:
        self._count("App.visible.get")
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._count("App.visible.set")
        self._visible = value

    @property
    def display_alerts(self) -> bool:
        self._count("App.display_alerts.get")
        return self._display_alerts

    @display_alerts.setter
    def display_alerts(self, value: bool) -> None:
        self._count("App.display_alerts.set")
        self._display_alerts = value

    @property
    def api(self) -> AppApi:
        return AppApi(self)

    def quit(self) -> None:
        self._count("App.quit")
        self._quit = True
        self._books.clear()
        self._active = None

    @property
    def books(self) -> Books:
        self._count("App.books")
        return Books(self)

    @property
    def screen_updating(self) -> bool:
        self._count("App.screen_updating.get")
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._count("App.screen_updating.set")
        self._screen_updating = value

    @property
    def enable_events(self) -> bool:
        self._count("App.enable_events.get")
        return self._enable_events

    @enable_events.setter
    def enable_events(self, value: bool) -> None:
        self._count("App.enable_events.set")
        self._enable_events = value

    @contextlib.contextmanager
    def properties(self, **kwargs: Any) -> Iterator[App]:
        initial = {name: getattr(self, name) for name in kwargs}
        for name, value in kwargs.items():
            setattr(self, name, value)
        try:
            yield self
        finally:
            for name, value in initial.items():
                setattr(self, name, value)

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str | None:
        self._count("App.alert")
        assert isinstance(prompt, str) and buttons in ("ok", "ok_cancel", "yes_no")
        self._alerts.append((prompt, title, mode))
        return self._answers.pop(0) if buttons != "ok" else "ok"


class Books:
    def __init__(self, app: App) -> None:
        self._app = app

    def open(self, fullname: str | Path, **_: Any) -> Book:
        self._app._count("Books.open")
        path = Path(fullname)
        if path.suffix.lower() == ".xlam":  # an add-in: no sheets the double looks into
            book = Book(self._app, str(path))
            book._addin = True
            return book
        book = load(path, self._app)
        self._app._active = book
        return book

    def add(self) -> Book:
        self._app._count("Books.add")
        book = Book(self._app, f"工作簿{len(self._app._books) + 1}")
        book._sheets.append(Sheet(book, "Sheet1"))
        book._sheets[0]._select()
        self._app._active = book
        return book

    @property
    def active(self) -> Book | None:
        self._app._count("Books.active")
        return self._app._active

    def __len__(self) -> int:
        self._app._count("Books.len")
        return len(self._app._books)

    def __iter__(self) -> Iterator[Book]:
        self._app._count("Books.iter")
        return iter(list(self._app._books))

    def __getitem__(self, key: int | str) -> Book:
        self._app._count("Books.getitem")
        if isinstance(key, int):
            return self._app._books[key]
        for book in self._app._books:
            if Path(book._fullname).name.lower() == key.lower():
                return book
        raise KeyError(key)


class Book:
    def __init__(self, app: App, fullname: str) -> None:
        self._app = app
        self._fullname = fullname
        self._sheets: list[Sheet] = []
        self._saved = False
        self._addin = False
        self._structure_protected = False
        self._date1904 = False
        app._books.append(self)

    @property
    def app(self) -> App:
        return self._app  # a Python attribute in xlwings too: no call

    @property
    def fullname(self) -> str:
        """As xlwings' Book.fullname on Windows: a OneDrive/SharePoint URL is mapped to the
        synced local file by xlwings' own function, which raises XlwingsError when there is
        none."""
        self._app._count("Book.fullname")
        if "://" in self._fullname:
            from xlwings.utils import fullname_url_to_local_path

            # xlwings caches it for the process (RunPython starts a new one per click): uncached
            mapped = getattr(fullname_url_to_local_path, "__wrapped__", fullname_url_to_local_path)
            return mapped(url=self._fullname)
        return self._fullname

    @property
    def api(self) -> BookApi:
        return BookApi(self)

    def activate(self, steal_focus: bool = False) -> None:
        self._app._count("Book.activate")
        self._app._active = self

    @property
    def name(self) -> str:
        self._app._count("Book.name")
        return Path(self._fullname).name

    @property
    def sheet_names(self) -> list[str]:
        self._app._count("Book.sheet_names")
        return [s._name for s in self._sheets]

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    def save(self, path: str | None = None) -> None:
        self._app._count("Book.save")
        assert path is None
        self._saved = True

    def close(self) -> None:
        self._app._count("Book.close")
        self._app._books.remove(self)
        if self._app._active is self:
            others = [b for b in self._app._books if not b._addin]
            self._app._active = others[-1] if others else None

    def _check_structure(self) -> None:
        if self._structure_protected:
            raise ProtectedError("The workbook's structure is protected")

    def _sheet(self, name: str) -> Sheet:
        for sheet in self._sheets:
            if sheet._name.lower() == name.lower():
                return sheet
        raise KeyError(name)


class Sheets:
    def __init__(self, book: Book) -> None:
        self._book = book

    def __len__(self) -> int:
        self._book._app._count("Sheets.len")
        return len(self._book._sheets)

    def __iter__(self) -> Iterator[Sheet]:
        self._book._app._count("Sheets.iter")
        return iter(list(self._book._sheets))

    def __getitem__(self, key: int | str) -> Sheet:
        self._book._app._count("Sheets.getitem")
        if isinstance(key, int):
            return self._book._sheets[key]
        return self._book._sheet(key)

    @property
    def active(self) -> Sheet:
        self._book._app._count("Sheets.active")
        return next((s for s in self._book._sheets if s._active), self._book._sheets[0])

    def add(
        self, name: str | None = None, before: Sheet | None = None, after: Sheet | None = None
    ) -> Sheet:
        self._book._app._count("Sheets.add")
        self._book._check_structure()
        sheets = self._book._sheets
        name = name or f"Sheet{len(sheets) + 1}"
        if name.lower() in (s._name.lower() for s in sheets):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = Sheet(self._book, name)
        if before is not None:
            sheets.insert(sheets.index(before), sheet)
        elif after is not None:
            sheets.insert(sheets.index(after) + 1, sheet)
        else:
            sheets.insert(0, sheet)
        sheet._select()  # Excel activates an added sheet
        return sheet


class Sheet:
    def __init__(self, book: Book, name: str) -> None:
        self._book = book
        self._name = name
        self._values: dict[Key, Any] = {}
        self._formulas: dict[Key, str] = {}
        self._colors: dict[Key, tuple[int, int, int]] = {}
        self._notes: dict[Key, str] = {}
        self._formats: dict[Key, str] = {}  # number formats other than General
        self._styled: set[Key] = set()  # cells with formatting only: in the used range too
        self._note_sizes: dict[Key, tuple[float, float]] = {}
        self._widths: dict[int, float] = {}
        self._bold: set[Key] = set()
        self._wrapped: set[Key] = set()
        self._visibility = VISIBLE
        self._protected = False
        self._active = False

    def _count(self, name: str, trips: int = 1) -> None:
        self._book._app._count(name, trips)

    def _check_writable(self) -> None:
        if self._protected:
            raise ProtectedError(
                "The cell or chart you're trying to change is on a protected sheet."
            )

    @property
    def _visible(self) -> bool:
        return self._visibility == VISIBLE

    def _select(self) -> None:
        for sheet in self._book._sheets:
            sheet._active = sheet is self

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    @property
    def name(self) -> str:
        self._count("Sheet.name")
        return self._name

    @property
    def book(self) -> Book:
        return self._book

    @property
    def visible(self) -> int:
        """As COM's Sheet.Visible: -1 visible, 0 hidden, 2 very hidden (truthy!)."""
        self._count("Sheet.visible.get")
        return self._visibility

    @visible.setter
    def visible(self, value: bool) -> None:
        self._count("Sheet.visible.set")
        self._set_visibility(VISIBLE if value else HIDDEN)

    def _set_visibility(self, state: int) -> None:
        assert state in (VISIBLE, HIDDEN, VERY_HIDDEN), state
        if state != VISIBLE and self._visible:
            self._book._check_structure()
            if sum(s._visible for s in self._book._sheets) == 1:
                raise RuntimeError("Excel keeps at least one sheet visible")
        self._visibility = state

    @property
    def api(self) -> SheetApi:
        return SheetApi(self)

    def activate(self) -> None:
        self._count("Sheet.activate")
        if not self._visible:
            raise RuntimeError("a hidden sheet cannot be activated")
        self._select()

    def delete(self) -> None:
        self._count("Sheet.delete")
        self._book._check_structure()
        self._book._sheets.remove(self)

    def clear(self) -> None:
        self._count("Sheet.clear")
        self._check_writable()
        for store in (self._values, self._formulas, self._colors, self._notes):
            store.clear()
        self._bold.clear()
        self._wrapped.clear()

    def range(self, cell1: str | tuple[int, int], cell2: tuple[int, int] | None = None) -> Range:
        self._count("Sheet.range")
        return Range(self, _areas(cell1, cell2))

    @property
    def used_range(self) -> Range:
        self._count("Sheet.used_range")
        keys = [*self._values, *self._formulas, *self._colors, *self._notes, *self._styled]
        if not keys:
            return Range(self, [(1, 1, 1, 1)])
        rows = [k[0] for k in keys]
        cols = [k[1] for k in keys]
        return Range(self, [(min(rows), min(cols), max(rows), max(cols))])


class Range:
    def __init__(self, sheet: Sheet, areas: list[Area], options: dict[str, Any] | None = None):
        self._sheet = sheet
        self._areas = areas
        self._options = options or {}

    def _count(self, name: str, trips: int = 1) -> None:
        self._sheet._count(name, trips)

    def _area(self) -> Area:
        if len(self._areas) != 1:
            raise NotImplementedError("only the first area of a multi-area range is read")
        return self._areas[0]

    def _cell(self) -> Key:
        r1, c1, r2, c2 = self._area()
        if (r1, c1) != (r2, c2):
            raise ValueError("a single cell is needed")
        return r1, c1

    def _keys(self) -> Iterator[Key]:
        for r1, c1, r2, c2 in self._areas:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    yield r, c

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    def options(self, convert: Any = None, **options: Any) -> Range:
        assert convert is None and set(options) <= {"ndim", "err_to_str"}, options
        return Range(self._sheet, self._areas, {**self._options, **options})

    @property
    def row(self) -> int:
        self._count("Range.row")
        return self._areas[0][0]

    @property
    def column(self) -> int:
        self._count("Range.column")
        return self._areas[0][1]

    @property
    def shape(self) -> tuple[int, int]:
        self._count("Range.shape")
        r1, c1, r2, c2 = self._area()
        return r2 - r1 + 1, c2 - c1 + 1

    @property
    def last_cell(self) -> Range:
        self._count("Range.last_cell")
        _, _, r2, c2 = self._area()
        return Range(self._sheet, [(r2, c2, r2, c2)], self._options)

    @property
    def address(self) -> str:
        self._count("Range.address")
        return ",".join(
            f"${get_column_letter(c1)}${r1}"
            + ("" if (r1, c1) == (r2, c2) else f":${get_column_letter(c2)}${r2}")
            for r1, c1, r2, c2 in self._areas
        )

    @property
    def value(self) -> Any:
        self._count("Range.value.get")
        r1, c1, r2, c2 = self._area()
        values = self._sheet._values
        grid = [[values.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._options.get("ndim") == 2:
            return grid
        if r1 == r2 and c1 == c2:
            return grid[0][0]
        if r1 == r2:
            return grid[0]
        if c1 == c2:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        self._count("Range.value.set")
        self._sheet._check_writable()
        r1, c1, _, _ = self._area()
        if isinstance(data, list | tuple):
            rows = [list(x) for x in data] if data and isinstance(data[0], list | tuple) else [data]
            if len({len(row) for row in rows}) > 1:
                raise ValueError("rows of different lengths cannot be written in one call")
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    self._sheet_store((r1 + i, c1 + j), v)
        else:
            for key in self._keys():
                self._sheet_store(key, data)

    def _sheet_store(self, key: Key, v: Any) -> None:
        sheet = self._sheet
        if isinstance(v, str) and sheet._formats.get(key) == TEXT:
            _store_typed(sheet, key, v)  # a text cell keeps the string as written, ' included
            return
        if isinstance(v, str) and v.startswith("="):
            _store_typed(sheet, key, None)
            sheet._formulas[key] = v
            m = _HYPERLINK.match(v)
            sheet._values[key] = m.group(1).replace('""', '"') if m else None
            return
        if isinstance(v, str) and v.startswith("'"):
            v = v[1:]  # Excel's text prefix: kept as typed, never converted
        elif isinstance(v, str) and _NUMBER.match(v):
            v = float(v)  # Excel turns text that looks like a number into one: 0523… loses its 0
        _store_typed(sheet, key, v)

    @property
    def formula(self) -> Any:
        self._count("Range.formula.get")
        r1, c1, r2, c2 = self._area()

        def one(key: Key) -> str:
            if key in self._sheet._formulas:
                return self._sheet._formulas[key]
            v = self._sheet._values.get(key)
            return "" if v is None else str(v)

        if (r1, c1) == (r2, c2):
            return one((r1, c1))
        return tuple(tuple(one((r, c)) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))

    @property
    def number_format(self) -> str | None:
        """The cells' format, or None when they differ (COM's Null)."""
        self._count("Range.number_format.get")
        found = {self._sheet._formats.get(k, "General") for k in self._keys()}
        return found.pop() if len(found) == 1 else None

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._count("Range.number_format.set")
        self._sheet._check_writable()
        for key in self._keys():
            self._sheet._styled.add(key)
            if value == "General":
                self._sheet._formats.pop(key, None)
            else:
                self._sheet._formats[key] = value

    @property
    def color(self) -> tuple[int, int, int] | None:
        color = self._sheet._colors.get(self._cell())
        self._count("Range.color.get", 2 if color is None else 4)  # Interior.ColorIndex, .Color
        return color

    @color.setter
    def color(self, value: tuple[int, int, int] | str | None) -> None:
        self._count("Range.color.set", 2)  # Interior, then Interior.Color or .ColorIndex
        self._sheet._check_writable()
        if isinstance(value, str):
            value = tuple(int(value.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[assignment]
        for key in self._keys():
            if value is None:
                self._sheet._colors.pop(key, None)
            else:
                self._sheet._colors[key] = tuple(value)  # type: ignore[assignment]

    @property
    def note(self) -> Note | None:
        key = self._cell()
        found = key in self._sheet._notes
        self._count("Range.note", 4 if found else 1)  # Comment, twice per evaluation, twice
        return Note(self._sheet, key) if found else None

    def add_note(self, text: str) -> Note:
        self._count("Range.add_note", 7)  # shape: Worksheet, Row, Column, Rows.Count, Columns.Count
        if not isinstance(text, str) or not text:
            raise ValueError("Note text must be a non-empty string")
        key = self._cell()
        found = key in self._sheet._notes
        self._count("Range.add_note", 4 if found else 1)  # the note check
        if found:
            raise ValueError("This cell already has a note")
        self._count("Range.add_note")  # AddComment
        self._sheet._check_writable()
        self._sheet._notes[key] = text
        self._sheet._note_sizes.pop(key, None)
        return Note(self._sheet, key)

    @property
    def column_width(self) -> float | None:
        self._count("Range.column_width.get")
        return self._sheet._widths.get(self._area()[1])

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._count("Range.column_width.set")
        for _, c1, _, c2 in self._areas:
            for c in range(c1, c2 + 1):
                self._sheet._widths[c] = value

    @property
    def wrap_text(self) -> bool:
        self._count("Range.wrap_text.get")
        return all(k in self._sheet._wrapped for k in self._keys())

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        self._count("Range.wrap_text.set")
        for key in self._keys():
            if value:
                self._sheet._wrapped.add(key)
            else:
                self._sheet._wrapped.discard(key)

    @property
    def font(self) -> Font:
        return Font(self)


class Font:
    def __init__(self, rng: Range) -> None:
        self._range = rng

    @property
    def bold(self) -> bool:
        self._range._count("Font.bold.get")
        return all(k in self._range._sheet._bold for k in self._range._keys())

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range._count("Font.bold.set")
        for key in self._range._keys():
            if value:
                self._range._sheet._bold.add(key)
            else:
                self._range._sheet._bold.discard(key)


class Note:
    def __init__(self, sheet: Sheet, key: Key) -> None:
        self._sheet = sheet
        self._key = key

    @property
    def text(self) -> str:
        self._sheet._count("Note.text.get")
        return self._sheet._notes[self._key]

    @text.setter
    def text(self, value: str) -> None:
        self._sheet._count("Note.text.set")
        self._sheet._check_writable()
        self._sheet._notes[self._key] = value

    @property
    def api(self) -> NoteApi:
        return NoteApi(self)

    def delete(self) -> None:
        self._sheet._count("Note.delete")
        self._sheet._check_writable()
        del self._sheet._notes[self._key]
        self._sheet._note_sizes.pop(self._key, None)


# ---------------------------------------------------------------------------------------------
# The native (COM) objects, only the members xlqc uses through .api


class AppApi:
    def __init__(self, app: App) -> None:
        self._app = app

    def Run(self, macro: str, *args: Any) -> None:
        """The add-in's ``RunButton(id)`` (macros/xlqc.bas), as Excel runs it: it needs the
        add-in open, and a workbook active except for 新建总表, which adds a blank one to run
        on and closes it afterwards; RunPython then runs ``xlqc.excel.on_ribbon(id)`` on the
        active workbook."""
        self._app._count("App.api.Run")
        book_name, _, sub = macro.rpartition("!")
        addins = [b for b in self._app._books if b._addin]
        if sub != "RunButton" or not any(
            Path(b._fullname).name.lower() == book_name.strip("'").lower() for b in addins
        ):
            raise RuntimeError(f"Cannot run the macro '{macro}'.")
        (control_id,) = args
        from xlqc.excel import on_ribbon

        scratch = None
        if self._app._active is None:
            if control_id != "new_book":
                self._app._alerts.append(("请先打开总表", "xlqc", None))
                return
            scratch = self._app.books.add()
        try:
            on_ribbon(control_id, self._app._active)
        except SystemExit:  # xlwings shows the error box: recorded as the message
            self._app._alerts.append(("xlwings error", None, "critical"))
        if scratch is not None and scratch in self._app._books:
            scratch.close()


class BookApi:
    def __init__(self, book: Book) -> None:
        self._book = book

    @property
    def FullName(self) -> str:
        self._book._app._count("Book.api.FullName")
        return self._book._fullname

    def Activate(self) -> None:
        self._book._app._count("Book.api.Activate")
        self._book._app._active = self._book

    @property
    def Date1904(self) -> bool:
        self._book._app._count("Book.api.Date1904")
        return self._book._date1904

    @property
    def ProtectStructure(self) -> bool:
        self._book._app._count("Book.api.ProtectStructure")
        return self._book._structure_protected


class SheetApi:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    @property
    def Visible(self) -> int:
        self._sheet._count("Sheet.api.Visible.get")
        return self._sheet._visibility

    @Visible.setter
    def Visible(self, value: int) -> None:
        self._sheet._count("Sheet.api.Visible.set")
        self._sheet._set_visibility({True: VISIBLE, False: HIDDEN}.get(value, value))  # type: ignore[call-overload]

    @property
    def ProtectContents(self) -> bool:
        self._sheet._count("Sheet.api.ProtectContents")
        return self._sheet._protected


class NoteApi:
    def __init__(self, note: Note) -> None:
        self._note = note

    @property
    def Shape(self) -> NoteShape:
        self._note._sheet._count("Note.api.Shape")
        return NoteShape(self._note)


class NoteShape:
    def __init__(self, note: Note) -> None:
        self._sheet = note._sheet
        self._key = note._key

    def _size(self) -> tuple[float, float]:
        return self._sheet._note_sizes.get(self._key, (144 * 0.75, 79 * 0.75))  # Excel's default

    @property
    def Width(self) -> float:
        self._sheet._count("Note.api.Shape.Width.get")
        return self._size()[0]

    @Width.setter
    def Width(self, value: float) -> None:
        self._sheet._count("Note.api.Shape.Width.set")
        self._sheet._note_sizes[self._key] = (value, self._size()[1])

    @property
    def Height(self) -> float:
        self._sheet._count("Note.api.Shape.Height.get")
        return self._size()[1]

    @Height.setter
    def Height(self, value: float) -> None:
        self._sheet._count("Note.api.Shape.Height.set")
        self._sheet._note_sizes[self._key] = (self._size()[0], value)


def _store_typed(sheet: Sheet, key: Key, v: Any) -> None:
    """What Excel keeps of a constant: floats for numbers, datetimes for dates."""
    sheet._check_writable()
    sheet._formulas.pop(key, None)
    sheet._values.pop(key, None)
    if isinstance(v, bool):
        sheet._values[key] = v
    elif isinstance(v, int | float):
        sheet._values[key] = float(v)
    elif isinstance(v, datetime):
        sheet._values[key] = v
    elif isinstance(v, date):
        sheet._values[key] = datetime(v.year, v.month, v.day)
    elif v is not None and v != "":
        assert isinstance(v, str), f"unexpected value type {type(v)}"
        sheet._values[key] = v


def _areas(cell1: str | tuple[int, int], cell2: tuple[int, int] | None) -> list[Area]:
    if isinstance(cell1, tuple):
        end = cell2 or cell1
        return [
            (
                min(cell1[0], end[0]),
                min(cell1[1], end[1]),
                max(cell1[0], end[0]),
                max(cell1[1], end[1]),
            )
        ]
    assert cell2 is None, "two addresses: pass tuples"
    if len(cell1) > MAX_ADDRESS:
        raise ValueError(f"Excel refuses a range address of {len(cell1)} characters (over 255)")
    areas = []
    for part in cell1.split(","):
        min_col, min_row, max_col, max_row = range_boundaries(part.strip())
        areas.append((min_row or 1, min_col or 1, max_row or MAX_ROWS, max_col or MAX_COLUMNS))
    return areas


# ---------------------------------------------------------------------------------------------
# building doubles and looking into them (not part of the xlwings surface)


def load(path: Path, app: App | None = None) -> Book:
    """A double of the saved workbook ``path``: values, solid fills and notes of every sheet."""
    app = app or App()
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)  # what Excel computed and saved
    book = Book(app, str(path))
    book._structure_protected = bool(wb.security and wb.security.lockStructure)
    book._date1904 = wb.epoch == CALENDAR_MAC_1904
    for ws in wb.worksheets:
        sheet = Sheet(book, ws.title)
        book._sheets.append(sheet)
        for row in ws.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                if cell.number_format != "General":
                    sheet._formats[key] = cell.number_format
                if cell.has_style:
                    sheet._styled.add(key)
                if cell.data_type == "f":
                    _store_typed(sheet, key, cached[ws.title].cell(cell.row, cell.column).value)
                    sheet._formulas[key] = str(cell.value)  # its value: the cached one
                else:
                    _store_typed(sheet, key, cell.value)
                rgb = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
                if isinstance(rgb, str) and len(rgb) in (6, 8):
                    sheet._colors[key] = tuple(int(rgb[-6:][i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[assignment]
                if cell.comment is not None:
                    sheet._notes[key] = cell.comment.text
        sheet._visibility = {"hidden": HIDDEN, "veryHidden": VERY_HIDDEN}.get(
            ws.sheet_state, VISIBLE
        )
        sheet._protected = bool(ws.protection.sheet)
    book._sheets[wb.index(wb.active)]._select()
    return book


def calls(book: Book) -> Counter[str]:
    """Calls made on ``book``'s app so far."""
    return book._app._calls


def reset_calls(book: Book) -> None:
    book._app._calls.clear()


def alerts(book: Book) -> list[tuple[str, str | None, str | None]]:
    """Message boxes shown so far: (prompt, title, mode)."""
    return book._app._alerts


def sheet(book: Book, name: str) -> Sheet:
    return book._sheet(name)


def key(address: str) -> Key:
    """(row, column) of ``address``, for looking into a sheet's stores."""
    min_col, min_row, _, _ = range_boundaries(address)
    assert min_col and min_row
    return min_row, min_col


def dump(book: Book, path: Path) -> Path:
    """Save the double as a real .xlsx (values, formulas, solid fills, notes, hidden sheets),
    so the file path can read what the live path wrote."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book._sheets:
        ws = wb.create_sheet(sheet._name)
        for (r, c), v in sheet._values.items():
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
        for (r, c), f in sheet._formulas.items():
            ws.cell(row=r, column=c, value=f)
        for (r, c), rgb in sheet._colors.items():
            hex_rgb = "".join(f"{v:02X}" for v in rgb)
            ws.cell(row=r, column=c).fill = PatternFill("solid", fgColor=hex_rgb, bgColor=hex_rgb)
        for (r, c), text in sheet._notes.items():
            ws.cell(row=r, column=c).comment = Comment(text, "")
        ws.sheet_state = {HIDDEN: "hidden", VERY_HIDDEN: "veryHidden"}.get(
            sheet._visibility, "visible"
        )
    wb.active = next(i for i, s in enumerate(book._sheets) if s._visible)
    wb.save(path)
    return path


WRITES = frozenset(
    {
        "Range.add_note",
        "Note.delete",
        "Sheet.delete",
        "Sheet.clear",
        "Sheet.activate",
        "Sheets.add",
        "Book.save",
        "Book.close",
        "Books.open",
        "App.alert",
    }
)


def split_calls(calls: Counter[str]) -> dict[str, int]:
    """{"reads", "writes", "calls"}: writes change the workbook (or show the message box),
    reads are every other round trip to Excel."""
    writes = sum(n for name, n in calls.items() if name.endswith(".set") or name in WRITES)
    total = sum(calls.values())
    return {"reads": total - writes, "writes": writes, "calls": total}


def count_validate_calls(path: Path) -> dict[str, int]:
    """Calls to Excel that pressing 校验 on the saved workbook ``path`` costs (for benchmarks)."""
    from xlqc.excel import on_ribbon

    book = load(path)
    reset_calls(book)
    on_ribbon("validate", book)
    return split_calls(calls(book))
