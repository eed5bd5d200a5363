"""What an import did (or, with --dry-run, would do), and its Chinese summary for the clerk."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

SHORT = 24  # characters of a long value shown in a difference


class FieldDiff(BaseModel):
    """One difference between a form and the workbook; ``old`` empty for something the form
    adds. (What the workbook has and the form does not is never a difference: an empty field
    on the form erases nothing, and what it has no room for stays, see GroupOutcome.kept.)"""

    field: str  # Chinese: 电话, 成员, 课题, 课题「…」活动开始
    old: str = ""
    new: str = ""

    def line(self, code: str) -> str:
        if not self.old:
            return f"小组 {code} {self.field}：新增「{short(self.new)}」"
        return f"小组 {code} {self.field}：「{short(self.old)}」→「{short(self.new)}」"


class GroupOutcome(BaseModel):
    """One form matched to one group of the workbook."""

    file: str
    code: str
    org: str
    name: str
    topics: int = 0
    members: int = 0
    diffs: list[FieldDiff] = Field(default_factory=list)
    # what the workbook has and the form has no room for, kept: 课题「…」, 成员「…」
    kept: list[str] = Field(default_factory=list)

    def kept_lines(self) -> list[str]:
        return [f"  小组 {self.code} {item}不在申报表中，保留" for item in self.kept]


class FileProblem(BaseModel):
    """A form that could not be imported (``reason`` names the file), or a warning about one
    that was (``reason`` says what to check)."""

    file: str  # as shown: the file name, or its path below the folder imported
    reason: str  # Chinese


class ImportResult(BaseModel):
    """Outcome of :func:`xlqc.intake.import_forms`."""

    into: Path
    dry_run: bool = False
    update: bool = False
    added: list[GroupOutcome] = Field(default_factory=list)
    unchanged: list[GroupOutcome] = Field(default_factory=list)
    differing: list[GroupOutcome] = Field(default_factory=list)  # left as they were
    updated: list[GroupOutcome] = Field(default_factory=list)  # replaced by the form (--update)
    failed: list[FileProblem] = Field(default_factory=list)  # nothing of these was written
    warnings: list[FileProblem] = Field(default_factory=list)  # imported, but something was unclear
    skipped: list[str] = Field(default_factory=list)  # Word lock files (~$…) and the like
    no_summary: list[str] = Field(default_factory=list)  # forms read without a 综述
    unclear_recognition: list[str] = Field(default_factory=list)  # form（课题「…」）
    backup: Path | None = None  # copy of the workbook taken before it was rewritten
    refusal: str = ""  # dry run only: why the real import would be refused

    @property
    def changed(self) -> bool:
        """Whether the workbook is (or, in a dry run, would be) rewritten."""
        return bool(self.added or self.updated)

    def lines(self) -> list[str]:
        """Chinese lines for the command line and the ribbon's message box."""
        forms = len(self.added) + len(self.unchanged) + len(self.differing) + len(self.updated)
        counts = [
            f"新增小组 {len(self.added)} 个" if self.added else "",
            f"已更新 {len(self.updated)} 个" if self.updated else "",
            f"无变化 {len(self.unchanged)} 个" if self.unchanged else "",
            f"内容不同未修改 {len(self.differing)} 个" if self.differing else "",
            f"无法导入 {len(self.failed)} 份" if self.failed else "",
        ]
        total = forms + len(self.failed)
        head = f"读取申报表 {total} 份到「{self.into.name}」：" + (
            "，".join(c for c in counts if c) or "没有可导入的内容"
        )
        out = [head]
        if self.dry_run:
            out.append("（试运行：以下是将要进行的修改，总表没有改动）")
        if self.refusal:
            out.append(f"注意：{self.refusal}")
        if self.backup:
            out.append(f"已备份原总表到「{self.backup.name}」")
        verb = "将新增" if self.dry_run else "新增"
        for g in self.added:
            out.append(
                f"{verb} {g.code}「{g.org}」「{g.name}」：课题 {g.topics} 项，成员 {g.members} 人"
                f"（{g.file}）"
            )
        verb = "将更新" if self.dry_run else "已更新"
        for g in self.updated:
            out.append(f"{verb} {g.code}「{g.org}」「{g.name}」（{g.file}）：")
            out += [f"  {d.line(g.code)}" for d in g.diffs]
            out += g.kept_lines()
        for g in self.differing:
            out.append(f"{g.code}「{g.name}」与「{g.file}」内容不同，未修改：")
            out += [f"  {d.line(g.code)}" for d in g.diffs]
            out += g.kept_lines()
        if self.differing:
            out.append("如以申报表为准，请用更新方式重新导入（命令行加 --update），会先备份总表。")
        for g in self.unchanged:
            out.append(f"无变化 {g.code}「{g.name}」（{g.file}）")
        out += [f"无法导入：{f.reason}" for f in self.failed]
        out += [f"请核对「{w.file}」：{w.reason}" for w in self.warnings]
        if self.no_summary:
            out.append(f"未读到活动综述的申报表：{'、'.join(self.no_summary)}")
        if self.unclear_recognition:
            out.append(f"未能读清外部认可的申报表：{'、'.join(self.unclear_recognition)}")
        if self.skipped:
            out.append(f"已跳过 {len(self.skipped)} 个 Word 临时文件（~$ 开头）")
        if self.added:
            out.append(
                "申报表不含注册日期、成果水平、推荐意见和证实性材料，请在总表中补填后运行校验。"
            )
        return out


def short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= SHORT else one[: SHORT - 1] + "…"
