"""Word templates compiled once, rendered many times, in a Jinja sandbox.

A template is a docxtpl .docx (``{{ … }}``, ``{%p … %}``, ``{%tr … %}`` tags in its text). Where
docxtpl re-reads the template, re-patches and re-compiles its XML for every document, a
:class:`CompiledTemplate` does that once: each part holding tags (document, headers, footers) is
cleaned with docxtpl's own ``patch_xml`` and compiled in a :class:`SandboxedEnvironment` with
autoescape and :class:`StrictUndefined`; the untouched parts are compressed once into a base zip.
Rendering a document is then one Jinja render per tagged part appended to a copy of that base.

User text is data: autoescape turns ``& < > "`` into XML entities and a value is never parsed as
a template, so ``{{ x }}`` in a name comes out literally.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from xlqc.errors import XlqcError
from xlqc.resources import read_resource

_TAGGED_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_HAS_TAG = re.compile(r"\{[{%#]")


def sandbox() -> SandboxedEnvironment:
    """The only Jinja environment xlqc renders with."""
    return SandboxedEnvironment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )


class CompiledTemplate:
    """A .docx template ready to render; ``name`` is used in error messages."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        env = sandbox()
        patcher = DocxTemplate(io.BytesIO(data))  # only its patch_xml() is used
        self._sources: dict[str, str] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        base = io.BytesIO()
        try:
            with (
                zipfile.ZipFile(io.BytesIO(data)) as src,
                zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as dst,
            ):
                for info in src.infolist():
                    raw = src.read(info)
                    if _TAGGED_PART.fullmatch(info.filename):
                        xml = patcher.patch_xml(raw.decode("utf-8"))
                        if _HAS_TAG.search(xml):
                            self._sources[info.filename] = xml
                            self._compiled[info.filename] = env.from_string(xml)
                            continue
                    dst.writestr(info, raw)
        except jinja2.TemplateSyntaxError as exc:
            raise XlqcError(f"模板「{name}」中的标记有误：{exc.message}") from None
        except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
            raise XlqcError(f"模板「{name}」不是有效的 Word 文档（.docx）") from None
        self._base = base.getvalue()

    def variables(self) -> set[str]:
        """Every top-level variable the template uses."""
        env = sandbox()
        found: set[str] = set()
        for xml in self._sources.values():
            found |= meta.find_undeclared_variables(env.parse(xml))
        return found

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The .docx bytes of the template filled with ``context``."""
        out = io.BytesIO(self._base)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for part, template in self._compiled.items():
                try:
                    xml = template.render(context)
                except jinja2.UndefinedError as exc:
                    raise XlqcError(
                        f"模板「{self.name}」用到了未提供的内容：{exc.message}"
                    ) from None
                except jinja2.exceptions.SecurityError:
                    raise XlqcError(f"模板「{self.name}」含有不允许的操作") from None
                except jinja2.TemplateError as exc:
                    raise XlqcError(f"模板「{self.name}」无法填写：{exc.message}") from None
                zf.writestr(part, xml.encode("utf-8"))
        return out.getvalue()


@functools.cache
def load_template(file_name: str) -> CompiledTemplate:
    """A template shipped with xlqc (the repository's templates/ folder)."""
    try:
        data = read_resource("templates", file_name)
    except OSError:
        raise XlqcError(f"找不到模板「{file_name}」，请重新安装 xlqc") from None
    return CompiledTemplate(data, file_name)
