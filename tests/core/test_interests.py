"""The interest codes live in one place; each has one name, and the database takes exactly them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.audience import AudienceError, parse_audience
from bot.core.interests import INTERESTS, interest_label
from bot.render import Renderer

ROOT = Path(__file__).resolve().parents[2]


def test_every_interest_has_a_name_and_names_differ() -> None:
    renderer = Renderer()
    names = [renderer.label(interest_label(code)) for code in INTERESTS]
    assert all(names)
    assert len(set(names)) == len(INTERESTS)


def test_the_registrations_table_checks_exactly_these_codes() -> None:
    sql = (ROOT / "bot/store/migrations/0004_registrations_officers.sql").read_text()
    found = re.search(r"CHECK \(interest IN \(([^)]*)\)\)", sql)
    assert found is not None
    assert tuple(code.strip(" '") for code in found.group(1).split(",")) == INTERESTS


def test_an_audience_takes_each_code_and_refuses_another() -> None:
    for code in INTERESTS:
        assert parse_audience(f"quan_tam={code.upper()}").interest == code
    with pytest.raises(AudienceError) as refused:
        parse_audience("quan_tam=pension")
    assert all(code in str(refused.value) for code in INTERESTS)


def test_a_sentence_names_the_sponsor_in_full_and_the_others_as_on_their_button() -> None:
    renderer = Renderer()
    for code in INTERESTS:
        text = renderer.text("register/ask_consent", {"interest": code, "retry": False})
        full = "interest.sponsor.in_full" if code == "sponsor" else interest_label(code)
        assert renderer.label(full) in text
    assert len(renderer.label("interest.sponsor.in_full")) > len(
        renderer.label(interest_label("sponsor"))
    )
