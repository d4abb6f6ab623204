"""The GraphQL hot path: our controller and schema vs strawberry's stock litestar controller.

Same query, same process, side by side, interleaved rounds.
Run: ``python -m benchmarks.bench_gateway``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import strawberry
from litestar import Litestar
from strawberry.litestar import make_graphql_controller

from benchmarks.asgi_driver import graphql_request, per_request_us
from kernel.gateway.app import create_app
from kernel.gateway.compose import compose
from kernel.gateway.parts import kernel_parts
from kernel.settings import Settings

QUERY = "{ __typename }"


def stock_app() -> Litestar:
    roots = compose(kernel_parts())
    schema = strawberry.Schema(
        query=roots["query"], mutation=roots["mutation"], types=roots["types"]
    )
    return Litestar(route_handlers=[make_graphql_controller(schema, path="/graphql")])


async def run(requests: int = 2000, rounds: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
            secret_key="benchmark-secret-key-0123456789abcdefgh",  # type: ignore[arg-type]
            var_dir=Path(tmp),
        )
        ours = create_app(settings)
        for hook in ours.on_startup:
            await hook()
        stock = stock_app()
        scope, body = graphql_request(QUERY)
        results: dict[str, list[dict[str, float]]] = {"stock": [], "kernel": []}
        # Interleave so drift on a noisy machine hits both alike.
        for _ in range(rounds):
            results["stock"].append(
                await per_request_us(stock, scope, body, requests=requests, rounds=1)
            )
            results["kernel"].append(
                await per_request_us(ours, scope, body, requests=requests, rounds=1)
            )
        for hook in ours.on_shutdown:
            await hook()
    medians = {k: sorted(r["median_us"] for r in v)[len(v) // 2] for k, v in results.items()}
    return {
        "benchmark": "gateway_hot_path",
        "query": QUERY,
        "requests_per_round": requests,
        "rounds": rounds,
        "stock_strawberry_us": round(medians["stock"], 1),
        "kernel_us": round(medians["kernel"], 1),
        "speedup_vs_stock": round(medians["stock"] / medians["kernel"], 2),
        "range_us": {
            k: [round(min(r["median_us"] for r in v), 1), round(max(r["median_us"] for r in v), 1)]
            for k, v in results.items()
        },
    }


if __name__ == "__main__":
    json.dump(asyncio.run(run()), sys.stdout, indent=2)
    print()
