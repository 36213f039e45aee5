"""The /broadcast steps decided purely: no database, no clock, only the draft and the event."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.audience import AudienceError, Scope, parse_audience
from bot.core.hours import SendingHours
from bot.officers.broadcasts.choices import short_id
from bot.officers.broadcasts.steps import (
    Confirm,
    Context,
    Note,
    Press,
    Say,
    Show,
    Start,
    Typed,
    decide,
    village_commune,
)
from bot.store.drafts import Draft, DraftStep, Place

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 21:00 in Vietnam
OFFICER = "zalo:officer-1"
AN_PHU = Scope(frozenset({"an phu"}))


def context(draft: Draft | None, scope: Scope = AN_PHU, **places: tuple[Place, ...]) -> Context:
    return Context(OFFICER, scope, draft, NOW, SendingHours(8, 20, TZ), **places)


def draft(step: DraftStep, **fields: object) -> Draft:
    return replace(Draft(OFFICER, "abc123", OFFICER, step), **fields)  # type: ignore[arg-type]


def press(found: Draft, code: str, action: str, arg: str = "") -> Press:
    payload = f"off:bc:d:{found.token}:{code}:{action}"
    return Press(f"{payload}:{arg}" if arg else payload)


def test_a_new_draft_starts_at_the_audience_or_at_the_communes_for_an_administrator() -> None:
    officer = decide(Start("", OFFICER, "t1"), context(None))
    admin = decide(Start("", OFFICER, "t1"), context(None, Scope.everywhere()))
    assert isinstance(officer, Show)
    assert officer.draft.step is DraftStep.AUDIENCE
    assert isinstance(admin, Show)
    assert admin.draft.step is DraftStep.COMMUNES
    assert officer.save
    assert officer.draft.token == "t1"


def test_a_draft_is_written_only_in_private_unless_it_comes_whole() -> None:
    in_group = decide(Start("thon=Thôn 3", "telegram:-100", "t1"), context(None))
    whole = decide(Start("thon=Thôn 3\nHọp thôn lúc 8 giờ", "telegram:-100", "t1"), context(None))
    assert in_group == Say(Note("private_only"))
    assert isinstance(whole, Show)
    assert whole.draft.step is DraftStep.PREVIEW
    assert whole.draft.template == "Họp thôn lúc 8 giờ"


def test_an_audience_outside_the_officers_communes_is_refused_at_once() -> None:
    outcome = decide(Start("xa=Hòa Bình", OFFICER, "t1"), context(None))
    assert isinstance(outcome, Say)
    assert outcome.note.name == "refused"
    assert isinstance(outcome.note.error, AudienceError)
    assert outcome.note.error.key == "audience.why.own_commune"


def test_tat_ca_means_everyone_with_or_without_marks() -> None:
    for said in ("tất cả", "Tat ca", "*"):
        outcome = decide(Start(said, OFFICER, "t1"), context(None))
        assert isinstance(outcome, Show)
        assert outcome.draft.step is DraftStep.MESSAGE
        assert outcome.draft.audience == parse_audience("").text()


def test_a_button_of_an_older_draft_or_an_earlier_screen() -> None:
    current = draft(DraftStep.WHEN)
    older = replace(current, token="zzz999")
    assert decide(press(older, "w", "now"), context(current)) == Say(Note("gone"))
    assert decide(press(current, "w", "now"), context(None)) == Say(Note("gone"))
    assert decide(press(current, "a", "next"), context(current)) == Show(
        current, Note("stale"), save=False
    )


def test_drop_works_from_any_screen_and_removes_the_draft() -> None:
    for step, code in ((DraftStep.AUDIENCE, "a"), (DraftStep.CONFIRM, "c")):
        current = draft(step)
        assert decide(press(current, code, "drop"), context(current)) == Say(
            Note("dropped"), drop=True
        )


def test_village_buttons_toggle_and_changing_communes_drops_the_villages() -> None:
    village = Place("thon 3", "Thôn 3")
    at_audience = draft(DraftStep.AUDIENCE)
    chosen = decide(
        press(at_audience, "a", "v", short_id(village.key)),
        context(at_audience, villages=(village,)),
    )
    assert isinstance(chosen, Show)
    assert parse_audience(chosen.draft.audience).villages == ("Thôn 3",)
    commune = Place("hoa binh", "Hòa Bình")
    at_communes = draft(DraftStep.COMMUNES, audience="xa=An Phú; thon=Thôn 3")
    changed = decide(
        press(at_communes, "x", "x", short_id(commune.key)),
        context(at_communes, Scope.everywhere(), communes=(commune,)),
    )
    assert isinstance(changed, Show)
    audience = parse_audience(changed.draft.audience)
    assert set(audience.communes) == {"An Phú", "Hòa Bình"}
    assert audience.villages == ()


def test_next_at_the_communes_step_needs_a_commune() -> None:
    empty = draft(DraftStep.COMMUNES)
    outcome = decide(press(empty, "x", "next"), context(empty, Scope.everywhere()))
    assert outcome == Show(empty, Note("pick_commune"), save=False)


def test_tomorrow_morning_is_the_next_local_day_at_the_opening_hour() -> None:
    at_when = draft(DraftStep.WHEN)
    outcome = decide(press(at_when, "w", "morning"), context(at_when))
    assert isinstance(outcome, Show)
    assert outcome.draft.step is DraftStep.CONFIRM
    assert outcome.draft.send_at == datetime(2026, 12, 4, 8, 0, tzinfo=TZ)
    assert not outcome.draft.urgent


def test_a_typed_time_in_the_past_is_refused_with_the_way_back() -> None:
    waiting = draft(DraftStep.WHEN_TEXT)
    past = decide(Typed("02/12/2026 09:30"), context(waiting))
    assert isinstance(past, Say)
    assert past.note.name == "time_refused"
    assert past.draft == waiting
    assert not past.save
    later = decide(Typed("04/12/2026 9h30"), context(waiting))
    assert isinstance(later, Show)
    assert later.draft.send_at == datetime(2026, 12, 4, 9, 30, tzinfo=TZ)


def test_cancel_words_drop_a_waiting_draft_and_text_without_one_finds_it_gone() -> None:
    waiting = draft(DraftStep.MESSAGE)
    assert decide(Typed("Hủy"), context(waiting)) == Say(Note("dropped"), drop=True)
    assert decide(Typed("nội dung"), context(None)) == Say(Note("gone"))
    at_preview = draft(DraftStep.PREVIEW)
    assert decide(Typed("nội dung"), context(at_preview)) == Say(Note("gone"))


def test_a_bad_template_keeps_the_draft_at_the_message_in_private_only() -> None:
    waiting = draft(DraftStep.MESSAGE)
    private = decide(Typed("Chào {{ ten"), context(waiting))
    assert isinstance(private, Say)
    assert private.note.name == "template_refused"
    assert private.save
    assert private.draft is not None
    assert private.draft.step is DraftStep.MESSAGE
    group = decide(Start("*\nChào {{ ten", "telegram:-100", "t1"), context(None))
    assert isinstance(group, Say)
    assert group.note.name == "refused"
    assert group.draft is None


def test_confirm_and_urgency_at_the_last_step() -> None:
    last = draft(DraftStep.CONFIRM, template="Họp thôn")
    assert decide(press(last, "c", "ok"), context(last)) == Confirm(last)
    toggled = decide(press(last, "c", "urg"), context(last))
    assert isinstance(toggled, Show)
    assert toggled.draft.urgent
    assert toggled.draft.step is DraftStep.CONFIRM


def test_villages_are_offered_only_for_one_commune() -> None:
    assert village_commune(parse_audience(""), AN_PHU) == "an phu"
    everywhere = Scope.everywhere()
    assert village_commune(parse_audience("xa=An Phú"), everywhere) == "an phu"
    assert village_commune(parse_audience("xa=An Phú,Hòa Bình"), everywhere) is None
    assert village_commune(parse_audience(""), everywhere) is None


def test_an_administrator_picks_everyone_or_those_whose_commune_is_not_known() -> None:
    admin = Scope.everywhere()
    at_communes = draft(DraftStep.COMMUNES, audience="xa=An Phú")
    unknown = decide(press(at_communes, "x", "xu"), context(at_communes, admin))
    assert isinstance(unknown, Show)
    assert unknown.draft.audience == "xa=?"
    assert village_commune(parse_audience(unknown.draft.audience), admin) is None
    onward = decide(press(unknown.draft, "x", "next"), context(unknown.draft, admin))
    assert isinstance(onward, Show)
    assert onward.draft.step is DraftStep.AUDIENCE
    everyone = decide(press(unknown.draft, "x", "xa"), context(unknown.draft, admin))
    assert isinstance(everyone, Show)
    assert everyone.draft.audience == "xa=*"
    undone = decide(press(everyone.draft, "x", "xa"), context(everyone.draft, admin))
    assert isinstance(undone, Show)
    assert undone.draft.audience == ""
