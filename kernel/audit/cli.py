"""``alliance audit``: verify the hash chain, show its head, show the newest entries.

``verify`` prints ``ok: N entries`` (exit 0) or ``FAIL at position P: edited|deleted|reordered``
followed by the one error line on stderr (exit 1), so scripts and cron can alert on it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kernel.cli_common import CLIError, ensure_migrated, load_settings, progress, running_kernel

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["register"]


def _run(work: Callable[[Kernel], Awaitable[int]]) -> int:
    settings = load_settings()

    async def go() -> int:
        async with running_kernel(settings) as started:
            await ensure_migrated(started)
            return await work(started)

    return asyncio.run(go())


def _anchor(text: str) -> tuple[int, str]:
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise argparse.ArgumentTypeError(f"expected POSITION:SHA256HEX, got {text!r}")
    return int(position), digest.lower()


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {text!r}")
    return int(text)


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every entry of the audit log's hash chain; exit 1 at the first bad one."""

    async def work(started: Kernel) -> int:
        from kernel.audit.verify import verify

        result = await verify(started, expected_head=args.expect_head)
        if result.ok:
            progress(f"ok: {result.checked} entries")
            return 0
        progress(f"FAIL at position {result.position}: {result.problem}")
        raise CLIError(f"audit log tampered at position {result.position}: {result.detail}")

    return _run(work)


def cmd_head(args: argparse.Namespace) -> int:
    """Print POSITION:HASH of the newest entry: record it elsewhere, pass it to verify."""

    async def work(started: Kernel) -> int:
        from kernel.audit.log import head

        position, digest = await head(started)
        progress(f"{position}:{digest}")
        return 0

    return _run(work)


def cmd_tail(args: argparse.Namespace) -> int:
    """Print the newest entries of the audit log, oldest first."""

    async def work(started: Kernel) -> int:
        from kernel.audit.chain import format_instant
        from kernel.audit.log import recent

        for entry in await recent(started, args.n):
            member = "-" if entry.member_id is None else entry.member_id
            grant = "-" if entry.grant_id is None else entry.grant_id
            progress(
                f"{entry.position:>6}  {format_instant(entry.occurred_at)}  {entry.actor}  "
                f"{entry.action}  member={member} grant={grant}  {entry.subject}  "
                f"{entry.details}"
            )
        return 0

    return _run(work)


def register(commands: Any) -> None:
    """Add ``alliance audit {verify,head,tail}`` to the ``alliance`` command."""
    audit = commands.add_parser("audit", help="check and read the audit log").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    verify = audit.add_parser("verify", help="check the hash chain", description=cmd_verify.__doc__)
    verify.add_argument(
        "--expect-head",
        type=_anchor,
        metavar="POSITION:HASH",
        help="a head recorded earlier with `alliance audit head` (detects a cut-off tail)",
    )
    verify.set_defaults(command=cmd_verify)
    head = audit.add_parser(
        "head", help="print the newest entry's anchor", description=cmd_head.__doc__
    )
    head.set_defaults(command=cmd_head)
    tail = audit.add_parser("tail", help="print the newest entries", description=cmd_tail.__doc__)
    tail.add_argument("-n", type=_count, default=20, help="how many entries (20)")
    tail.set_defaults(command=cmd_tail)
