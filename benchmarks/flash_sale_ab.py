"""Interleaved A/B of the flash sale: one seeded database, servers started in turn with
each configuration's environment, wrk against each, round after round; medians.

    .venv/bin/python -m benchmarks.flash_sale_ab postgres 6 3 "on:" \\
        "off:ALLIANCE_BACKGROUND_TASKS=false"

Arguments: engine (sqlite or postgres), seconds of wrk per run, rounds, then one
``NAME:VAR=value,VAR=value`` per configuration (environment variables of the server).
Separate runs of one configuration spread +-10-15% on a shared 2-core machine; alternating
configurations within one run is how a change is worth measuring (docs/performance.md).
Not part of ``make bench``: a tool for deciding whether a change is worth keeping.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from benchmarks import bench_flash_sale as sale


def _configurations(specs: list[str]) -> list[tuple[str, dict[str, str]]]:
    found = []
    for spec in specs:
        name, _, pairs = spec.partition(":")
        found.append((name, dict(pair.split("=", 1) for pair in pairs.split(",") if pair)))
    return found


def main(engine: str, seconds: int, rounds: int, specs: list[str]) -> dict[str, Any]:
    configurations = _configurations(specs)
    tmp = Path(tempfile.mkdtemp())
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'flash.sqlite'}"
    else:
        url = sale.PG_ADMIN.rsplit("/", 1)[0] + f"/alliance_bench_ab_{os.getpid()}"
        asyncio.run(sale._reset(url))
    world = asyncio.run(sale._seed(url, sale.STOCK))
    tokens = tmp / "tokens.txt"
    tokens.write_text("\n".join(world["tokens"]) + "\n")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in configurations}
    saved = dict(os.environ)
    try:
        for _ in range(rounds):
            for name, env in configurations:
                os.environ.update(env)
                port = sale._free_port()
                server = sale._serve(url, tmp / "var", port)
                os.environ.clear()
                os.environ.update(saved)
                try:
                    load = sale._wrk(port, seconds, world, tokens, prefix=uuid.uuid4().hex[:8])
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                load["accepted_per_s"] = round(load["accepted"] / load["seconds"], 1)
                runs[name].append(load)
                print(name, load["accepted_per_s"], load["p99_ms"], file=sys.stderr, flush=True)
    finally:
        if engine != "sqlite":
            asyncio.run(sale._drop(url))
    return {
        name: {
            "median_accepted_per_s": statistics.median(r["accepted_per_s"] for r in results),
            "accepted_per_s": [r["accepted_per_s"] for r in results],
            "p99_ms": [r["p99_ms"] for r in results],
            "other_or_errors": sum(r["other"] + r["errors"] for r in results),
        }
        for name, results in runs.items()
    }


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    engine, seconds, rounds, *specs = sys.argv[1:]
    json.dump(main(engine, int(seconds), int(rounds), specs), sys.stdout, indent=2)
    print()
