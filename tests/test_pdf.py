"""PDF conversion with LibreOffice, checked from the PDF's own text (poppler's pdftotext).

Runs wherever LibreOffice is installed (.ci/run installs it with CJK fonts and poppler-utils);
skipped only when soffice is missing.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import GOOD_GROUP, GOOD_MEMBERS, GOOD_TOPICS, write_proofs, write_workbook
from xlqc.templates import build_templates

from xlqc import builder, documents, pdf
from xlqc.errors import XlqcError
from xlqc.reading import read_book
from xlqc.rules import check
from xlqc.templating import load_template

needs_soffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed"
)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake soffice is a shell script")
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")), reason="poppler-utils missing"
)

MEMBERS = ["王晓东", "李明", "张华", "刘洋", "陈静", "欧阳晓峰", "赵丽", "孙强", "周敏", "吴刚"]
THIRD = "缩短变电站巡检时间"
SUMMARY_END = "小组将继续深化标准应用，持续改进。"


def full_form(folder: Path) -> Path:
    """附件2 of a group with three topics, ten members and a long 综述, written as .docx."""
    write_proofs(folder)
    topics = [
        *GOOD_TOPICS,
        {**GOOD_TOPICS[0], "课题名称": THIRD, "活动开始": "2025.1", "活动结束": "2025.6"},
    ]
    members = [
        {"小组编号": "G001", "序号": i + 1, "姓名": n, "能力证明": "proofs/cert.pdf"}
        for i, n in enumerate(MEMBERS)
    ]
    summary = "\n".join(["小组围绕配网运维重点工作，运用 QC 方法解决现场问题。" * 12] * 6)
    group = {**GOOD_GROUP, "活动综述": summary + "\n" + SUMMARY_END}
    book = read_book(write_workbook(folder / "总表.xlsx", [group], topics, members))
    data = load_template(documents.FORM2_TEMPLATE).render(
        documents.form2_context(book, book.groups[0])
    )
    path = folder / "申报表.docx"
    path.write_bytes(data)
    return path


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command line of every LibreOffice start, recorded as the real runs go ahead."""
    seen: list[list[str]] = []
    real_run = pdf._run

    def counting(cmd: list[str], timeout: float) -> None:
        seen.append(cmd)
        real_run(cmd, timeout)

    monkeypatch.setattr(pdf, "_run", counting)
    return seen


def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """A shell script standing in for LibreOffice, found by xlqc.pdf as if it were soffice."""
    fake = tmp_path / "soffice"
    fake.write_text(script)
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(fake))


def pdf_text(path: Path) -> str:
    """The PDF's text in content order (a wrapped cell stays together), white space removed."""
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", raw)


@needs_soffice
@needs_poppler
def test_a_form_converts_to_an_a4_pdf_with_everything_on_the_page(
    tmp_path: Path, starts: list[list[str]]
) -> None:
    form = full_form(tmp_path)
    other = tmp_path / "附件3.docx"
    other.write_bytes(
        load_template(documents.FORM3_TEMPLATE).render(
            {"unit": "江苏省质量协会", "draft": False, "rows": []}
        )
    )
    made = pdf.to_pdf([form, other], tmp_path / "pdf")
    assert made == [tmp_path / "pdf" / "申报表.pdf", tmp_path / "pdf" / "附件3.pdf"]
    assert len(starts) == 1  # both files in one LibreOffice start
    assert any(arg.startswith("-env:UserInstallation=file://") for arg in starts[0])

    info = subprocess.run(
        ["pdfinfo", str(made[0])], capture_output=True, text=True, check=True
    ).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and (round(float(size[1])), round(float(size[2]))) == (595, 842)  # A4 portrait

    text = pdf_text(made[0])
    for expected in (
        "全国优秀质量管理小组申报表",
        "江苏省质量协会",
        GOOD_GROUP["组织名称"],
        "配电运检QC小组",
        "降低配电线路故障停电时长",
        "提高配网自动化终端在线率",
        THIRD,
        "2024.03—2024.11",
        *MEMBERS,
        "小组围绕配网运维重点工作",
        SUMMARY_END,
        "单位盖章",
    ):
        assert re.sub(r"\s+", "", expected) in text, expected
    assert "☑" in text and "☐" in text

    # The table fits the page: every word lies inside the page with a margin left over.
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(made[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)"', boxes)
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', boxes)
    assert len(pages) >= 2 and words  # the long 综述 flows onto a second page
    width = float(pages[0])
    assert min(float(x0) for x0, _ in words) >= 36
    assert max(float(x1) for _, x1 in words) <= width - 36


@needs_soffice
@needs_poppler
def test_export_with_pdf_puts_a_pdf_beside_every_document(
    tmp_path: Path, starts: list[list[str]]
) -> None:
    write_proofs(tmp_path)
    book = read_book(
        write_workbook(tmp_path / "总表.xlsx", [GOOD_GROUP], GOOD_TOPICS, GOOD_MEMBERS)
    )
    out = tmp_path / "out"
    result = documents.export(book, check(book), out, pdf=True, today=date(2026, 10, 20))
    converted = {
        p.relative_to(out).as_posix()
        for p in result.files
        if p.suffix == ".pdf" and documents.PROOF_DIR not in p.parts
    }
    form = f"{documents.FORM2_DIR}/01_国网江苏省电力有限公司泰州供电分公司_配电运检QC小组.pdf"
    assert converted == {form, "附件3_推荐意见.pdf", "附件4_推荐汇总表.pdf"}
    assert len(starts) == 1  # 附件2, 附件3 and 附件4 in one LibreOffice start
    assert not list((out / documents.PROOF_DIR).rglob("*成果报告*.pdf"))  # proofs stay as given
    assert "王晓东、李明、张华、刘洋、陈静" in pdf_text(out / "附件4_推荐汇总表.pdf")
    info = subprocess.run(
        ["pdfinfo", str(out / "附件4_推荐汇总表.pdf")], capture_output=True, text=True, check=True
    ).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and float(size[1]) > float(size[2])  # landscape


def test_missing_libreoffice_is_one_chinese_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    monkeypatch.setattr(pdf, "_USUAL_PLACES", ())
    with pytest.raises(XlqcError) as err:
        pdf.to_pdf([Path("x.docx")], Path("out"))
    assert str(err.value) == "未找到 LibreOffice，无法生成 PDF；请安装 LibreOffice 或去掉 --pdf"


@posix_only
def test_a_hanging_libreoffice_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_soffice(tmp_path, monkeypatch, "#!/bin/sh\nsleep 30 &\nwait\n")
    monkeypatch.setattr(pdf, "START_SECONDS", 1)
    monkeypatch.setattr(pdf, "FILE_SECONDS", 0)
    src = tmp_path / "a.docx"
    src.write_bytes(b"x")
    with pytest.raises(XlqcError, match="超时"):
        pdf.to_pdf([src], tmp_path / "out")


@posix_only
def test_a_file_libreoffice_cannot_convert_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_soffice(tmp_path, monkeypatch, "#!/bin/sh\nexit 0\n")  # converts nothing
    src = tmp_path / "坏文件.docx"
    src.write_bytes(b"x")
    with pytest.raises(XlqcError, match=r"坏文件\.docx"):
        pdf.to_pdf([src], tmp_path / "out")


FAKE_SOFFICE = """#!/bin/sh
# Stands in for LibreOffice: "converts" each .docx by copying it to OUTDIR/<stem>.pdf.
out=""; prev=""
for a in "$@"; do
  if [ "$prev" = "--outdir" ]; then out="$a"; mkdir -p "$out"; fi
  case "$a" in *.docx) cp "$a" "$out/$(basename "$a" .docx).pdf";; esac
  prev="$a"
done
"""


@posix_only
def test_many_files_are_shared_over_parallel_lanes_one_start_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, starts: list[list[str]]
) -> None:
    fake_soffice(tmp_path, monkeypatch, FAKE_SOFFICE)
    monkeypatch.setattr(pdf, "BATCH", 2)
    files = []
    for i in range(5):
        f = tmp_path / f"{i:02d}_申报表 (副本).docx"
        f.write_bytes(f"form {i}".encode())
        files.append(f)
    made = pdf.to_pdf(files, tmp_path / "pdf", lanes=2)
    assert [p.name for p in made] == [f"{i:02d}_申报表 (副本).pdf" for i in range(5)]
    assert [p.read_bytes() for p in made] == [f"form {i}".encode() for i in range(5)]
    assert sorted(len([a for a in cmd if a.endswith(".docx")]) for cmd in starts) == [2, 3]
    profiles = {a for cmd in starts for a in cmd if a.startswith("-env:UserInstallation=")}
    assert len(profiles) == 2  # one profile per lane


@posix_only
def test_files_of_several_folders_convert_in_one_start_each_beside_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, starts: list[list[str]]
) -> None:
    fake_soffice(tmp_path, monkeypatch, FAKE_SOFFICE)
    files = [tmp_path / "附件2_申报表" / f"{i:02d}_表.docx" for i in range(1, 4)]
    files += [tmp_path / "附件3_推荐意见.docx", tmp_path / "附件4_推荐汇总表.docx"]
    for f in files:
        f.parent.mkdir(exist_ok=True)
        f.write_bytes(f.name.encode())
    made = pdf.to_pdf(files)
    assert made == [f.with_suffix(".pdf") for f in files]
    assert [p.read_bytes() for p in made] == [f.name.encode() for f in files]
    assert len(starts) == 1
    with pytest.raises(ValueError, match="distinct"):
        pdf.to_pdf([files[0], files[0]])


# ---------------------------------------------------------------------------------------------
# The pages as printed


def pages(path: Path) -> list[str]:
    """Text of each page in content order (a wrapped cell stays together), no white space."""
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in raw.split("\f")[:-1]]


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏"
)
GIVEN = ["伟", "芳", "晓东", "海燕", "建国", "志强", "春梅", "立新", "思远", "雅琴", "德明", "静"]
CITIES = ["泰州", "南京", "苏州", "无锡", "常州", "南通", "扬州", "镇江", "盐城", "徐州", "连云港"]


def hundred_rows() -> list[dict[str, object]]:
    """100 groups as 附件3/4 print them: names of every length, 5–10 members, opinions of one
    to three paragraphs up to 300 characters, so rows differ in height and page breaks fall
    everywhere."""
    rng = random.Random(12)
    rows = []
    for n in range(1, 101):
        city = rng.choice(CITIES)
        org = rng.choice(
            [
                f"国网江苏省电力有限公司{city}供电分公司",
                f"{city}第{n}钢铁集团有限公司",
                f"中国石油化工股份有限公司{city}分公司第{n}联合运行部",
                f"{city}市第{n}人民医院",
            ]
        )
        members = "、".join(
            f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}" for _ in range(rng.randint(5, 10))
        )
        opinion = [
            f"第{n}组意见{k}："
            + "该小组活动扎实规范，选题贴近生产实际，工具运用恰当。" * rng.randint(1, 4)
            for k in range(rng.randint(1, 3))
        ]
        rows.append(
            {"no": n, "org": org, "name": f"第{n}号QC小组", "members": members, "opinion": opinion}
        )
    return rows


@needs_soffice
@needs_poppler
def test_hundred_group_summaries_start_every_page_with_the_heading_and_split_no_row(
    tmp_path: Path, starts: list[list[str]]
) -> None:
    rows = hundred_rows()
    common = {"unit": "江苏省质量协会", "draft": False, "rows": rows}
    form3 = tmp_path / "附件3.docx"
    form3.write_bytes(load_template(documents.FORM3_TEMPLATE).render(common))
    form4 = tmp_path / "附件4.docx"
    form4.write_bytes(
        load_template(documents.FORM4_TEMPLATE).render(
            {
                **common,
                "filler": "陈雅琴",
                "filler_phone": "025-83216688",
                "fill_date": "2026年10月20日",
            }
        )
    )
    pdf3, pdf4 = pdf.to_pdf([form3, form4])
    assert len(starts) == 1
    for path, heading, cells in (
        (pdf3, "推荐意见（限300字）", ("no", "org", "name", "opinion")),
        (pdf4, "小组成员（10人以内请用“、”隔开）", ("no", "org", "name", "members")),
    ):
        texts = pages(path)
        assert len(texts) >= 5, path.name  # page breaks fall between many rows
        for number, page in enumerate(texts, 1):
            assert "序号" in page and heading in page, f"{path.name} page {number}: no heading"
        for row in rows:
            # the row's cells one after the other on one page: a row broken over two pages
            # would cut them (the heading repeated between its halves)
            whole = "".join("".join(v) if isinstance(v := row[c], list) else str(v) for c in cells)
            on = [i for i, page in enumerate(texts, 1) if whole in page]
            assert len(on) == 1, f"{path.name} row {row['no']} on pages {on}"
        last_page = texts[-1]
        assert "注：此表由推荐单位填写" in last_page


@needs_soffice
@needs_poppler
def test_every_sample_form_keeps_its_notes_and_seal_lines_on_one_page(
    tmp_path: Path, starts: list[list[str]]
) -> None:
    demo = tmp_path / "demo" / "示例.xlsx"
    builder.demo_workbook(demo)
    book = read_book(demo)
    out = tmp_path / "out"
    result = documents.export(book, check(book), out, include_all=True, pdf=True)
    assert len(starts) == 1  # every form, 附件3 and 附件4: one LibreOffice start
    forms = sorted((out / documents.FORM2_DIR).glob("*.pdf"))
    assert len(forms) == len(result.exported) >= 15
    groups = {g.code: g for g in book.groups}
    notes = [re.sub(r"\s+", "", n) for n in build_templates.FORM2_NOTES]
    for code, form in zip(result.exported, forms, strict=True):
        texts = pages(form)
        summary = [re.sub(r"\s+", "", p) for p in documents.paragraphs(groups[code].summary)]
        # the 注 block in one piece
        (page,) = [t for t in texts if notes[0] in t]
        assert all(note in page for note in notes), form.name
        # 单位盖章 and 年 月 日 on the page where the 综述 ends
        (page,) = [t for t in texts if "单位盖章" in t]
        assert "年月日" in page and summary[-1][-12:] in page, form.name
        # the 综述 starts on page 1 (each sample form leaves room for it there)
        assert "近三年QC小组活动综述" in texts[0] and summary[0][:12] in texts[0], form.name
