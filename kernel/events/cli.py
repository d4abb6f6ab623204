"""``alliance events``: list dead letters and requeue them.

Requeued deliveries are picked up by the running servers' dispatchers at their next poll.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from kernel.cli_common import CLIError, ensure_migrated, load_settings, progress, running_kernel
from kernel.events.letters import dead_letters, retry_dead

__all__ = ["cmd_dead", "cmd_retry", "register"]


def _one_line(text: str, width: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 3] + "..."


def cmd_dead(args: argparse.Namespace) -> int:
    """List dead letters: deliveries that failed too often (oldest event first)."""

    async def go() -> int:
        async with running_kernel(load_settings()) as kernel:
            await ensure_migrated(kernel)
            letters = await dead_letters(kernel.db, consumer=args.consumer, limit=args.limit)
        if not letters:
            progress("No dead letters.")
            return 0
        progress(
            f"{'ID':>6}  {'CONSUMER':<28} {'EVENT TYPE':<28} {'MEMBER':>7} {'TRIES':>5}  ERROR"
        )
        for letter in letters:
            progress(
                f"{letter.id:>6}  {letter.consumer:<28} {letter.event_type:<28} "
                f"{letter.member_id:>7} {letter.attempts:>5}  {_one_line(letter.last_error)}"
            )
        progress(f"{len(letters)} dead letter(s); requeue with `alliance events retry ID ...`.")
        return 0

    return asyncio.run(go())


def cmd_retry(args: argparse.Namespace) -> int:
    """Requeue dead letters (by ID, by consumer, or --all) with a fresh attempt budget."""
    if not (args.ids or args.consumer or args.all):
        raise CLIError("name dead letters to retry: IDs, --consumer C, or --all")

    async def go() -> int:
        async with running_kernel(load_settings()) as kernel:
            await ensure_migrated(kernel)
            count = await retry_dead(
                kernel.db, kernel.clock(), consumer=args.consumer, ids=args.ids
            )
        progress(f"Requeued {count} dead letter(s).")
        return 0

    return asyncio.run(go())


def register(commands: Any) -> None:
    """Add ``events dead`` and ``events retry`` to the ``alliance`` command."""
    events = commands.add_parser("events", help="domain event delivery").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    dead = events.add_parser("dead", help="list dead letters", description=cmd_dead.__doc__)
    dead.add_argument("--consumer", help="only this consumer's")
    dead.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    dead.set_defaults(command=cmd_dead)
    retry = events.add_parser("retry", help="requeue dead letters", description=cmd_retry.__doc__)
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead letter IDs")
    retry.add_argument("--consumer", help="only this consumer's")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    retry.set_defaults(command=cmd_retry)
