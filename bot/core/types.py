"""Channel-neutral message types: what comes in, what the core decides, what goes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.effects import ResidentEffect
from bot.core.text import valid_unicode

__all__ = [
    "Attachment",
    "Button",
    "Choice",
    "Decision",
    "FileRef",
    "Incoming",
    "Kind",
    "Reply",
    "Say",
    "State",
]


class Kind(StrEnum):
    """What a resident sent."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"


def _make_valid(message: object, names: tuple[str, ...]) -> None:
    """Replace lone surrogates in the named text fields of a frozen message with U+FFFD."""
    for name in names:
        value = getattr(message, name)
        if isinstance(value, str):
            fixed = valid_unicode(value)
            if fixed is not value:
                object.__setattr__(message, name, fixed)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send a person: its name, bytes, caption, and whether it shows as a picture."""

    name: str
    content: bytes
    caption: str = ""
    photo: bool = False


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file a user sent: the channel's id for it, its name, MIME type and size in bytes."""

    file_id: str
    file_name: str = ""
    mime_type: str = ""
    size: int | None = None  # as the channel reports it, before any download

    def __post_init__(self) -> None:
        _make_valid(self, ("file_id", "file_name", "mime_type"))


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a person, already translated from the channel's payload."""

    channel: str
    sender_id: str
    kind: Kind
    text: str = ""
    command: str = ""
    display_name: str = ""
    phone: str = ""
    own_contact: bool = False
    file: FileRef | None = None
    chat_id: str = ""

    def __post_init__(self) -> None:
        # The one door every channel's message comes through: no lone surrogate gets past it.
        _make_valid(
            self, ("channel", "sender_id", "text", "command", "display_name", "phone", "chat_id")
        )

    @property
    def reply_to(self) -> str:
        """Return the chat the answer goes to (the sender's own chat by default)."""
        return self.chat_id or self.sender_id


@dataclass(frozen=True, slots=True)
class Choice:
    """A button the core offers: what pressing it sends back, and its label key in labels.toml."""

    payload: str
    label: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Say:
    """A message the core wants sent: a template name, its data and the choices under it."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    request_phone: bool = False
    private: bool = False  # names a person's own data: the message log keeps only the template
    asks_number: bool = False  # the step asks for a number: typed numbers are not list numbers


@dataclass(frozen=True, slots=True)
class State:
    """Where a person is in a conversation: a flow, a step and what was gathered so far."""

    flow: str
    step: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the core decided: messages to send, the next state (None ends any flow), effects."""

    says: tuple[Say, ...]
    state: State | None = None
    effects: tuple[ResidentEffect, ...] = ()
    then_decide: bool = False  # run the effects, then decide again with `Turn.outcomes` filled
    log_input_as: str = ""  # what the person gave (e.g. "phone"): logged instead of their text


@dataclass(frozen=True, slots=True)
class Button:
    """A rendered button: the label a person sees and the payload it sends back."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A rendered message ready for any channel: plain text and buttons."""

    text: str
    buttons: tuple[Button, ...] = ()
    phone_button: str = ""  # label of a "share my phone" button, empty for none
    asks_number: bool = False  # a typed number answers the question: list it without numbers
