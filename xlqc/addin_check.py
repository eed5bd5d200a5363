"""Proof on the clerk's PC that the add-in works: ``xlqc addin check`` and ``xlqc addin selftest``.

:func:`check_addin` follows every link from a ribbon click to Python (DESIGN.md §5): the
configuration the add-in reads, the interpreter it names and whether that interpreter imports
``xlqc.excel``, the add-in file in XLSTART and its version, Excel's disabled items, the macro
and trusted-location policy, and the Defender ASR rule that stops Office from starting any
program. Each link is one :class:`Link`: a Chinese line, and the fix when it fails. Everything
the check reads from the machine goes through :class:`Machine` (registry, running a program,
the platform), so tests give it a fake Windows.

:func:`selftest` presses every ribbon button in a hidden Excel of its own, through the add-in's
own VBA entry point ``RunButton`` (the one ``OnRibbon`` calls), on a fresh copy of the sample
workbook, and checks the effect of each in the workbook and on disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from xlqc import __version__, schema, statesheet
from xlqc.addin import (
    ADDIN_NAME,
    CONF_ENCODING,
    addin_sources,
    addin_version,
    config_entries,
    config_path,
    xlstart_folder,
)
from xlqc.errors import XlqcError

OFFICE_VERSIONS = ("16.0", "15.0", "14.0")  # Excel 2016–365, 2013, 2010
ASR_OFFICE_CHILD_PROCESSES = "D4F940AB-401B-4EFC-AADC-AD5F3C50688A"
ASR_KEYS = (
    r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
    r"SOFTWARE\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
)
ASR_BLOCKING = {"1": "阻止", "6": "警告"}  # 0 off, 2 audit
INSTALL = "py -m xlqc addin install"
REBUILD = "关闭所有 Excel 窗口，运行 py -m xlqc addin build 和 py -m xlqc addin install"


@dataclass(frozen=True)
class Link:
    """One link of the chain: passed (True), failed (False) or for information (None)."""

    ok: bool | None
    text: str
    fix: str = ""

    def line(self) -> str:
        mark = {True: "通过", False: "失败", None: "说明"}[self.ok]
        return f"[{mark}] {self.text}" + (f" → 解决：{self.fix}" if self.ok is False else "")


class Registry(Protocol):
    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        """The values of ``hive\\key`` ({name: data}); None when the key does not exist."""


class WindowsRegistry:
    """The registry through winreg (Windows only)."""

    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        root = {
            "HKCU": winreg.HKEY_CURRENT_USER,
            "HKLM": winreg.HKEY_LOCAL_MACHINE,
            "HKCR": winreg.HKEY_CLASSES_ROOT,
        }[hive]
        try:
            # the 64-bit view also from a 32-bit Python (Defender's keys are not mirrored)
            access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
            with winreg.OpenKey(root, key, 0, access) as handle:
                found: dict[str, Any] = {}
                i = 0
                while True:
                    try:
                        name, data, _ = winreg.EnumValue(handle, i)
                    except OSError:
                        return found
                    found[name] = data
                    i += 1
        except OSError:
            return None


def run_program(args: list[str], env: Mapping[str, str]) -> tuple[int, str]:
    """Run ``args`` with ``env`` added to this environment: (exit status, output)."""
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, **env},
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc)
    return done.returncode, (done.stdout + done.stderr).strip()


@dataclass
class Machine:
    """What the check reads from the computer; tests pass a fake one."""

    windows: bool
    registry: Registry
    run: Callable[[list[str], Mapping[str, str]], tuple[int, str]] = run_program
    config: Path = field(default_factory=config_path)
    xlstart: Path = field(default_factory=xlstart_folder)
    encoding: str = CONF_ENCODING  # of the config file: VBA reads it in the Windows code page

    @classmethod
    def this(cls) -> Machine:
        windows = sys.platform.startswith("win")
        return cls(windows, WindowsRegistry() if windows else _NoRegistry())


class _NoRegistry:
    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        return None


# --------------------------------------------------------------------------------------------
# xlqc addin check


def read_config(path: Path, encoding: str = CONF_ENCODING) -> dict[str, str]:
    """The settings of an xlwings .conf file ("KEY","VALUE" lines)."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
        key, sep, value = line.partition('","')
        if sep and key.startswith('"') and value.endswith('"'):
            found[key[1:]] = value[:-1]
    return found


IMPORT_PROBE = (
    "import sys, xlqc, xlwings, xlqc.excel.handlers; "
    "print(xlqc.__version__, xlwings.__version__, xlqc.__file__)"
)


def _python_links(interpreter: str, pythonpath: str, run: Callable[..., tuple[int, str]]) -> Link:
    status, output = run([interpreter, "-c", IMPORT_PROBE], {"PYTHONPATH": pythonpath})
    if status != 0:
        last = output.splitlines()[-1] if output else f"退出码 {status}"
        return Link(
            False,
            f"这个 Python 无法载入 xlqc 的 Excel 部分：{last}",
            f"py -m pip install --force-reinstall xlqc 的安装包，然后 {INSTALL}",
        )
    version, xlwings_version, where = ([*output.splitlines()[-1].split(" ", 2), "", ""])[:3]
    if version != __version__:
        return Link(
            False,
            f"这个 Python 载入的是 xlqc {version}（{where}），本命令是 xlqc {__version__}",
            f"用同一个 Python 运行 {INSTALL}",
        )
    return Link(True, f"这个 Python 能载入 xlqc {version} 和 xlwings {xlwings_version}")


def _config_links(machine: Machine) -> list[Link]:
    if not machine.config.is_file():
        return [Link(False, f"没有加载项的配置文件「{machine.config}」", INSTALL)]
    entries = read_config(machine.config, machine.encoding)
    interpreter = entries.get("INTERPRETER_WIN", "")
    links = [Link(True, f"配置文件「{machine.config}」")]
    if not interpreter or not Path(interpreter).is_file():
        links.append(
            Link(False, f"配置中的 Python「{interpreter or '（未填写）'}」不存在", INSTALL)
        )
        return links
    links.append(Link(True, f"配置中的 Python「{interpreter}」存在"))
    links.append(_python_links(interpreter, entries.get("PYTHONPATH", ""), machine.run))
    return links


def _addin_link(machine: Machine) -> Link:
    path = machine.xlstart / ADDIN_NAME
    if not path.is_file():
        return Link(False, f"Excel 的启动文件夹中没有加载项「{path}」", REBUILD)
    built = addin_version(path)
    if built != __version__:
        return Link(
            False,
            f"加载项「{path}」由 xlqc {built or '旧版本'} 生成，已安装的是 xlqc {__version__}",
            REBUILD,
        )
    return Link(True, f"加载项「{path}」，由 xlqc {built} 生成")


def _office_keys(machine: Machine) -> list[str]:
    """The Office versions whose Excel keys exist under HKCU."""
    return [
        v
        for v in OFFICE_VERSIONS
        if machine.registry.values("HKCU", rf"Software\Microsoft\Office\{v}\Excel") is not None
    ]


def _disabled_link(machine: Machine, versions: list[str]) -> Link:
    for v in versions:
        items = machine.registry.values(
            "HKCU", rf"Software\Microsoft\Office\{v}\Excel\Resiliency\DisabledItems"
        )
        for data in (items or {}).values():
            text = data.decode("utf-16-le", errors="ignore") if isinstance(data, bytes) else data
            if ADDIN_NAME in str(text).lower():
                return Link(
                    False,
                    "Excel 已把 xlqc.xlam 列为「禁用项目」，不会加载它",
                    "Excel：文件 → 选项 → 加载项 → 管理「禁用项目」→ 转到，选中 xlqc.xlam → 启用，"
                    "然后重新打开 Excel",
                )
    return Link(True, "Excel 的「禁用项目」中没有 xlqc.xlam")


def _macro_link(machine: Machine, versions: list[str]) -> Link:
    for v in versions:
        policy = rf"Software\Policies\Microsoft\Office\{v}\Excel\Security"
        user = rf"Software\Microsoft\Office\{v}\Excel\Security"
        warnings = (machine.registry.values("HKCU", policy) or {}).get("VBAWarnings")
        if warnings is None:
            warnings = (machine.registry.values("HKCU", user) or {}).get("VBAWarnings")
        locations = machine.registry.values("HKCU", policy + r"\Trusted Locations") or {}
        if locations.get("AllLocationsDisabled") == 1 and warnings != 1:
            return Link(
                False,
                "单位的组策略停用了所有受信任位置，XLSTART 中加载项的宏不能运行",
                "请 IT 在组策略中把 %APPDATA%\\Microsoft\\Excel\\XLSTART 设为受信任位置，"
                "或允许受信任位置",
            )
    return Link(True, "宏设置：XLSTART 是受信任位置，加载项的宏可以运行")


def _asr_link(machine: Machine) -> Link:
    for key in ASR_KEYS:
        rules = machine.registry.values("HKLM", key) or {}
        state = str(rules.get(ASR_OFFICE_CHILD_PROCESSES, "")).strip()
        if state in ASR_BLOCKING:
            return Link(
                False,
                f"Defender 的 ASR 规则「阻止所有 Office 应用程序创建子进程」处于「{ASR_BLOCKING[state]}」"
                "状态：Excel 不能启动 Python，按钮不会有任何反应",
                f"请 IT 为此规则（{ASR_OFFICE_CHILD_PROCESSES}）添加排除项：配置中的 python.exe、"
                "pythonw.exe 和 cmd.exe，或把此规则改为「审核」",
            )
    return Link(
        True,
        "注册表中没有启用 ASR 规则「阻止所有 Office 应用程序创建子进程」"
        "（由 Intune 下发的规则请 IT 在 Defender 中确认）",
    )


def _vbom_link(machine: Machine, versions: list[str]) -> Link:
    trusted = any(
        (
            machine.registry.values("HKCU", rf"Software\Microsoft\Office\{v}\Excel\Security") or {}
        ).get("AccessVBOM")
        == 1
        for v in versions
    )
    state = "已勾选" if trusted else "未勾选"
    return Link(
        None,
        f"「信任对 VBA 工程对象模型的访问」{state}（只在 py -m xlqc addin build 时需要；"
        "每次重新生成前请重新勾选）",
    )


def check_addin(machine: Machine | None = None) -> list[Link]:
    """Every link from a ribbon click to Python, in the order a click follows them."""
    machine = machine or Machine.this()
    if not machine.windows:
        here = config_entries()  # what `xlqc addin install` would write: this Python
        links = [_python_links(here["INTERPRETER_WIN"], here["PYTHONPATH"], machine.run)]
        try:
            with tempfile.TemporaryDirectory() as work:
                modules = addin_sources(Path(work))
            links.append(Link(True, f"加载项源文件可以生成（{len(modules)} 个 VBA 模块）"))
        except XlqcError as exc:
            links.append(Link(False, f"加载项源文件无法生成：{exc.message}", "重新安装 xlwings"))
        links.append(
            Link(None, "本机不是 Windows：Excel、加载项和注册表只能在装有 Excel 的 Windows 上检查")
        )
        return links
    links: list[Link] = []
    if machine.registry.values("HKCR", r"Excel.Application\CurVer") is None:
        links.append(
            Link(
                False,
                "没有找到 Microsoft Excel",
                "安装 Microsoft Excel 2010 或更新版本（WPS 不受支持）",
            )
        )
    else:
        links.append(Link(True, "已安装 Microsoft Excel"))
    links += _config_links(machine)
    links.append(_addin_link(machine))
    versions = _office_keys(machine)
    links.append(_disabled_link(machine, versions))
    links.append(_macro_link(machine, versions))
    links.append(_asr_link(machine))
    links.append(_vbom_link(machine, versions))
    return links


# --------------------------------------------------------------------------------------------
# xlqc addin selftest

NOT_WINDOWS_SELFTEST = "自检需要在装有 Excel 的 Windows 电脑上运行"
SAMPLE = "示例总表.xlsx"


class SelfTest:
    """A hidden Excel with the installed add-in and a fresh sample workbook; :meth:`press` is
    a click on a ribbon button."""

    def __init__(self, app: Any, addin: Path, folder: Path) -> None:
        from xlqc.excel.handlers import reply_file

        self.app = app
        self.folder = folder
        self.sample = folder / SAMPLE
        self.reply = reply_file()
        self.macro = f"'{addin.name}'!RunButton"
        app.books.open(str(addin))
        self.book = app.books.open(str(self.sample))

    def press(self, control_id: str) -> tuple[str, str]:
        """Press a button through the add-in's RunButton: (mode, message)."""
        self.reply.unlink(missing_ok=True)
        self.book.api.Activate()  # COM's: xlwings' Book.activate refuses a hidden Excel
        self.app.api.Run(self.macro, control_id)
        if not self.reply.is_file():
            return (
                "critical",
                "按钮没有回应（Python 没有启动或中途出错：请运行 py -m xlqc addin check）",
            )
        mode, _, text = self.reply.read_text(encoding="utf-8").partition("\n")
        self.reply.unlink(missing_ok=True)
        return mode, text

    def outputs(self) -> set[Path]:
        return {p for p in self.folder.iterdir() if p.name.startswith("xlqc输出_")}

    def grids(self) -> dict[str, list[list[Any]]]:
        from xlqc.excel.live import LiveBook, read_grids

        return read_grids(LiveBook(self.book), (schema.SETTINGS_SHEET, *schema.DATA_SHEETS))


def _first(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _check_validate(test: SelfTest) -> Link:

    mode, text = test.press("validate")
    names = list(test.book.sheet_names)
    if mode != "info" or not text.startswith("校验完成"):
        return Link(
            False,
            f"校验：{_first(text)}",
            "按上面的提示处理，或把 %TEMP%\\xlqc-excel.log 发给维护人员",
        )
    if not any(n.startswith(schema.RESULT_SHEET) for n in names):
        return Link(False, "校验：没有生成「校验结果」工作表", REBUILD)
    if (
        statesheet.STATE_SHEET not in names
        or test.book.sheets[statesheet.STATE_SHEET].api.Visible != 2
    ):
        return Link(False, "校验：没有生成深度隐藏的状态工作表，「清除标记」将无法恢复", REBUILD)
    from xlqc.excel.live import read_grid, rgb_to_hex

    state = read_grid(test.book.sheets[statesheet.STATE_SHEET])[1:]
    marked = [s for s in (statesheet.SavedCell.from_row(r) for r in state) if s is not None]
    if not marked:  # the sample breaks rules on purpose: some cells must be marked
        return Link(False, "校验：没有标记任何单元格", REBUILD)
    first = test.book.sheets[marked[0].sheet].range(marked[0].cell)
    color, note = first.color, first.note
    if color is None or rgb_to_hex(color) not in set(schema.FILLS.values()):
        return Link(False, f"校验：{marked[0].sheet}!{marked[0].cell} 没有标底色", REBUILD)
    if note is None or schema.NOTE_PREFIX not in note.text:
        return Link(False, f"校验：{marked[0].sheet}!{marked[0].cell} 没有【xlqc】批注", REBUILD)
    status = schema.column(schema.GROUP_SHEET, "status").header
    grid = test.grids()[schema.GROUP_SHEET]
    header = next((r for r in grid[:10] if status in r), None)
    col = header.index(status) if header else None
    filled = col is not None and any(r[col] not in (None, "") for r in grid[1:] if col < len(r))
    if not filled:
        return Link(False, "校验：「小组」表的「校验状态」列没有写入结论", REBUILD)
    return Link(True, f"校验：{_first(text)}；{len(marked)} 个单元格标了底色和批注")


def _check_clear(test: SelfTest, before: dict[str, Any]) -> Link:
    from xlqc.excel.live import read_grid
    from xlqc.excel.marking import saved_fill

    state = read_grid(test.book.sheets[statesheet.STATE_SHEET])[1:]
    saved = [s for s in (statesheet.SavedCell.from_row(r) for r in state) if s is not None]
    mode, text = test.press("clear")
    names = list(test.book.sheet_names)
    if mode != "info":
        return Link(False, f"清除标记：{_first(text)}", REBUILD)
    if statesheet.STATE_SHEET in names or any(n.startswith(schema.RESULT_SHEET) for n in names):
        return Link(False, "清除标记：「校验结果」或状态工作表还在", REBUILD)
    if test.grids() != before:
        return Link(False, "清除标记：单元格内容与校验前不同", REBUILD)
    wrong = [
        f"{s.sheet}!{s.cell}"
        for s in saved
        if s.sheet in names and test.book.sheets[s.sheet].range(s.cell).color != saved_fill(s)
    ]
    if wrong:
        return Link(False, f"清除标记：{len(wrong)} 个单元格的底色没有恢复（{wrong[0]}…）", REBUILD)
    return Link(True, f"清除标记：{len(saved)} 个单元格恢复了原来的底色和批注，内容与校验前相同")


def _check_export(test: SelfTest, control_id: str, label: str, patterns: tuple[str, ...]) -> Link:
    seen = test.outputs()
    _mode, text = test.press(control_id)
    new = sorted(test.outputs() - seen)
    if not new:
        return Link(False, f"{label}：没有生成输出文件夹（{_first(text)}）", REBUILD)
    missing = [p for p in patterns if not any(new[-1].rglob(p))]
    if missing:
        return Link(
            False, f"{label}：输出文件夹「{new[-1].name}」中没有 {'、'.join(missing)}", REBUILD
        )
    files = sum(1 for p in new[-1].rglob("*") if p.is_file())
    return Link(True, f"{label}：「{new[-1].name}」中有 {files} 个文件")


def _check_normalize(test: SelfTest) -> Link:
    mode, text = test.press("normalize")
    ok = mode == "info" and (text.startswith("已规范") or text.startswith("没有需要规范"))
    return Link(ok, f"规范文本：{_first(text)}", "" if ok else REBUILD)


def _check_opinions(test: SelfTest) -> Link:
    mode, text = test.press("opinions")
    ok = mode == "info" and (text.startswith("已为") or text.startswith("没有需要起草"))
    return Link(ok, f"推荐意见草稿：{_first(text)}", "" if ok else REBUILD)


def _check_import(test: SelfTest) -> Link:
    forms = test.folder / "申报表"
    forms.mkdir(exist_ok=True)
    for out in test.outputs():
        for form in out.rglob("附件2*/*.docx"):
            shutil.copy2(form, forms / form.name)
    if not any(forms.iterdir()):
        return Link(False, "导入申报表：没有可导入的申报表（生成申报表失败）", REBUILD)
    mode, text = test.press("import_forms")
    test.book = test.app.books[SAMPLE]  # closed and opened again by the button
    if mode != "info" or not text.startswith("导入完成"):
        return Link(False, f"导入申报表：{_first(text)}", REBUILD)
    return Link(True, f"导入申报表：{text.splitlines()[1] if len(text.splitlines()) > 1 else text}")


def _check_new_book(test: SelfTest) -> Link:
    seen = set(test.folder.glob("QC小组总表_*.xlsx"))
    mode, text = test.press("new_book")
    new = set(test.folder.glob("QC小组总表_*.xlsx")) - seen
    opened = {Path(str(b.fullname)).name for b in test.app.books}
    if mode != "info" or not new or not {p.name for p in new} <= opened:
        return Link(False, f"新建总表：{_first(text)}", REBUILD)
    return Link(True, f"新建总表：已新建并打开「{next(iter(new)).name}」")


def selftest(folder: Path | None = None, machine: Machine | None = None) -> list[Link]:
    """Press every button of the installed add-in in a hidden Excel on a fresh sample workbook
    and check what each did; one :class:`Link` per button.

    :func:`check_addin` runs first and must pass: a Python that does not start would end in
    xlwings' error box, which nobody can close in a hidden Excel."""
    if not sys.platform.startswith("win"):
        raise XlqcError(NOT_WINDOWS_SELFTEST)
    machine = machine or Machine.this()
    addin = machine.xlstart / ADDIN_NAME
    if not addin.is_file():
        raise XlqcError(f"没有找到已安装的加载项「{addin}」：请先运行 {INSTALL}")
    failed = [link for link in check_addin(machine) if link.ok is False]
    if failed:
        raise XlqcError(
            f"py -m xlqc addin check 有 {len(failed)} 项未通过，请先解决：{failed[0].text}"
            f" → 解决：{failed[0].fix}"
        )
    import xlwings as xw

    from xlqc.builder import demo_workbook

    work = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="xlqc-selftest-"))
    work.mkdir(parents=True, exist_ok=True)
    demo_workbook(work / SAMPLE)
    try:
        app = xw.App(visible=False, add_book=False)
    except Exception as exc:
        raise XlqcError(f"无法启动 Excel（{exc}）：{NOT_WINDOWS_SELFTEST}") from None
    links: list[Link] = []
    try:
        app.display_alerts = False
        test = SelfTest(app, addin, work)
        before = test.grids()
        links.append(_check_validate(test))
        links.append(_check_clear(test, before) if links[-1].ok else _skipped("清除标记"))
        links.append(_check_normalize(test))
        links.append(_check_opinions(test))
        links.append(_check_export(test, "export_forms", "生成申报表", ("附件2*/*.docx",)))
        links.append(_check_export(test, "export_summary", "生成汇总表", ("附件3*.docx", "附件4*")))
        links.append(_check_export(test, "export_all", "全部导出", ("*.zip",)))
        links.append(_check_import(test))
        links.append(_check_new_book(test))
    finally:
        with contextlib.suppress(Exception):
            app.quit()
    links.append(Link(None, f"自检用的文件在「{work}」，可以删除"))
    return links


def _skipped(label: str) -> Link:
    return Link(False, f"{label}：校验失败，未测试", REBUILD)
