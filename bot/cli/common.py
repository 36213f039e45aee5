"""Helpers shared by the `loa` subcommands: argument types and the store for one command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeAlias

from bot.config import Settings
from bot.store import Store

__all__ = ["Commands", "day", "store_for"]

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time on Python 3.11
    Commands = argparse._SubParsersAction


def day(text: str) -> date:
    """Read a dd/mm/yyyy argument."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 25/11/2026") from None


@asynccontextmanager
async def store_for(settings: Settings, *, create: bool = False) -> AsyncIterator[Store]:
    """Open the database named by DATABASE_URL for one command, and close it after.

    Only commands that set Loa up (`create=True`) may create it, and say so; for the others
    a missing or empty database raises MissingDatabase instead of being made anew.
    """
    path = settings.database_path
    new = create and not path.exists()
    store = await Store.open(path, create=create)
    if new:
        print(f"loa: created a new database at {path}", file=sys.stderr)
    try:
        yield store
    finally:
        await store.close()
