"""The add-in build: the ribbon part on real workbook packages, and the Windows-only steps
(driven here through a stand-in for Excel's COM object model, and refused elsewhere)."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlwings

import xlqc
from xlqc import __version__, addin
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
from xlqc.cli import main
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
    data = addin.xlwings_module()
    assert data.startswith(b'Attribute VB_Name = "xlwings"\r\n')
    assert b'Public Const PROJECT_NAME As String = "xlqc"' in data
    assert b"myaddin" not in data
    assert b"Public Function RunPython(" in data
    # byte for byte xlwings' own module (CRLF kept), but for the project name
    original = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_bytes()
    assert data == original.replace(b'"myaddin"', b'"xlqc"')


def assert_importable(name: str, data: bytes) -> None:
    """What the VBA editor needs to import a module as itself: CRLF line ends only, ASCII
    (read in the system code page), ``Attribute VB_Name`` first (after a class's header)."""
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), name
    assert b"\r" not in data.replace(b"\r\n", b""), name
    data.decode("ascii")
    first = data.split(b"\r\n")[0]
    if name.endswith(".cls"):
        assert first == b"VERSION 1.0 CLASS", name
        assert f'\r\nAttribute VB_Name = "{Path(name).stem}"\r\n'.encode() in data, name
    else:
        assert first == f'Attribute VB_Name = "{Path(name).stem}"'.encode(), name


def test_sources_writes_importable_modules_the_ribbon_and_instructions(tmp_path: Path) -> None:
    from xlqc.excel import HANDLERS

    modules = addin.addin_sources(tmp_path / "src")
    assert [m.name for m in modules][:2] == ["xlwings.bas", "xlqc.bas"]
    for module in modules:
        assert_importable(module.name, module.read_bytes())
    assert (tmp_path / "src" / "xlqc.bas").read_bytes() == macro_file("xlqc.bas")
    ribbon = (tmp_path / "src" / "customUI14.xml").read_bytes()
    assert ribbon == addin.ribbon_xml()
    ui = ET.fromstring(ribbon)
    buttons = ui.findall(".//{http://schemas.microsoft.com/office/2009/07/customui}button")
    assert {b.get("id") for b in buttons} == set(HANDLERS)  # every button has its handler
    guide = (tmp_path / "src" / "说明.txt").read_bytes().decode("utf-8-sig")
    assert "xlqc addin ribbon" in guide and "xlwings.bas、xlqc.bas" in guide
    assert "\r\n" in guide


def test_a_module_that_lost_its_crlf_gets_it_back_and_a_bad_one_is_refused() -> None:
    data = addin.vba_text(b'Attribute VB_Name = "x"\nSub A()\nEnd Sub\n', "x.bas")
    assert data == b'Attribute VB_Name = "x"\r\nSub A()\r\nEnd Sub\r\n'
    with pytest.raises(XlqcError, match="ASCII"):
        addin.vba_text('Attribute VB_Name = "x"\n\u6821\u9a8c\n'.encode(), "x.bas")
    with pytest.raises(XlqcError, match="Attribute VB_Name"):
        addin.vba_text(b"Sub A()\nEnd Sub\n", "x.bas")


def test_the_ribbon_command_adds_the_ribbon_to_a_hand_built_addin(tmp_path: Path) -> None:
    book = make_package(tmp_path / "xlqc.xlam")
    assert addin.addin_version(book) is None
    assert main(["addin", "ribbon", str(book)]) == 0
    assert parts(book)[CUSTOMUI_PART] == addin.ribbon_xml()
    assert addin.addin_version(book) == __version__
    assert main(["addin", "ribbon", str(tmp_path / "book.xlsx")]) == 2
    assert main(["addin", "ribbon", str(tmp_path / "missing.xlam")]) == 2


def test_the_sources_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["addin", "sources", "-o", str(tmp_path / "out")]) == 0
    assert "说明.txt" in capsys.readouterr().out
    assert (tmp_path / "out" / "xlwings.bas").is_file()


def test_ci_tests_the_installed_package_not_the_checkout() -> None:
    """.ci/run sets XLQC_CI_INSTALLED and runs the tests from outside the checkout."""
    if not os.environ.get("XLQC_CI_INSTALLED"):
        pytest.skip("only under .ci/run, which installs the wheel")
    checkout = Path(__file__).resolve().parent.parent
    where = Path(xlqc.__file__).resolve()
    assert checkout not in where.parents, where
    assert "site-packages" in where.parts
    assert importlib.util.find_spec("xlqc.excel.handlers").origin.startswith(str(where.parent))


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
        self.excel.project = type(
            "P", (), {"VBComponents": FakeComponents(self.excel.imported), "Name": "VBAProject"}
        )()
        return self.excel.project

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
    sources = addin.addin_sources(windows / "sources")
    assert excel.imported == [(p.name, p.read_bytes()) for p in sources]  # what sources writes
    for name, data in excel.imported:
        assert_importable(name, data)
    assert excel.project.Name == "xlqc"  # the VBA project, as the docs name it
    assert excel.saved_as == [(".xlam", 55)]
    assert excel.closed and excel.quit_called and not excel.display_alerts
    assert parts(out)[CUSTOMUI_PART] == addin.ribbon_xml()
    assert addin.addin_version(out) == __version__


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
    assert parts(target)[CUSTOMUI_PART] == addin.ribbon_xml()
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


# --- xlqc addin check, on a fake Windows ------------------------------------------------------


class FakeRegistry:
    def __init__(self, keys: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.keys = keys

    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        return self.keys.get((hive, key))


OFFICE = r"Software\Microsoft\Office\16.0\Excel"
POLICY = r"Software\Policies\Microsoft\Office\16.0\Excel\Security"
ASR = r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules"


@pytest.fixture
def pc(tmp_path: Path) -> Any:
    """A Windows PC where everything is as `xlqc addin install` leaves it."""
    from xlqc.addin_check import Machine

    python = tmp_path / "Python311" / "python.exe"
    python.parent.mkdir()
    python.write_bytes(b"MZ")
    conf = tmp_path / ".xlqc" / "xlqc.conf"
    write_config(conf, {"INTERPRETER_WIN": str(python), "PYTHONPATH": "C:\\x"}, "utf-8")
    xlstart = tmp_path / "XLSTART"
    xlstart.mkdir()
    add_ribbon(make_package(xlstart / "xlqc.xlam"), addin.ribbon_xml())
    registry = FakeRegistry(
        {
            ("HKCR", r"Excel.Application\CurVer"): {"": "Excel.Application.16"},
            ("HKCU", OFFICE): {},
            ("HKCU", OFFICE + r"\Resiliency\DisabledItems"): {
                "1A2B": "C:\\Users\\张三\\其他.xlam".encode("utf-16-le")
            },
            ("HKCU", OFFICE + r"\Security"): {"VBAWarnings": 2, "AccessVBOM": 0},
        }
    )
    ran: list[tuple[list[str], dict[str, str]]] = []

    def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
        ran.append((args, dict(env)))
        return 0, f"{__version__} 0.37.8 C:\\x\\xlqc\\__init__.py"

    machine = Machine(True, registry, run, conf, xlstart, "utf-8")
    machine.ran = ran  # type: ignore[attr-defined]
    return machine


def lines(links: list[Any]) -> list[str]:
    return [link.line() for link in links]


def test_check_passes_every_link_of_a_good_install(pc: Any) -> None:
    from xlqc.addin_check import check_addin

    links = check_addin(pc)
    assert all(link.ok is not False for link in links), lines(links)
    assert len([link for link in links if link.ok]) == 8
    (args, env), *_ = pc.ran
    assert args[0].endswith("python.exe") and "xlqc.excel.handlers" in args[2]
    assert env == {"PYTHONPATH": "C:\\x"}  # the interpreter as the add-in runs it
    assert any("信任对 VBA 工程对象模型的访问」未勾选" in line for line in lines(links))


@pytest.mark.parametrize(
    ("breakage", "failing", "fix"),
    [
        ("no excel", "没有找到 Microsoft Excel", "WPS 不受支持"),
        ("no config", "没有加载项的配置文件", "py -m xlqc addin install"),
        ("no python", "配置中的 Python", "py -m xlqc addin install"),
        ("broken import", "无法载入 xlqc 的 Excel 部分：ModuleNotFoundError", "--force-reinstall"),
        ("old xlqc", "这个 Python 载入的是 xlqc 0.0.9", "用同一个 Python"),
        ("no addin", "启动文件夹中没有加载项", "py -m xlqc addin build"),
        ("old addin", "由 xlqc 旧版本 生成", "py -m xlqc addin build"),
        ("disabled", "禁用项目", "启用"),
        ("no trusted locations", "停用了所有受信任位置", "受信任位置"),
        ("asr", "阻止所有 Office 应用程序创建子进程", "排除项"),
    ],
)
def test_check_names_the_broken_link_and_its_fix(
    pc: Any, breakage: str, failing: str, fix: str
) -> None:
    from xlqc.addin_check import check_addin, read_config

    keys = pc.registry.keys
    if breakage == "no excel":
        del keys[("HKCR", r"Excel.Application\CurVer")]
    elif breakage == "no config":
        pc.config.unlink()
    elif breakage == "no python":
        Path(read_config(pc.config, "utf-8")["INTERPRETER_WIN"]).unlink()
    elif breakage == "broken import":
        pc.run = lambda args, env: (1, "Traceback …\nModuleNotFoundError: No module named 'xlqc'")
    elif breakage == "old xlqc":
        pc.run = lambda args, env: (0, "0.0.9 0.37.8 C:\\old\\xlqc\\__init__.py")
    elif breakage == "no addin":
        (pc.xlstart / "xlqc.xlam").unlink()
    elif breakage == "old addin":
        add_ribbon(pc.xlstart / "xlqc.xlam", RIBBON)  # a ribbon without the version stamp
    elif breakage == "disabled":
        keys[("HKCU", OFFICE + r"\Resiliency\DisabledItems")]["9F"] = (
            "C:\\Users\\张三\\AppData\\Roaming\\Microsoft\\Excel\\XLSTART\\XLQC.XLAM".encode(
                "utf-16-le"
            )
        )
    elif breakage == "no trusted locations":
        keys[("HKCU", POLICY + r"\Trusted Locations")] = {"AllLocationsDisabled": 1}
        keys[("HKCU", POLICY)] = {"VBAWarnings": 3}
    elif breakage == "asr":
        keys[("HKLM", ASR)] = {"D4F940AB-401B-4EFC-AADC-AD5F3C50688A": "1"}
    failed = [link for link in check_addin(pc) if link.ok is False]
    assert failed, breakage
    assert failing in failed[0].text, lines(failed)
    assert fix in failed[0].fix and " → 解决：" in failed[0].line()


def test_check_command_exit_status(
    pc: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlqc import addin_check

    monkeypatch.setattr(addin_check.Machine, "this", classmethod(lambda cls: pc))
    assert main(["addin", "check"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("[通过] 已安装 Microsoft Excel")
    assert out.rstrip().endswith("全部通过。")
    (pc.xlstart / "xlqc.xlam").unlink()
    assert main(["addin", "check"]) == 1
    assert "有 1 项未通过。" in capsys.readouterr().out


def test_check_on_a_pc_that_is_not_windows_checks_the_package() -> None:
    from xlqc.addin_check import Machine, check_addin

    links = check_addin(Machine(False, FakeRegistry({})))
    assert [link.ok for link in links] == [True, True, None]
    assert "能载入 xlqc" in links[0].text and "不是 Windows" in links[2].text


# --- xlqc addin selftest, on the xlwings double ------------------------------------------------


@pytest.fixture
def excel_pc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pc: Any) -> Any:
    """Windows with the add-in installed and `check` passing; Excel is the xlwings double,
    which runs the add-in's RunButton as the VBA does."""
    import xlwings_double as xd

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(xlwings, "App", xd.App)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the reply file of each button
    return pc


def test_selftest_presses_every_button_and_checks_its_effect(excel_pc: Path) -> None:
    from xlqc.addin_check import selftest
    from xlqc.excel import HANDLERS

    links = selftest(excel_pc.config.parent.parent / "work", excel_pc)
    assert all(link.ok is not False for link in links), lines(links)
    labels = [link.text.split("：")[0] for link in links if link.ok]
    assert labels == [
        "校验",
        "清除标记",
        "规范文本",
        "推荐意见草稿",
        "生成申报表",
        "生成汇总表",
        "全部导出",
        "导入申报表",
        "新建总表",
    ]
    assert len(labels) == len(HANDLERS)  # one line per button


def test_selftest_notices_marks_without_notes(
    excel_pc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlqc.addin_check import selftest
    from xlqc.excel import marking

    monkeypatch.setattr(marking, "size_note", lambda note, text: note.delete())
    links = selftest(excel_pc.config.parent.parent / "work", excel_pc)
    assert "没有【xlqc】批注" in links[0].text and links[0].ok is False


@pytest.mark.parametrize("button", ["clear", "export_all", "validate"])
def test_selftest_reports_a_button_that_does_not_do_its_job(
    excel_pc: Path, monkeypatch: pytest.MonkeyPatch, button: str
) -> None:
    from xlqc.addin_check import selftest
    from xlqc.excel import handlers

    monkeypatch.setitem(
        handlers.HANDLERS, button, lambda book: handlers.Reply("已清除 xlqc 的标记")
    )
    links = selftest(excel_pc.config.parent.parent / "work", excel_pc)
    failed = [link for link in links if link.ok is False]
    label = {"clear": "清除标记", "export_all": "全部导出", "validate": "校验"}[button]
    assert failed and failed[0].text.startswith(label), lines(failed)


def test_selftest_needs_windows_the_installed_addin_and_a_passing_check(
    excel_pc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlqc.addin_check import selftest

    work = excel_pc.config.parent.parent / "work"
    excel_pc.run = lambda args, env: (1, "ModuleNotFoundError: No module named 'xlqc'")
    with pytest.raises(XlqcError, match=r"addin check 有 1 项未通过.*无法载入 xlqc"):
        selftest(work, excel_pc)
    (excel_pc.xlstart / "xlqc.xlam").unlink()
    with pytest.raises(XlqcError, match="py -m xlqc addin install"):
        selftest(work, excel_pc)
    assert not work.exists()  # nothing started
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["addin", "selftest"]) == 2
