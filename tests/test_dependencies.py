"""What bot/ and scheduler/ import is what the wheel declares (issue #16).

An installed Loa gets only [project.dependencies]; a package imported at run time but found
only in the development extras (or installed by chance as another's dependency) would make
`pip install loa-….whl` give a `loa` that cannot start.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "scheduler"}
DECLARED_NOT_IMPORTED = {
    "sniffio": "httpcore looks for it on every request (see pyproject.toml)",
    "tzdata": "the time zones for zoneinfo on machines without a system database",
}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(paths: list[Path]) -> set[str]:
    """Return the top-level modules the files import, absolute imports only."""
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def third_party(modules: set[str]) -> set[str]:
    """Return the modules that are neither the standard library's nor Loa's."""
    return modules - set(sys.stdlib_module_names) - OURS - {"__future__"}


def declared() -> set[str]:
    """Return the normalised names of the runtime dependencies in pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        requirements = tomllib.load(handle)["project"]["dependencies"]
    return {_normal(re.split(r"[<>=!~;\[ ]", item, maxsplit=1)[0]) for item in requirements}


def _sources() -> list[Path]:
    return sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("scheduler/**/*.py")])


def test_every_package_imported_at_run_time_is_a_declared_dependency() -> None:
    owners = packages_distributions()
    wanted = declared()
    undeclared = {
        module: sorted(owners.get(module, ["(not installed)"]))
        for module in third_party(imported_modules(_sources()))
        if not {_normal(dist) for dist in owners.get(module, [])} & wanted
    }
    assert undeclared == {}


def test_every_declared_dependency_is_imported_or_says_why_not() -> None:
    owners = packages_distributions()
    used = {
        _normal(dist)
        for module in third_party(imported_modules(_sources()))
        for dist in owners.get(module, [])
    }
    assert declared() - used == set(DECLARED_NOT_IMPORTED)


def test_the_check_sees_third_party_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "import os.path\nfrom aiohttp import web\nimport numpy as np\n"
        "from bot.core import rates\nfrom . import sibling\n"
    )
    assert third_party(imported_modules([source])) == {"aiohttp", "numpy"}
    assert {"aiohttp", "httpx", "telegram", "jinja2"} <= third_party(imported_modules(_sources()))
