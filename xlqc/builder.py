"""Building the master workbook (DESIGN.md §1): the blank book of ``xlqc new``, the filled sample
of ``xlqc demo`` with its proof files, and the copies of both kept in the repository's workbook/.

The blank book carries everything a clerk needs without Python: headers from :mod:`xlqc.schema`,
widths, a frozen header row, drop-down lists, an input hint on every column, text format for phone
numbers and codes, a date format for date columns, and native conditional formatting for the simple
breaches. The live 字数 check is ``LEN`` of the text with ordinary spaces, full-width spaces, tabs
and line breaks removed: the same count as xlqc's (Word's 字符数(不计空格)) except for rarer white
space and characters outside the Basic Multilingual Plane, which Excel's ``LEN`` counts twice.
xlqc's own R06/R07 count is authoritative.

The sample (``demo_workbook``) is generated deterministically and holds these deliberate breaches,
one rule each (:data:`SAMPLE_BREACHES`); groups G001–G007 are clean and recommended:

* G008 R17 — 小组名称 with a doubled space and full-width letters (「信号  维护ＱＣ小组」);
* G009 R16 — 组织名称 that goes below the sealing unit (…分公司第二车间);
* G010 R15 — four topics in the 统计期 (附件2 prints three);
* G011 R18 — a topic that ended in 2022 (listed, not counted);
* G012 是否推荐 = 否 (clean, but not exported);
* G013 R02 — registered in 2024;
* G014 R03 — only one topic in the 统计期 (its two older topics are R18 info);
* G015 R04 — no 一等水平 topic;
* G016 R05 — 11 members;
* G017 R06 — 活动综述 over 3000 characters;
* G018 R13 — mobile number with a digit missing;
* G019 R14 — a 成果报告 path whose file does not exist.
"""

from __future__ import annotations

import io
import random
import shutil
import struct
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from xlqc import schema, sheetprint
from xlqc.dates import parse_date
from xlqc.errors import XlqcError
from xlqc.safeio import atomic_folder, atomic_path

TEMPLATE_NAME = "总表模板.xlsx"
SAMPLE_NAME = "示例总表.xlsx"
PROOF_FOLDER = "证实性材料"

FIRST_ROW, LAST_ROW = 2, 2000  # rows that carry validations and conditional formats
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEADER_FILL = "D9E1F2"
ERROR_FONT = "9C0006"  # Excel's dark red that goes with the light red fill
STAMP = datetime(2026, 1, 1, 8, 0, 0)  # created/modified of every file built here
# Widest date form of DESIGN.md §1 in Excel column units, plus padding.
LONGEST_DATE_WIDTH = sheetprint.text_width("2023年12月26日") + 2
DATE_FORMS = "可填 2024-03-15、2024/3/15、2024.3.15、2024年3月15日，或只填到月：2024.3、2024年3月"

# Settings heading row (column A/B/C of 设置) and the settings written with a date or text format.
SETTINGS_HEADINGS = ("项目", "内容", "说明")
_DATE_SETTINGS = {"ref_date", "window_start", "window_end", "fill_date"}
_TEXT_SETTINGS = {"filler_phone"}
# Columns kept as text so that 0523-… or 001 are not turned into numbers by Excel.
_TEXT_FIELDS = {"code", "group", "phone", "reg_no"}

SAMPLE_BREACHES: dict[str, str] = {
    "G008": "R17",
    "G009": "R16",
    "G010": "R15",
    "G011": "R18",
    "G013": "R02",
    "G014": "R03",
    "G015": "R04",
    "G016": "R05",
    "G017": "R06",
    "G018": "R13",
    "G019": "R14",
}
SAMPLE_NOT_RECOMMENDED = ("G012",)


# --------------------------------------------------------------------------------------------
# Public entry points


def new_workbook(path: Path) -> None:
    """Write the blank master workbook at ``path``; refuses to replace an existing file."""
    path = Path(path)
    _refuse_existing(path)
    _save_workbook(_layout(), path)


def demo_workbook(path: Path) -> None:
    """Write the filled sample at ``path`` and its proof files in 证实性材料/ beside it.
    Refuses when either already exists, so no clerk's file is ever replaced."""
    path = Path(path)
    _refuse_existing(path)
    proofs = path.parent / PROOF_FOLDER
    if proofs.exists():
        raise XlqcError(
            f"「{proofs}」已存在；示例会在总表旁写入证实性材料，请换一个空文件夹运行 xlqc demo"
        )
    _write_sample(path)


def write_repository_workbooks(folder: Path) -> None:
    """(Re)write the blank and the sample workbook, with the sample's proofs, in ``folder``."""
    folder = Path(folder)
    _save_workbook(_layout(), folder / TEMPLATE_NAME)
    shutil.rmtree(folder / PROOF_FOLDER, ignore_errors=True)
    _write_sample(folder / SAMPLE_NAME)


def main() -> None:
    """``python -m xlqc.builder``: refresh the repository's workbook/ folder."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").exists():
        raise SystemExit("xlqc.builder 只能在 xlqc 源代码仓库中运行")
    write_repository_workbooks(root / "workbook")
    print(f"已写入 {root / 'workbook'}")


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise XlqcError(f"「{path}」已存在，如需覆盖请先删除或换一个文件名")


# --------------------------------------------------------------------------------------------
# Layout shared by the blank book and the sample


def _layout(settings: Mapping[str, Any] | None = None, title: str = "") -> Workbook:
    """The master workbook with its four sheets formatted; ``settings`` (field -> value)
    replaces the defaults of 设置."""
    wb = Workbook()
    ws = wb.active
    ws.title = schema.SETTINGS_SHEET
    _settings_sheet(ws, settings or {})
    for sheet, columns in schema.DATA_SHEETS.items():
        _data_sheet(wb.create_sheet(sheet), columns)
    _live_checks(wb)
    first = wb.sheetnames.index(schema.GROUP_SHEET)
    wb.active = first
    for i, sheet_ws in enumerate(wb.worksheets):
        sheet_ws.sheet_view.tabSelected = i == first  # one selected tab, never a group
    wb.properties.title = title or "全国优秀质量管理小组推荐总表"
    wb.properties.creator = "xlqc"
    return wb


def _column_width(col: schema.Column) -> float:
    """The column's width; a date column at least as wide as the longest date form a clerk may
    type (2023年12月26日), so that no form is cut."""
    if col.kind == "date":
        return max(col.width, LONGEST_DATE_WIDTH)
    return col.width


def _settings_sheet(ws: Worksheet, values: Mapping[str, Any]) -> None:
    ws.append(SETTINGS_HEADINGS)
    for key in schema.SETTING_KEYS:
        value = values.get(key.field, _default_setting(key))
        row = ws.max_row + 1
        ws.cell(row, 1, key.key).font = Font(bold=True)
        value_cell = _put(ws, row, 2, value)
        if key.field in _DATE_SETTINGS:
            value_cell.number_format = DATE_FORMAT
        elif key.field in _TEXT_SETTINGS:
            value_cell.number_format = TEXT_FORMAT
        ws.cell(row, 3, key.hint).font = Font(color="808080")
    _header_style(ws[1])
    for letter, width in zip("ABC", (16, 44, 44), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    sheetprint.print_setup(ws)


def _default_setting(key: schema.SettingKey) -> Any:
    if key.field in _DATE_SETTINGS and key.default:
        return date.fromisoformat(key.default)
    return key.default or None


def _data_sheet(ws: Worksheet, columns: tuple[schema.Column, ...]) -> None:
    ws.append([col.header for col in columns])
    _header_style(ws[1])
    ws.row_dimensions[1].height = 24
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = _column_width(col)
        _column_style(dim, col)
        ws.add_data_validation(_validation(col, f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"))
    sheetprint.print_setup(ws)  # landscape, one page wide, row 1 on every page


def _header_style(cells: Iterable[Cell]) -> None:
    for cell in cells:
        cell.font = Font(bold=True)
        cell.fill = PatternFill(fill_type="solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _column_style(target: ColumnDimension | Cell, col: schema.Column) -> None:
    """The format of a data column; applied to the whole column and to each cell written."""
    if col.kind == "date":
        target.number_format = DATE_FORMAT
    elif col.field in _TEXT_FIELDS:
        target.number_format = TEXT_FORMAT
    if col.kind in ("longtext", "paths"):
        target.alignment = Alignment(wrap_text=True, vertical="top")


def _validation(col: schema.Column, ref: str) -> DataValidation:
    """The column's drop-down list (choice columns) and input hint (every column)."""
    hint = "；".join(
        part
        for part in (
            "必填" if col.required else "",
            col.hint,
            DATE_FORMS if col.kind == "date" else "",
        )
        if part
    )
    dv = DataValidation(
        showInputMessage=True, promptTitle=col.header, prompt=hint or col.header, sqref=ref
    )
    if col.choices:
        dv.type = "list"
        dv.formula1 = '"' + ",".join(col.choices) + '"'
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorTitle = col.header
        if col.field == "level":  # 二等奖, 示范级 … are legitimate too: warn, let the clerk keep it
            dv.errorStyle = "information"
            dv.error = "不在常用取值中；如确为成果水平（如 示范级），请点「确定」保留"
        else:
            dv.errorStyle = "stop"
            dv.error = "请从下拉列表中选择：" + "、".join(col.choices)
    return dv


def _live_checks(wb: Workbook) -> None:
    """Conditional formats that show simple breaches in Excel or WPS without Python."""
    groups, members = wb[schema.GROUP_SHEET], wb[schema.MEMBER_SHEET]
    code = _letter(schema.GROUP_SHEET, "code")
    member_group = _letter(schema.MEMBER_SHEET, "group")
    for name, limit in (
        ("summary", schema.MAX_SUMMARY_CHARS),
        ("opinion", schema.MAX_OPINION_CHARS),
    ):
        letter = _letter(schema.GROUP_SHEET, name)
        _flag(groups, letter, f"{_chars(f'{letter}{FIRST_ROW}')}>{limit}")
    first = f"${code}{FIRST_ROW}"
    _flag(groups, code, f'AND({first}<>"",COUNTIF(${code}:${code},{first})>1)')  # R09
    _flag(
        groups,
        code,
        f"AND({first}<>\"\",COUNTIF('{schema.MEMBER_SHEET}'!${member_group}:${member_group},"
        f"{first})>{schema.MAX_MEMBERS})",
    )
    first = f"${member_group}{FIRST_ROW}"
    _flag(
        members,
        member_group,
        f'AND({first}<>"",COUNTIF(${member_group}:${member_group},{first})>{schema.MAX_MEMBERS})',
    )


def _chars(ref: str) -> str:
    """Excel formula for the length of ``ref`` without spaces, tabs and line breaks."""
    text = ref
    for blank in ('" "', '"\u3000"', "CHAR(9)", "CHAR(10)", "CHAR(13)"):
        text = f'SUBSTITUTE({text},{blank},"")'
    return f"LEN({text})"


def _flag(ws: Worksheet, letter: str, formula: str) -> None:
    color = schema.FILLS["error"]
    ws.conditional_formatting.add(
        f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}",
        FormulaRule(
            formula=[formula],
            fill=PatternFill(fill_type="solid", start_color=color, end_color=color),
            font=Font(color=ERROR_FONT),
        ),
    )


def _letter(sheet: str, field_name: str) -> str:
    columns = schema.DATA_SHEETS[sheet]
    return get_column_letter(columns.index(schema.column(sheet, field_name)) + 1)


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value``; text that looks like a formula stays text."""
    cell = ws.cell(row, column, value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


# --------------------------------------------------------------------------------------------
# Stable files: same content, same bytes


def _save_workbook(wb: Workbook, dest: Path) -> None:
    wb.properties.created = wb.properties.modified = STAMP
    buffer = io.BytesIO()
    # ExcelWriter rather than wb.save(): save() stamps the current time as "modified".
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with atomic_path(dest) as tmp:
        tmp.write_bytes(_stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """The same archive with every member dated :data:`STAMP`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# The sample


@dataclass(frozen=True)
class _Spec:
    """One sample group as a clerk would have typed it."""

    code: str
    org: str
    name: str
    dept: str
    address: str
    contact: str  # also the first member
    phone: str
    email: str
    registered: Any  # as typed: a date or text
    topics: tuple[tuple[str, str, str, str], ...]  # (课题名称, ended "YYYY-MM", 成果水平, 外部认可)
    members: int = 0  # 0: 5–10 chosen by the group's random generator
    recommend: str = "是"
    long_summary: bool = False
    missing_report: int = -1  # index of the topic whose report file is not written


_NATIONAL, _LOCAL, _NONE = schema.RECOGNITION_CHOICES

_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "G001", "国网江苏省电力有限公司泰州供电分公司", "配电运检QC小组", "运维检修部",
        "江苏省泰州市海陵区青年南路2号", "王晓东", "13812345678", "wangxd@js.sgcc.com.cn",
        date(2016, 3, 18),
        (
            ("降低配电线路故障停电时长", "2024-06", "一等", _NATIONAL),
            ("提高配网自动化终端在线率", "2025-05", "二等", _LOCAL),
            ("缩短低压故障抢修到达时间", "2026-04", "一等奖", _NONE),
        ),
    ),
    _Spec(
        "G002", "江苏沙钢集团有限公司", "转炉炼钢QC小组", "炼钢总厂",
        "江苏省张家港市锦丰镇沙钢大厦", "钱建华", "0512-58568888转6021", "qianjh@shasteel.cn",
        "2015.6",
        (
            ("降低转炉钢铁料消耗", "2024-03", "特等奖", _NATIONAL),
            ("提高连铸坯一次合格率", "2025-01", "二等", _LOCAL),
            ("缩短转炉冶炼周期", "2025-12", "三等", _NONE),
        ),
    ),
    _Spec(
        "G003", "南京大学医学院附属鼓楼医院", "护理质量改进QC小组", "护理部",
        "江苏省南京市鼓楼区中山路321号", "周丽萍", "025-83106666转61023", "zhoulp@njglyy.com",
        "2018年5月",
        (
            ("降低住院患者跌倒发生率", "2024-08", "一等", _LOCAL),
            ("提高静脉输液一次穿刺成功率", "2025-06", "二等", _NONE),
            ("缩短急诊患者平均候诊时间", "2026-03", "一等奖", _NATIONAL),
        ),
    ),
    _Spec(
        "G004", "中国石油化工股份有限公司金陵分公司", "催化裂化装置QC小组", "炼油运行二部",
        "江苏省南京市栖霞区甘家巷1号", "孙志刚", "13951761234", "sunzg.jlsh@sinopec.com",
        "2017/9/1",
        (
            ("降低催化裂化装置能耗", "2024-05", "一等", _NATIONAL),
            ("提高汽油产品一次调和合格率", "2025-04", "二等奖", _LOCAL),
            ("降低机泵密封泄漏频次", "2026-02", "三等", _NONE),
        ),
    ),
    _Spec(
        "G005", "中国工商银行股份有限公司泰州分行", "运营管理QC小组", "运行管理部",
        "江苏省泰州市海陵区鼓楼南路208号", "刘婷", "0523-86238888", "liuting@js.icbc.com.cn",
        date(2019, 4, 10),
        (
            ("缩短对公账户开户办理时间", "2024-10", "一等", _LOCAL),
            ("降低柜面业务差错率", "2025-09", "二等", _NONE),
            ("提高智能柜员机业务分流率", "2026-05", "一等", _NATIONAL),
        ),
    ),
    _Spec(
        "G006", "江苏中烟工业有限责任公司南京卷烟厂", "卷包设备QC小组", "卷包车间",
        "江苏省南京市建邺区嘉陵江东街99号", "陈刚", "025-86728123；13913845678",
        "chengang@jszygs.com", "2014-07-15",
        (
            ("降低卷烟机烟支空头率", "2024-07", "一等奖", _NATIONAL),
            ("提高包装机运行效率", "2025-05", "二等奖", _LOCAL),
            ("降低滤棒成型机故障停机时间", "2026-01", "一等", _NONE),
        ),
    ),
    _Spec(
        "G007", "航天晨光股份有限公司", "金属软管工艺QC小组", "波纹管事业部",
        "江苏省南京市江宁经济技术开发区天元中路188号", "吴海燕", "025-52826688转3105",
        "wuhy@chenguang.com.cn", "2016年11月",
        (
            ("提高波纹管成形一次合格率", "2024-04", "一等", _NATIONAL),
            ("降低焊接接头返修率", "2025-03", "二等", _LOCAL),
            ("缩短软管组件装配周期", "2026-06", "三等", _NONE),
        ),
    ),
    _Spec(
        "G008", "中国铁路上海局集团有限公司南京电务段", "信号  维护ＱＣ小组", "南京信号车间",
        "江苏省南京市玄武区龙蟠路111号", "蒋卫东", "025-85821234", "jiangwd@njdwd.com", "2013.4",
        (
            ("降低ZPW-2000A轨道电路故障率", "2024-09", "一等", _NATIONAL),
            ("缩短道岔故障处理时间", "2025-07", "二等", _LOCAL),
            ("提高信号设备远程监测报警处置及时率", "2026-05", "二等", _NONE),
        ),
    ),
    _Spec(
        "G009", "江苏永钢集团有限公司炼钢分公司第二车间", "连铸工艺QC小组", "生产技术科",
        "江苏省张家港市南丰镇永联村", "沈国强", "0512-58578123", "shengq@yonggang.com.cn",
        "2017年3月",
        (
            ("降低连铸坯中心偏析评级", "2024-06", "一等", _LOCAL),
            ("提高中间包连浇炉数", "2025-04", "二等", _NONE),
            ("降低结晶器液面波动", "2026-02", "三等", _NONE),
        ),
    ),
    _Spec(
        "G010", "国网江苏省电力有限公司南通供电分公司", "变电检修QC小组", "变电检修中心",
        "江苏省南通市崇川区青年中路52号", "顾明", "0513-85122345；13962851234",
        "guming@js.sgcc.com.cn", date(2015, 8, 20),
        (
            ("降低主变冷却器故障率", "2024-03", "一等", _NATIONAL),
            ("缩短GIS设备检修停电时间", "2024-12", "二等", _LOCAL),
            ("提高断路器带电检测覆盖率", "2025-10", "一等奖", _LOCAL),
            ("降低隔离开关操作卡涩率", "2026-07", "三等", _NONE),
        ),
    ),
    _Spec(
        "G011", "江苏省人民医院", "药学服务QC小组", "药学部", "江苏省南京市鼓楼区广州路300号",
        "许静", "025-68303123", "xujing@jsph.org.cn", "2016/5/6",
        (
            ("降低门诊处方不合格率", "2022-09", "一等", _LOCAL),
            ("提高住院患者用药交代知晓率", "2024-05", "一等", _LOCAL),
            ("缩短门诊患者取药等候时间", "2025-04", "二等", _NONE),
            ("降低静脉用药调配差错率", "2026-03", "二等", _NATIONAL),
        ),
    ),
    _Spec(
        "G012", "中国建设银行股份有限公司南通分行", "网点服务QC小组", "个人金融部",
        "江苏省南通市崇川区工农路29号", "曹颖", "0513-85096123", "caoying.nt@ccb.com", "2018.10",
        (
            ("缩短个人客户业务平均办理时长", "2024-06", "一等", _LOCAL),
            ("提高手机银行活跃客户占比", "2025-05", "二等", _NONE),
            ("降低客户投诉率", "2026-01", "三等", _NONE),
        ),
        recommend="否",
    ),
    _Spec(
        "G013", "南京钢铁股份有限公司", "中厚板轧制QC小组", "中厚板卷厂",
        "江苏省南京市六合区卸甲甸幸福路8号", "邵峰", "025-57072123", "shaofeng@njsteel.com.cn",
        "2024.3",
        (
            ("提高中厚板一次性能合格率", "2024-12", "一等", _LOCAL),
            ("降低轧机工作辊消耗", "2025-08", "二等", _NONE),
            ("缩短换辊作业时间", "2026-05", "二等", _NONE),
        ),
    ),
    _Spec(
        "G014", "中国石化扬子石油化工有限公司", "乙烯裂解QC小组", "烯烃厂",
        "江苏省南京市江北新区新华路777号", "杨光", "025-57781234", "yangg.yzsh@sinopec.com",
        date(2012, 6, 1),
        (
            ("降低裂解炉烧焦频次", "2022-11", "一等", _LOCAL),
            ("提高急冷油塔运行周期", "2023-06", "二等", _NONE),
            ("降低乙烯装置综合能耗", "2025-09", "一等", _NATIONAL),
        ),
    ),
    _Spec(
        "G015", "江苏中烟工业有限责任公司徐州卷烟厂", "制丝工艺QC小组", "制丝车间",
        "江苏省徐州市云龙区和平路226号", "彭立新", "0516-83891234", "penglx@jszygs.com",
        "2015年9月",
        (
            ("降低制丝线叶丝含水率波动", "2024-08", "二等", _LOCAL),
            ("提高梗丝结构均匀性", "2025-06", "三等", _NONE),
            ("降低烘丝机出口温度偏差", "2026-04", "二等奖", _NONE),
        ),
    ),
    _Spec(
        "G016", "中国铁路上海局集团有限公司徐州车务段", "行车组织QC小组", "技术科",
        "江苏省徐州市云龙区复兴南路60号", "魏建军", "0516-87651234", "weijj@xzcwd.com",
        "2014/3/20",
        (
            ("降低接发列车作业差错率", "2024-04", "一等", _LOCAL),
            ("缩短货运列车站停时间", "2025-03", "二等", _NONE),
            ("提高调车作业计划兑现率", "2026-02", "二等", _NONE),
        ),
        members=11,
    ),
    _Spec(
        "G017", "南京地铁运营有限责任公司", "车辆检修QC小组", "车辆中心",
        "江苏省南京市玄武区中山路228号", "马骏", "025-84582123", "majun@njmetro.com.cn",
        "2017年6月",
        (
            ("降低地铁车辆车门故障率", "2024-10", "一等", _NATIONAL),
            ("缩短列车架修作业周期", "2025-08", "二等", _LOCAL),
            ("提高受电弓碳滑板使用寿命", "2026-06", "二等", _NONE),
        ),
        long_summary=True,
    ),
    _Spec(
        "G018", "中国联合网络通信有限公司无锡市分公司", "网络优化QC小组", "网络部",
        "江苏省无锡市梁溪区人民中路155号", "朱晨", "1390510234", "zhuchen@chinaunicom.cn",
        "2016.8",
        (
            ("降低5G基站退服率", "2024-07", "一等", _LOCAL),
            ("提高家庭宽带装机及时率", "2025-05", "二等", _NONE),
            ("缩短传输故障修复时长", "2026-03", "三等", _NONE),
        ),
    ),
    _Spec(
        "G019", "中国电信股份有限公司苏州分公司", "政企客户服务QC小组", "政企客户部",
        "江苏省苏州市姑苏区人民路1208号", "黄雪", "0512-65221234",
        "huangxue.sz@chinatelecom.cn", date(2018, 1, 15),
        (
            ("缩短政企专线开通时长", "2024-09", "一等", _NATIONAL),
            ("提高云业务客户续约率", "2025-07", "二等", _NONE),
            ("降低专线故障重复申告率", "2026-04", "三等", _NONE),
        ),
        missing_report=1,
    ),
)  # fmt: skip

_SAMPLE_SETTINGS: dict[str, Any] = {
    "unit": "江苏省质量协会",
    "ref_date": date(2026, 10, 30),
    "filler": "陈雅琴",
    "filler_phone": "025-83216688",
}


@dataclass
class _Sample:
    """Rows keyed by model field, and the proof files (path relative to the workbook -> bytes)."""

    groups: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def _write_sample(path: Path) -> None:
    sample = _sample()
    with atomic_folder(path.parent / PROOF_FOLDER) as tmp:
        for rel, data in sample.files.items():
            target = tmp / Path(rel).relative_to(PROOF_FOLDER)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    wb = _layout(_SAMPLE_SETTINGS, "全国优秀质量管理小组推荐总表（示例）")
    for sheet, rows in (
        (schema.GROUP_SHEET, sample.groups),
        (schema.TOPIC_SHEET, sample.topics),
        (schema.MEMBER_SHEET, sample.members),
    ):
        _fill(wb[sheet], schema.DATA_SHEETS[sheet], rows)
    _save_workbook(wb, path)


def _fill(ws: Worksheet, columns: tuple[schema.Column, ...], rows: list[dict[str, Any]]) -> None:
    for r, values in enumerate(rows, start=FIRST_ROW):
        for c, col in enumerate(columns, start=1):
            if values.get(col.field) is not None:
                _column_style(_put(ws, r, c, values[col.field]), col)


def _sample() -> _Sample:
    sample = _Sample()
    for spec in _SPECS:
        _add_group(sample, spec, random.Random(f"xlqc-sample-{spec.code}"))
    return sample


def _add_group(sample: _Sample, spec: _Spec, rng: random.Random) -> None:
    folder = f"{PROOF_FOLDER}/{spec.code}"
    topics: list[dict[str, Any]] = []
    for i, (title, ended, level, recognition) in enumerate(spec.topics):
        end_y, end_m = (int(p) for p in ended.split("-"))
        months = rng.randint(5, 10)
        start_y, start_m = divmod(end_y * 12 + end_m - 1 - months, 12)
        report = f"{folder}/{title}_成果报告.docx"
        topic = {
            "group": spec.code,
            "title": title,
            "start": _typed_date(rng, start_y, start_m + 1),
            "end": _typed_date(rng, end_y, end_m),
            "level": level,
            "recognition": recognition,
            "recognition_note": _recognition_note(end_y, level, recognition),
            "report": report,
        }
        if i != spec.missing_report:
            sample.files[report] = _report_docx(spec, topic)
        if recognition != _NONE:
            topic["proof"] = f"{folder}/{title}_认可证明.pdf"
            sample.files[topic["proof"]] = _pdf(f"{spec.code} recognition proof {end_y}")
        topics.append(topic)
    sample.topics.extend(topics)

    names = _member_names(rng, spec.contact, spec.members or rng.randint(5, 10))
    for seq, name in enumerate(names, start=1):
        certs = []
        if seq == 1 or rng.random() < 0.3:
            certs.append(f"{folder}/能力证明_{name}.jpg")
            sample.files[certs[-1]] = TINY_JPEG
        if seq == 1:  # the leader also holds an evaluator's certificate: two paths in one cell
            certs.append(f"{folder}/评审能力证明_{name}.pdf")
            sample.files[certs[-1]] = _pdf(f"{spec.code} reviewer certificate")
        sample.members.append(
            {"group": spec.code, "seq": seq, "name": name, "cert": "；".join(certs) or None}
        )

    sample.groups.append(
        {
            "code": spec.code,
            "org": spec.org,
            "name": spec.name,
            "registered": spec.registered,
            "reg_no": f"QC-{rng.randint(2012, 2021)}-{rng.randint(1, 999):03d}",
            "dept": spec.dept,
            "address": spec.address,
            "contact": spec.contact,
            "phone": spec.phone,
            "email": spec.email,
            "summary": _summary(rng, spec, topics, len(names)),
            "opinion": _opinion(rng, spec, topics),
            "recommend": spec.recommend,
        }
    )


_DATE_FORMS: tuple[Callable[[int, int, int], Any], ...] = (
    lambda y, m, d: date(y, m, d),
    lambda y, m, d: f"{y}.{m}",
    lambda y, m, d: f"{y}年{m}月",
    lambda y, m, d: f"{y}/{m}/{d}",
    lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
    lambda y, m, d: f"{y}年{m}月{d}日",
    lambda y, m, d: f"{y}.{m}.{d}",
)


def _typed_date(rng: random.Random, year: int, month: int) -> Any:
    """A date in that month, typed one of the ways clerks type dates."""
    return rng.choice(_DATE_FORMS)(year, month, rng.randint(1, 28))


def _recognition_note(year: int, level: str, recognition: str) -> str | None:
    if recognition == _NATIONAL:
        return f"{year}年全国优秀质量管理小组成果"
    if recognition == _LOCAL:
        return f"{year}年江苏省质量管理小组成果发表赛{level}成果"
    return None


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石贾夏付方邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万钱严戴孔汤"
)
_GIVEN = (
    *"伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玲鹏辉斌宇浩凯健俊帆旭宁婷雪琳晨阳博文欣怡倩佳颖",
    *("晓东", "海燕", "建国", "志强", "春梅", "国华", "永刚", "立新", "红梅", "子豪", "思远"),
    *("嘉怡", "文杰", "秀兰", "海波", "建平", "晓燕", "振华", "雅琴", "宏伟", "丽华", "德明"),
)


def _member_names(rng: random.Random, leader: str, count: int) -> list[str]:
    names = [leader]
    while len(names) < count:
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        if name not in names:
            names.append(name)
    return names


# Sentence pieces for 活动综述 and 推荐意见.
_BACKGROUNDS = (
    "生产现场反映突出、上级考核压力较大",
    "对标同行业先进水平存在明显差距",
    "客户和下游工序反馈意见集中",
    "年度质量目标分解后指标偏紧",
    "设备老化与作业量增长的矛盾日益突出",
)
_TOOLS = (
    "调查表", "分层法", "排列图", "因果图", "树图", "关联图", "直方图", "控制图", "散布图",
    "头脑风暴法", "亲和图", "矩阵图", "PDPC法", "水平对比法", "简易图表",
)  # fmt: skip
_TRAINING = (
    "小组坚持每月召开一次活动例会，做到有计划、有记录、有检查、有总结",
    "小组成员全部参加了《质量管理小组活动准则》团体标准宣贯培训",
    "小组通过“师带徒”方式培养新成员，骨干成员轮流担任课题负责人",
    "小组把统计工具的学习与日常工作结合起来，坚持用数据说话",
    "小组建立了活动档案，课题选择、现状调查、原因分析到效果检查全过程资料齐全",
)
_OUTLOOK = (
    "今后，小组将继续以《质量管理小组活动准则》为指导，围绕安全生产和提质增效选题，不断提升活动水平。",
    "下一步，小组将把成功经验推广到兄弟单位，在更大范围内发挥QC小组活动的作用。",
    "小组将持续开展活动，着力培养青年骨干，为组织高质量发展贡献力量。",
)
_REFLECTIONS = (
    "回顾活动过程，小组深刻体会到，现状调查必须深入现场，第一手数据是找准症结的基础；",
    "在要因确认阶段，小组坚持逐条现场验证，不以经验代替数据，避免了主观判断带来的偏差；",
    "对策实施过程中，小组按照5W1H制定对策表，明确责任人和完成时间，每周检查进度；",
    "效果检查阶段，小组连续跟踪统计数据，确认改进效果稳定后才进入巩固期；",
    "在标准化阶段，小组将有效措施纳入作业指导书和管理制度，防止问题反复；",
    "活动中，小组成员的质量意识、问题意识和改进意识明显增强，团队协作更加默契；",
)


def _summary(rng: random.Random, spec: _Spec, topics: list[dict[str, Any]], members: int) -> str:
    year = spec.registered.year if isinstance(spec.registered, date) else str(spec.registered)[:4]
    parts = [
        f"本小组成立于{year}年，在{spec.org}正式注册，隶属{spec.dept}，现有成员{members}人，"
        f"平均年龄{rng.randint(31, 42)}岁，其中高级职称{rng.randint(1, 3)}人、中级职称"
        f"{rng.randint(2, 4)}人。小组以解决生产、服务和管理中的实际问题为目标，坚持按PDCA循环开展活动。"
    ]
    for topic in topics:
        parts.append(_topic_story(rng, topic))
    parts.append(
        "；".join(rng.sample(_TRAINING, 3))
        + f"。{rng.randint(2, 5)}名成员通过质量管理小组活动专业能力评价，{rng.randint(1, 2)}人具备成果评审能力。"
    )
    parts.append(rng.choice(_OUTLOOK))
    text = "\n".join(parts)
    if spec.long_summary:  # a clerk pasting a whole report: well over 3000 字
        while len("".join(text.split())) <= schema.MAX_SUMMARY_CHARS + 150:
            text += (
                "\n" + "".join(rng.sample(_REFLECTIONS, 4)) + _topic_story(rng, rng.choice(topics))
            )
    return text


def _topic_story(rng: random.Random, topic: dict[str, Any]) -> str:
    title = topic["title"]
    tools = rng.sample(_TOOLS, 3)
    story = (
        f"针对{rng.choice(_BACKGROUNDS)}的问题，小组选定「{title}」为课题，"
        f"运用{tools[0]}和{tools[1]}对近{rng.randint(3, 12)}个月的数据进行分析，找出主要症结；"
        f"运用{tools[2]}从人、机、料、法、环、测六个方面分析原因，经现场验证确认要因"
        f"{rng.randint(2, 5)}条，制定并实施对策{rng.randint(3, 6)}项。{_effect(rng, title)}"
    )
    if topic.get("recognition_note"):
        story += f"该成果获{topic['recognition_note']}。"
    return story


def _effect(rng: random.Random, title: str) -> str:
    subject = title[2:]
    if title.startswith("提高"):
        before = rng.randint(72, 90)
        return f"活动后{subject}由{before}%提高到{before + rng.randint(5, 9)}%，实现了课题目标。"
    change = "缩短" if title.startswith("缩短") else "下降"
    return f"活动后{subject}较活动前{change}{rng.randint(25, 68)}%，效果巩固期内保持稳定。"


def _opinion(rng: random.Random, spec: _Spec, topics: list[dict[str, Any]]) -> str:
    best = topics[0]["title"]
    return (
        f"该小组活动{rng.choice(('扎实规范', '持续深入', '特色鲜明'))}，选题贴近生产实际，"
        f"程序规范，工具运用恰当。近年来完成「{best}」等课题{len(topics)}项，"
        f"取得了{rng.choice(('显著的经济效益和社会效益', '良好的改进成效', '明显的质量提升效果'))}，"
        "小组成员专业能力不断提升。经审核，材料真实准确，同意推荐。"
    )


# --------------------------------------------------------------------------------------------
# Proof files


_REPORT_SECTIONS = (
    "一、课题背景",
    "二、现状调查",
    "三、原因分析与要因确认",
    "四、对策实施",
    "五、效果检查",
)


def _report_docx(spec: _Spec, topic: dict[str, Any]) -> bytes:
    """A small but real Word report for one topic."""
    doc = docx.Document()
    # python-docx's default package carries optional parts (Word 2010 styles, a thumbnail,
    # custom XML) that make up most of its 36 KB; the report is valid without them.
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "thumbnail", "customXml"):
                del rels[rid]
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = topic["title"], "xlqc", "xlqc"
    props.comments, props.created, props.modified, props.revision = "", STAMP, STAMP, 1
    doc.add_heading(topic["title"], level=1)
    doc.add_paragraph(f"{spec.org}　{spec.name}")
    start, end = parse_date(topic["start"]), parse_date(topic["end"])
    doc.add_paragraph(f"活动时间：{start} 至 {end}　成果水平：{topic['level']}")
    for heading in _REPORT_SECTIONS:  # bold runs: a heading style is looked up slowly by name
        doc.add_paragraph().add_run(heading).bold = True
        doc.add_paragraph("（示例成果报告，由 xlqc 生成，内容从略。）")
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue())


def _pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII)."""
    stream = f"BT /F1 14 Tf 72 760 Td (xlqc sample: {text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _jpeg() -> bytes:
    """An 8×8 mid-grey baseline JPEG: one block whose DC and AC codes are both a single 0 bit."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload

    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)  # quantisation table 0, all ones
        + segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)  # DC table 0: category 0
        + segment(0xC4, b"\x10" + one_code)  # AC table 0: end of block
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # bits 0 (DC diff 0) and 0 (EOB), padded with ones
        + b"\xff\xd9"
    )


TINY_JPEG = _jpeg()


if __name__ == "__main__":
    main()
