"""Measure whole answers on the blind fact set: `python bench/eval_facts.py [facts.tsv]`.

Each row is one message a resident types on a given day, the facts a right reply must
contain and the tempting wrong figures it must not. The message goes through the real
dialog and renderer (no database: actions are not run), and the rendered reply — its text
and its buttons — is scored: right when every `must` item is in it and no `must_not` item
is. Figures match whole ("81.000" is not found inside "181.000"). The set was written blind,
from ../shared/domain.md alone (tests/eval/facts_blind.tsv); it is never used to build Loa.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import VIETNAM  # noqa: E402
from bot.core.dialog import Dialog, Turn  # noqa: E402
from bot.core.knowledge import KnowledgeBase, default_topics_path  # noqa: E402
from bot.core.rates import RateBook, default_rates_path  # noqa: E402
from bot.core.types import Incoming, Kind  # noqa: E402
from bot.render import Renderer  # noqa: E402

__all__ = ["FactRow", "Scored", "contains", "load_rows", "main", "score"]

DEFAULT_FACTS = ROOT / "tests" / "eval" / "facts_blind.tsv"
HEADER = ["id", "today", "message", "must", "must_not", "kind", "note"]


@dataclass(frozen=True, slots=True)
class FactRow:
    """One message of the fact set and what its reply must and must not say."""

    id: str
    today: date
    message: str
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Scored:
    """How Loa's reply to one row fared."""

    row: FactRow
    reply: str
    missing: tuple[str, ...]
    wrong: tuple[str, ...]

    @property
    def right(self) -> bool:
        """Tell whether every fact is there and no tempting wrong figure is."""
        return not self.missing and not self.wrong


def _items(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split("|") if item.strip())


def load_rows(path: Path) -> list[FactRow]:
    """Read the tab-separated fact set (header: id today message must must_not kind note)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != HEADER:
        raise ValueError(f"{path}: the first line must be {'<TAB>'.join(HEADER)}")
    return [
        FactRow(r[0], date.fromisoformat(r[1]), r[2], _items(r[3]), _items(r[4]), r[5])
        for r in rows[1:]
        if len(r) == len(HEADER)
    ]


def contains(reply: str, item: str) -> bool:
    """Tell whether `item` is in the reply: figures whole, words regardless of case."""
    if re.fullmatch(r"[\d.,%/]+", item):
        return re.search(rf"(?<![\d.,]){re.escape(item)}(?![\d]|[.,]\d)", reply) is not None
    return item.casefold() in reply.casefold()


def reply_to(dialog: Dialog, renderer: Renderer, row: FactRow) -> str:
    """Return the rendered reply (text and button labels) to the row's message on its day."""
    incoming = Incoming("eval", "1", Kind.TEXT, text=row.message, display_name="")
    now = datetime(row.today.year, row.today.month, row.today.day, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, row.message, None, False, now, row.today))
    parts = []
    for say in decision.says:
        reply = renderer.render(say, channel="telegram")
        parts.append(reply.text)
        parts.extend(button.label for button in reply.buttons)
    return "\n".join(parts)


def score(dialog: Dialog, renderer: Renderer, rows: list[FactRow]) -> list[Scored]:
    """Answer and score every row."""
    scored = []
    for row in rows:
        reply = reply_to(dialog, renderer, row)
        missing = tuple(item for item in row.must if not contains(reply, item))
        wrong = tuple(item for item in row.must_not if contains(reply, item))
        scored.append(Scored(row, reply, missing, wrong))
    return scored


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "  n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the fact evaluation and print the report; `-v` prints every miss with its reply."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    paths = [Path(a) for a in args if a != "-v"]
    rows = load_rows(paths[0] if paths else DEFAULT_FACTS)
    dialog = Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))
    scored = score(dialog, Renderer(), rows)
    right = [s for s in scored if s.right]
    print(f"fact rows:                 {len(scored)}")
    print(f"right answers:             {_share(len(right), len(scored))}")
    tempted = [s for s in scored if s.wrong]
    print(f"with a tempting wrong one: {_share(len(tempted), len(scored))}")
    print("\nper kind:")
    by_kind = Counter(s.row.kind for s in scored)
    right_by_kind = Counter(s.row.kind for s in right)
    for kind in sorted(by_kind, key=lambda k: (right_by_kind[k] / by_kind[k], k)):
        print(f"  {kind:22} {_share(right_by_kind[kind], by_kind[kind])}")
    misses = [s for s in scored if not s.right]
    print(f"\nmisses ({len(misses)}):")
    for s in misses:
        print(f"  {s.row.id} [{s.row.kind}] {s.row.message}")
        if s.missing:
            print(f"      missing: {' | '.join(s.missing)}")
        if s.wrong:
            print(f"      wrong:   {' | '.join(s.wrong)}")
        if verbose:
            print("      reply:   " + s.reply.replace("\n", "\n               "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
