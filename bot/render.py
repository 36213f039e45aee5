"""The one renderer: every text a person sees comes from messages/<locale>/ through here."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from bot.core.office import Office
from bot.core.shipped import shipped_path
from bot.core.types import Button, Reply, Say

__all__ = [
    "HOTLINE",
    "Renderer",
    "default_messages_dir",
    "default_renderer",
    "format_date",
    "format_datetime",
    "format_money",
]

HOTLINE = "1900 9068"


def default_messages_dir() -> Path:
    """Return the shipped messages/ folder (in the checkout or the wheel)."""
    return shipped_path("messages")


def format_number(amount: int) -> str:
    """Return an integer with dots between thousands: 1366200 → 1.366.200."""
    return f"{amount:,}".replace(",", ".")


def format_money(amount: int) -> str:
    """Return an amount of đồng as residents write it: 1.366.200 đồng."""
    return f"{format_number(amount)} đồng"


def format_date(value: date | datetime) -> str:
    """Return a date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime, tz: tzinfo | None = None) -> str:
    """Return a moment as officers read it, HH:MM dd/mm/yyyy, in `tz` (else its own zone)."""
    return (value if tz is None else value.astimezone(tz)).strftime("%H:%M %d/%m/%Y")


def format_percent(value: int | float | Decimal) -> str:
    """Return a percentage the Vietnamese way: 4.5 → 4,5%."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",") + "%"


class Renderer:
    """Renders templates and button labels of one locale with StrictUndefined."""

    def __init__(
        self, folder: Path | None = None, locale: str = "vi", office: Office | None = None
    ) -> None:
        """Load one locale's templates and labels; `office` is who runs Loa (may be unset)."""
        root = (folder or default_messages_dir()) / locale
        self.env = Environment(
            loader=FileSystemLoader(root),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        self.env.filters.update(
            vnd=format_money,
            num=format_number,
            dmy=format_date,
            hm_dmy=format_datetime,
            pct=format_percent,
        )
        self.env.globals["hotline"] = HOTLINE
        self.env.globals["office"] = office or Office()
        self.env.globals["show_source"] = True  # the core hides a decree already cited (#19.8)
        self.env.globals["address"] = "bạn"  # how Loa calls the resident unless told (#19.8)
        self.env.globals["label"] = self.label  # a name kept as a label (register/_names.j2)
        self._labels: dict[str, Template | str] = {}
        self._templates: dict[str, Template] = {}  # files never change while Loa runs
        for path in [root / "labels.toml", *sorted(root.glob("labels/*.toml"))]:
            with path.open("rb") as handle:
                raw = tomllib.load(handle)["labels"]
            twice = self._labels.keys() & raw.keys()
            if twice:
                raise ValueError(f"{path}: labels defined twice: {', '.join(sorted(twice))}")
            self._labels.update((key, self._label_template(value)) for key, value in raw.items())

    def _label_template(self, source: str) -> Template | str:
        """Compile a label; one without any jinja2 syntax stays a plain string (most are)."""
        return self.env.from_string(source) if "{" in source else source.strip()

    def text(self, template: str, data: Mapping[str, Any] | None = None) -> str:
        """Render messages/<locale>/<template>.j2 with `data`."""
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(f"{template}.j2")
        return compiled.render(**(data or {})).strip()

    def label(self, key: str, args: Mapping[str, Any] | None = None) -> str:
        """Render the button label `key` from labels.toml or labels/*.toml."""
        try:
            template = self._labels[key]
        except KeyError:
            raise KeyError(f"no label '{key}' in labels.toml") from None
        if isinstance(template, str):
            return template
        return template.render(**(args or {})).strip()

    def render(self, say: Say, *, channel: str = "") -> Reply:
        """Turn what the core wants said into a reply; templates see the `channel` it is for.

        Only a few texts differ by channel (Telegram has a "share my phone" button, Zalo and
        the terminal do not); every other template ignores `channel`.
        """
        buttons = tuple(
            Button(label=self.label(choice.label, choice.args), payload=choice.payload)
            for choice in say.choices
        )
        phone_button = self.label("phone.share") if say.request_phone else ""
        data = {"channel": channel, **say.data}
        text = self.text(say.template, data)
        if say.data.get("greet"):
            text = self.text("address/greet", data) + "\n" + text
        if say.data.get("cancel_hint"):
            text += "\n" + self.text("flow/cancel_hint", data)
        return Reply(
            text=text,
            buttons=buttons,
            phone_button=phone_button,
            asks_number=say.asks_number,
        )


@lru_cache(maxsize=1)
def default_renderer() -> Renderer:
    """Return one shared renderer of the default messages (for callers not handed one)."""
    return Renderer()
