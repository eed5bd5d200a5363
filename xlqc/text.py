"""Text as clerks type it: counting characters like Word, and finding and fixing R17 problems.

* :func:`char_count` is Word's 字符数（不计空格）: every character except white space.
* :func:`text_issues` lists, in Chinese, what R17 reports about one cell's text.
* :func:`normalize_text` is the fix ``xlqc normalize`` and the 规范文本 button apply.

The two last ones agree by construction: ``text_issues(normalize_text(s)) == []`` and
``normalize_text`` is idempotent, for every string. Both work in the same order of steps —
line breaks and invisible characters, full-width letters and digits, half-width punctuation in
Chinese text, then white space — and each step leaves nothing the earlier steps would change.

What counts as a problem (DESIGN.md §2, R17):

* white space at the start or end of the text or of one of its lines, runs of two or more spaces,
  full-width spaces (U+3000), tabs, and other Unicode spaces such as the no-break space;
* invisible characters: zero-width and other format characters (U+200B, U+FEFF, soft hyphen…)
  and control characters, including the carriage return of a pasted Windows line break;
* full-width letters and digits (ＱＣ１);
* half-width ( ) , ; : in Chinese text, i.e. when the nearest character on either side (spaces
  skipped) is a Han character, and a bracket pair mixing widths such as （ISO);
* spaces next to full-width Chinese punctuation (「率， 提高」).

Not problems: line breaks inside a paragraph text, ASCII letters in a Chinese name (配电运检QC小组),
one space between Chinese and Latin text (QC 小组), half-width punctuation in Latin text
(ISO 9001(2015)).
"""

from __future__ import annotations

import re
import unicodedata

# Horizontal white space: tab and every Unicode space separator (category Zs).
_HSPACE = "\t \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_ODD_SPACES = frozenset(_HSPACE) - {" ", "\t", "\u3000"}
# Line breaks other than \n; a Word manual line break (\x0b) included.
_LINE_BREAKS = frozenset("\r\x0b\x0c\x85\u2028\u2029")
# Han characters (CJK ideographs, their extensions and compatibility forms, 〇 and 々).
_HAN = "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width Chinese punctuation that carries its own spacing: 、。〈〉《》「」『』【】〔〕 and the
# full-width forms ！＂＃…／ ：；＜＝＞？＠ ［＼］＾＿｀ ｛｜｝～ etc. (not the letters and digits).
_CJK_PUNCT_RANGES = (
    (0x3001, 0x3003),
    (0x3008, 0x3011),
    (0x3014, 0x301F),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
)
_CJK_PUNCT = "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_PUNCT_RANGES)
_CJK_PUNCT_SET = frozenset(chr(c) for a, b in _CJK_PUNCT_RANGES for c in range(a, b + 1))
# Characters a full-width space between two of which is dropped rather than made a space.
_WIDE = _HAN + _CJK_PUNCT + "\u3040-\u30ff"

_HALF_TO_FULL = {"(": "（", ")": "）", ",": "，", ";": "；", ":": "："}
_FULL_ALNUM = re.compile("[０-９Ａ-Ｚａ-ｚ]")
_HALF_PUNCT = re.compile("[(),;:]")
_BRACKET = re.compile("[()（）]")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_SPACE_RUN = re.compile(f"[{_HSPACE}]+")
_DOUBLED = re.compile(f"[^{_HSPACE}\n][{_HSPACE}]{{2,}}[^{_HSPACE}\n]")
_LINE_EDGE = re.compile(f"[{_HSPACE}]\n|\n[{_HSPACE}]")
# inside a line only: spaces at a line's ends are LINE_ENDS / ENDS already
_PUNCT_SPACE = re.compile(
    f"[{_CJK_PUNCT}][{_HSPACE}]+[^{_HSPACE}\n]|[^{_HSPACE}\n][{_HSPACE}]+[{_CJK_PUNCT}]"
)
_WIDE_CHAR = re.compile(f"[{_WIDE}]")
# Anything that may need a closer look; text without it (and printable) is clean as it is.
_SUSPECT_CHAR = re.compile("[(),;:０-９Ａ-Ｚａ-ｚ]")
# Everyday characters, all printable and none suspect: text made only of them and line breaks
# is found printable and free of suspects by one search.
_COMMON_RANGES = (
    *((0x20, 0x27), (0x2A, 0x2B), (0x2D, 0x39), (0x3C, 0x7E)),  # ASCII but ( ) , ; :
    *((0xA1, 0xAC), (0xAE, 0x2FF)),  # Latin-1 (no soft hyphen), Latin Extended, IPA
    *((0x391, 0x3A1), (0x3A3, 0x3C9)),  # Greek letters: 6σ, Δ
    *((0x2010, 0x2027), (0x2030, 0x205E)),  # general punctuation: — “ ” … ‰
    *((0x2100, 0x218B), (0x2190, 0x23FF), (0x2460, 0x27BF)),  # ℃ Ⅱ → ≤ ① ■ ★
    *((0x3200, 0x321E), (0x3220, 0x33FF)),  # ㈠ ㎡
    *((0x3001, 0x303F), (0x3041, 0x3096), (0x3099, 0x30FF)),  # 、。〈〉「」 and kana
    *((0x3400, 0x4DBF), (0x4E00, 0x9FFF)),  # Han
    *((0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65)),  # ，（）：；
)
_UNCOMMON = re.compile(
    "[^\n" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _COMMON_RANGES) + "]"
)

# A zero-width joiner is invisible clutter unless it joins two emoji (👩‍🔧 is one picture).
_EMOJI = "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff"
_LONE_ZWJ = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")

ENDS = "开头或结尾有空格"
LINE_ENDS = "行首或行尾有空格"
DOUBLED = "连续空格"
FULL_SPACE = "全角空格"
TAB = "制表符（Tab）"
ODD_SPACE = "特殊空格（如不间断空格）"
INVISIBLE = "不可见字符（零宽字符或控制字符）"
FULL_ALNUM = "全角字母或数字（如 ＱＣ１）"
PUNCT_SPACE = "全角标点前后有空格"
HALF_PUNCT = "中文之间用了半角括号、逗号、分号或冒号"
MIXED_BRACKETS = "括号全角半角混用"


def char_count(s: str) -> int:
    """Word's 字符数（不计空格）: every code point except white space.

    White space is what :meth:`str.isspace` says: spaces of every kind (full-width U+3000 and the
    no-break space included), tabs and line breaks. Each code point counts one: a rare Han
    character outside the BMP counts one, and so does a plain emoji, but a composed emoji counts
    every code point it is made of (👨‍👩‍👧 is three people and two zero-width joiners: 5; 👍🏽 is a
    hand and a skin tone: 2). Zero-width characters (U+200B and the like) count one each: they are
    characters, only invisible. R17 flags them and ``xlqc normalize`` removes them, so the count
    then matches what the clerk sees. The README's 字数 paragraph says the same to the clerk.
    """
    return len("".join(s.split()))


def visible(s: str) -> str:
    """``s`` with nothing a terminal would act on: line breaks as ↵, tabs as ⇥, control, format
    and unassigned characters as <U+001B> — the way R17's messages quote them. Text from a
    workbook (an ``_x001B_`` escape is a real ESC) never reaches the clerk's console raw."""
    if s.isprintable():
        return s
    return "".join(visible_char(ch) for ch in s)


def visible_char(ch: str) -> str:
    """One character as :func:`visible` shows it."""
    if ch in "\r\n":
        return "↵"
    if ch == "\t":
        return "⇥"
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return f"<U+{ord(ch):04X}>"
    return ch


def text_issues(s: str) -> list[str]:
    """The R17 problems of one cell's text, as short Chinese phrases in a fixed order."""
    if _is_clean(s):
        return []
    issues: list[str] = []
    t = _visible(s)
    if t != s:
        issues.append(INVISIBLE)
    if t[:1].isspace() or t[-1:].isspace():
        issues.append(ENDS)
    if _LINE_EDGE.search(t):
        issues.append(LINE_ENDS)
    if _DOUBLED.search(t):
        issues.append(DOUBLED)
    if "\u3000" in t:
        issues.append(FULL_SPACE)
    if "\t" in t:
        issues.append(TAB)
    if any(ch in _ODD_SPACES for ch in set(t)):
        issues.append(ODD_SPACE)
    if _FULL_ALNUM.search(t):
        issues.append(FULL_ALNUM)
    if _PUNCT_SPACE.search(t):
        issues.append(PUNCT_SPACE)
    in_chinese, mixed = _punct_plan(t)
    if in_chinese:
        issues.append(HALF_PUNCT)
    if mixed:
        issues.append(MIXED_BRACKETS)
    return issues


def normalize_text(s: str) -> str:
    """The R17 fix: what :func:`text_issues` reports, removed.

    Line breaks become ``\\n`` and invisible characters go; full-width letters and digits become
    ASCII (only those: Chinese punctuation stays full-width); half-width ( ) , ; : in Chinese text
    become （ ）， ； ：; every line is stripped, every run of spaces becomes one space — or
    nothing next to full-width punctuation, or where a full-width space stood between two Chinese
    characters.
    """
    if _is_clean(s):
        return s
    t = _visible(s)
    t = _FULL_ALNUM.sub(lambda m: chr(ord(m.group()) - 0xFEE0), t)
    in_chinese, mixed = _punct_plan(t)
    if in_chinese or mixed:
        chars = list(t)
        for i in in_chinese | mixed:
            chars[i] = _HALF_TO_FULL[chars[i]]
        t = "".join(chars)
    t = "\n".join(line.strip(_HSPACE) for line in t.split("\n")).strip(_HSPACE + "\n")
    return _SPACE_RUN.sub(_one_space, t)


def _is_clean(s: str) -> bool:
    """The fast path: printable text (spaces and line breaks aside) with nothing suspect.

    Text made only of everyday characters (:data:`_COMMON_RANGES`) needs one character-class
    search; other text goes through str.isprintable and the suspect characters. Spaces, rare in
    Chinese text, are then looked at one by one. A clean 3,000-character summary costs about
    ten microseconds, so a national office's 2,000 groups stay instant.
    """
    if _UNCOMMON.search(s) and (
        not (s.isprintable() or s.replace("\n", "").isprintable()) or _SUSPECT_CHAR.search(s)
    ):
        return False
    if s[:1] in (" ", "\n") or s[-1:] in (" ", "\n"):
        return False
    i = s.find(" ")
    while i != -1:  # not at either end, checked above
        before, after = s[i - 1], s[i + 1]
        if (
            after == " "  # doubled
            or before == "\n"  # at a line's start or end
            or after == "\n"
            or before in _CJK_PUNCT_SET
            or after in _CJK_PUNCT_SET
        ):
            return False
        i = s.find(" ", i + 1)
    return True


def _visible(s: str) -> str:
    """``s`` with line breaks as ``\\n`` and invisible characters removed.

    Looks only at the distinct non-printable characters, so long clean text costs little.
    """
    table: dict[int, str | None] = {}
    for ch in set(s):
        if ch.isprintable() or ch == "\n" or ch in _HSPACE:
            continue
        if ch in _LINE_BREAKS:
            table[ord(ch)] = "\n"
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            table[ord(ch)] = None
        elif unicodedata.category(ch) == "Zs":  # a space separator newer than this table
            table[ord(ch)] = " "
        # private-use and unassigned characters are kept: they show as a glyph or a box
    zwj = table.pop(0x200D, "") is None  # kept inside an emoji sequence such as 👩‍🔧
    if not table and not zwj:
        return s
    s = s.replace("\r\n", "\n").translate(table)
    return _LONE_ZWJ.sub("", s) if zwj else s


def _punct_plan(t: str) -> tuple[set[int], set[int]]:
    """Positions of half-width punctuation to make full-width: those in Chinese text (with the
    other half of their bracket pair), and those whose bracket partner is full-width."""
    in_chinese = {m.start() for m in _HALF_PUNCT.finditer(t) if _in_chinese(t, m.start())}
    mixed: set[int] = set()
    opened: list[int] = []
    for m in _BRACKET.finditer(t):
        i = m.start()
        if t[i] in "(（":
            opened.append(i)
            continue
        if not opened:
            continue
        pair = (opened.pop(), i)
        half = [p for p in pair if t[p] in "()"]
        if len(half) == 1:
            mixed.update(half)
        elif half and (pair[0] in in_chinese or pair[1] in in_chinese):
            in_chinese.update(half)
    return in_chinese, mixed - in_chinese


def _in_chinese(t: str, i: int) -> bool:
    """Whether the nearest character before or after ``t[i]`` on its line, spaces skipped, is Han."""
    j = i - 1
    while j >= 0 and t[j] in _HSPACE:
        j -= 1
    if j >= 0 and _HAN_CHAR.match(t[j]):
        return True
    k = i + 1
    while k < len(t) and t[k] in _HSPACE:
        k += 1
    return k < len(t) and _HAN_CHAR.match(t[k]) is not None


def _one_space(m: re.Match[str]) -> str:
    """Replacement for a run of spaces inside a stripped line."""
    t, run = m.string, m.group()
    before, after = t[m.start() - 1], t[m.end()]
    if before in _CJK_PUNCT_SET or after in _CJK_PUNCT_SET:
        return ""
    if "\u3000" in run and _WIDE_CHAR.match(before) and _WIDE_CHAR.match(after):
        return ""
    return " "
