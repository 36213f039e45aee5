"""Files that hold personal data: created readable by their owner only, whatever the umask."""

from __future__ import annotations

import logging
import os
from pathlib import Path

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "PRIVATE_UMASK",
    "create_private",
    "make_private_dirs",
    "tighten",
    "write_private",
]

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077
"""The process umask the `loa` command sets at start: nothing it creates is group/world readable."""


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents as 0700; folders that exist are left alone."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is masked by the umask


def create_private(path: Path) -> None:
    """Create the empty file `path` as 0600 (its folder as 0700); fail if it exists."""
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # open's mode is masked by the umask
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (replacing it) as a 0600 file, in a 0700 folder if new."""
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb", closefd=False) as out:
            out.write(data)
    finally:
        os.close(fd)


def tighten(*paths: Path) -> None:
    """Make existing files 0600 (files from older versions were 0644); missing ones are skipped."""
    for path in paths:
        try:
            if path.stat().st_mode & 0o077:
                os.chmod(path, PRIVATE_FILE)
        except FileNotFoundError:
            continue
        except PermissionError:
            log.warning("could not make %s readable by its owner only (not ours)", path)
