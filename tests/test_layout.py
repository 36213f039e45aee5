"""The import rules that keep data flowing one way (issue #20), checked on the source tree.

- `bot.core` imports nothing else of `bot` (it is pure);
- `bot.store` imports only `bot.core` (SQL and nothing of the features);
- `bot.outbox` knows no feature: it imports only `bot.core`, `bot.store` and `bot.clock`
  (features plug in as preparers wired in `bot.app`);
- `scheduler` is imported only by the composition root (`bot.app`) and the command line
  (`bot.cli`), and imports neither;
- channel adapters do no authorization: they import nothing of `bot.officers`;
- the residents' side (`bot.residents`) and the officers' (`bot.officers`) never import each
  other;
- no two source files import each other, directly or through others.

`STILL_TO_MOVE` lists the imports that break a rule today; it may only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STILL_TO_MOVE: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("scheduler/**/*.py")]:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[str]:
    """Yield the project modules a file imports, at run time or for type checking."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            yield from (name for name in names if name in MODULES)
            if node.module in MODULES:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in MODULES)


EDGES = {name: set(_imports(path)) - {name} for name, path in MODULES.items()}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] == "scheduler" else ".".join(parts[:2])


def _broken(rule: str) -> set[tuple[str, str]]:
    broken = set()
    for source, targets in EDGES.items():
        for target in targets:
            here, there = _area(source), _area(target)
            if here == there:
                continue
            if (
                (rule == "core" and here == "bot.core")
                or (rule == "store" and here == "bot.store" and there != "bot.core")
                or (
                    rule == "scheduler"
                    and there == "scheduler"
                    and here not in ("bot.app", "bot.cli")
                )
                or (rule == "scheduler" and here == "scheduler" and there in ("bot.app", "bot.cli"))
                or (
                    rule == "outbox"
                    and here == "bot.outbox"
                    and there not in ("bot.core", "bot.store", "bot.clock")
                )
                or (rule == "channels" and here == "bot.channels" and there == "bot.officers")
                or (
                    rule == "sides"
                    and {here, there} & {"bot.residents"}
                    and {here, there} & {"bot.officers"}
                )
            ):
                broken.add((source, target))
    return broken - STILL_TO_MOVE


@pytest.mark.parametrize("rule", ["core", "store", "outbox", "scheduler", "channels", "sides"])
def test_every_import_points_down(rule: str) -> None:
    assert _broken(rule) == set()


def test_no_two_files_import_each_other() -> None:
    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            if module == goal:
                return True
            if module not in seen:
                seen.add(module)
                todo.extend(EDGES.get(module, ()))
        return False

    cycles = {
        tuple(sorted((a, b))) for a, targets in EDGES.items() for b in targets if reaches(b, a)
    }
    assert cycles == set()


def test_the_list_of_imports_still_to_move_only_shrinks() -> None:
    assert {edge for edge in STILL_TO_MOVE if edge[1] in EDGES.get(edge[0], set())} == STILL_TO_MOVE


def test_the_checker_sees_an_import_that_points_up() -> None:
    assert "bot.core.rates" in EDGES["scheduler.jobs"]  # a sanity check of the parser itself
    assert "bot.officers.desk" in EDGES["bot.officers.router"]
    assert "bot.residents.actions" in EDGES["bot.residents.engine"]
