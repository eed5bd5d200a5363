"""Synthetic master workbooks at the national office's scale, for the benchmark.

Realistic, so that timings are honest:

* every 活动综述 is its own text of 1,500–3,000 characters (a few in 30 go over the limit),
  drawn word by word from a vocabulary of several thousand words, with figures, dates, Latin
  terms and line breaks; it compresses in the .xlsx about as much as real Chinese prose does,
  not 100× like one sentence repeated;
* 3–5 topics per group over 2021–2026 (some before the 统计期), 5–10 members;
* dates typed every way a clerk types them: real dates, Excel serial numbers, 2024.3,
  2024/3/15, 2024年3月, 2024-03-15;
* about one group in 25 (``breach_rate``) with a breach of some rule (phone, spacing, registration, a missing
  proof file, a name list in one cell, an unknown 外部认可, an impossible date).

``clean=True`` gives groups that pass every rule (3 topics, all in the 统计期): the live-Excel
scenario compares the number of calls at two sizes with no marks to write.

Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xlqc import schema

# about 600 common characters; words are drawn from them
_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机"
    "当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心"
    "反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程"
    "展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期"
    "根论运农指几九区强放决西被干做必战先回则任取据处府研争习研究方法检测标准安全环境效率成本能耗"
    "设备故障维修保养巡检操作规程工艺参数温度压力流量振动磨损泄漏调整改进优化控制监测分析验证确认"
    "培训考核评价记录统计报表现场管理班组车间岗位人员材料供应采购仓储运输配送客户服务投诉满意质量"
    "缺陷合格率返工报废损失降低提高缩短减少增加稳定巩固推广应用标准化作业指导书图纸规范制度流程节点"
    "时间周期频次批次样本数据图表排列因果关系树状矩阵对策措施实施检查效果目标达成经济效益社会效益"
    "电网线路变电站配电开关电缆绝缘接地保护继电自动化终端通信信号负荷电压电流功率损耗抢修停电用户"
    "钢铁冶炼轧制炉温铁水钢坯板材焊接涂装装配调试试验检验医院护理病房门诊药品手术感染患者医疗"
)
_TERMS = (
    "QC",
    "PDCA",
    "5S",
    "TPM",
    "SPC",
    "FMEA",
    "MES",
    "ERP",
    "6σ",
    "ISO 9001",
    "CPK",
    "RFID",
)
_PHRASES = (
    "小组成员",
    "现状调查",
    "设定目标",
    "原因分析",
    "要因确认",
    "制定对策",
    "对策实施",
    "效果检查",
    "巩固措施",
    "总结和下一步打算",
    "排列图",
    "因果图",
    "关联图",
    "系统图",
    "头脑风暴法",
    "末端因素",
    "作业指导书",
    "质量意识",
    "团队精神",
    "创新能力",
)
_CITIES = (
    *("泰州", "扬州", "镇江", "南通", "无锡", "常州", "苏州", "徐州", "盐城", "淮安", "宿迁"),
    *("连云港", "南京", "镇海", "茂名", "鞍山", "包头", "攀枝花", "株洲", "襄阳", "宜昌", "柳州"),
)
_ORGS = (
    "国网江苏省电力有限公司{}供电分公司",
    "中国石油化工股份有限公司{}分公司",
    "{}钢铁集团有限公司",
    "{}市第一人民医院",
    "中国铁路{}局集团有限公司{}车务段",
    "{}卷烟厂",
    "{}港口集团有限公司",
    "{}水务集团有限公司",
    "中国移动通信集团江苏有限公司{}分公司",
    "{}热电有限责任公司",
)
_DEPTS = ("质量管理部", "运维检修部", "生产技术部", "安全质量部", "企业管理部", "护理部", "设备部")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏飞宇晨浩然欣怡子涵思远雨轩博"
_LEVELS = ("二等", "三等", "二等", "一等", "优秀", "二等奖", "三等奖")
_OPINIONS = (
    "该小组活动扎实，成果显著，同意推荐。",
    "该小组坚持开展QC活动，课题选择贴近生产实际，经济效益明显，同意推荐。",
    "小组活动程序规范，统计方法运用恰当，成果具有推广价值，同意推荐。",
    "该小组连续多年开展活动，人员稳定，创新意识强，推荐为全国优秀质量管理小组。",
)


class _Words:
    """A vocabulary of a few thousand two- to four-character words plus QC phrases."""

    def __init__(self, rng: random.Random) -> None:
        chars = list(dict.fromkeys(_COMMON))
        made = {"".join(rng.choices(chars, k=rng.choice((2, 2, 2, 3, 4)))) for _ in range(6000)}
        self.words = sorted(made) + list(_PHRASES) * 10

    def summary(self, rng: random.Random, target: int) -> str:
        """About ``target`` characters of prose: sentences, figures, line-broken paragraphs."""
        out: list[str] = []
        size = 0
        paragraph = 0
        while size < target:
            sentence = "".join(rng.choices(self.words, k=rng.randint(3, 9)))
            roll = rng.random()
            if roll < 0.15:
                sentence += f"由{rng.randint(10, 99)}.{rng.randint(0, 9)}%降至{rng.randint(1, 9)}.{rng.randint(0, 9)}%"
            elif roll < 0.25:
                sentence += f"{rng.randint(2021, 2026)}年{rng.randint(1, 12)}月"
            elif roll < 0.32:
                sentence = rng.choice(_TERMS) + sentence
            elif roll < 0.40:
                sentence += f"节约{rng.randint(2, 500)}万元"
            sentence += "，" if rng.random() < 0.6 else "。"
            out.append(sentence)
            size += len(sentence)
            paragraph += len(sentence)
            if paragraph > rng.randint(250, 600):
                out[-1] = out[-1][:-1] + "。\n"
                paragraph = 0
        text = "".join(out)[:target].rstrip("，\n")
        return text if text.endswith("。") else text + "。"

    def title(self, rng: random.Random) -> str:
        verb = rng.choice(("降低", "提高", "缩短", "减少", "提升", "研制"))
        return verb + "".join(rng.choices(self.words, k=rng.randint(2, 4)))


def _typed_date(rng: random.Random, day: date, month_only: bool) -> Any:
    """``day`` typed the way some clerk would: a real date, a serial number or text."""
    if month_only:
        return rng.choice((f"{day.year}.{day.month}", f"{day.year}年{day.month}月"))
    form = rng.randrange(5)
    if form == 0:
        return day
    if form == 1:
        return (day - date(1899, 12, 30)).days  # an Excel serial number in a General cell
    if form == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 3:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


_BREACHES = (
    "phone",
    "spacing",
    "registered",
    "missing",
    "names",
    "recognition",
    "date",
    "long",
)


def write_synthetic(
    path: Path,
    groups: int,
    seed: int = 1,
    *,
    clean: bool = False,
    breach_rate: float = 0.04,
    declined_rate: float = 0.03,
) -> Path:
    """A master workbook of ``groups`` groups, with its proof files beside it; a share
    ``breach_rate`` of the groups breaks one rule each, ``declined_rate`` are 是否推荐 = 否
    (neither when ``clean``)."""
    rng = random.Random(seed)
    words = _Words(random.Random(0))  # one vocabulary for every workbook
    proofs = path.parent / "proofs"
    proofs.mkdir(parents=True, exist_ok=True)
    for name in ("report.docx", "award.pdf", "cert.pdf"):
        (proofs / name).write_bytes(b"proof")
    wb = Workbook()  # not write_only: that writes inline strings as &#NNNNN; entities, and
    settings = wb.active  # Excel writes shared strings in UTF-8 (what clerks send)
    settings.title = schema.SETTINGS_SHEET
    settings.append(["项目", "内容"])
    settings.append(["推荐单位", "江苏省质量协会"])
    settings.append(["基准日期", date(2026, 10, 30)])
    sheets = {name: wb.create_sheet(name) for name in schema.DATA_SHEETS}
    for name, ws in sheets.items():
        ws.append([c.header for c in schema.DATA_SHEETS[name]])
    seen: set[tuple[str, str]] = set()
    for g in range(1, groups + 1):
        code = f"G{g:05d}"
        breach = "" if clean or rng.random() >= breach_rate else rng.choice(_BREACHES)
        city = rng.choice(_CITIES)
        org = rng.choice(_ORGS).format(city, city)
        name = f"{rng.choice(words.words)}{'QC' if rng.random() < 0.5 else ''}小组"
        while (org, name) in seen:  # the same group twice is R09's, not for every run
            name = f"{rng.choice(words.words)}{name}"
        seen.add((org, name))
        registered = _typed_date(rng, date(rng.randint(2012, 2022), rng.randint(1, 12), 1), False)
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        if rng.random() < 0.3:
            phone = f"0523-8{rng.randint(0, 9999999):07d}"
        length = rng.randint(3100, 3300) if breach == "long" else rng.randint(1500, 3000)
        if breach == "phone":
            phone = phone[:-2]
        elif breach == "spacing":
            org = " " + org.replace("有限", "有限  ")
        elif breach == "registered":
            registered = "2024年5月"
        sheets[schema.GROUP_SHEET].append(
            [code, org, name, registered, f"QC-{city}-{g}", rng.choice(_DEPTS),
             f"{city}市{rng.choice(words.words)}路{rng.randint(1, 300)}号",
             rng.choice(_SURNAMES) + rng.choice(_GIVEN), phone, f"qc{g}@example.com.cn",
             words.summary(rng, length), rng.choice(_OPINIONS),
             "否" if not clean and rng.random() < declined_rate else "是", None]
        )  # fmt: skip
        _topics(sheets[schema.TOPIC_SHEET], rng, words, code, breach, clean)
        _members(sheets[schema.MEMBER_SHEET], rng, code, breach, clean)
    wb.save(path)
    _share_strings(path)
    return path


# ----------------------------------------------------------------------------------------------
# Shared strings, as Excel saves them

_INLINE = re.compile(
    r'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S
)
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    return chr(int(name[1:])) if name.startswith("#") else _NAMED[name]


def _share_strings(path: Path) -> None:
    """Rewrite openpyxl's inline strings (every character an &#NNNNN; entity) as Excel saves
    text: one UTF-8 sharedStrings.xml, cells pointing into it. Readers then do the work they do
    on the workbooks clerks send, no more and no less."""
    table: dict[str, int] = {}
    refs = 0

    def shared(m: re.Match[str]) -> str:
        nonlocal refs
        refs += 1
        text = _ENTITY.sub(_entity, m.group(3))
        index = table.setdefault(text, len(table))
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{index}</v></c>'

    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = _INLINE.sub(shared, data.decode("utf-8")).encode("utf-8")
    items = "".join(f'<si><t xml:space="preserve">{_escape(text)}</t></si>' for text in table)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{refs}" uniqueCount="{len(table)}">{items}</sst>'
    ).encode()
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST}"/></Types>'
    ).encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Type="{_SST_REL}" Target="sharedStrings.xml" Id="rIdSST"/></Relationships>',
    ).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _topics(
    ws: Any, rng: random.Random, words: _Words, code: str, breach: str, clean: bool
) -> None:
    count = 3 if clean else rng.randint(3, 5)
    for t in range(count):
        # the first two topics lie in the 统计期; older ones may not
        year = rng.randint(2024, 2026) if t < 2 or clean else rng.randint(2021, 2026)
        end = date(year, rng.randint(1, 10), rng.randint(1, 28))
        months = year * 12 + end.month - 1 - rng.randint(5, 10)
        start = date(months // 12, months % 12 + 1, rng.randint(1, 28))
        month_only = rng.random() < 0.3
        if clean and (end.year, end.month) == (2026, 10):
            month_only = False  # 2026.10 straddles the 统计期's end (2026-10-30): an R08 warning
        national = t == 0
        recognition = "国家级" if national else rng.choice(("无", "无", "地方、行业级"))
        if breach == "recognition" and t == 1:
            recognition = "省级"
        typed_end = _typed_date(rng, end, month_only)
        if breach == "date" and t == 1:
            typed_end = f"{year}年13月"
        report = "proofs/report.docx"
        if breach == "missing" and t == 0:
            report = "proofs/成果报告（定稿）.docx"
        ws.append(
            [code, words.title(rng), _typed_date(rng, start, month_only), typed_end,
             "一等" if national else rng.choice(_LEVELS), recognition,
             "全国优秀质量管理小组成果" if national else "",
             report, "proofs/award.pdf" if recognition != "无" else ""]
        )  # fmt: skip


def _members(ws: Any, rng: random.Random, code: str, breach: str, clean: bool) -> None:
    given = rng.sample(_GIVEN, 10)  # distinct last characters: no two names alike
    for m in range(rng.randint(5, 10)):
        name = rng.choice(_SURNAMES) + rng.choice(("", rng.choice(_GIVEN))) + given[m]
        if breach == "names" and m == 1:
            name += "、" + rng.choice(_SURNAMES) + given[-1]
        cert = "proofs/cert.pdf" if m == 0 or rng.random() < 0.2 else None
        ws.append([code, m + 1, name, cert])
