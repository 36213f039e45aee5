"""Officer message templates: a sandboxed jinja2 environment apart from the project's own.

Officers may write plain text with `{{ field }}` placeholders from FIELDS, a few text filters
(`{{ ten | upper }}`) and `{% if field %}…{% endif %}`. Anything else — attributes, calls,
loops, unknown fields, broken syntax — is refused with a Vietnamese reason before anything
is saved or sent. The output is plain text (no autoescape, no markup).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = [
    "FIELDS",
    "MAX_LENGTH",
    "SAMPLE",
    "OfficerTemplate",
    "TemplateError",
    "compile_template",
]

FIELDS: Mapping[str, str] = {
    "ten": "tên gọi (chữ cuối của họ tên)",
    "ho_ten": "họ và tên",
    "han_the": "ngày hết hạn thẻ BHYT, dd/mm/yyyy (trống nếu chưa có trong danh sách)",
    "so_ngay": "số ngày đến hạn thẻ (âm nếu đã hết hạn; trống nếu chưa có)",
    "xa": "xã",
    "thon": "thôn",
}
SAMPLE: Mapping[str, str] = {
    "ten": "Lan",
    "ho_ten": "Nguyễn Thị Lan",
    "han_the": "31/12/2026",
    "so_ngay": "36",
    "xa": "Ea Tul",
    "thon": "Thôn 3",
}
MAX_LENGTH = 4000
_FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "default"})
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Filter,
)


class TemplateError(ValueError):
    """A template officers may not use; the message says why, in Vietnamese."""


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False
    )
    env.filters = {name: env.filters[name] for name in _FILTERS}
    env.globals.clear()
    env.tests = {}
    return env


_ENV = _environment()


@lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    """Compile a checked source once (compiling costs about a millisecond)."""
    return _ENV.from_string(source)


@dataclass(frozen=True, slots=True)
class OfficerTemplate:
    """A checked officer template, ready to render for each recipient."""

    source: str

    def render(self, values: Mapping[str, str]) -> str:
        """Return the plain text for one recipient (`values` holds every field)."""
        return _compiled(self.source).render(dict(values)).strip()


def compile_template(source: str) -> OfficerTemplate:
    """Check an officer's template; raise TemplateError with the reason if it is refused."""
    text = source.strip()
    if not text:
        raise TemplateError("Nội dung tin nhắn đang trống.")
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"Mẫu tin sai cú pháp ở dòng {exc.lineno}: {exc.message}.") from None
    for node in tree.find_all(nodes.Node):
        _check(node)
    template = OfficerTemplate(text)
    try:
        sample = template.render(SAMPLE)
    except (SecurityError, UndefinedError, TypeError, ValueError) as exc:
        raise TemplateError(f"Mẫu tin không dùng được: {exc}.") from None
    if len(sample) > MAX_LENGTH:
        raise TemplateError(f"Tin nhắn dài quá {MAX_LENGTH} ký tự.")
    return template


def _check(node: nodes.Node) -> None:
    """Refuse any construct but listed fields, text filters and if-blocks."""
    if isinstance(node, nodes.Name):
        if node.ctx != "load" or node.name not in FIELDS:
            raise TemplateError(
                f"Không có trường “{node.name}”. Chỉ dùng: "
                + ", ".join("{{ " + name + " }}" for name in FIELDS)
                + "."
            )
        return
    if isinstance(node, nodes.Filter):
        if node.name not in _FILTERS:
            raise TemplateError(f"Không dùng được bộ lọc “{node.name}”.")
        return
    if isinstance(node, nodes.Const) and not isinstance(node.value, str):
        raise TemplateError("Chỉ dùng chữ trong ngoặc kép làm giá trị cố định.")
    if not isinstance(node, _ALLOWED):
        raise TemplateError(
            "Mẫu tin chỉ được có chữ, {{ trường }} và {% if trường %}…{% endif %};"
            f" không dùng “{type(node).__name__}”."
        )
