"""Logging for `loa run` and `loa demo`: quiet libraries, and no bot or OA token in any line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

__all__ = ["FORMAT", "QUIET_LOGGERS", "REDACTED", "TokenRedactor", "configure_logging"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[token]"
QUIET_LOGGERS: dict[str, int] = {
    "aiosqlite": logging.INFO,  # DEBUG: every SQL statement with its values
    "httpx": logging.WARNING,  # INFO: every request's URL, /bot<token>/ included
    "httpcore": logging.INFO,
    "telegram": logging.INFO,  # DEBUG: the Bot API URL with the token, every call's parameters
    "aiohttp": logging.INFO,
    "apscheduler": logging.INFO,
}
"""Libraries kept above DEBUG whatever LOG_LEVEL says, unless named in LOG_DEBUG."""

# A Telegram token (bot id, colon, secret), and any token in a Bot API path (Zalo's are shorter).
_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}")
_IN_URL = re.compile(r"/bot\d+:[^/\s\"'?#]+")
# Zalo OA tokens (ZNS): rotated at every refresh, so never among the configured values. Any
# value after access_token / refresh_token / secret_key, and any run of 80+ token characters
# (OA tokens are a few hundred long; nothing else Loa logs is), is replaced.
_NAMED = re.compile(
    r"""((?:access_token|refresh_token|secret_key)["']?\s*[:=]\s*["']?)[^\s"',&}]+""", re.IGNORECASE
)
_LONG = re.compile(r"[A-Za-z0-9_-]{80,}")
_SHORTEST_SECRET = 8  # shorter configured values are not replaced literally (too many false hits)


class TokenRedactor(logging.Filter):
    """Replaces bot tokens in a record's message, arguments, exception and stack text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        chosen = {s.strip() for s in secrets if len(s.strip()) >= _SHORTEST_SECRET}
        self._secrets = sorted(chosen, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return `text` with every token and configured secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _IN_URL.sub("/bot" + REDACTED, text)
        text = _NAMED.sub(lambda found: found.group(1) + REDACTED, text)
        text = _LONG.sub(REDACTED, text)
        return _TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (message merged with its args); never drop it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep what it said, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, self.redact(text)
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(
    level: str | int,
    *,
    debug: Iterable[str] = (),
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Log to `stream` (stderr) at `level`, through the token redactor; return the handler.

    The QUIET_LOGGERS stay above DEBUG unless named in `debug` (LOG_DEBUG), which logs them at
    DEBUG; the redactor applies to every line whichever logger wrote it.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(TokenRedactor(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    wanted = {name.strip() for name in debug if name.strip()}
    for name, floor in QUIET_LOGGERS.items():
        if name not in wanted:  # a logger's own level decides, so never below the root's
            logging.getLogger(name).setLevel(max(floor, root.level))
    for name in wanted:
        logging.getLogger(name).setLevel(logging.DEBUG)
    return handler
