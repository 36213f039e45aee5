"""The audience syntax and the commune scope."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.audience import (
    AudienceError,
    CardRule,
    CardStatus,
    Scope,
    parse_audience,
    scoped,
)
from bot.core.places import place_key
from bot.render import Renderer


def test_parses_every_clause_and_writes_it_back() -> None:
    audience = parse_audience(
        "xa=Ea Tul, Cư Né; thon=Thôn 3; the=het_han>30; quan_tam=voluntary; lien_ket=co"
    )
    assert audience.communes == ("Ea Tul", "Cư Né")
    assert audience.villages == ("Thôn 3",)
    assert audience.card == CardRule(CardStatus.EXPIRED, 30)
    assert audience.interest == "voluntary"
    assert audience.linked is True
    assert parse_audience(audience.text()) == audience


@pytest.mark.parametrize(
    "text",
    [
        "the=sap_het",
        "the=het_han<3",
        "the=chua_co>3",
        "the=moi",
        "quan_tam=vip",
        "lien_ket=maybe",
        "tuoi=30",
        "xa",
        "xa=Ea Tul; xa=Cư Né",
    ],
)
def test_refuses_bad_clauses_with_a_reason(text: str) -> None:
    with pytest.raises(AudienceError) as caught:
        parse_audience(text)
    said = Renderer().label(caught.value.key, caught.value.values)
    assert said
    assert "{" not in said


def test_officer_gets_own_commune_when_none_named() -> None:
    scope = Scope.commune(place_key("Ea Tul"))
    assert scoped(parse_audience("thon=Thôn 3"), scope) == (place_key("Ea Tul"),)


@pytest.mark.parametrize("text", ["xa=Cư Né", "xa=Ea Tul, Cư Né", "xa=*", "xa=?"])
def test_officer_cannot_reach_another_commune(text: str) -> None:
    with pytest.raises(AudienceError):
        scoped(parse_audience(text), Scope.commune(place_key("Ea Tul")))


def test_admin_names_communes_or_all() -> None:
    admin = Scope.everywhere()
    assert scoped(parse_audience("xa=*"), admin) is None
    assert scoped(parse_audience("xa=Ea Tul, Cư Né"), admin) == (
        place_key("Ea Tul"),
        place_key("Cư Né"),
    )
    with pytest.raises(AudienceError):
        scoped(parse_audience("the=het_han"), admin)


def test_unknown_commune_is_its_own_choice_and_reads_back() -> None:
    unknown = parse_audience("xa=?; the=chua_co")
    assert (unknown.unknown_commune, unknown.all_communes, unknown.communes) == (True, False, ())
    assert unknown.text() == "xa=?; the=chua_co"
    assert parse_audience(unknown.text()) == unknown
    assert scoped(unknown, Scope.everywhere()) is None
    assert not parse_audience("xa=*").unknown_commune
    with pytest.raises(AudienceError):
        parse_audience("xa=?; xa=*")


def test_every_reason_the_core_gives_has_its_words() -> None:
    source = Path(__file__).resolve().parents[2] / "bot/core/audience.py"
    reasons = set(re.findall(r'AudienceError\("(\w+)"', source.read_text(encoding="utf-8")))
    assert len(reasons) >= 10
    renderer = Renderer()
    for reason in reasons:
        values = dict.fromkeys(("clause", "key", "value", "codes", "status", "sign"), "x")
        assert renderer.label(f"audience.why.{reason}", values)
