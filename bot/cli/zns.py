"""`loa zns check`: the ZNS settings tried against the API, and the OA's quota left today."""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

from bot.channels.zns_client import (
    ZnsClient,
    ZnsError,
    ZnsNetworkError,
    ZnsNotAuthorised,
)
from bot.cli.common import Commands, store_for
from bot.clock import SystemClock
from bot.config import Settings, require_zns
from bot.core.zns import ZnsTokens
from bot.render import Renderer
from bot.store import Store

__all__ = ["register", "seed_tokens"]


def register(commands: Commands) -> None:
    """Add zns check."""
    zns = commands.add_parser(
        "zns",
        help="Zalo notifications by phone (ZNS): check the settings against the API",
        description="Zalo notifications by phone (ZNS) for residents who never opened Loa.",
    )
    steps = zns.add_subparsers(dest="step", metavar="STEP", required=True)
    check = steps.add_parser(
        "check",
        help="check the ZNS settings and tokens; print the OA's quota left today (exit 2: not)",
        description=(
            "Check the ZNS_* settings against the API: refresh the OA's access token if it is "
            "due (the new tokens are stored in the database), then ask for the OA's daily "
            "quota and print what is left of it today in one line. Missing settings, a refused "
            "token or an unreachable API: one line, exit 2."
        ),
    )
    check.add_argument(
        "--new-tokens",
        action="store_true",
        help=(
            "replace the stored tokens by ZNS_ACCESS_TOKEN and ZNS_REFRESH_TOKEN (after "
            "authorising the OA again; otherwise these only seed an empty store)"
        ),
    )
    check.set_defaults(handler=lambda settings, args: asyncio.run(_check(settings, args)))


async def seed_tokens(store: Store, settings: Settings, *, replace: bool = False) -> None:
    """Store the settings' tokens if none are stored yet (or, with `replace`, over them)."""
    now = SystemClock().now()
    tokens = ZnsTokens(settings.zns_access_token.strip(), None, settings.zns_refresh_token.strip())
    if not await store.zns_tokens.seed(tokens, now) and replace:
        await store.zns_tokens.save(tokens, now)


def _refused(text: str) -> int:
    """Print one line to stderr and return the exit code of a refused check."""
    print(f"loa: {text}", file=sys.stderr)
    return 2


async def _check(settings: Settings, args: argparse.Namespace) -> int:
    require_zns(settings)
    async with store_for(settings, create=True) as store:
        await seed_tokens(store, settings, replace=args.new_tokens)
        client = ZnsClient(
            settings.zns_app_id.strip(),
            settings.zns_secret_key.strip(),
            store.zns_tokens,
            api_url=settings.zns_api_url,
            oauth_url=settings.zns_oauth_url,
            quota_path=settings.zns_quota_path,
            retries=0,  # one try, one line: the operator runs it again
        )
        async with client:
            try:
                quota = await client.quota()
            except ZnsNotAuthorised as exc:
                return _refused(
                    f"ZNS: {exc.message} (error {exc.code}); authorise the OA again, set "
                    "ZNS_ACCESS_TOKEN and ZNS_REFRESH_TOKEN, then run loa zns check --new-tokens"
                )
            except ZnsNetworkError as exc:
                data = {
                    "host": urlsplit(settings.zns_api_url).netloc,
                    "reason": exc.message,
                    "setting": "ZNS_API_URL",
                }
                print(Renderer().text("cli/unreachable", data), file=sys.stderr)
                return 2
            except ZnsError as exc:
                return _refused(f"ZNS refused the check: error {exc.code}: {exc.message}")
    print(Renderer().text("cli/zns_check", {"remaining": quota.remaining, "daily": quota.daily}))
    return 0
