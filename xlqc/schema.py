"""The master workbook's layout (DESIGN.md §1): sheet names, headers and settings keys.

Everything that reads, writes, marks or builds the workbook takes names from here, so a header
is spelled in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "choice", "paths", "longtext", "status"]


@dataclass(frozen=True)
class Column:
    """One column of a data sheet."""

    field: str  # attribute name in the model
    header: str  # exact Chinese header in row 1
    width: float
    kind: Kind = "text"
    required: bool = False  # R01: must not be empty
    hint: str = ""  # input message shown by Excel's data validation
    choices: tuple[str, ...] = ()


GROUP_SHEET = "小组"
TOPIC_SHEET = "课题"
MEMBER_SHEET = "成员"
SETTINGS_SHEET = "设置"
RESULT_SHEET = "校验结果"
# Extra column of 小组 added by `xlqc import`, naming the form a group came from (not read back).
SOURCE_HEADER = "来源文件"

RECOMMEND_CHOICES = ("是", "否")
RECOGNITION_CHOICES = ("国家级", "地方、行业级", "无")
LEVEL_CHOICES = ("一等", "二等", "三等", "特等奖", "一等奖", "二等奖", "三等奖", "优秀", "发表")

GROUP_COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "小组编号", 12, required=True, hint="每个小组唯一，如 G001；课题、成员表用它关联"
    ),
    Column("org", "组织名称", 34, required=True, hint="以公章为准，不要挂上级部门"),
    Column("name", "小组名称", 24, required=True, hint="QC 小组名称"),
    Column("registered", "注册日期", 12, "date", True, "在组织内正式注册的日期，须满三年"),
    Column("reg_no", "注册编号", 14, hint="可选"),
    Column("dept", "联系部门", 16, required=True),
    Column("address", "地址", 30, required=True),
    Column("contact", "直接联系人", 12, required=True),
    Column("phone", "电话", 16, required=True, hint="手机或带区号的座机，可填多个，用；分隔"),
    Column("email", "邮箱", 24, required=True),
    Column("summary", "活动综述", 50, "longtext", True, "近三年 QC 小组活动综述，3000 字以内"),
    Column("opinion", "推荐意见", 40, "longtext", True, "推荐单位意见，300 字以内（附件3）"),
    Column(
        "recommend", "是否推荐", 10, "choice", hint="是/否，空白视为是", choices=RECOMMEND_CHOICES
    ),
    Column("status", "校验状态", 14, "status", hint="由 xlqc 填写"),
)

TOPIC_COLUMNS: tuple[Column, ...] = (
    Column("group", "小组编号", 12, required=True, hint="须在「小组」表中存在"),
    Column("title", "课题名称", 36, required=True),
    Column("start", "活动开始", 12, "date", True, "如 2024-03-01、2024.3 或 2024年3月"),
    Column("end", "活动结束", 12, "date", True, "活动结束日期，近三年以此计"),
    Column("level", "成果水平", 12, "choice", True, "一等/二等/三等…", LEVEL_CHOICES),
    Column(
        "recognition", "外部认可", 14, "choice", True, "国家级/地方、行业级/无", RECOGNITION_CHOICES
    ),
    Column("recognition_note", "认可说明", 30, hint="如 2024 年全国优秀 QC 成果（可选）"),
    # 成果报告 is optional for R01: a missing report is R14's (proofs), not R01's.
    Column(
        "report", "成果报告", 30, "paths", hint="成果报告 Word 文件路径，相对本工作簿所在文件夹"
    ),
    Column("proof", "认可证明", 30, "paths", hint="获得外部认可的证明文件路径，多个用；分隔"),
)
MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("group", "小组编号", 12, required=True, hint="须在「小组」表中存在"),
    Column("seq", "序号", 8, hint="1–10"),
    Column("name", "姓名", 14, required=True, hint="一人一行，不要用「、」合并"),
    Column("cert", "能力证明", 36, "paths", hint="培训或评审能力证明文件路径，多个用；分隔"),
)

DATA_SHEETS: dict[str, tuple[Column, ...]] = {
    GROUP_SHEET: GROUP_COLUMNS,
    TOPIC_SHEET: TOPIC_COLUMNS,
    MEMBER_SHEET: MEMBER_COLUMNS,
}


def column(sheet: str, field_name: str) -> Column:
    """The column of ``sheet`` whose model attribute is ``field_name``."""
    for col in DATA_SHEETS[sheet]:
        if col.field == field_name:
            return col
    raise KeyError(f"{sheet}.{field_name}")


OPINION_CLOSING = "经审核，材料真实准确，同意推荐。"  # 推荐意见结语 when 设置 has none


@dataclass(frozen=True)
class SettingKey:
    key: str  # Chinese key in column A of 设置
    field: str
    default: str = ""  # shown in the blank workbook
    hint: str = ""


SETTING_KEYS: tuple[SettingKey, ...] = (
    SettingKey("推荐单位", "unit", "", "必填：推荐省区市、行业质协名称（盖章单位）"),
    SettingKey("基准日期", "ref_date", "2026-10-30", "资格计算的基准日，默认通知截止日"),
    SettingKey("统计期起", "window_start", "", "留空＝基准日期前三年的次日"),
    SettingKey("统计期止", "window_end", "", "留空＝基准日期"),
    SettingKey(
        "一等水平取值", "first_levels", "一等；一等奖；特等奖；一类；I类；示范级", "用；分隔"
    ),
    SettingKey("填表人", "filler", "", "印在附件4"),
    SettingKey("联系电话", "filler_phone", "", "印在附件4"),
    SettingKey("填表日期", "fill_date", "", "留空＝导出当天"),
    SettingKey("推荐意见结语", "opinion_closing", OPINION_CLOSING, "推荐意见草稿的最后一句"),
)

MAX_MEMBERS = 10
MAX_SUMMARY_CHARS = 3000
MAX_OPINION_CHARS = 300
TOPIC_SLOTS = 3

# In-cell marks (DESIGN.md §3).
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
NOTE_PREFIX = "【xlqc】"
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
