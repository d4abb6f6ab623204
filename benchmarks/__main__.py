"""Run every benchmark (``benchmarks/bench_*.py``) and write results.md and results.json.

Each benchmark is a module with ``async def run() -> dict`` reporting its figures as ratios
to a baseline measured in the same run. ``python -m benchmarks [name ...]`` runs some.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGES = [
    "litestar",
    "strawberry-graphql",
    "graphql-core",
    "piccolo",
    "pycasbin",
    "pluggy",
    "hypercorn",
]


def machine() -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['machine']['date']} on {report['machine']['platform']}, "
        f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}.",
        "Figures are medians of several rounds; compare ratios, not absolute numbers.",
        "",
        "| benchmark | figure | value |",
        "|---|---|---|",
    ]
    for result in report["results"]:
        name = result.get("benchmark", "?")
        for key, value in result.items():
            if key != "benchmark":
                lines.append(f"| {name} | {key} | {json.dumps(value)} |")
    lines += [
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in report["machine"]["versions"].items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("bench_*.py"))
    results = []
    for name in names:
        module = importlib.import_module(
            f"benchmarks.{name if name.startswith('bench_') else 'bench_' + name}"
        )
        started = time.perf_counter()
        print(f"running {module.__name__} ...", file=sys.stderr, flush=True)
        result = asyncio.run(module.run())
        result.setdefault("benchmark", name)
        result["seconds"] = round(time.perf_counter() - started, 1)
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
    report = {"machine": machine(), "results": results}
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(report))
    print(f"wrote {HERE / 'results.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
