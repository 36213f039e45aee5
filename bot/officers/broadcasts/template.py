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

from bot.reasons import Refused

__all__ = [
    "FIELDS",
    "MAX_LENGTH",
    "SAMPLE",
    "OfficerTemplate",
    "TemplateError",
    "compile_template",
]

FIELDS = ("ten", "ho_ten", "han_the", "so_ngay", "xa", "thon")
"""The fields officers may use; what each holds is the label `broadcast.field.<name>`."""
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


class TemplateError(Refused):
    """A template officers may not use; `reason` says why (labels `broadcast.why.*`)."""


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
        raise TemplateError("broadcast.why.empty")
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError("broadcast.why.syntax", line=exc.lineno, message=exc.message) from None
    for node in tree.find_all(nodes.Node):
        _check(node)
    template = OfficerTemplate(text)
    try:
        sample = template.render(SAMPLE)
    except (SecurityError, UndefinedError, TypeError, ValueError) as exc:
        raise TemplateError("broadcast.why.unusable", error=str(exc)) from None
    if len(sample) > MAX_LENGTH:
        raise TemplateError("broadcast.why.too_long", limit=MAX_LENGTH)
    return template


def _check(node: nodes.Node) -> None:
    """Refuse any construct but listed fields, text filters and if-blocks."""
    if isinstance(node, nodes.Name):
        if node.ctx != "load" or node.name not in FIELDS:
            raise TemplateError("broadcast.why.field", name=node.name, fields=FIELDS)
        return
    if isinstance(node, nodes.Filter):
        if node.name not in _FILTERS:
            raise TemplateError("broadcast.why.filter", name=node.name)
        return
    if isinstance(node, nodes.Const) and not isinstance(node.value, str):
        raise TemplateError("broadcast.why.constant")
    if not isinstance(node, _ALLOWED):
        raise TemplateError("broadcast.why.construct", node=type(node).__name__)
