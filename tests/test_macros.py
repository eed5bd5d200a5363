"""The add-in's text sources: the ribbon XML, the VBA module, and their match with Python."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from xlqc.addin import CUSTOMUI_NS, macro_file
from xlqc.excel import HANDLERS

MACROS = Path(__file__).resolve().parent.parent / "macros"
NS = {"ui": CUSTOMUI_NS}
LABELS = {
    "校验",
    "清除标记",
    "生成申报表",
    "生成汇总表",
    "推荐意见草稿",
    "全部导出",
    "规范文本",
    "新建总表",
    "导入申报表",
}


@pytest.fixture(scope="module")
def ribbon() -> ET.Element:
    return ET.fromstring((MACROS / "customUI14.xml").read_bytes())


@pytest.fixture(scope="module")
def bas() -> str:
    return (MACROS / "xlqc.bas").read_bytes().decode("ascii")


def _subs(bas: str) -> set[str]:
    return set(re.findall(r"^(?:Public |Private )?Sub (\w+)\(", bas, flags=re.MULTILINE))


def test_ribbon_is_the_2009_customui_with_the_qc_tab(ribbon: ET.Element) -> None:
    assert ribbon.tag == f"{{{CUSTOMUI_NS}}}customUI"
    tabs = ribbon.findall("ui:ribbon/ui:tabs/ui:tab", NS)
    assert [t.get("label") for t in tabs] == ["QC小组"]
    buttons = ribbon.findall(".//ui:button", NS)
    assert {b.get("label") for b in buttons} == LABELS
    for b in buttons:
        assert b.get("imageMso"), b.get("id")
        assert b.get("screentip") and b.get("supertip"), b.get("id")
        assert len(b.get("supertip", "")) <= 1024  # Office's limit
    ids = [e.get("id") for e in ribbon.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "control ids must be unique"


def test_every_button_calls_a_sub_of_the_module(ribbon: ET.Element, bas: str) -> None:
    subs = _subs(bas)
    actions = {b.get("onAction") for b in ribbon.findall(".//ui:button", NS)}
    assert actions == {"OnRibbon"}
    assert actions <= subs
    assert re.search(r"^Public Sub OnRibbon\(control As IRibbonControl\)", bas, re.MULTILINE)


def test_button_ids_and_python_handlers_match(ribbon: ET.Element) -> None:
    ids = {b.get("id") for b in ribbon.findall(".//ui:button", NS)}
    assert ids == set(HANDLERS)


def test_bas_is_an_exported_module_that_hands_the_id_to_python(bas: str) -> None:
    lines = bas.split("\r\n")
    assert lines[0] == 'Attribute VB_Name = "xlqc"'
    assert "\n" not in bas.replace("\r\n", "")  # CRLF throughout, as the VBA editor exports
    on_ribbon = bas.split("Public Sub OnRibbon(control As IRibbonControl)")[1].split("End Sub")[0]
    assert on_ribbon.split() == ["RunButton", "control.Id"]  # the ribbon and selftest: one path
    run_button = bas.split("Public Sub RunButton(id As String)")[1].split("End Sub")[0]
    assert """RunPython "import xlqc.excel; xlqc.excel.on_ribbon('" & id & "')\"""" in run_button
    # 新建总表 runs with no workbook open: a blank one stands in and is closed afterwards
    assert 'If id <> "new_book" Then' in run_button
    assert "Set scratch = Workbooks.Add" in run_button
    assert "scratch.Close SaveChanges:=False" in run_button


def test_bas_chinese_text_decodes(bas: str) -> None:
    """The module is ASCII (the VBA editor imports in the system code page); its Chinese
    message is code points that Zh() turns into the intended sentence."""
    codes = re.findall(r'Zh\("([0-9A-F ]+)"\)', bas)
    assert codes
    texts = ["".join(chr(int(h, 16)) for h in c.split()) for c in codes]
    assert texts == ["请先打开总表（或任意一个工作簿），再使用「QC小组」选项卡。"]


def test_macros_ship_with_the_package() -> None:
    assert macro_file("customUI14.xml") == (MACROS / "customUI14.xml").read_bytes()
    assert macro_file("xlqc.bas") == (MACROS / "xlqc.bas").read_bytes()
