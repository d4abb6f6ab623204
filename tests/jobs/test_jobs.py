"""Plugins' periodic jobs: declared, run on demand by ``alliance jobs``, run on schedule by a
serving kernel, contained when they fail."""

from __future__ import annotations

import asyncio

import pytest

from kernel.cli import main
from kernel.jobs.runner import JobRunner, declared_jobs, run_job
from kernel.plugins.declarations import Job
from kernel.runtime import Kernel
from kernel.settings import Settings


def test_built_in_plugins_declare_their_jobs(kernel: Kernel) -> None:
    jobs = declared_jobs(kernel)
    assert "groupbuy.close_campaigns" in jobs
    assert all(job.every > 0 and job.name for _slug, job in jobs.values())


async def test_a_failing_job_is_contained_and_a_runner_repeats_jobs(
    kernel: Kernel, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[int] = []

    async def count(_kernel: object) -> int:
        runs.append(1)
        return len(runs)

    async def explode(_kernel: object) -> int:
        raise RuntimeError("boom")

    assert await run_job(kernel, "demo", Job("count", 0.01, count)) == 1
    assert await run_job(kernel, "demo", Job("explode", 0.01, explode)) is None
    assert "plugin demo: job explode raised" in caplog.text

    runner = JobRunner(kernel)
    runner_jobs = {"demo.count": ("demo", Job("count", 0.01, count))}
    runner._tasks = [
        asyncio.create_task(runner._loop(slug, job)) for slug, job in runner_jobs.values()
    ]
    await asyncio.sleep(0.2)
    await runner.stop()
    assert len(runs) >= 4  # 1 above + several ticks


def test_alliance_jobs_list_and_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("ALLIANCE_VAR_DIR", str(settings.var_dir))
    assert main(["jobs", "list"]) == 0
    assert "groupbuy.close_campaigns" in capsys.readouterr().out
    assert main(["jobs", "run", "groupbuy.close_campaigns"]) == 0
    assert "groupbuy.close_campaigns: 0" in capsys.readouterr().out
    assert main(["jobs", "run", "nope.nothing"]) == 1
