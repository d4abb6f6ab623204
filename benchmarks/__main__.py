"""Run every benchmark (``benchmarks/bench_*.py``) and write results.md and results.json.

Each benchmark is a module with ``async def run() -> dict`` reporting its figures as ratios
to a baseline measured in the same run. ``python -m benchmarks [name ...]`` runs some and
keeps the others' last results (from results.json). A result may carry ``rows`` (figure,
median, min, max, target, met): results.md shows them as a table of their own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
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
    "uvloop",
    "asyncpg",
    "msgspec",
]


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    versions["wrk"] = _wrk_version()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        # A shared machine's background load at the start: how much to trust absolute numbers.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


# A result with ``rows`` gets a table of its own; these keys are in it.
_IN_ROWS = ("rows", "rates_per_s", "worker_cpu_us_per_request", "targets")


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _wrk_version() -> str | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    words = (out.stdout or out.stderr).split()
    return words[1] if len(words) > 1 else None


def _rows(result: dict[str, Any]) -> list[str]:
    """A benchmark's own table: its ``rows`` (figure, median, min, max, target, met)."""
    lines = [
        "",
        f"## {result.get('benchmark', '?')}",
        "",
        "| figure | median | min | max | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in result["rows"]:
        met = row.get("met")
        cells = [row["figure"], row.get("median"), row.get("min"), row.get("max")]
        cells += [row.get("target"), {True: "yes", False: "**no**"}.get(met)]
        lines.append("| " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['machine']['date']} on {report['machine']['platform']}, "
        f"{report['machine']['cpus']} CPUs ({report['machine'].get('cpu')}), "
        f"Python {report['machine']['python']}, "
        f"load average at start {report['machine'].get('load_average')}.",
        "Figures are medians of several rounds (min-max where given); compare ratios, not "
        "absolute numbers.",
        "",
        "| benchmark | figure | value |",
        "|---|---|---|",
    ]
    for result in report["results"]:
        name = result.get("benchmark", "?")
        for key, value in result.items():
            if key != "benchmark" and not (key in _IN_ROWS and result.get("rows")):
                lines.append(f"| {name} | {key} | {json.dumps(value)} |")
    for result in report["results"]:
        if result.get("rows"):
            lines += _rows(result)
    lines += [
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in report["machine"]["versions"].items()),
    ]
    return "\n".join(lines) + "\n"


def _earlier(ran: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On a partial run, the other benchmarks' results from the last results.json (each with
    its own ``ran_at``), so that running one benchmark does not drop the others' figures."""
    try:
        previous = json.loads((HERE / "results.json").read_text())
    except (OSError, ValueError):
        return []
    names = {result.get("benchmark") for result in ran}
    return [r for r in previous.get("results", []) if r.get("benchmark") not in names]


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
        result["ran_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
    if argv:
        results = _earlier(results) + results
    report = {"machine": machine(), "results": results}
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(report))
    print(f"wrote {HERE / 'results.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
