"""How big a list one import may be: data rows, uncompressed bytes, characters per cell.

Lists sent in a chat are read with `CHAT_LIMITS`, so one crafted file cannot occupy the bot
for long; the command line (`loa import`) reads lists of any size.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHAT_LIMITS", "ImportLimits", "ListTooLarge", "check_size", "uncompressed_size"]


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """The most one list may hold.

    `max_rows`: data rows read; the rows after them are not read (what was read is kept).
    `max_bytes`: the file's size once uncompressed (an .xlsx is a zip of XML files),
    checked before anything is read.
    """

    max_rows: int
    max_bytes: int


# A commune's list is a few thousand rows; 50,000 rows of a generous 15 columns take about
# 40 MB of sheet XML.
CHAT_LIMITS = ImportLimits(max_rows=50_000, max_bytes=100 * 1024 * 1024)


class ListTooLarge(ValueError):
    """The list is larger, uncompressed, than `limit` bytes; nothing of it was read."""

    def __init__(self, file_name: str, size: int, limit: int) -> None:
        super().__init__(f"{file_name}: {size:,} bytes uncompressed, over the {limit:,} limit")
        self.file_name = file_name
        self.size = size
        self.limit = limit


def uncompressed_size(path: Path) -> int:
    """Return the bytes a file holds once read: the sum of a zip's members, else its size.

    A zip's member sizes are the ones its directory declares; Python's zipfile never
    inflates a member beyond its declared size, so a lying directory cannot get past this.
    """
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, OSError):
            pass  # the reader reports the damaged file
    return path.stat().st_size


def check_size(path: Path, limits: ImportLimits) -> None:
    """Raise `ListTooLarge` when the file at `path` is over `limits.max_bytes` uncompressed."""
    size = uncompressed_size(path)
    if size > limits.max_bytes:
        raise ListTooLarge(path.name, size, limits.max_bytes)
