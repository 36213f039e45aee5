"""The place question, decided purely: when it is asked, buttons, typed names, skip and /xa."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.effects import ListPlaces, Outcomes, SetPlace
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.places import Place, PlaceBook
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind, State

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
BOOK = PlaceBook(
    (
        Place("Ea Tul", "Thôn 3"),
        Place("Ea Tul", "Buôn Kmu"),
        Place("Cư Né", "Thôn 1"),
        Place("Cư Né", "Thôn 3"),
    )
)
QUESTION = "thẻ bhyt hết hạn thì làm sao"


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def turn(
    kind: Kind,
    text: str = "",
    *,
    state: State | None = None,
    place: Place | None = None,
    unknown: bool = True,
    today: date = date(2026, 11, 25),
) -> Turn:
    command = text.removeprefix("/") if kind is Kind.COMMAND else ""
    incoming = Incoming("test", "1", kind, text=text, command=command, display_name="Lan")
    return Turn(
        incoming=incoming,
        text=text,
        state=state,
        stopped=False,
        now=NOW,
        today=today,
        place=place,
        place_unknown=unknown and place is None,
    )


def decide(dialog: Dialog, asked: Turn) -> Decision:
    """Decide as the engine does: run ListPlaces when asked to, then decide again."""
    first = dialog.decide(asked)
    if not first.then_decide:
        return first
    assert first.effects == (ListPlaces(),)
    return dialog.decide(replace(asked, outcomes=Outcomes().added(ListPlaces(), BOOK)))


def test_asked_after_the_first_answer_with_the_known_communes(dialog: Dialog) -> None:
    decision = decide(dialog, turn(Kind.TEXT, QUESTION))
    *answer, asked = decision.says
    assert answer[0].template.startswith("topics/")
    assert asked.template == "place/ask"
    assert [c.args.get("name") for c in asked.choices] == ["Ea Tul", "Cư Né", None]
    assert asked.choices[-1].payload == "place:skip"
    assert decision.state is not None
    assert decision.state.flow == "place"


def test_not_asked_when_the_place_is_known_or_the_caller_keeps_none(dialog: Dialog) -> None:
    known = decide(dialog, turn(Kind.TEXT, QUESTION, place=Place("Ea Tul")))
    silent = decide(dialog, turn(Kind.TEXT, QUESTION, unknown=False))
    for decision in (known, silent):
        assert [s.template for s in decision.says if s.template.startswith("place/")] == []


def test_not_asked_after_a_greeting_or_inside_a_flow(dialog: Dialog) -> None:
    start = decide(dialog, turn(Kind.COMMAND, "/start"))
    assert [s.template for s in start.says] == ["start"]
    in_flow = decide(dialog, turn(Kind.BUTTON, "reg"))
    assert "place/ask" not in [s.template for s in in_flow.says]


def test_a_commune_button_then_a_village_button_records_the_place(dialog: Dialog) -> None:
    asked = decide(dialog, turn(Kind.TEXT, QUESTION))
    commune = decide(dialog, turn(Kind.BUTTON, "place:c:1", state=asked.state))
    (village_ask,) = commune.says
    assert village_ask.template == "place/ask_village"
    assert [c.args.get("name") for c in village_ask.choices[:2]] == ["Thôn 1", "Thôn 3"]
    saved = decide(dialog, turn(Kind.BUTTON, "place:v:1", state=commune.state))
    assert saved.effects == (SetPlace("Cư Né", "Thôn 3", False),)
    assert saved.says[0].template == "place/saved"
    assert saved.state is None or saved.state.flow == "chat"


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("thon 3, cu ne", ("Cư Né", "Thôn 3")),
        ("Buon Kmu", ("Ea Tul", "Buôn Kmu")),
        ("Thôn 9; Hòa Phú", ("Hòa Phú", "Thôn 9")),
        ("thôn 9, cư m'gar", ("Cư M'gar", "Thôn 9")),
    ],
)
def test_typed_names_are_matched_without_diacritics(
    dialog: Dialog, typed: str, place: tuple[str, str]
) -> None:
    asked = decide(dialog, turn(Kind.TEXT, QUESTION))
    saved = decide(dialog, turn(Kind.TEXT, typed, state=asked.state))
    assert saved.effects == (SetPlace(*place, False),)


def test_a_typed_commune_alone_asks_the_village_next(dialog: Dialog) -> None:
    asked = decide(dialog, turn(Kind.TEXT, QUESTION))
    commune = decide(dialog, turn(Kind.TEXT, "ea tul", state=asked.state))
    assert commune.says[0].template == "place/ask_village"
    assert commune.says[0].data["commune"] == "Ea Tul"
    typed = decide(dialog, turn(Kind.TEXT, "thon 3", state=commune.state))
    assert typed.effects == (SetPlace("Ea Tul", "Thôn 3", False),)
    skipped = decide(dialog, turn(Kind.BUTTON, "place:nv", state=commune.state))
    assert skipped.effects == (SetPlace("Ea Tul", "", False),)


def test_a_question_instead_of_a_place_is_answered(dialog: Dialog) -> None:
    asked = decide(dialog, turn(Kind.TEXT, QUESTION))
    answered = decide(
        dialog, turn(Kind.TEXT, "đóng bhyt hộ gia đình bao nhiêu?", state=asked.state)
    )
    assert not [e for e in answered.effects if isinstance(e, SetPlace)]
    assert answered.says[0].template.startswith(("topics/", "asked/"))


def test_asked_at_most_twice_on_separate_days_and_never_after_a_skip(dialog: Dialog) -> None:
    first = decide(dialog, turn(Kind.TEXT, QUESTION))
    ignored = decide(dialog, turn(Kind.TEXT, QUESTION, state=first.state))  # a question again
    assert "place/ask" not in [s.template for s in ignored.says]  # once a day
    tomorrow = date(2026, 11, 26)
    second = decide(dialog, turn(Kind.TEXT, QUESTION, state=ignored.state, today=tomorrow))
    assert second.says[-1].template == "place/ask"
    later = tomorrow + timedelta(days=1)
    third = decide(dialog, turn(Kind.TEXT, QUESTION, state=second.state, today=later))
    assert "place/ask" not in [s.template for s in third.says]

    skip = decide(dialog, turn(Kind.BUTTON, "place:skip", state=first.state))
    assert skip.says[0].template == "place/skipped"
    after = decide(dialog, turn(Kind.TEXT, QUESTION, state=skip.state, today=tomorrow))
    assert "place/ask" not in [s.template for s in after.says]


def test_xa_shows_the_place_and_changes_it_on_purpose(dialog: Dialog) -> None:
    shown = decide(dialog, turn(Kind.COMMAND, "/xa", place=Place("Ea Tul", "Thôn 3")))
    assert shown.says[0].template == "place/show"
    assert shown.says[0].choices[0].payload == "place:change"
    change = decide(dialog, turn(Kind.BUTTON, "place:change", place=Place("Ea Tul", "Thôn 3")))
    changed = decide(dialog, turn(Kind.TEXT, "Thôn 1, Cư Né", state=change.state))
    assert changed.effects == (SetPlace("Cư Né", "Thôn 1", True),)
    none = decide(dialog, turn(Kind.COMMAND, "/xa"))
    assert [s.template for s in none.says] == ["place/none", "place/ask"]


@pytest.mark.parametrize("hostile", ["<b>x</b>", "'; DROP TABLE contacts; --", "?!", "a" * 500])
def test_hostile_text_is_text(dialog: Dialog, hostile: str) -> None:
    asked = decide(dialog, turn(Kind.TEXT, QUESTION))
    decision = decide(dialog, turn(Kind.TEXT, hostile, state=asked.state))
    for effect in decision.effects:
        if isinstance(effect, SetPlace):
            assert len(effect.commune) <= 100


@pytest.mark.parametrize("payload", ["place:c:0", "place:v:3", "place:c:99", "place:c:x", "place:"])
def test_a_place_button_without_its_question_is_an_expired_button(
    dialog: Dialog, payload: str
) -> None:
    decision = decide(dialog, turn(Kind.BUTTON, payload))
    assert [s.template for s in decision.says] == ["expired_button"]
    assert decision.effects == ()
