"""Officer templates: listed fields only, sandboxed, refused with a reason."""

from __future__ import annotations

import pytest

from bot.officers.broadcasts.template import SAMPLE, TemplateError, compile_template


def test_renders_listed_fields_as_plain_text() -> None:
    template = compile_template("Chào {{ ten }} <b>, thẻ hết hạn {{ han_the }} ({{ xa | upper }})")
    text = template.render({**SAMPLE, "ten": "Hùng & Lan"})
    assert text == "Chào Hùng & Lan <b>, thẻ hết hạn 31/12/2026 (EA TUL)"


def test_if_block_on_a_field() -> None:
    template = compile_template("{% if han_the %}Hạn {{ han_the }}{% else %}Chưa có thẻ{% endif %}")
    assert template.render({**SAMPLE, "han_the": ""}) == "Chưa có thẻ"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ ''.__class__ }}", "Getattr"),
        ("{{ ten.__class__.__mro__ }}", "Getattr"),
        ("{{ so_cmnd }}", "Không có trường “so_cmnd”"),
        ("{{ ten }", "sai cú pháp"),
        ("{% for x in ten %}{{ x }}{% endfor %}", "“For”"),
        ("{{ ten | attr('upper') }}", "bộ lọc “attr”"),
        ("{{ range(10) }}", "“Call”"),
        ("{{ ten['a'] }}", "Getitem"),
        ("   ", "trống"),
    ],
)
def test_refuses_anything_but_fields(source: str, reason: str) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source)
    assert reason in str(caught.value)


def test_refuses_overlong_text() -> None:
    with pytest.raises(TemplateError):
        compile_template("a" * 4001)
