"""Reasons keep their label key and values, and read as the label's text."""

from __future__ import annotations

from datetime import date

import pytest

from bot.officers.broadcasts.template import TemplateError, compile_template
from bot.officers.importing.values import BadValue, parse_expiry
from bot.reasons import Reason, outbox_reason
from bot.render import Renderer
from bot.store.outbox import OutboxReason


def test_a_reason_is_its_label_text_and_keeps_key_and_values() -> None:
    reason = Reason("import.row.same_bhxh", bhxh="0123456789", row=5)
    assert reason == "Trùng mã số BHXH 0123456789 với dòng 5"
    assert (reason.key, reason.values) == ("import.row.same_bhxh", {"bhxh": "0123456789", "row": 5})
    assert Renderer().label(reason.key, reason.values) == reason


def test_refusals_carry_a_code_not_only_words() -> None:
    with pytest.raises(TemplateError) as refused:
        compile_template("{{ so_dt }}")
    assert refused.value.reason.key == "broadcast.why.field"
    assert refused.value.reason.values["name"] == "so_dt"
    assert str(refused.value).startswith("Không có trường “so_dt”. Chỉ dùng: {{ ten }}, ")
    with pytest.raises(BadValue) as bad:
        parse_expiry("01/01/1990", today=date(2026, 11, 25))
    assert bad.value.reason.key == "import.cell.expiry_year"
    assert bad.value.reason == "01/01/1990 (năm 1990 không hợp lý)"


def test_every_outbox_reason_code_reads_in_vietnamese() -> None:
    renderer = Renderer()
    for code in OutboxReason:
        said = outbox_reason(code.value, renderer)
        assert said
        assert said != code.value
    assert outbox_reason("daily_cap") == "đã nhận đủ tin trong ngày"


def test_a_stored_reason_that_is_no_code_is_shown_as_it_is() -> None:
    assert outbox_reason("connection reset by peer") == "connection reset by peer"
    assert outbox_reason("") == ""
