"""Read a message describing several family members: who still needs a household BHYT card
and who is already covered (a child under 6, a pupil or student buying at school, a worker
with a company card, a pensioner, a social-allowance recipient). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core import extract
from bot.core.text import clean, fold

__all__ = ["Family", "Person", "family"]

_CLAUSES = re.compile(r"[,;.()\n]+|\s+(?:và|va|với|voi)\s+", re.IGNORECASE)
_PAIRS = (
    (re.compile(r"\bong ba(?: noi| ngoai)?\b"), ("ong", "ba")),
    (re.compile(r"\bvo chong\b"), ("vo", "chong")),
    (re.compile(r"\b(?:bo me|ba me|cha me)\b"), ("bo", "me")),
)
_UNIQUE = re.compile(
    r"\b(con dau|con re|ong|ba|bo|cha|me|vo|chong|bac|chu|thim)\b(?! (?:nguoi|dua|con)\b)"
)
_SELF_ROLES = ("bac", "chu")
"""How elders call themselves (folded "bac", "chu"): one of the couple when a couple is named."""
_COUPLES = (("ong", "ba"), ("vo", "chong"), ("bo", "me"))
_CHILD = re.compile(
    r"(?<!chao )\b(?:(?P<n>\d) )?"
    r"(?:dua|con|be|thang (?=ut|lon|ca|nho|dau|con)|chau (?=noi|ngoai|\d))"
    r"(?! (?:nguoi|dau|re|lai|cai)\b)"
)
_STATED = re.compile(r"\b(?P<n>\d{1,2}) (?:nguoi|khau|nhan khau|thanh vien)\b(?! (?:lon|con)\b)")
_COVERED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("company", re.compile(r"\b(?:cong ty|co quan|bat buoc|cong nhan|the cong ty)\b")),
    ("school", re.compile(r"\b(?:di hoc|hoc sinh|sinh vien|hoc lop|dang hoc|hoc cap)\b")),
    ("social", re.compile(r"\b(?:huu tri xa hoi|tro cap xa hoi|bao tro xa hoi|nguoi co cong)\b")),
    ("pension", re.compile(r"(?<!khong co )(?<!chua co )(?<!khong )\bluong huu\b")),
)
_UNDER_SIX = 6


@dataclass(slots=True)
class Person:
    """One family member named in the message, and why they need no household card."""

    role: str
    age: int | None = None
    covered: str = ""  # "", "under_six", "school", "company", "social", "pension"


@dataclass(frozen=True, slots=True)
class Family:
    """Who was named, who is covered, and how many need a household card."""

    people: tuple[Person, ...]
    stated_size: int | None

    @property
    def covered(self) -> tuple[Person, ...]:
        """Return the people who need no household card."""
        return tuple(p for p in self.people if p.covered)

    @property
    def needing(self) -> int:
        """Return how many people still need a household card."""
        if self.stated_size is not None:
            return max(0, self.stated_size - len(self.covered))
        return sum(1 for p in self.people if not p.covered)


def _status(clause: str, person: Person) -> None:
    age = extract.age(clause)
    if age is None:
        bare = re.search(
            r"\b(?:ong|ba|bo|me|be|dua|thang) (\d{1,3})\b(?! (?:nguoi|thang|nam))", clause
        )
        age = int(bare.group(1)) if bare else None
    if age is not None:
        person.age = age
    for reason, pattern in _COVERED:
        if pattern.search(clause):
            person.covered = reason
            return
    if person.age is not None and person.age < _UNDER_SIX:
        person.covered = "under_six"


def family(text: str) -> Family | None:
    """Return the family a message describes, or None when it names fewer than two people."""
    people: dict[str, Person] = {}
    children: list[Person] = []
    for raw in _CLAUSES.split(clean(text)):
        clause = fold(raw)
        named: list[Person] = []
        for pattern, roles in _PAIRS:
            if pattern.search(clause):
                named += [people.setdefault(role, Person(role)) for role in roles]
                clause_rest = pattern.sub(" ", clause)
                break
        else:
            clause_rest = clause
        if not named:
            unique = _UNIQUE.search(clause_rest)
            if unique is not None:
                role = {"cha": "bo"}.get(unique.group(1), unique.group(1))
                named.append(people.setdefault(role, Person(role)))
            else:
                child = _CHILD.search(clause_rest)
                if child is not None:
                    count = int(child.group("n") or 1)
                    new = [Person("child") for _ in range(min(count, 9))]
                    children += new
                    named += new
        if len(named) == 1:
            _status(clause, named[0])
    if any(all(role in people for role in couple) for couple in _COUPLES):
        for role in _SELF_ROLES:
            people.pop(role, None)
    found = (*people.values(), *children)
    stated = _STATED.search(fold(text))
    if len(found) < 2 and not (stated and any(p.covered for p in found)):
        return None
    return Family(found, int(stated.group("n")) if stated else None)
