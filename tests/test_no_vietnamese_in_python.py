"""Every text a person reads lives in messages/vi/ (issue #20, "one text system").

A string literal with Vietnamese letters (ă â đ ê ô ơ ư and the tone marks) in bot/**/*.py is
a text in the wrong room, unless it is listed below: words Loa *reads* (typed answers, header
aliases, stored values), not words it says. Docstrings are not counted; f-string pieces are.

`STILL_TO_MOVE` pins how many such literals the files outside this step still hold; it may
only shrink (move them to messages/vi/ and lower the count, or drop the line).
"""

from __future__ import annotations

import ast
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORDS_LOA_READS = {
    # A typed time may say "26/11/2026 lúc 9:30".
    ("bot/officers/broadcasts/choices.py", "lúc"),
    # The sample recipient a new template is tried on; never sent or shown.
    ("bot/officers/broadcasts/template.py", "Nguyễn Thị Lan"),
    ("bot/officers/broadcasts/template.py", "Thôn 3"),
    # Gender cells as typed, and the stored value "nữ".
    ("bot/officers/importing/values.py", "nữ"),
    ("bot/officers/importing/values.py", "ữ"),
    # Jinja filters and globals of the renderer itself (the unit of money, the default
    # form of address), used by the templates.
    ("bot/render.py", "đồng"),
    # The operator's typed "yes" to `loa broadcast`'s confirmation.
    ("bot/cli/broadcasts.py", "có"),
    ("bot/render.py", "bạn"),
}

STILL_TO_MOVE = Counter(
    {
        "bot/store/residents.py": 6,  # merge rejections: SQL layer, needs codes from the store
        "bot/cli/outbox.py": 8,
        "bot/cli/officers.py": 2,
        "bot/cli/broadcasts.py": 2,
        "bot/cli/backup.py": 2,
        "bot/cli/__init__.py": 1,
        "bot/channels/console.py": 1,
        "bot/channels/plain.py": 2,
        # The residents' core: vocabulary it reads (places, abbreviations, answers) mixed
        # with a few texts; sorting them is the residents' side's work.
        "bot/core/addressing.py": 8,
        "bot/core/asked.py": 1,
        "bot/core/dialog/__init__.py": 1,
        "bot/core/dialog/answers.py": 1,
        "bot/core/dialog/privacy.py": 3,
        "bot/core/extract.py": 2,
        "bot/core/household_people.py": 1,
        "bot/core/pension.py": 1,
        "bot/core/places.py": 16,
        "bot/core/rates.py": 2,
        "bot/core/retirement.py": 2,
        "bot/core/text.py": 8,
    }
)


def is_vietnamese(text: str) -> bool:
    """Tell whether `text` has a letter or mark beyond ASCII (Vietnamese diacritics)."""
    return any(ord(char) > 127 and unicodedata.category(char)[0] in "LM" for char in text)


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def vietnamese_literals(path: Path) -> list[str]:
    """Return the string literals of a source file that hold Vietnamese letters."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and is_vietnamese(node.value)
    ]


def _allowed(relative: str, literal: str) -> bool:
    return any(file == relative and word in literal for file, word in WORDS_LOA_READS)


def test_no_vietnamese_text_in_python_outside_the_allow_list() -> None:
    wrong: dict[str, list[str]] = {}
    for path in sorted(ROOT.glob("bot/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        left = [s for s in vietnamese_literals(path) if not _allowed(relative, s)]
        if len(left) > STILL_TO_MOVE[relative]:
            wrong[relative] = left
    assert not wrong, f"Vietnamese texts in Python; move them to messages/vi/: {wrong}"


def test_every_allowed_word_is_still_read_where_it_is_listed() -> None:
    stale = {
        (file, word)
        for file, word in WORDS_LOA_READS
        if not any(word in found for found in vietnamese_literals(ROOT / file))
    }
    assert not stale, f"allowed words no longer in their files; drop them: {stale}"


def test_the_check_finds_a_vietnamese_literal(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text('"""Tài liệu."""\n\nX = "Không có"\nY = "plain"\nZ = f"{X} đồng"\n')
    assert vietnamese_literals(source) == ["Không có", " đồng"]
