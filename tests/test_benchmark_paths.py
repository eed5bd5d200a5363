"""The benchmark's fast paths give what the plain paths give, on small inputs (no timing here:
benchmarks/run.py measures).

* reading with python-calamine and with openpyxl gives the same findings, on synthetic
  workbooks with breaches of many rules and dates typed every way;
* the fast test for clean text (text._is_clean) never hides an R17 problem or a normalize fix;
* rules.quote's shortcut for printable and long text shows what the character map shows;
* forms rendered from the compiled template read like forms from a fresh DocxTemplate;
* the live-Excel call count does not grow with rows.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlqc import rules, text
from xlqc.reading import _PATH_SPLIT, clean_text, read_book, split_paths
from xlqc.rules import check
from xlqc.sheetxml import column_letters, column_number
from xlqc.validate import validate_book

REPO = Path(__file__).resolve().parents[1]  # benchmarks/ is in the checkout, not in the wheel
if not (REPO / "benchmarks" / "synth.py").is_file():
    pytest.skip("needs the source tree's benchmarks/ folder", allow_module_level=True)
sys.path.append(str(REPO))  # after site-packages: xlqc stays the installed package under CI

from benchmarks import plain  # noqa: E402
from benchmarks.synth import write_synthetic  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 groups, half of them with a breach of some rule."""
    return write_synthetic(tmp_path_factory.mktemp("synth") / "总表.xlsx", 40, breach_rate=0.5)


def test_calamine_and_openpyxl_readers_give_the_same_findings(synthetic: Path) -> None:
    result = validate_book(synthetic)
    assert result.error is None
    rules_found = Counter(f.rule for f in result.findings)
    assert len(rules_found) >= 5, rules_found  # a comparison over many rules, not one
    assert plain.finding_keys(result.findings) == plain.finding_keys(
        plain.plain_findings(synthetic)
    )


def test_validate_with_the_collector_on_gives_the_same_findings(synthetic: Path) -> None:
    import gc

    assert gc.isenabled()
    book = read_book(synthetic)  # the collector runs as usual here
    assert gc.isenabled()
    fast = validate_book(synthetic)
    assert gc.isenabled()  # validate_book gives it back
    assert plain.finding_keys(check(book, file=str(synthetic))) == plain.finding_keys(fast.findings)


def test_synthetic_workbooks_store_text_as_excel_does(synthetic: Path) -> None:
    import zipfile

    with zipfile.ZipFile(synthetic) as zf:
        shared = zf.read("xl/sharedStrings.xml").decode("utf-8")
        sheet = zf.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "inlineStr" not in sheet and "&#" not in shared
    book = read_book(synthetic)
    assert all(len(g.summary) >= 1500 for g in book.groups)
    assert len({g.summary[:50] for g in book.groups}) == len(book.groups)  # no repeated text


def test_clean_synthetic_workbooks_have_no_findings(tmp_path: Path) -> None:
    result = validate_book(write_synthetic(tmp_path / "clean.xlsx", 15, clean=True))
    assert result.findings == []


# --------------------------------------------------------------------------------------------
# Text: the fast path against the full one

# Everyday characters, the ones the fast path knows, and the ones it must hand on.
_ALPHABET = st.sampled_from(
    [
        *"质量管理小组QCqc09 　\n\t\r（）()，,;；:：「」、。ＱＣ１σ℃①㎡—“”·%",
        *("\u200b", "\ufeff", "\u00a0", "\u2028", "\x0b", "\ue000", "\U00020000", "😀"),
    ]
)


def _without_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_is_clean", lambda s: False)


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=30))
def test_fast_clean_check_agrees_with_the_full_check(s: str) -> None:
    fast = (text.text_issues(s), text.normalize_text(s))
    with pytest.MonkeyPatch.context() as mp:
        _without_fast_path(mp)
        assert (text.text_issues(s), text.normalize_text(s)) == fast


def test_everyday_characters_are_printable_and_not_suspect() -> None:
    for first, last in text._COMMON_RANGES:
        for code in range(first, last + 1):
            ch = chr(code)
            assert ch.isprintable() and not text._SUSPECT_CHAR.match(ch), hex(code)


def test_long_clean_and_unclean_summaries(synthetic: Path) -> None:
    summary = read_book(synthetic).groups[0].summary
    for s in (summary, summary + " ", summary.replace("。", " 。", 1), summary + "（ＱＣ）"):
        fast = text.text_issues(s)
        with pytest.MonkeyPatch.context() as mp:
            _without_fast_path(mp)
            assert text.text_issues(s) == fast


@given(st.text(_ALPHABET, max_size=60))
def test_quote_shortcut_shows_what_the_character_map_shows(s: str) -> None:
    shown = "".join(text.visible_char(ch) for ch in s)
    expected = shown if len(shown) <= rules.QUOTE_LIMIT else shown[: rules.QUOTE_LIMIT - 1] + "…"
    assert rules.quote(s) == expected


@given(st.text(st.sampled_from(list("ab/\\ ；;\r\n　\u200b.docx")), max_size=30))
def test_one_path_shortcut_splits_as_the_general_case(s: str) -> None:
    general = [p for p in (clean_text(part) for part in _PATH_SPLIT.split(s)) if p]
    assert split_paths(s) == general


def test_column_letters_are_excels() -> None:
    from openpyxl.utils import get_column_letter

    numbers = (1, 26, 27, 52, 53, 702, 703, 16384)
    assert [column_letters(i) for i in numbers] == [get_column_letter(i) for i in numbers]
    assert [column_number(get_column_letter(i)) for i in numbers] == list(numbers)


# --------------------------------------------------------------------------------------------
# Documents and live Excel


def test_compiled_and_fresh_templates_give_the_same_forms(synthetic: Path, tmp_path: Path) -> None:
    result = validate_book(synthetic)
    assert result.book is not None
    book = result.book.model_copy(update={"groups": result.book.groups[:4]})
    fast = plain.render_forms(book, result.findings, tmp_path / "fast", plain.fast_renderer())
    naive = plain.render_forms(book, result.findings, tmp_path / "naive", plain.naive_renderer())
    assert len(fast) == len(naive) >= 3
    for a, b in zip(fast, naive, strict=True):
        assert plain.docx_text(a) == plain.docx_text(b)
    assert book.groups[0].org in "".join(plain.docx_text(fast[0]))


def test_live_calls_do_not_grow_with_rows(tmp_path: Path) -> None:
    small = write_synthetic(tmp_path / "a" / "总表.xlsx", 5, clean=True)
    large = write_synthetic(tmp_path / "b" / "总表.xlsx", 25, clean=True)
    (small_calls, small_marked, _), (large_calls, large_marked, _) = (
        plain.count_validate_calls(p) for p in (small, large)
    )
    assert small_marked == large_marked == 0
    assert small_calls == large_calls
    assert large_calls["Range.value.get"] == 4
