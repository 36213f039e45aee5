"""Measure topic matching on the evaluation set: `python bench/eval_topics.py [questions.tsv]`.

Prints top-1 accuracy overall and per topic, how often the matcher is confident and how often
it is then right, how often an unsure answer still shows the right topic among its 3 buttons,
and every confusion (expected → got, message). The evaluation set is never used to build the
index: the matcher only sees data/topics.toml.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.knowledge import KnowledgeBase, default_topics_path  # noqa: E402

__all__ = ["Outcome", "evaluate", "load_questions", "main"]

DEFAULT_QUESTIONS = ROOT / "tests" / "eval" / "questions.tsv"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the matcher handled one evaluation message."""

    expected: str
    message: str
    got: str | None
    confident: bool
    in_top3: bool

    @property
    def correct(self) -> bool:
        """Tell whether the best match is the expected topic."""
        return self.got == self.expected

    @property
    def resolved(self) -> bool:
        """Tell whether the resident gets the right answer at once or via one of 3 buttons."""
        return self.correct if self.confident else self.in_top3


def load_questions(path: Path) -> list[tuple[str, str]]:
    """Read `<topic>\\t<message>` lines (after a header) from the evaluation file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != ["topic", "message"]:
        raise ValueError(f"{path}: the first line must be 'topic<TAB>message'")
    return [(row[0], row[1]) for row in rows[1:] if len(row) == 2 and row[1].strip()]


def evaluate(kb: KnowledgeBase, questions: list[tuple[str, str]]) -> list[Outcome]:
    """Match every question and record the outcome."""
    outcomes = []
    for expected, message in questions:
        matches = kb.match(message, limit=3)
        outcomes.append(
            Outcome(
                expected=expected,
                message=message,
                got=matches[0].topic_id if matches else None,
                confident=kb.is_confident(matches),
                in_top3=any(match.topic_id == expected for match in matches),
            )
        )
    return outcomes


def _share(part: int, whole: int) -> str:
    """Format a share as a percentage with its counts."""
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "  n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the report."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_QUESTIONS
    kb = KnowledgeBase.load(default_topics_path())
    outcomes = evaluate(kb, load_questions(path))
    total = len(outcomes)
    correct = sum(o.correct for o in outcomes)
    confident = [o for o in outcomes if o.confident]
    print(f"questions:              {total}")
    print(f"top-1 accuracy:         {_share(correct, total)}")
    print(f"top-3 accuracy:         {_share(sum(o.in_top3 for o in outcomes), total)}")
    print(f"answered confidently:   {_share(len(confident), total)}")
    print(f"  of which right:       {_share(sum(o.correct for o in confident), len(confident))}")
    print(
        f"resolved (confident right, or right topic among 3 buttons when unsure): "
        f"{_share(sum(o.resolved for o in outcomes), total)}"
    )
    print("\nper topic (top-1):")
    by_topic = Counter(o.expected for o in outcomes)
    right = Counter(o.expected for o in outcomes if o.correct)
    for topic in sorted(by_topic, key=lambda t: (right[t] / by_topic[t], t)):
        print(f"  {topic:24} {_share(right[topic], by_topic[topic])}")
    confusions = [o for o in outcomes if not o.correct]
    print(f"\nconfusions ({len(confusions)}):")
    for o in sorted(confusions, key=lambda o: (o.expected, str(o.got))):
        flag = "CONFIDENT" if o.confident else "unsure"
        print(f"  {o.expected} → {o.got} [{flag}]: {o.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
