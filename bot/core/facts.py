"""Short facts asked in one line: a law's date in force, an identifier's format, a group's share.

Facts live in `data/facts.toml` (schema_version 1, one `[[fact]]` table each): an id, the
legal source of what the answer says, and `when` — alternatives, each a list of patterns
that must all be found in the folded message (`fold`: lower case, no diacritics). `unless`
patterns rule a fact out. The answer is the template `messages/vi/facts/<id>.j2`. A fact is
specific by construction (every pattern of one alternative must be there), so it is asked
before the topic pages, which answer the general question. Pure: the file is read once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.shipped import shipped_path
from bot.core.text import fold

__all__ = ["Fact", "FactBook", "FactsError", "default_facts_path"]

SCHEMA_VERSION = 1


def default_facts_path() -> Path:
    """Return the shipped facts file, data/facts.toml (in the checkout or the wheel)."""
    return shipped_path("data/facts.toml")


class FactsError(ValueError):
    """Raised when the facts file is missing, malformed or breaks the contract."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One short fact: when it is asked and the source of its answer."""

    id: str
    source: str
    when: tuple[tuple[re.Pattern[str], ...], ...]
    unless: tuple[re.Pattern[str], ...]

    def asked(self, folded: str) -> bool:
        """Tell whether a folded message asks this fact."""
        if any(p.search(folded) for p in self.unless):
            return False
        return any(all(p.search(folded) for p in group) for group in self.when)


def _patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise FactsError(f"{where}: patterns must be a list of non-empty strings")
    try:
        return tuple(re.compile(p) for p in raw)
    except re.error as error:
        raise FactsError(f"{where}: bad pattern: {error}") from None


def _fact(raw: Any, index: int, path: Path) -> Fact:
    where = f"{path}: fact #{index + 1}"
    if not isinstance(raw, dict):
        raise FactsError(f"{where}: must be a table")
    fact_id, source, when = raw.get("id"), raw.get("source"), raw.get("when")
    if not isinstance(fact_id, str) or not fact_id.isidentifier():
        raise FactsError(f"{where}: 'id' must be an identifier")
    where = f"{path}: fact '{fact_id}'"
    unknown = set(raw) - {"id", "source", "when", "unless"}
    if unknown:
        raise FactsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(source, str) or not source.strip():
        raise FactsError(f"{where}: 'source' must name the legal text")
    if not isinstance(when, list) or not when:
        raise FactsError(f"{where}: 'when' must be a non-empty list of pattern lists")
    groups = tuple(_patterns(group, where) for group in when)
    if any(not group for group in groups):
        raise FactsError(f"{where}: an alternative of 'when' is empty")
    return Fact(fact_id, source.strip(), groups, _patterns(raw.get("unless", []), where))


class FactBook:
    """The short facts, in file order: the first one asked answers."""

    def __init__(self, facts: tuple[Fact, ...]) -> None:
        """Keep already-checked facts (use `FactBook.load` to read a file)."""
        self.facts = facts

    @classmethod
    def load(cls, path: Path | None = None) -> FactBook:
        """Read and check a facts file."""
        path = path or default_facts_path()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FactsError(f"{path}: cannot read the facts file ({exc.strerror})") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise FactsError(f"{path}: not valid TOML: {exc}") from exc
        if data.get("schema_version") != SCHEMA_VERSION:
            raise FactsError(f"{path}: 'schema_version' must be {SCHEMA_VERSION}")
        raw = data.get("fact")
        if not isinstance(raw, list) or not raw:
            raise FactsError(f"{path}: no [[fact]] tables")
        facts = tuple(_fact(item, i, path) for i, item in enumerate(raw))
        ids = [f.id for f in facts]
        if len(set(ids)) != len(ids):
            raise FactsError(f"{path}: a fact id is defined twice")
        return cls(facts)

    def asked(self, text: str) -> Fact | None:
        """Return the first fact the message asks, or None."""
        folded = fold(text)
        return next((fact for fact in self.facts if fact.asked(folded)), None)
