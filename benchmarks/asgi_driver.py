"""Calling an ASGI app in-process: measures the app, not a client or a socket."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def graphql_request(
    query: str, headers: dict[str, str] | None = None
) -> tuple[dict[str, Any], bytes]:
    body = json.dumps({"query": query}).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"host", b"127.0.0.1:8000"),
    ] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    return scope, body


async def call(app: ASGIApp, scope: dict[str, Any], body: bytes) -> tuple[int, bytes]:
    delivered = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(dict(scope), receive, send)
    return status, b"".join(chunks)


async def per_request_us(
    app: ASGIApp, scope: dict[str, Any], body: bytes, *, requests: int, rounds: int
) -> dict[str, float]:
    """Median and range over ``rounds`` of the mean time per request, in microseconds."""
    status, payload = await call(app, scope, body)
    assert status == 200 and b'"errors"' not in payload, payload[:300]
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            await call(app, scope, body)
        samples.append((time.perf_counter() - started) / requests * 1e6)
    return {"median_us": statistics.median(samples), "min_us": min(samples), "max_us": max(samples)}
