"""Real servers under wrk for ``bench_http``: start ``alliance serve`` or ``hypercorn``, wait
until every worker serves, drive them with wrk (``graphql_post.lua``), read the workers'
memory and CPU time from ``/proc``.

Blocking on purpose (subprocesses, ``time.sleep``): the benchmark does nothing else meanwhile.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_flash_sale import _free_port

__all__ = ["Load", "Server", "run_wrk", "run_wrk_together", "start_alliance", "start_hypercorn"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LUA = HERE / "graphql_post.lua"
WORKERS = 2


@dataclass(frozen=True)
class Load:
    """One wrk workload: a JSON body, optional bearer tokens, the string a good answer holds."""

    body_file: Path
    tokens_file: Path | None
    expected: str


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    rss_mb: list[float] = field(default_factory=list)

    def workers(self) -> list[int]:
        """The worker processes: children of the server started by multiprocessing's spawn
        (``alliance serve`` and ``hypercorn -w`` both spawn them; not the resource tracker)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory (VmRSS) of each worker, in MB (MiB)."""
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes.append(round(int(match.group(1)) / 1024, 1))
        return sizes

    def worker_cpu_seconds(self) -> dict[int, float]:
        """User + system CPU time of each worker so far."""
        tick = os.sysconf("SC_CLK_TCK")
        times = {}
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
        return times

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def fail(self, why: str) -> RuntimeError:
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        return RuntimeError(f"{self.name}: {why}\n{tail}")


def _start(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Server:
    port = _free_port()
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, *_bind(argv, port)], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    return Server(name, process, port, log)


def _bind(argv: list[str], port: int) -> list[str]:
    if Path(argv[0]).name == "alliance":
        return ["--host", "127.0.0.1", "--port", str(port)]
    return ["--bind", f"127.0.0.1:{port}"]


def start_alliance(name: str, env: dict[str, str], logs: Path) -> Server:
    """``alliance serve --workers 2`` (hypercorn, uvloop workers) on ``env``'s database."""
    argv = [str(ROOT / ".venv/bin/alliance"), "serve", "--workers", str(WORKERS)]
    return _start(name, argv, env, logs)


def start_hypercorn(name: str, application: str, env: dict[str, str], logs: Path) -> Server:
    """``hypercorn -w 2 -k uvloop application``: the same configuration as ``alliance serve``."""
    argv = [str(ROOT / ".venv/bin/hypercorn"), "-w", str(WORKERS), "-k", "uvloop", application]
    return _start(name, argv, env, logs)


def wait_up(server: Server, timeout: float = 90.0) -> None:
    """Until the server answers HTTP at all (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise server.fail(f"exited with status {server.process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            connection.close()
    raise server.fail("did not answer in time")


def warm(server: Server, load: Load, seconds: int = 1, tries: int = 20) -> None:
    """Load the server until every worker has served (used CPU under the load): a worker
    still importing when the first answered would otherwise be measured cold."""
    for _ in range(tries):
        before = server.worker_cpu_seconds()
        run_wrk(server.port, load, seconds)
        after = server.worker_cpu_seconds()
        busy = [pid for pid in after if after[pid] - before.get(pid, after[pid]) > 0.05]
        if len(after) == WORKERS and len(busy) == WORKERS:
            return
    raise server.fail(f"not every worker served after {tries} warm-up rounds")


def _wrk_argv(port: int, load: Load, seconds: int, connections: int) -> list[str]:
    return [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/graphql",
        "--",
        str(load.body_file),
        str(load.tokens_file) if load.tokens_file else "-",
        load.expected,
    ]


def _parse(out: str, connections: int) -> dict[str, Any]:
    """wrk's figures; ``rate`` is good answers per second by Little's law (connections / mean
    latency, times the good share): ``ok / seconds`` undercounts the requests still in flight
    when the round ends, one per connection, which is ~20% of a 3 s round when a request
    takes 0.3 s under load. Both are kept."""
    match = re.search(r"WRK_JSON (\{.*\})", out)
    if match is None:
        raise RuntimeError(f"wrk said: {out}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["completed_per_s"] = result["ok"] / result["seconds"]
    share = result["ok"] / result["requests"] if result["requests"] else 0.0
    result["rate"] = share * connections / (result["mean_ms"] / 1e3) if result["mean_ms"] else 0.0
    return result


def run_wrk(port: int, load: Load, seconds: int, connections: int = 64) -> dict[str, Any]:
    """One wrk run: requests, good answers (``ok``), ``bad`` ones, ``rate`` (good per second)."""
    argv = _wrk_argv(port, load, seconds, connections)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return _parse(done.stdout + done.stderr, connections)


def run_wrk_together(
    targets: list[tuple[int, Load]], seconds: int, connections: int
) -> dict[str, Any]:
    """Several wrk processes at once (one per target, ``connections`` each); summed."""
    processes = [
        subprocess.Popen(
            _wrk_argv(port, load, seconds, connections),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port, load in targets
    ]
    results = [_parse(process.communicate()[0], connections) for process in processes]
    return {
        "ok": sum(r["ok"] for r in results),
        "bad": sum(r["bad"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "rate": sum(r["rate"] for r in results),
        "completed_per_s": sum(r["completed_per_s"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
    }
