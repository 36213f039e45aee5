"""Where the files shipped with Loa are: templates (messages/), rates and topics (data/).

A checkout has them at its top. A wheel carries the same tree inside the package, as
`bot/shipped/` (pyproject.toml maps messages/ and data/*.toml there), and an installed Loa
finds it with importlib.resources; nothing is read from the current folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["checkout_folder", "shipped_path"]

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def checkout_folder() -> Path | None:
    """Return the source checkout Loa runs from, or None when it is installed from a wheel."""
    marks = (_SOURCE_ROOT / "pyproject.toml", _SOURCE_ROOT / "messages")
    return _SOURCE_ROOT if all(mark.exists() for mark in marks) else None


def shipped_path(relative: str) -> Path:
    """Return a file or folder shipped with Loa, e.g. `messages` or `data/rates.toml`."""
    packaged = files("bot").joinpath("shipped")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged / relative
    return _SOURCE_ROOT / relative
