"""``alliance serve`` as a real server process: health, GraphQL, and graceful shutdown.

The in-flight request of the shutdown tests is a POST whose body arrives in two parts, with
SIGTERM in between: the server has the request but cannot answer yet. No slow endpoint needed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
QUERY = json.dumps({"query": "{ kernelVersion }"}).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update(
        ALLIANCE_DATABASE_URL=database_url,
        ALLIANCE_VAR_DIR=str(tmp_path / "var"),
        ALLIANCE_MODE="development",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_until_ready(process: subprocess.Popen[str], base: str, path: str) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"server exited with {process.returncode}:\n{output}")
        try:
            response = httpx.get(base + path, timeout=2)
            if response.status_code == 200 or time.monotonic() > deadline:
                return response
        except httpx.TransportError:
            if time.monotonic() > deadline:
                pytest.fail(f"{path} not answering after {START_TIMEOUT} s")
        time.sleep(0.1)


@contextmanager
def serving(
    tmp_path: Path, database_url: str, *args: str
) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    """A running ``alliance serve`` (killed at the end if the test did not stop it)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kernel.cli", "serve", "--port", str(port), *args],
        env=server_env(tmp_path, database_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}", port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        if process.stdout:
            process.stdout.close()


def stop(process: subprocess.Popen[str]) -> tuple[int, float, str]:
    """SIGTERM; the exit status, seconds to exit and the output."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no exit within {STOP_TIMEOUT} s of SIGTERM")
    output = process.stdout.read() if process.stdout else ""
    return status, time.monotonic() - started, output


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_stops_cleanly(database_url: str, tmp_path: Path, workers: int) -> None:
    with serving(tmp_path, database_url, "--workers", str(workers)) as (process, base, _):
        assert wait_until_ready(process, base, "/healthz").status_code == 200
        ready = wait_until_ready(process, base, "/readyz")
        assert ready.status_code == 200, ready.text
        # Several connections, so that with two workers both are likely to answer.
        for _ in range(4):
            with httpx.Client(base_url=base, timeout=5) as client:
                response = client.post("/graphql", json={"query": "{ kernelVersion }"})
            assert response.status_code == 200
            assert response.json() == {"data": {"kernelVersion": "0.1.0"}}
        status, seconds, output = stop(process)
    assert status == 0, output
    assert seconds < 8, output
    assert "Traceback" not in output
    assert "Stopped." in output


def test_readyz_reports_pending_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unmigrated.sqlite'}"
    with serving(tmp_path, url) as (process, base, _):
        assert wait_until_ready(process, base, "/healthz").status_code == 200
        ready = httpx.get(base + "/readyz", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["reason"] == "migrations"
        status, _, output = stop(process)
    assert status == 0
    assert "migration(s) pending" in output


def test_serve_refuses_unreachable_database(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "kernel.cli", "serve", "--port", str(free_port())],
        env=server_env(tmp_path, url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if "database unreachable" in line
    ]
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_port_in_use(sqlite_template: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kernel.cli", "serve", "--port", str(port)],
            env=server_env(tmp_path, f"sqlite:///{sqlite_template}"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_request_in_flight_completes_after_sigterm(
    sqlite_template: Path, tmp_path: Path, workers: int
) -> None:
    """SIGTERM while a request is half received: it is still answered, then the server exits.

    With ``hypercorn.run.run`` and two workers this request was dropped 3 times in 3 (the idle
    worker exits, the parent then terminates the busy one); ``alliance serve`` drains all.
    """
    database = tmp_path / "db.sqlite"
    database.write_bytes(sqlite_template.read_bytes())
    args = ("--workers", str(workers), "--graceful-timeout", "5")
    with serving(tmp_path, f"sqlite:///{database}", *args) as (process, base, port):
        assert wait_until_ready(process, base, "/readyz").status_code == 200
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            head = (
                "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(QUERY)}\r\nConnection: close\r\n\r\n"
            )
            conn.sendall(head.encode() + QUERY[:10])
            time.sleep(0.3)  # the server has read the head
            process.send_signal(signal.SIGTERM)
            time.sleep(1.0)  # well past the moment an idle worker exits
            conn.sendall(QUERY[10:])
            received = b""
            while chunk := conn.recv(65536):
                received += chunk
        status = process.wait(timeout=STOP_TIMEOUT)
        output = process.stdout.read() if process.stdout else ""
    assert received.startswith(b"HTTP/1.1 200"), (received, output)
    assert received.endswith(b'{"data":{"kernelVersion":"0.1.0"}}'), received
    assert status == 0, output
