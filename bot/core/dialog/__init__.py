"""The conversation core: (turn) -> decision. Pure: no I/O, no clock, no channel types."""

from __future__ import annotations

from dataclasses import replace

from bot.core.addressing import self_address
from bot.core.dialog.answers import OFFERED, Answers
from bot.core.dialog.calculator import FLOW as CALC_FLOW
from bot.core.dialog.calculator import Calculator
from bot.core.dialog.memory import split_memory, with_memory
from bot.core.dialog.menu import MAIN_MENU, back_to_menu, main_menu
from bot.core.dialog.place import ASKED, MAX_ASKS, SKIPPED, PlaceQuestion, counted, due
from bot.core.dialog.place import FLOW as PLACE_FLOW
from bot.core.dialog.privacy import FLOW as PRIVACY_FLOW
from bot.core.dialog.privacy import Privacy, wants
from bot.core.dialog.registration import FLOW as REGISTER_FLOW
from bot.core.dialog.registration import STEPS as REGISTER_STEPS
from bot.core.dialog.registration import Registration
from bot.core.dialog.reminders import FLOW as REMIND_FLOW
from bot.core.dialog.reminders import Reminders
from bot.core.dialog.turn import Turn
from bot.core.effects import ListPlaces, Resume, Stop, UseLeaflet
from bot.core.facts import FactBook
from bot.core.integers import ascii_int
from bot.core.knowledge import KnowledgeBase
from bot.core.leaflets import is_leaflet_code
from bot.core.leaving import asks_source, is_cancel, is_question
from bot.core.rates import RateBook
from bot.core.text import fold
from bot.core.types import Choice, Decision, Kind, Say, State

__all__ = ["Dialog", "Turn"]

_STOP_COMMANDS = frozenset({"stop", "ngung", "dung"})
_RESUME_COMMANDS = frozenset({"batdau", "nhantin"})
_RESUME_WORDS = frozenset({"bat dau", "batdau", "nhan tin lai", "nhan lai tin", "bat lai tin nhan"})
"""Folded texts that turn proactive messages back on for a person who stopped them."""
RESUME = Choice("resume", "menu.resume")
_PERSONAL_STEPS = {
    (REMIND_FLOW, "phone"): "phone",
    (REMIND_FLOW, "phone_birth"): "birth_date",
    (REMIND_FLOW, "id_number"): "id_number",
    (REMIND_FLOW, "birth"): "birth_date",
    (REMIND_FLOW, "expiry"): "expiry_date",
    (REGISTER_FLOW, "name"): "name",
    (REGISTER_FLOW, "phone"): "phone",
}
"""Steps whose answer is personal data: the message log keeps what was given, not the text."""
_NUMBER_STEPS = frozenset(
    {
        (CALC_FLOW, "members"),
        (CALC_FLOW, "months"),
        (CALC_FLOW, "income"),
        (CALC_FLOW, OFFERED.step),
        (REGISTER_FLOW, "household"),
    }
)
"""Steps that ask for a number: a typed number answers them and never picks a list item."""
_FREE_WORD_STEPS = frozenset(
    {(REGISTER_FLOW, "name"), (REGISTER_FLOW, "commune"), (REGISTER_FLOW, "village")}
)
"""Steps whose answer is free words: a text matching a topic there is a question."""
_HINTED_STEPS = frozenset(
    {
        *((REGISTER_FLOW, step) for step in REGISTER_STEPS),
        *((REMIND_FLOW, step) for step in ("phone", "phone_birth", "id_number", "birth", "expiry")),
        *((CALC_FLOW, step) for step in ("kind", "members", "months", "income")),
    }
)
"""Steps waiting for the resident's input: their question says in one line how to cancel."""
_NAME_LIKE = frozenset({"huy", "dung"})
"""Folded cancel words that are also given names ("Huy", "Dũng")."""
_MENU_WORDS = frozenset({"menu", "menu chinh", "xem menu", "quay lai", "bat dau", "start"})
_HELP_WORDS = frozenset({"help", "huong dan", "tro giup", "cach dung"})


class Dialog:
    """Decides what to answer; every flow is reached from here."""

    def __init__(self, kb: KnowledgeBase, book: RateBook, facts: FactBook | None = None) -> None:
        self.calculator = Calculator(book)
        self.reminders = Reminders()
        known = facts if facts is not None else FactBook.load()
        self.answers = Answers(kb, book, self.calculator, self.reminders, known)
        self.registration = Registration()
        self.privacy = Privacy()
        self.place = PlaceQuestion()

    @staticmethod
    def asks_number(state: State | None) -> bool:
        """Tell whether the step `state` is at asks for a number (so "4" means 4)."""
        return state is not None and (state.flow, state.step) in _NUMBER_STEPS

    def decide(self, turn: Turn) -> Decision:
        """Return the answer to one turn, in the resident's own form of address.

        The conversation's memory (the form the resident calls themselves by) rides in the
        saved state, under the flows' data; flows never see it. A step that asks for a
        number says so to channels; a step waiting for input says how to cancel.
        """
        remembered, state = split_memory(turn.state)
        inner = replace(turn, state=state)
        typed = turn.incoming.kind is Kind.TEXT
        sourcing = typed and asks_source(fold(turn.text))
        if sourcing and "topic" in remembered:
            decision = self.answers.topic(inner, remembered["topic"])
        else:
            decision = self._decide(inner)
        said = self_address(turn.text) if typed else None
        memory = {**remembered, "address": said} if said else dict(remembered)
        greet = bool(said) and said != remembered.get("address")
        decision = self._ask_place(inner, decision, memory)
        decision = _addressed(decision, memory, greet=greet)
        decision = _sourced(decision, memory, turn.today.isoformat(), asked=sourcing)
        return replace(decision, state=with_memory(decision.state, memory))

    def _ask_place(self, turn: Turn, decision: Decision, memory: dict[str, str]) -> Decision:
        """Add the place question after an answer when it is due; note a skip in `memory`."""
        if any(say.template == SKIPPED for say in decision.says):
            memory[ASKED] = str(MAX_ASKS)
        if not due(turn, decision, memory):
            return decision
        book = turn.outcomes.of(ListPlaces)
        if book is None:
            return _needs_places(turn)
        counted(memory, turn)
        say, state = self.place.ask(book, explicit=False)
        return replace(decision, says=(*decision.says, say), state=state)

    def _decide(self, turn: Turn) -> Decision:
        """Decide, then mark the last message with what its step expects."""
        decision = self._route_all(turn)
        if not decision.says:
            return decision
        *before, last = decision.says
        if self.asks_number(decision.state):
            last = replace(last, asks_number=True)
        state = decision.state
        if state is not None and (state.flow, state.step) in _HINTED_STEPS:
            last = replace(last, data={**last.data, "cancel_hint": True})
        return replace(decision, says=(*before, last))

    def _route_all(self, turn: Turn) -> Decision:
        """Return the answer to one turn.

        Stop first; then a person's own request to resume. Someone who stopped is still
        answered, with a button to switch messages back on under the answer; only they
        can switch them on. Someone a channel marked unreachable is reachable again by
        writing.
        """
        incoming = turn.incoming
        if incoming.kind is Kind.COMMAND and incoming.command in _STOP_COMMANDS:
            return Decision(says=(Say("stopped"),), effects=(Stop(),))
        if _asks_to_resume(turn):
            return Decision(says=(main_menu("resumed"),), effects=(Resume(),))
        decision = _log_input_as(turn, self._route(turn))
        if turn.blocked:
            return replace(decision, effects=(Resume(), *decision.effects))
        if turn.stopped and decision.says and Stop() not in decision.effects:
            *before, last = decision.says
            if RESUME not in last.choices:
                last = replace(last, choices=(*last.choices, RESUME))
            return replace(decision, says=(*before, last))
        return decision

    def _route(self, turn: Turn) -> Decision:
        incoming = turn.incoming
        if self.registration.expired(turn):
            rest = self._route(replace(turn, state=None))
            return replace(rest, says=(Say("register/expired"), *rest.says))
        if incoming.kind is Kind.COMMAND:
            return self._command(turn)
        if incoming.kind is Kind.BUTTON:
            return self._button(turn)
        if incoming.kind is Kind.TEXT and is_leaflet_code(incoming.text.strip()):
            return self._start(turn)  # a leaflet's code typed (Zalo has no deep links)
        if incoming.kind is Kind.TEXT:
            return self._text(turn)
        if incoming.kind is Kind.CONTACT and _in_flow(turn.state, REGISTER_FLOW):
            return self.registration.on_contact(turn)
        if incoming.kind is Kind.CONTACT and _in_flow(turn.state, REMIND_FLOW):
            return self.reminders.on_contact(turn)
        if incoming.kind is Kind.CONTACT:
            return Decision(says=(Say("contact_not_needed", choices=back_to_menu()),))
        return Decision(says=(Say("only_text", choices=MAIN_MENU),), state=turn.state)

    def _start(self, turn: Turn) -> Decision:
        """Greet; a leaflet's code (`/start l-…`) first records the village it names."""
        name = turn.incoming.display_name
        code = turn.incoming.text.strip()
        if is_leaflet_code(code):
            found = turn.outcomes.of(UseLeaflet)
            if found is None:
                return Decision(says=(), effects=(UseLeaflet(code),), then_decide=True)
            if found.commune:
                place = {"commune": found.commune, "village": found.village}
                return Decision(says=(main_menu("start_leaflet", name=name, **place),))
        return Decision(says=(main_menu("start", name=name),))

    def _command(self, turn: Turn) -> Decision:
        command = turn.incoming.command
        if command == "start":
            return self._start(turn)
        if command == "id":
            incoming = turn.incoming
            group = incoming.chat_id if incoming.chat_id not in ("", incoming.sender_id) else ""
            ids = {"channel": incoming.channel, "sender": incoming.sender_id, "group": group}
            return Decision(says=(Say("your_id", ids),), state=turn.state)
        if command == "help":
            return Decision(says=(main_menu("help"),))
        if command == "menu":
            return Decision(says=(main_menu(),))
        if command == "dangky":
            return self.registration.listing(turn)
        if command == "mydata":
            return self.privacy.my_data(turn)
        if command == "xoa":
            return self.privacy.ask_erase(turn)
        if command == "huy":
            return self.privacy.cancel(
                turn if _in_any_flow(turn.state) else replace(turn, state=None)
            )
        if command == "nhacnho":
            return self.reminders.overview(turn)
        if command == "xa":
            book = turn.outcomes.of(ListPlaces)
            return self.place.show(turn, book) if book is not None else _needs_places(turn)
        return Decision(says=(main_menu("unknown_command", command=command),), state=turn.state)

    def _button(self, turn: Turn) -> Decision:
        payload = turn.payload
        if payload == "menu":
            return Decision(says=(main_menu(),))
        if payload == "hotline":
            return Decision(says=(Say("hotline", choices=back_to_menu()),))
        if payload == "stop":
            return Decision(says=(Say("stopped"),), effects=(Stop(),))
        if payload == "flow:continue":
            return self._continue(turn)
        if payload == "flow:cancel":
            return self.privacy.cancel(turn)
        if payload == "topics":
            return self.answers.groups()
        if payload.startswith("group:"):
            return self.answers.group(payload.removeprefix("group:"))
        if payload.startswith("topic:"):
            return self.answers.topic(turn, payload.removeprefix("topic:"))
        if payload == "calc" or payload.startswith("calc:"):
            return self.calculator.on_button(turn, payload)
        if payload == "reg" or payload.startswith("reg:"):
            return self.registration.on_button(turn, payload)
        if payload.startswith("privacy:"):
            return self.privacy.on_button(turn, payload)
        if payload == "remind" or payload.startswith("remind:"):
            return self.reminders.on_button(turn, payload)
        if payload.startswith("place:"):
            book = turn.outcomes.of(ListPlaces)
            if book is None:
                return _needs_places(turn)
            return self.place.on_button(turn, payload, book)
        return Decision(says=(main_menu("expired_button"),))

    def _text(self, turn: Turn) -> Decision:
        if not turn.text.strip():
            return Decision(says=(main_menu("empty"),), state=turn.state)
        folded = fold(turn.text)
        if folded in _MENU_WORDS:
            return Decision(says=(main_menu(),))
        if folded in _HELP_WORDS:
            return Decision(says=(main_menu("help"),))
        state = turn.state
        if state is not None and (state.flow, state.step) == (OFFERED.flow, OFFERED.step):
            size = _bare_number(turn.text)
            if size is not None:
                return self.calculator.start(turn, {**OFFERED.data, "members": size})
            turn = replace(turn, state=None)  # anything else is a question of its own
            state = None
        if _in_flow(state, PLACE_FLOW):
            if not is_question(turn.text, folded) and not self.answers.understands(turn.text):
                book = turn.outcomes.of(ListPlaces)
                if book is None:
                    return _needs_places(turn)
                return self.place.on_text(turn, folded, book)
            turn = replace(turn, state=None)  # a question instead: answer it
            state = None
        naming = state is not None and (state.flow, state.step) == (REGISTER_FLOW, "name")
        if _in_any_flow(state) and _leaves(turn.text, folded, state, naming=naming):
            return self.privacy.cancel(turn)
        wanted = wants(turn.text, folded, naming=naming)
        if wanted == "stop":
            return Decision(says=(Say("stopped"),), effects=(Stop(),))
        if wanted == "cancel":
            return self.privacy.cancel(turn)
        aside = self._aside(turn) if self._asks_aside(turn, folded) else None
        if aside is not None:
            return aside
        if _in_flow(turn.state, REGISTER_FLOW):
            return self.registration.on_text(turn)
        if _in_flow(turn.state, PRIVACY_FLOW):
            return self.privacy.on_text(turn, folded)
        if _in_flow(turn.state, REMIND_FLOW):
            linked = self.reminders.on_text(turn)
            if linked is not None:
                return linked
        if turn.state is not None and turn.state.flow == CALC_FLOW:
            answered = self.calculator.on_text(turn)
            if answered is not None:
                return answered
            if not self.answers.understands(turn.text):
                return self.calculator.reask(turn)
            return self._aside(turn) or self.answers.question(turn)
        return self.answers.question(turn)

    def _asks_aside(self, turn: Turn, folded: str) -> bool:
        """Tell whether text typed at a flow's step is a question rather than the data asked.

        Names and places are free words, so a text matching a topic is a question there; at
        a step waiting for digits (phone, number, date), a text with no digit that matches a
        topic is one too. A question mark or a question word always is.
        """
        state = turn.state
        if not _in_any_flow(state) or state is None:
            return False
        if state.flow == PRIVACY_FLOW or (state.flow, state.step) in _NUMBER_STEPS:
            return False
        if is_question(turn.text, folded):
            return True
        loose = (state.flow, state.step) in _FREE_WORD_STEPS
        digits = any(ch.isdigit() for ch in turn.text)
        waits_digits = state.flow == REMIND_FLOW or (state.flow, state.step) == (
            REGISTER_FLOW,
            "phone",
        )
        return (loose or (waits_digits and not digits)) and self.answers.understands(turn.text)

    def _aside(self, turn: Turn) -> Decision | None:
        """Answer a question asked in the middle of a flow, then offer the flow back.

        The flow's state is kept, so the resident may also just type the answer to the step.
        None when the text is not an information question (an intent, a flow of its own).
        """
        state = turn.state
        assert state is not None
        answer = self.answers.question(replace(turn, state=None))
        if answer.effects or answer.then_decide or (answer.state not in (None, OFFERED)):
            return None
        if answer.says and answer.says[0].template == "unsure":
            return None
        back = Say(
            "flow/offer_back",
            {"flow": state.flow},
            (
                Choice("flow:continue", f"flow.continue.{state.flow}"),
                Choice("flow:cancel", "flow.cancel"),
            ),
        )
        return Decision(says=(*answer.says, back), state=state)

    def _continue(self, turn: Turn) -> Decision:
        """Ask the step the resident was at again (the "Tiếp tục" button after an aside)."""
        state = turn.state
        if _in_flow(state, REGISTER_FLOW):
            return self.registration.resume(turn)
        if _in_flow(state, REMIND_FLOW):
            return self.reminders.resume(turn)
        if _in_flow(state, CALC_FLOW) and state is not None and state.step != OFFERED.step:
            return self.calculator.resume(turn)
        return Decision(says=(main_menu("expired_button"),))


def _leaves(text: str, folded: str, state: State | None, *, naming: bool) -> bool:
    """Tell whether text typed in a flow asks to leave it ("thôi", "dừng lại", "hủy bỏ"…).

    While a name is asked, "Huy" and "Dũng" are names unless typed as the command's word;
    at the household step "bỏ qua" skips the step instead.
    """
    if naming and folded in _NAME_LIKE:
        return False
    can_skip = state is not None and (state.flow, state.step) == (REGISTER_FLOW, "household")
    return is_cancel(folded, can_skip=can_skip)


def _asks_to_resume(turn: Turn) -> bool:
    """Tell whether the person asks to receive proactive messages again."""
    incoming = turn.incoming
    if incoming.kind is Kind.COMMAND:
        return incoming.command in _RESUME_COMMANDS
    if incoming.kind is Kind.BUTTON:
        return turn.payload == RESUME.payload
    return turn.stopped and incoming.kind is Kind.TEXT and fold(turn.text) in _RESUME_WORDS


def _log_input_as(turn: Turn, decision: Decision) -> Decision:
    """Mark a shared contact or an answer to a personal step, so it is logged redacted."""
    if turn.incoming.kind is Kind.CONTACT:
        return replace(decision, log_input_as="phone")
    state = turn.state
    if turn.incoming.kind is Kind.TEXT and state is not None:
        given = _PERSONAL_STEPS.get((state.flow, state.step), "")
        if given:
            return replace(decision, log_input_as=given)
    return decision


def _needs_places(turn: Turn) -> Decision:
    """Look up the known villages first, then decide again with them."""
    return Decision(says=(), state=turn.state, effects=(ListPlaces(),), then_decide=True)


def _bare_number(text: str) -> int | None:
    """Return the number when the text is only a number ("4", "4."), else None."""
    stripped = text.strip().rstrip(".")
    return ascii_int(stripped, 3)


def _addressed(decision: Decision, memory: dict[str, str], *, greet: bool) -> Decision:
    """Give every message the resident's form of address; greet in it when newly said."""
    address = memory.get("address")
    if not address or not decision.says:
        return decision
    says = [replace(say, data={**say.data, "address": address}) for say in decision.says]
    if greet:
        says[0] = replace(says[0], data={**says[0].data, "greet": True})
    return replace(decision, says=tuple(says))


def _sourced(decision: Decision, memory: dict[str, str], today: str, *, asked: bool) -> Decision:
    """Cite the legal source once per conversation (a day), or when the resident asks.

    Updates `memory` in place: the day a source was last cited and the last topic shown,
    so "nguồn?" can show that topic again with its source.
    """
    show = asked or memory.get("sourced") != today
    says = tuple(replace(say, data={**say.data, "show_source": show}) for say in decision.says)
    topics = [say.template for say in says if say.template.startswith(("topics/", "asked/"))]
    if topics and show:
        memory["sourced"] = today
    pages = [t.removeprefix("topics/") for t in topics if t.startswith("topics/")]
    if pages and pages[0] not in ("group", "groups"):
        memory["topic"] = pages[0]
    return replace(decision, says=says)


def _in_any_flow(state: State | None) -> bool:
    """Tell whether the saved state is a flow's step (not a price page's number offer)."""
    return state is not None and (state.flow, state.step) != (OFFERED.flow, OFFERED.step)


def _in_flow(state: State | None, flow: str) -> bool:
    """Tell whether the saved state is in `flow`."""
    return state is not None and state.flow == flow
