"""What Loa remembers for the whole conversation, across flows: the resident's form of address.

Kept in the saved state's data under one key, so no store change is needed: a state with no
flow of its own is saved as the `chat` flow, which every flow reads as "no flow".
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.types import State

__all__ = ["CHAT", "split_memory", "with_memory"]

CHAT = "chat"
_KEY = "_memory"


def split_memory(state: State | None) -> tuple[dict[str, str], State | None]:
    """Return (memory, the flow's own state without it; None outside a flow)."""
    if state is None:
        return {}, None
    raw = state.data.get(_KEY)
    memory = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    if state.flow == CHAT:
        return memory, None
    data = {k: v for k, v in state.data.items() if k != _KEY}
    return memory, State(state.flow, state.step, data)


def with_memory(state: State | None, memory: Mapping[str, str]) -> State | None:
    """Return the state to save: the flow's state (or a `chat` one) carrying the memory."""
    if not memory:
        return state
    if state is None:
        return State(CHAT, "", {_KEY: dict(memory)})
    return State(state.flow, state.step, {**state.data, _KEY: dict(memory)})
