"""Running plugins' periodic jobs.

A job's schedule lives in the database, not in the runner: a job asks "what is due?" each
time it runs (``deadline <= now``), so a restart, a crash half-way or two processes running
the same job lose nothing and do nothing twice, provided each step is a conditional update.
The runner only decides *when* to ask. A job that raises is logged with its plugin's slug and
asked again at its next tick; it never stops the other jobs.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING

from kernel.plugins.calls import run_contained
from kernel.plugins.declarations import Job

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["JobRunner", "declared_jobs", "run_job"]

logger = logging.getLogger("kernel.jobs")


def declared_jobs(kernel: Kernel) -> dict[str, tuple[str, Job]]:
    """``{"<slug>.<name>": (slug, job)}`` of every installed plugin's jobs."""
    jobs: dict[str, tuple[str, Job]] = {}
    for slug, entries in kernel.plugins.declarations("register_jobs"):
        for job in entries:
            assert isinstance(job, Job), job
            jobs[f"{slug}.{job.name}"] = (slug, job)
    return jobs


async def run_job(kernel: Kernel, slug: str, job: Job, *, budget: float = 300.0) -> int | None:
    """Run ``job`` once, contained (a failure is logged and answers None)."""
    result = await run_contained(
        slug, f"job {job.name}", lambda: job.run(kernel), budget=max(budget, job.every)
    )
    return int(result) if isinstance(result, int) else None


class JobRunner:
    """One task per declared job, each running it every ``job.every`` seconds."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def start(self) -> None:
        for name, (slug, job) in sorted(declared_jobs(self.kernel).items()):
            task = asyncio.create_task(self._loop(slug, job), name=f"job {name}")
            self._tasks.append(task)

    async def stop(self) -> None:
        """Cancel every job loop and wait until all have ended.

        The flag as well as the cancellation, repeated: a loop must end even when the
        cancellation is swallowed (by plugin code, or by ``asyncio.wait_for`` on Python 3.11
        when the call completes at the same moment).
        """
        self._stopping = True
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=1.0)
        self._tasks.clear()

    async def _loop(self, slug: str, job: Job) -> None:
        # First run after a random part of the period: workers starting together (or a
        # restart) do not all run every job at once, while starting up.
        await asyncio.sleep(job.every * random.uniform(0.2, 1.0))
        while not self._stopping:
            await run_job(self.kernel, slug, job)
            await asyncio.sleep(job.every)
