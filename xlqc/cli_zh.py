"""The command line's framework chrome in Chinese: help headings, usage line, help option,
type labels and usage errors (issue 16).

Everything goes through typer's own hooks: the text constants of ``typer.rich_utils`` (panel
titles, [default]/[required] labels), command and group classes (``cls=``) that write the
usage line with 用法：, name the help option in Chinese, label parameters in Chinese and raise
the usage errors xlqc itself detects (unknown or missing command, extra arguments) in Chinese;
:func:`usage_error` turns every other usage error typer raises into one Chinese sentence and a
hint, chosen by the exception's class and fields, never by its English text.

Typer ≥ 0.29 vendors click as ``typer._click``; its exception classes are imported from there.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer import rich_utils
from typer._click import exceptions as click_errors
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

UsageError = click_errors.UsageError

USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_OPTION_TEXT = "显示本帮助并退出"

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.ENVVAR_STRING = "[环境变量：{}]"
rich_utils.DEPRECATED_STRING = "（已停用）"
rich_utils.ABORTED_TEXT = "已取消。"
rich_utils.RICH_HELP = "运行 {command_path} {help_option} 查看用法"


def type_label(annotation: Any) -> str:
    """The Chinese name of a parameter's type, as help shows it."""
    if get_origin(annotation) is list:
        return type_label(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "路径"
    if annotation is int:
        return "整数"
    if annotation is float:
        return "数字"
    return "文本"


class _Argument(TyperArgument):
    """An argument whose help shows its Chinese name only (typer would add ``<list[Path]>``)."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None


class _ChineseUsageError(UsageError):
    """A usage error whose message xlqc wrote (already Chinese)."""


def _localise(param: Any) -> None:
    """Give a parameter without a metavar a Chinese one: its type for an option (nothing for a
    flag), its type as its name for an argument."""
    if isinstance(param, TyperArgument):
        param.__class__ = _Argument  # same object, help without typer's English type column
        if param.metavar is None:
            param.metavar = type_label(param.type_descriptor.annotation)
    elif isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = "" if param.is_flag else type_label(param.type_descriptor.annotation)


class _Chinese:
    """What commands and groups share: usage line, help option, labels, parse errors."""

    def _chinese_init(self: Any) -> None:
        self.options_metavar = OPTIONS_METAVAR
        for param in self.params:
            _localise(param)

    def format_usage(self: Any, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self: Any, ctx: Context) -> TyperOption | None:
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
            option.metavar = ""
        return option

    def parse_args(self: Any, ctx: Context, args: list[str]) -> list[str]:
        """Parse, attaching the context to the parser's errors (typer leaves it out of
        「option needs a value」) and refusing extra arguments in Chinese."""
        strict = not ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            exc.ctx = exc.ctx or ctx
            raise
        finally:
            ctx.allow_extra_args = not strict
        if strict and rest and not ctx.resilient_parsing:
            raise _ChineseUsageError(f"多余的参数：{' '.join(rest)}", ctx)
        return rest


class ChineseCommand(_Chinese, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chinese_init()


class ChineseGroup(_Chinese, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["suggest_commands"] = False  # typer appends "Did you mean"; usage_error suggests
        super().__init__(*args, **kwargs)
        self._chinese_init()
        self.subcommand_metavar = SUBCOMMAND_METAVAR

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0]
        if (
            self.get_command(ctx, name) is None
            and not name.startswith("-")
            and not ctx.resilient_parsing
        ):
            suggestion = _suggest(name, self.list_commands(ctx))
            raise _ChineseUsageError(f"没有「{name}」这个命令{suggestion}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            # the one error typer's group raises itself with this context: no command named
            if type(exc) is UsageError and exc.ctx is ctx:
                raise _ChineseUsageError("缺少命令", ctx) from None
            raise


class ChineseTyper(typer.Typer):
    """A Typer whose groups and commands speak Chinese (``cls`` defaults to the classes above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs["cls"] = kwargs.get("cls") or ChineseCommand
        return super().command(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# Usage errors


def _names(param: Any) -> str:
    if isinstance(param, TyperOption):
        return "/".join(param.opts)
    return f"「{param.metavar or param.name}」"


def _bad_value(exc: click_errors.BadParameter) -> str:
    param = exc.param
    subject = f"选项 {_names(param)}" if isinstance(param, TyperOption) else f"参数 {_names(param)}"
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors) and param is not None:
        found = errors()[0].get("input")
        expected = type_label(param.type_descriptor.annotation)
        return f"{subject} 的值「{found}」无效，应为{expected}"
    if not exc.message.isascii():  # a message xlqc's own code wrote
        return f"{subject}：{exc.message}"
    return f"{subject} 的值无效"


def _suggest(typo: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(typo, list(choices), n=3)
    return f"（是不是要用 {'、'.join(close)}？）" if close else ""


def _option_named(ctx: Context | None, name: str) -> Any:
    for param in ctx.command.get_params(ctx) if ctx else []:
        if name in param.opts or name in param.secondary_opts:
            return param
    return None


def usage_error(exc: UsageError) -> tuple[str, str] | None:
    """A usage error as (one Chinese sentence, a hint naming the help to read); None when
    a command given nothing has shown its help instead (``no_args_is_help``)."""
    if isinstance(exc, click_errors.NoArgsIsHelpError):
        return None
    ctx = exc.ctx
    path = ctx.command_path if ctx else "xlqc"
    helps = ctx.help_option_names if ctx else ["-h"]
    hint = f"运行 {path} {helps[0]} 查看用法"
    if isinstance(exc, _ChineseUsageError):
        return exc.message, hint
    if isinstance(exc, click_errors.MissingParameter):
        param = exc.param
        if isinstance(param, TyperOption):
            return f"缺少选项 {_names(param)}", hint
        return f"缺少参数{_names(param) if param else ''}", hint
    if isinstance(exc, click_errors.NoSuchOption):
        suggestion = _suggest(exc.option_name, exc.possibilities or [])
        return f"没有 {exc.option_name} 这个选项{suggestion}", hint
    if isinstance(exc, click_errors.BadOptionUsage):
        option = _option_named(ctx, exc.option_name)
        if option is not None and option.is_flag:
            return f"选项 {exc.option_name} 后面不能带值", hint
        return f"选项 {exc.option_name} 后面缺少值", hint
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(exc), hint
    return "命令行用法不对", hint
