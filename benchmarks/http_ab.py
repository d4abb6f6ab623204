"""Interleaved A/B of the served product list: one seeded shop database, one ``alliance
serve --workers 2`` per configuration (all running; rounds alternate between them), wrk
against each in turn; medians of the rate and of the workers' CPU per good answer.

    .venv/bin/python -m benchmarks.http_ab 3 5 "a:ALLIANCE_RESPONSE_CACHE_ENTRIES=0" \\
        "b:ALLIANCE_RESPONSE_CACHE_ENTRIES=0,ALLIANCE_GC_TUNING=false"

Arguments: seconds of wrk per round, rounds, then one ``NAME:VAR=value,VAR=value`` per
configuration (environment variables of its server). Not part of ``make bench``: a tool for
deciding whether a change is worth keeping (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import http_world
from benchmarks.bench_http import Run, _loads, _server_env
from benchmarks.flash_sale_ab import _configurations
from benchmarks.http_load import Server, start_alliance


def _starter(name: str, env: dict[str, str], logs: Path) -> Callable[[], Server]:
    return lambda: start_alliance(name, env, logs)


def main(seconds: int, rounds: int, specs: list[str]) -> dict[str, Any]:
    configurations = _configurations(specs)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        engine, urls = asyncio.run(http_world.databases(tmp, (1,)))
        try:
            world = asyncio.run(http_world.seed_shop(urls[1]))
            tokens = http_world.issue_tokens(urls[1], world["sessions"], tmp / "tokens.txt")
            _, product = _loads(tmp, world, tokens)
            run = Run(tmp, seconds, rounds)
            base = _server_env(urls[1], tmp / "var")
            run.start(
                {
                    name: (_starter(name, {**base, **env}, tmp), [product])
                    for name, env in configurations
                }
            )
            try:
                run.interleave([(name, *run.wrk(name, product)) for name, _ in configurations])
                run.remember_memory(*[name for name, _ in configurations])
                for name, _ in configurations:  # a server that answered nothing good: why
                    if not any(r["ok"] for r in run.series[name]):
                        log = run.server(name).log.read_text(errors="replace")
                        print(
                            f"{name} gave no good answer; its log ends:\n{log[-3000:]}",
                            file=sys.stderr,
                        )
            finally:
                run.stop(*[name for name, _ in configurations])
        finally:
            if engine == "postgres":
                asyncio.run(http_world.drop_database(urls[1]))
    return {
        "engine": engine,
        **{
            name: {
                "median_rate": round(statistics.median(r["rate"] for r in run.series[name])),
                "rates": [round(r["rate"]) for r in run.series[name]],
                "median_worker_cpu_us": round(
                    statistics.median(r["worker_cpu_us"] for r in run.series[name])
                ),
                "worker_rss_mb": run.memory_mb[name],
                "bad": sum(r["bad"] + r["errors"] for r in run.series[name]),
            }
            for name, _ in configurations
        },
    }


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    seconds, rounds, *specs = sys.argv[1:]
    json.dump(main(int(seconds), int(rounds), specs), sys.stdout, indent=2)
    print()
