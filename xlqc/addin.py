"""Building and installing the Excel add-in xlqc.xlam (DESIGN.md §5).

Excel alone compiles VBA, so :func:`build_addin` drives Excel on Windows (through xlwings and
COM): a new workbook gets xlwings' custom add-in module (RunPython, taken from the installed
xlwings package, with its project name set to ``xlqc``) and ``macros/xlqc.bas``, and is saved
as an .xlam; then :func:`add_ribbon` — plain zip and XML work, tested on any system — adds
``macros/customUI14.xml`` as the ribbon part. :func:`install_addin` copies the add-in into
Excel's XLSTART folder and writes the add-in's xlwings configuration: the Python interpreter
and the PYTHONPATH that runs xlqc.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET

from xlqc.errors import XlqcError
from xlqc.resources import read_resource
from xlqc.safeio import atomic_path

ADDIN_NAME = "xlqc.xlam"
PROJECT = "xlqc"  # xlwings' PROJECT_NAME: config in %USERPROFILE%\.xlqc\xlqc.conf
XL_OPENXML_ADDIN = 55  # xlOpenXMLAddIn, the .xlam file format
CONF_ENCODING = "mbcs"  # VBA reads xlwings.conf in the Windows code page

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
CUSTOMUI_PART = "customUI/customUI14.xml"
# customUI14.xml (Office 2010) is still reached through the 2007 relationship type.
UI_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RELS_PART = "_rels/.rels"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_PART = "[Content_Types].xml"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

NOT_WINDOWS_BUILD = "生成加载项需要在装有 Excel 的 Windows 电脑上运行"
NOT_WINDOWS_INSTALL = "安装加载项需要在装有 Excel 的 Windows 电脑上运行"
NOT_WINDOWS_UNINSTALL = "卸载加载项需要在 Windows 电脑上运行"
NOT_TRUSTED = (
    "Excel 不允许程序写入宏，请在 Excel 中启用：文件 → 选项 → 信任中心 → 信任中心设置 → "
    "宏设置 → 勾选「信任对 VBA 工程对象模型的访问」，然后重新运行 xlqc addin build"
)


# --------------------------------------------------------------------------------------------
# The ribbon part: pure zip and XML work


def add_ribbon(path: Path, custom_ui_xml: bytes) -> None:
    """Put ``custom_ui_xml`` into the .xlsm/.xlam ``path`` as its Office 2010 ribbon
    (customUI/customUI14.xml, related from _rels/.rels). Idempotent: an existing ribbon part
    and its relationship are replaced. Every other part is copied unchanged."""
    path = Path(path)
    _check_custom_ui(custom_ui_xml)
    try:
        with zipfile.ZipFile(path) as src:
            infos = src.infolist()
            parts = {i.filename: src.read(i) for i in infos}
    except (OSError, zipfile.BadZipFile) as exc:
        raise XlqcError(f"无法读取「{path.name}」：{exc}") from None
    if RELS_PART not in parts or TYPES_PART not in parts:
        raise XlqcError(f"「{path.name}」不是 Office Open XML 文件（缺少 {RELS_PART}）")
    parts[RELS_PART] = _with_ui_relationship(parts[RELS_PART])
    parts[TYPES_PART] = _with_xml_default(parts[TYPES_PART])
    parts[CUSTOMUI_PART] = custom_ui_xml
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            if info.filename != CUSTOMUI_PART:
                out.writestr(info, parts[info.filename])
        out.writestr(CUSTOMUI_PART, parts[CUSTOMUI_PART])


def _check_custom_ui(xml: bytes) -> None:
    try:
        root = SafeET.fromstring(xml)
    except ET.ParseError as exc:
        raise XlqcError(f"功能区 XML 格式错误：{exc}") from None
    if root.tag != f"{{{CUSTOMUI_NS}}}customUI":
        raise XlqcError(f"功能区 XML 的根元素应为 {CUSTOMUI_NS} 命名空间的 customUI")


def _serialise(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def _with_ui_relationship(rels_xml: bytes) -> bytes:
    """_rels/.rels with exactly one ribbon relationship, pointing at customUI14.xml."""
    root = SafeET.fromstring(rels_xml)
    tag = f"{{{RELS_NS}}}Relationship"
    for rel in list(root):
        target = rel.get("Target", "").lstrip("/")
        if rel.get("Type") == UI_REL_TYPE or target == CUSTOMUI_PART:
            root.remove(rel)
    used = {rel.get("Id") for rel in root}
    n = 1
    while f"xlqcUI{n}" in used:
        n += 1
    ET.SubElement(root, tag, {"Id": f"xlqcUI{n}", "Type": UI_REL_TYPE, "Target": CUSTOMUI_PART})
    return _serialise(root, RELS_NS)


def _with_xml_default(types_xml: bytes) -> bytes:
    """[Content_Types].xml with a Default for .xml parts (the ribbon part's content type)."""
    root = SafeET.fromstring(types_xml)
    defaults = [e for e in root if e.tag == f"{{{TYPES_NS}}}Default"]
    if any(e.get("Extension", "").lower() == "xml" for e in defaults):
        return types_xml
    ET.SubElement(
        root, f"{{{TYPES_NS}}}Default", {"Extension": "xml", "ContentType": "application/xml"}
    )
    return _serialise(root, TYPES_NS)


# --------------------------------------------------------------------------------------------
# The add-in's sources


def macro_file(name: str) -> bytes:
    """A file of ``macros/`` (shipped in the package as ``xlqc.macros``)."""
    return read_resource("macros", name)


def xlwings_module() -> bytes:
    """xlwings' custom add-in VBA module (RunPython and its helpers) from the installed
    xlwings, with the add-in's project name: it then reads %USERPROFILE%\\.xlqc\\xlqc.conf
    and runs Python on the active workbook, not on the add-in.

    Read and written as bytes: the VBA editor reads the ``Attribute VB_Name`` header of a .bas
    file only with CRLF line ends (an LF-only file imports as "Module1" that does not compile),
    so the module keeps xlwings' CRLF byte for byte (and gets CRLF should a copy have lost it)."""
    import xlwings

    source = Path(xlwings.__file__).parent / "xlwings_custom_addin.bas"
    if not source.exists():
        raise XlqcError(
            f"已安装的 xlwings（{xlwings.__version__}）缺少 {source.name}，请重新安装 xlwings"
        )
    data = source.read_bytes()
    marker = b'Public Const PROJECT_NAME As String = "myaddin"'
    if marker not in data:
        raise XlqcError(
            f"无法识别 xlwings {xlwings.__version__} 的加载项模块，请安装 xlwings 0.30 以上版本"
        )
    data = data.replace(marker, f'Public Const PROJECT_NAME As String = "{PROJECT}"'.encode())
    return vba_text(data, source.name)


def vba_text(data: bytes, name: str) -> bytes:
    """``data`` as the VBA editor imports it: CRLF line ends, ASCII (the editor reads in the
    system code page), ``Attribute VB_Name`` first."""
    data = re.sub(rb"\r?\n", b"\r\n", data)
    try:
        data.decode("ascii")
    except UnicodeDecodeError:
        raise XlqcError(f"宏模块 {name} 含有非 ASCII 字符，VBA 编辑器无法正确导入") from None
    # An exported class module starts with its VERSION/BEGIN…END block, then its attributes.
    header = data.split(b"\r\nAttribute VB_Name = ")[0] if name.endswith(".cls") else b""
    if not data.startswith(b"Attribute VB_Name = ") and not (
        header.startswith(b"VERSION 1.0 CLASS") and header != data
    ):
        raise XlqcError(f"宏模块 {name} 的第一行应为 Attribute VB_Name")
    return data


# The modules the build imports, in order, and the ribbon: what ``xlqc addin sources`` writes.
XLWINGS_BAS = "xlwings.bas"
XLQC_BAS = "xlqc.bas"
DICTIONARY_CLS = "Dictionary.cls"  # xlwings' class for RunPython on the Mac; unused on Windows
RIBBON_XML = "customUI14.xml"
README_TXT = "说明.txt"

HAND_BUILD = """xlqc 加载项的源文件（xlqc {version}，xlwings {xlwings}）

组策略禁止「信任对 VBA 工程对象模型的访问」时，可以在 VBA 编辑器中手工生成加载项：

1. 打开 Excel，新建一个空白工作簿，按 Alt+F11 打开 VBA 编辑器。
2. 在左侧「工程」窗口中选中这个工作簿的工程（VBAProject），菜单「文件 → 导入文件」，
   依次导入本文件夹中的 {modules}。导入后左侧「模块」下应出现同名模块（不是 Module1）。
3. 菜单「工具 → VBAProject 属性」，把「工程名称」改为 xlqc（可选，便于辨认）。
4. 菜单「调试 → 编译 VBAProject」，应没有错误。关闭 VBA 编辑器。
5. 文件 → 另存为，保存类型选「Excel 加载宏 (*.xlam)」，文件名 xlqc.xlam，
   保存到 %LOCALAPPDATA%\\xlqc\\ 文件夹，然后关闭 Excel。
6. 在命令提示符中运行（加上功能区，再安装）：
       py -m xlqc addin ribbon %LOCALAPPDATA%\\xlqc\\xlqc.xlam
       py -m xlqc addin install
       py -m xlqc addin check
7. 打开 Excel，应出现「QC小组」选项卡；再运行 py -m xlqc addin selftest 逐个按钮自检。

{ribbon} 是功能区的定义，由第 6 步的 xlqc addin ribbon 写入加载项，不需要手工导入。
"""


def addin_sources(folder: Path) -> list[Path]:
    """Write the add-in's sources into ``folder``: the VBA modules exactly as the build imports
    them (xlwings' module with its project name set, ``xlqc.bas``; CRLF, ASCII, ``Attribute
    VB_Name`` first), the ribbon XML and 说明.txt for a hand build. The modules' paths, in the
    order they are imported."""
    import xlwings

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    modules = [folder / XLWINGS_BAS, folder / XLQC_BAS]
    modules[0].write_bytes(xlwings_module())
    modules[1].write_bytes(vba_text(macro_file(XLQC_BAS), XLQC_BAS))
    dictionary = Path(xlwings.__file__).parent / "addin" / DICTIONARY_CLS
    if dictionary.exists():
        modules.append(folder / DICTIONARY_CLS)
        modules[-1].write_bytes(vba_text(dictionary.read_bytes(), DICTIONARY_CLS))
    ribbon = ribbon_xml()
    _check_custom_ui(ribbon)
    (folder / RIBBON_XML).write_bytes(ribbon)
    from xlqc import __version__

    text = HAND_BUILD.format(
        version=__version__,
        xlwings=xlwings.__version__,
        modules="、".join(m.name for m in modules),
        ribbon=RIBBON_XML,
    )
    (folder / README_TXT).write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    return modules


VERSION_MARK = "built by xlqc"


def ribbon_xml() -> bytes:
    """``macros/customUI14.xml`` with the version of xlqc that built the add-in, as a comment
    after the XML declaration: ``xlqc addin check`` compares it with the installed package."""
    from xlqc import __version__

    xml = macro_file(RIBBON_XML)
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:end] + f"\n<!-- {VERSION_MARK} {__version__} -->".encode() + xml[end:]


def addin_version(path: Path) -> str | None:
    """The xlqc version stamped in the ribbon of the add-in ``path`` (None: not stamped, or
    not an add-in with xlqc's ribbon)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read(CUSTOMUI_PART).decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(rf"<!-- {VERSION_MARK} (\S+) -->", xml)
    return found.group(1) if found else None


def ribbon_command(path: Path) -> Path:
    """``xlqc addin ribbon FILE``: add the ribbon to an add-in built by hand."""
    path = Path(path)
    if path.suffix.lower() not in (".xlam", ".xlsm"):
        raise XlqcError(f"请指定用 Excel 另存的 .xlam 加载项文件：{path}")
    if not path.is_file():
        raise XlqcError(f"找不到文件「{path}」")
    add_ribbon(path, ribbon_xml())
    return path


def config_entries() -> dict[str, str]:
    """The add-in's xlwings settings: this Python, with xlqc importable, and the workbook's own
    folder kept off sys.path (a clerk's file named like a module must not shadow it)."""
    import xlqc

    return {
        "INTERPRETER_WIN": sys.executable,
        "PYTHONPATH": str(Path(xlqc.__file__).resolve().parent.parent),
        "ADD_WORKBOOK_TO_PYTHONPATH": "False",
    }


def config_text(entries: Mapping[str, str]) -> str:
    """xlwings.conf format, as VBA's Write # writes it: one "KEY","VALUE" line per setting."""
    for key, value in entries.items():
        if '"' in key or '"' in value or "\n" in value:
            raise XlqcError(f"配置项 {key} 的值含有引号或换行，无法写入 xlwings 配置：{value}")
    return "".join(f'"{key}","{value}"\r\n' for key, value in entries.items())


def write_config(path: Path, entries: Mapping[str, str], encoding: str) -> None:
    """Write the settings to ``path``, keeping other settings already there, in ``encoding``
    (VBA reads the file in the system code page: "mbcs" on Windows)."""
    kept: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding=encoding, errors="replace").splitlines():
            key, sep, value = line.partition('","')
            if sep and key.startswith('"') and value.endswith('"'):
                kept[key[1:]] = value[:-1]
    kept.update(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(config_text(kept), encoding=encoding, newline="")


# --------------------------------------------------------------------------------------------
# Windows with Excel


def default_addin_path() -> Path:
    """Where ``xlqc addin build`` puts the add-in unless told: %LOCALAPPDATA%\\xlqc\\xlqc.xlam."""
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    return Path(base) / "xlqc" / ADDIN_NAME


def xlstart_folder() -> Path:
    """Excel's per-user startup folder: add-ins there load whenever Excel starts."""
    base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    return Path(base) / "Microsoft" / "Excel" / "XLSTART"


def config_path() -> Path:
    return Path(os.environ.get("USERPROFILE") or Path.home()) / f".{PROJECT}" / f"{PROJECT}.conf"


def _require_windows(message: str) -> None:
    if not sys.platform.startswith("win"):
        raise XlqcError(message)


@contextmanager
def _excel() -> Iterator[Any]:
    """A hidden Excel of our own, quit afterwards."""
    import xlwings as xw

    try:
        app = xw.App(visible=False, add_book=False)
    except Exception as exc:
        raise XlqcError(f"无法启动 Excel（{exc}）：{NOT_WINDOWS_BUILD}") from None
    try:
        app.display_alerts = False
        yield app
    finally:
        app.quit()


def build_addin(out: Path | None = None) -> Path:
    """Build xlqc.xlam at ``out`` (default :func:`default_addin_path`) with Excel; the path."""
    _require_windows(NOT_WINDOWS_BUILD)
    out = Path(out) if out else default_addin_path()
    if out.suffix.lower() != ".xlam":
        raise XlqcError(f"加载项文件名应以 .xlam 结尾：{out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlqc-addin-") as work:
        folder = Path(work)
        modules = addin_sources(folder / "sources")  # what `xlqc addin sources` writes
        built = folder / ADDIN_NAME
        with _excel() as app:
            book = app.books.add()
            try:
                try:
                    project = book.api.VBProject
                    components = project.VBComponents
                except Exception:
                    raise XlqcError(NOT_TRUSTED) from None
                project.Name = PROJECT  # "xlqc" in the VBA editor, not "VBAProject"
                for module in modules:
                    components.Import(str(module))
                book.api.SaveAs(str(built), FileFormat=XL_OPENXML_ADDIN)
            finally:
                book.close()
        add_ribbon(built, ribbon_xml())
        with atomic_path(out) as tmp:
            shutil.copyfile(built, tmp)
    return out


def install_addin() -> Path:
    """Copy the built add-in (building it first when missing) into Excel's XLSTART folder and
    write the add-in's xlwings configuration; the installed path."""
    _require_windows(NOT_WINDOWS_INSTALL)
    source = default_addin_path()
    if not source.exists():
        build_addin(source)
    target = xlstart_folder() / ADDIN_NAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
    except (OSError, XlqcError):
        raise XlqcError(
            f"无法写入「{target}」：Excel 可能正在运行并已加载旧的加载项，请关闭所有 Excel 窗口后再试"
        ) from None
    write_config(config_path(), config_entries(), CONF_ENCODING)
    return target


def uninstall_addin() -> list[Path]:
    """Remove what ``install_addin`` and ``build_addin`` put on this computer: the add-in in
    XLSTART, the built copy and the add-in's configuration. Workbooks are never touched.
    The paths removed (none when nothing was installed)."""
    _require_windows(NOT_WINDOWS_UNINSTALL)
    removed: list[Path] = []
    for path in (xlstart_folder() / ADDIN_NAME, default_addin_path(), config_path()):
        if not path.exists():
            continue
        try:
            path.unlink()
        except OSError:
            raise XlqcError(
                f"无法删除「{path}」：Excel 可能正在运行并已加载此加载项，请关闭所有 Excel 窗口后再试"
            ) from None
        removed.append(path)
    return removed
