"""The blank master workbook, the filled sample and the repository's workbook/ folder."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.image.image import Image
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlqc import builder, schema
from xlqc.errors import XlqcError
from xlqc.model import Book
from xlqc.reading import read_book
from xlqc.rules import RULES, check

REPO_WORKBOOK = Path(__file__).resolve().parent.parent / "workbook"


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "总表.xlsx"
    builder.new_workbook(path)
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "示例.xlsx"
    builder.demo_workbook(path)
    return path


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workbook")
    builder.write_repository_workbooks(folder)
    return folder


@pytest.fixture(scope="module")
def demo_book(demo: Path) -> Book:
    return read_book(demo)


def letter(sheet: str, field: str) -> str:
    columns = schema.DATA_SHEETS[sheet]
    return openpyxl.utils.get_column_letter(columns.index(schema.column(sheet, field)) + 1)


def validation_at(ws: Worksheet, cell: str) -> DataValidation:
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell} has {len(found)} validations"
    return found[0]


# ---------------------------------------------------------------------------------------------
# The blank workbook


def test_blank_has_the_contract_sheets_headers_and_layout(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == [schema.SETTINGS_SHEET, *schema.DATA_SHEETS]
    assert wb.active.title == schema.GROUP_SHEET
    # exactly one selected tab, or Excel would open with the sheets grouped
    assert [ws.sheet_view.tabSelected for ws in wb] == [ws.title == schema.GROUP_SHEET for ws in wb]
    for sheet, columns in schema.DATA_SHEETS.items():
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == [c.header for c in columns]
        assert ws.max_row == 1
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws["A1"].fill.fgColor.rgb.endswith(builder.HEADER_FILL)
        for col in columns:
            width = ws.column_dimensions[letter(sheet, col.field)].width
            assert width == (max(col.width, 16) if col.kind == "date" else col.width)
    assert wb.properties.creator == "xlqc"
    assert wb.properties.title


@pytest.mark.parametrize("which", ["blank", "demo"])
def test_every_sheet_prints_landscape_one_page_wide_with_its_header_row(
    which: str, request: pytest.FixtureRequest
) -> None:
    wb = openpyxl.load_workbook(request.getfixturevalue(which))
    for ws in wb:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert str(setup.paperSize) == ws.PAPERSIZE_A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title  # 0: pages as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.freeze_panes == "A2"


def test_date_columns_show_every_allowed_date_form_in_full(blank: Path) -> None:
    """Excel counts a column's width in widths of 0; a Chinese character takes two. The longest
    form, 2023年12月26日 (14 units), was cut to 2023年12月26E at width 12."""
    wb = openpyxl.load_workbook(blank)
    longest = max(
        ("2023-12-26", "2023/12/26", "2023.12.26", "2023年12月26日", "2023.12", "2023年12月"),
        key=lambda t: sum(2 if ord(ch) > 0x2E80 else 1 for ch in t),
    )
    assert longest == "2023年12月26日"
    dates = [(s, c) for s, cols in schema.DATA_SHEETS.items() for c in cols if c.kind == "date"]
    assert {c.header for _, c in dates} == {"注册日期", "活动开始", "活动结束"}
    for sheet, col in dates:
        assert wb[sheet].column_dimensions[letter(sheet, col.field)].width >= 14 + 2


def test_blank_settings_list_every_key_with_default_and_hint(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)[schema.SETTINGS_SHEET]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [k.key for k in schema.SETTING_KEYS]
    for key in schema.SETTING_KEYS:
        value, hint = rows[key.key]
        assert hint == key.hint
        if key.default and isinstance(value, datetime):
            assert value.date().isoformat() == key.default
        else:
            assert (value or "") == key.default


def test_blank_choice_columns_have_drop_down_lists(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    choice_columns = [
        (sheet, col) for sheet, cols in schema.DATA_SHEETS.items() for col in cols if col.choices
    ]
    assert {col.header for _, col in choice_columns} >= {"是否推荐", "外部认可", "成果水平"}
    for sheet, col in choice_columns:
        for row in (builder.FIRST_ROW, builder.LAST_ROW):
            dv = validation_at(wb[sheet], f"{letter(sheet, col.field)}{row}")
            assert dv.type == "list"
            assert dv.formula1.strip('"').split(",") == list(col.choices)
            assert dv.showErrorMessage
        # 成果水平 accepts other levels (示范级, 二等奖…) after a note; the others refuse
        assert dv.errorStyle == ("information" if col.field == "level" else "stop")


def test_blank_every_column_has_an_input_hint(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    for sheet, columns in schema.DATA_SHEETS.items():
        for col in columns:
            dv = validation_at(wb[sheet], f"{letter(sheet, col.field)}{builder.FIRST_ROW}")
            assert dv.showInputMessage
            assert dv.promptTitle == col.header
            assert col.hint in dv.prompt
            assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32  # Excel's limits
            if col.kind == "date":
                assert "2024.3" in dv.prompt and "2024年3月" in dv.prompt
            if col.required:
                assert "必填" in dv.prompt
            if not col.choices:
                assert dv.type is None  # any value: a hint, no restriction


def test_blank_column_formats(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    groups = wb[schema.GROUP_SHEET]
    assert groups.column_dimensions[letter(schema.GROUP_SHEET, "phone")].number_format == "@"
    assert groups.column_dimensions[letter(schema.GROUP_SHEET, "code")].number_format == "@"
    for sheet, columns in schema.DATA_SHEETS.items():
        for col in columns:
            dim = wb[sheet].column_dimensions[letter(sheet, col.field)]
            if col.kind == "date":
                assert dim.number_format == builder.DATE_FORMAT
            if col.kind == "longtext":
                assert dim.alignment.wrap_text


def cf_rules(ws: Worksheet) -> dict[str, list[str]]:
    """range -> formulas of the conditional formats on that range."""
    return {
        str(cf.sqref): [f for rule in cf.rules for f in rule.formula]
        for cf in ws.conditional_formatting
    }


def test_blank_conditional_formats_show_simple_breaches(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    last = builder.LAST_ROW

    def span(sheet: str, field: str) -> str:
        col = letter(sheet, field)
        return f"{col}2:{col}{last}"

    groups = cf_rules(wb[schema.GROUP_SHEET])
    (summary,) = groups[span(schema.GROUP_SHEET, "summary")]
    assert summary.startswith("LEN(") and summary.endswith(f">{schema.MAX_SUMMARY_CHARS}")
    assert '" "' in summary and "CHAR(10)" in summary and '"\u3000"' in summary
    (opinion,) = groups[span(schema.GROUP_SHEET, "opinion")]
    assert opinion.endswith(f">{schema.MAX_OPINION_CHARS}")
    code_rules = groups[span(schema.GROUP_SHEET, "code")]
    assert any(
        f"'{schema.MEMBER_SHEET}'!" in f and f.endswith(f">{schema.MAX_MEMBERS})")
        for f in code_rules
    )
    code = letter(schema.GROUP_SHEET, "code")
    assert any(f"COUNTIF(${code}:${code},${code}2)>1" in f for f in code_rules)  # 小组编号 twice
    members = cf_rules(wb[schema.MEMBER_SHEET])
    (count,) = members[span(schema.MEMBER_SHEET, "group")]
    assert "COUNTIF(" in count and count.endswith(f">{schema.MAX_MEMBERS})")
    for ws in (wb[schema.GROUP_SHEET], wb[schema.MEMBER_SHEET]):
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                assert rule.dxf.fill.fgColor.rgb.endswith(schema.FILLS["error"])


def test_blank_reads_as_an_empty_book(blank: Path) -> None:
    book = read_book(blank)
    assert (book.groups, book.topics, book.members) == ([], [], [])
    assert book.settings.ref_date == date(2026, 10, 30)
    assert book.settings.problems == ["推荐单位"]  # the clerk's first task
    assert set(book.columns) == set(schema.DATA_SHEETS)


def test_new_and_demo_refuse_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "总表.xlsx"
    path.write_bytes(b"the clerk's work")
    for make in (builder.new_workbook, builder.demo_workbook):
        with pytest.raises(XlqcError, match="已存在"):
            make(path)
    assert path.read_bytes() == b"the clerk's work"
    # a demo beside an existing proof folder would mix with the clerk's proofs
    proofs = tmp_path / builder.PROOF_FOLDER
    proofs.mkdir()
    (proofs / "mine.pdf").write_bytes(b"keep")
    with pytest.raises(XlqcError, match=f"{builder.PROOF_FOLDER}」已存在.*空文件夹"):
        builder.demo_workbook(tmp_path / "另一个.xlsx")
    assert not (tmp_path / "另一个.xlsx").exists()
    assert [p.name for p in proofs.iterdir()] == ["mine.pdf"]


def test_builder_output_is_byte_for_byte_stable(blank: Path, demo: Path, fresh: Path) -> None:
    """Built twice (new/demo in one folder, the repository pair in another): same bytes."""
    assert blank.read_bytes() == (fresh / builder.TEMPLATE_NAME).read_bytes()
    assert demo.read_bytes() == (fresh / builder.SAMPLE_NAME).read_bytes()
    assert proof_files(demo.parent) == proof_files(fresh)


# ---------------------------------------------------------------------------------------------
# The sample


def test_demo_reads_back_with_realistic_content(demo_book: Book) -> None:
    book = demo_book
    assert book.settings.unit and not book.settings.problems
    assert len(book.groups) >= 12
    assert len({g.code for g in book.groups}) == len(book.groups)
    for group in book.groups:
        assert 3 <= len(book.topics_of(group.code)) <= 5
        members = book.members_of(group.code)
        assert 5 <= len(members) <= (11 if builder.SAMPLE_BREACHES.get(group.code) == "R05" else 10)
        assert group.org.endswith(("公司", "医院", "厂", "段", "分行", "车间"))
        assert group.name.endswith("小组")
        assert len(group.summary) >= 400
        assert 50 <= len(group.opinion) <= 200
    assert [g.code for g in book.groups if not g.recommended] == list(
        builder.SAMPLE_NOT_RECOMMENDED
    )


def test_demo_types_dates_and_phones_every_way(demo_book: Book) -> None:
    raws = [t.raw[f] for t in demo_book.topics for f in ("start", "end")]
    assert any(isinstance(r, date) for r in raws)
    texts = [r for r in raws if isinstance(r, str)]
    for pattern in (r"^\d{4}\.\d{1,2}$", r"^\d{4}年\d{1,2}月$", r"^\d{4}/\d{1,2}/\d{1,2}$"):
        assert any(re.match(pattern, t) for t in texts), pattern
    assert all(t.start and t.end and t.start.value <= t.end.value for t in demo_book.topics)
    assert {p.precision for t in demo_book.topics for p in (t.start, t.end) if p} == {
        "day",
        "month",
    }
    phones = [g.phone for g in demo_book.groups]
    assert any("转" in p for p in phones) and any("；" in p for p in phones)
    assert all(isinstance(g.raw["phone"], str) for g in demo_book.groups)  # kept as text


def test_demo_proof_files_exist_where_referenced(demo: Path, demo_book: Book) -> None:
    referenced: list[str] = []
    for topic in demo_book.topics:
        referenced += topic.report + topic.proof
        if topic.recognition != "无":
            assert topic.proof
    for member in demo_book.members:
        referenced += member.cert
    assert any(len(m.cert) == 2 for m in demo_book.members)  # several paths in one cell
    absent = [p for p in referenced if not (demo.parent / p).is_file()]
    (missing_report,) = [c for c, rule in builder.SAMPLE_BREACHES.items() if rule == "R14"]
    assert len(absent) == 1 and absent[0].startswith(f"{builder.PROOF_FOLDER}/{missing_report}/")
    written = {
        p.relative_to(demo.parent).as_posix()
        for p in (demo.parent / builder.PROOF_FOLDER).rglob("*")
        if p.is_file()
    }
    assert written == set(referenced) - set(absent)  # nothing unreferenced either


def test_demo_reports_are_word_files_naming_their_topic(demo: Path, demo_book: Book) -> None:
    orgs = {g.code: g.org for g in demo_book.groups}
    for topic in demo_book.topics[::7]:
        document = docx.Document(str(demo.parent / topic.report[0]))
        text = "\n".join(p.text for p in document.paragraphs)
        assert topic.title in text and orgs[topic.group] in text
        assert document.core_properties.title == topic.title


def test_demo_placeholder_pdf_and_jpeg_are_valid() -> None:
    pdf = builder._pdf("G001 test")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[xref:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert [pdf[o:].split(b" ", 1)[0] for o in offsets] == [b"1", b"2", b"3", b"4", b"5"]
    image = Image.from_blob(builder.TINY_JPEG)  # python-docx's own JPEG parser
    assert (image.content_type, image.px_width, image.px_height) == ("image/jpeg", 8, 8)


def test_demo_breaches_are_each_one_rule(demo_book: Book) -> None:
    findings = check(demo_book)
    by_group: dict[str, set[str]] = {}
    errors: set[str] = set()
    for f in findings:
        by_group.setdefault(f.group, set()).add(f.rule)
        if f.severity == "error":
            errors.add(f.group)
    for code, rule in builder.SAMPLE_BREACHES.items():
        # R03's group also lists its older topics (R18, info): that is why it has one
        extra = {"R18"} if rule == "R03" else set()
        assert by_group.get(code) == {rule} | extra, code
    clean = [g.code for g in demo_book.groups if g.code not in builder.SAMPLE_BREACHES]
    assert len(clean) >= 7
    assert not any(by_group.get(code) for code in clean)
    warned = {
        code for code, rule in builder.SAMPLE_BREACHES.items() if RULES[rule].severity != "error"
    }
    assert warned == {"G008", "G009", "G010", "G011"}
    assert not warned & errors  # warnings and infos do not stop the export
    exportable = [g.code for g in demo_book.groups if g.recommended and g.code not in errors]
    assert len(exportable) >= 10


# ---------------------------------------------------------------------------------------------
# workbook/ in the repository


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}


def proof_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in (root / builder.PROOF_FOLDER).rglob("*")
        if p.is_file()
    }


def docx_text(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    return re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)


@pytest.mark.skipif(not REPO_WORKBOOK.is_dir(), reason="needs the source tree's workbook/ folder")
def test_repository_workbook_folder_is_current(fresh: Path) -> None:
    """workbook/ holds what the builder makes now (values, not bytes: library versions differ)."""
    for name in (builder.TEMPLATE_NAME, builder.SAMPLE_NAME):
        assert sheet_values(REPO_WORKBOOK / name) == sheet_values(fresh / name), (
            f"workbook/{name} is out of date: run python -m xlqc.builder"
        )
    committed, current = proof_files(REPO_WORKBOOK), proof_files(fresh)
    assert committed.keys() == current.keys()
    for rel, data in current.items():
        if rel.endswith(".docx"):
            assert docx_text(data) and docx_text(committed[rel]) == docx_text(data), rel
        else:
            assert committed[rel] == data, rel
