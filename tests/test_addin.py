"""The add-in build: the ribbon part on real workbook packages, and the Windows-only steps
(driven here through a stand-in for Excel's COM object model, and refused elsewhere)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlwings

from xlqc import addin
from xlqc.addin import (
    CUSTOMUI_PART,
    RELS_NS,
    TYPES_NS,
    UI_REL_TYPE,
    add_ribbon,
    build_addin,
    config_text,
    install_addin,
    macro_file,
    uninstall_addin,
    write_config,
)
from xlqc.errors import XlqcError

RIBBON = macro_file("customUI14.xml")
OTHER_RIBBON = (
    b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
    b'<ribbon><tabs><tab id="t" label="\xe6\xb5\x8b"/></tabs></ribbon></customUI>'
)


def make_package(path: Path) -> Path:
    """A real workbook package (openpyxl) under the name ``path`` (.xlsm / .xlam)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "小组编号"
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert len(names) == len(set(names)), "duplicate parts"
        return {n: zf.read(n) for n in names}


def relationships(path: Path) -> list[ET.Element]:
    return list(ET.fromstring(parts(path)["_rels/.rels"]))


def test_add_ribbon_adds_part_relationship_and_content_type(tmp_path: Path) -> None:
    book = make_package(tmp_path / "xlqc.xlsm")
    before = parts(book)
    add_ribbon(book, RIBBON)
    after = parts(book)
    assert after[CUSTOMUI_PART] == RIBBON
    ui = [r for r in relationships(book) if r.get("Type") == UI_REL_TYPE]
    assert len(ui) == 1 and ui[0].get("Target") == CUSTOMUI_PART
    old_ids = {r.get("Id") for r in ET.fromstring(before["_rels/.rels"])}
    assert old_ids < {r.get("Id") for r in relationships(book)}  # the others kept
    types = ET.fromstring(after["[Content_Types].xml"])
    assert any(e.tag == f"{{{TYPES_NS}}}Default" and e.get("Extension") == "xml" for e in types)
    for name, data in before.items():  # every other part unchanged
        if name != "_rels/.rels":
            assert after[name] == data, name
    assert openpyxl.load_workbook(book).active["A1"].value == "小组编号"


def test_add_ribbon_is_idempotent_and_replaces_the_ribbon(tmp_path: Path) -> None:
    book = make_package(tmp_path / "xlqc.xlam")
    add_ribbon(book, RIBBON)
    first = parts(book)
    add_ribbon(book, RIBBON)
    assert parts(book) == first
    add_ribbon(book, OTHER_RIBBON)
    assert parts(book)[CUSTOMUI_PART] == OTHER_RIBBON
    assert len([r for r in relationships(book) if r.get("Type") == UI_REL_TYPE]) == 1


def test_add_ribbon_adds_the_xml_default_when_missing(tmp_path: Path) -> None:
    book = make_package(tmp_path / "book.xlsm")
    old = parts(book)
    types = ET.fromstring(old["[Content_Types].xml"])
    for e in list(types):
        if e.get("Extension") == "xml":
            types.remove(e)
    ET.register_namespace("", TYPES_NS)
    old["[Content_Types].xml"] = ET.tostring(types)
    rels = ET.fromstring(old["_rels/.rels"])
    ET.register_namespace("", RELS_NS)
    ET.SubElement(  # a stale ribbon relationship with an Id xlqc would pick
        rels,
        f"{{{RELS_NS}}}Relationship",
        {"Id": "xlqcUI1", "Type": UI_REL_TYPE, "Target": "customUI/old.xml"},
    )
    old["_rels/.rels"] = ET.tostring(rels)
    with zipfile.ZipFile(book, "w") as zf:
        for name, data in old.items():
            zf.writestr(name, data)
    add_ribbon(book, RIBBON)
    types = ET.fromstring(parts(book)["[Content_Types].xml"])
    xml = [e for e in types if e.get("Extension") == "xml"]
    assert [e.get("ContentType") for e in xml] == ["application/xml"]
    ui = [r for r in relationships(book) if r.get("Type") == UI_REL_TYPE]
    assert [(r.get("Id"), r.get("Target")) for r in ui] == [("xlqcUI1", CUSTOMUI_PART)]


@pytest.mark.parametrize(
    "xml",
    [
        b"<customUI",
        b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"/>',
    ],
)
def test_add_ribbon_refuses_a_bad_ribbon(tmp_path: Path, xml: bytes) -> None:
    book = make_package(tmp_path / "book.xlsm")
    before = parts(book)
    with pytest.raises(XlqcError, match="功能区 XML"):
        add_ribbon(book, xml)
    assert parts(book) == before


def test_add_ribbon_refuses_what_is_not_a_package(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlam"
    junk.write_bytes(b"not a zip")
    with pytest.raises(XlqcError, match=r"junk\.xlam"):
        add_ribbon(junk, RIBBON)


def test_build_and_install_say_they_need_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(XlqcError, match=r"^生成加载项需要在装有 Excel 的 Windows 电脑上运行$"):
        build_addin()
    with pytest.raises(XlqcError, match=r"^安装加载项需要在装有 Excel 的 Windows 电脑上运行$"):
        install_addin()


def test_xlwings_module_reads_the_add_ins_own_config() -> None:
    text = addin.xlwings_module()
    assert text.startswith('Attribute VB_Name = "xlwings"')
    assert 'Public Const PROJECT_NAME As String = "xlqc"' in text
    assert "myaddin" not in text
    assert "Public Function RunPython(" in text
    text.encode("ascii")  # imported in the system code page


def test_config_file_format_and_merge(tmp_path: Path) -> None:
    conf = tmp_path / ".xlqc" / "xlqc.conf"
    conf.parent.mkdir()
    conf.write_text('"CONDA PATH","C:\\conda"\r\n"INTERPRETER_WIN","old"\r\n', encoding="gbk")
    write_config(
        conf, {"INTERPRETER_WIN": r"C:\用户\张三\python.exe", "PYTHONPATH": "D:\\x"}, "gbk"
    )
    assert conf.read_bytes().decode("gbk").split("\r\n") == [
        '"CONDA PATH","C:\\conda"',
        '"INTERPRETER_WIN","C:\\用户\\张三\\python.exe"',
        '"PYTHONPATH","D:\\x"',
        "",
    ]
    with pytest.raises(XlqcError, match="引号"):
        config_text({"PYTHONPATH": 'C:\\a"b'})


# --- the Windows steps, through a stand-in for Excel's object model -------------------------


class FakeComponents:
    def __init__(self, imported: list[tuple[str, bytes]]) -> None:
        self.imported = imported

    def Import(self, path: str) -> None:
        self.imported.append((Path(path).name, Path(path).read_bytes()))


class FakeWorkbookApi:
    def __init__(self, excel: FakeExcel) -> None:
        self.excel = excel

    @property
    def VBProject(self) -> Any:
        if not self.excel.trusted:
            raise RuntimeError("Programmatic access to Visual Basic Project is not trusted")
        return type("P", (), {"VBComponents": FakeComponents(self.excel.imported)})()

    def SaveAs(self, path: str, FileFormat: int) -> None:
        self.excel.saved_as.append((Path(path).suffix, FileFormat))
        make_package(Path(path))


class FakeExcel:
    """What build_addin asks of xlwings.App (and, through .api, of COM)."""

    trusted = True

    def __init__(self, **_: Any) -> None:
        self.imported: list[tuple[str, bytes]] = []
        self.saved_as: list[tuple[str, int]] = []
        self.closed = self.quit_called = False
        self.display_alerts = True
        self.books = type("Books", (), {"add": lambda _self: self._book()})()
        FakeExcel.last = self

    def _book(self) -> Any:
        book = type("Book", (), {})()
        book.api = FakeWorkbookApi(self)
        book.close = lambda: setattr(self, "closed", True)
        return book

    def quit(self) -> None:
        self.quit_called = True

    last: FakeExcel


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(xlwings, "App", FakeExcel)
    monkeypatch.setattr(FakeExcel, "trusted", True)
    monkeypatch.setattr(addin, "CONF_ENCODING", "utf-8")
    for var in ("LOCALAPPDATA", "APPDATA", "USERPROFILE"):
        monkeypatch.setenv(var, str(tmp_path / var))
    return tmp_path


def test_build_imports_both_modules_saves_an_xlam_and_adds_the_ribbon(windows: Path) -> None:
    out = build_addin(windows / "out" / "xlqc.xlam")
    excel = FakeExcel.last
    names = [name for name, _ in excel.imported]
    assert names[:2] == ["xlwings.bas", "xlqc.bas"]
    assert dict(excel.imported)["xlqc.bas"] == macro_file("xlqc.bas")
    assert b'PROJECT_NAME As String = "xlqc"' in dict(excel.imported)["xlwings.bas"]
    assert excel.saved_as == [(".xlam", 55)]
    assert excel.closed and excel.quit_called and not excel.display_alerts
    assert parts(out)[CUSTOMUI_PART] == RIBBON


def test_build_explains_the_trust_setting(windows: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FakeExcel, "trusted", False)
    with pytest.raises(XlqcError, match="信任对 VBA 工程对象模型的访问"):
        build_addin(windows / "xlqc.xlam")
    assert FakeExcel.last.closed and FakeExcel.last.quit_called
    assert not (windows / "xlqc.xlam").exists()


def test_build_refuses_a_name_that_is_not_xlam(windows: Path) -> None:
    with pytest.raises(XlqcError, match=r"\.xlam"):
        build_addin(windows / "xlqc.xlsm")


def test_install_builds_copies_to_xlstart_and_writes_the_config(windows: Path) -> None:
    target = install_addin()
    assert target == windows / "APPDATA" / "Microsoft" / "Excel" / "XLSTART" / "xlqc.xlam"
    assert parts(target)[CUSTOMUI_PART] == RIBBON
    assert (windows / "LOCALAPPDATA" / "xlqc" / "xlqc.xlam").exists()
    conf = (windows / "USERPROFILE" / ".xlqc" / "xlqc.conf").read_text(encoding="utf-8")
    assert f'"INTERPRETER_WIN","{sys.executable}"' in conf
    assert '"ADD_WORKBOOK_TO_PYTHONPATH","False"' in conf
    pythonpath = Path(conf.split('"PYTHONPATH","')[1].split('"')[0])
    assert (pythonpath / "xlqc" / "excel" / "__init__.py").exists()


def test_uninstall_removes_what_install_wrote_and_nothing_else(windows: Path) -> None:
    target = install_addin()
    own = windows / "APPDATA" / "Microsoft" / "Excel" / "XLSTART" / "个人宏.xlsb"
    own.write_bytes(b"clerk's own")
    removed = uninstall_addin()
    assert target in removed and not target.exists()
    assert not (windows / "USERPROFILE" / ".xlqc" / "xlqc.conf").exists()
    assert not (windows / "LOCALAPPDATA" / "xlqc" / "xlqc.xlam").exists()
    assert own.read_bytes() == b"clerk's own"
    assert uninstall_addin() == []


def test_uninstall_says_it_needs_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(XlqcError, match="Windows"):
        uninstall_addin()
