"""``alliance jobs``: list the plugins' periodic jobs and run one now (from cron, or to
catch up by hand)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from kernel.cli_common import CLIError, ensure_migrated, load_settings, progress, running_kernel
from kernel.jobs.runner import declared_jobs, run_job

__all__ = ["cmd_list", "cmd_run", "register"]


def cmd_list(args: argparse.Namespace) -> int:
    """List the periodic jobs of the installed plugins."""

    async def go() -> int:
        async with running_kernel(load_settings()) as kernel:
            jobs = declared_jobs(kernel)
        if not jobs:
            progress("No jobs.")
        for name, (_slug, job) in sorted(jobs.items()):
            progress(f"{name:<40} every {job.every:g}s  {job.description}")
        return 0

    return asyncio.run(go())


def cmd_run(args: argparse.Namespace) -> int:
    """Run one job now (safe while servers run it too)."""

    async def go() -> int:
        async with running_kernel(load_settings()) as kernel:
            await ensure_migrated(kernel)
            jobs = declared_jobs(kernel)
            if args.name not in jobs:
                known = ", ".join(sorted(jobs)) or "none"
                raise CLIError(f"no job {args.name!r} (known: {known})")
            slug, job = jobs[args.name]
            handled = await run_job(kernel, slug, job)
        progress(f"{args.name}: {'failed, see the log' if handled is None else handled} ")
        return 0 if handled is not None else 1

    return asyncio.run(go())


def register(commands: Any) -> None:
    """Add ``jobs list`` and ``jobs run NAME`` to the ``alliance`` command."""
    jobs = commands.add_parser("jobs", help="plugins' periodic jobs").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    listing = jobs.add_parser("list", help="list jobs", description=cmd_list.__doc__)
    listing.set_defaults(command=cmd_list)
    run = jobs.add_parser("run", help="run a job now", description=cmd_run.__doc__)
    run.add_argument("name", help="<plugin>.<job>, as listed")
    run.set_defaults(command=cmd_run)
