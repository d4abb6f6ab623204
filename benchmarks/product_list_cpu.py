"""CPU per product-list request in process, with 32 requests in flight as in a served worker
(no server, no socket: the kernel's ASGI app called directly, ``asgi_driver``): the figure
the changes to the executed product list were measured by (docs/performance.md).

    .venv/bin/python -m benchmarks.product_list_cpu [--cache] [--rounds 3] [--per-caller 20]

A seeded shop (``http_world``; PostgreSQL when reachable, else SQLite), a serving app
(``create_app(serving=True)``: the garbage collector tuned as ``alliance serve`` has it),
the response cache off unless ``--cache``. Prints CPU and wall microseconds per request for
each round. Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import http_world
from benchmarks.asgi_driver import call
from benchmarks.bench_flash_sale import SECRET
from benchmarks.bench_http import PRODUCT_LIST
from benchmarks.http_breakdown import _request

IN_FLIGHT = 32


async def main(*, cache: bool, rounds: int, per_caller: int) -> None:
    from kernel.gateway.app import create_app
    from kernel.settings import Mode, Settings

    tmp = Path(tempfile.mkdtemp())
    engine, urls = await http_world.databases(tmp, (1,))
    try:
        world = await http_world.seed_shop(urls[1])
        tokens = http_world.issue_tokens(urls[1], world["sessions"], tmp / "tokens.txt")
        variables = {"c": world["campaign"], "k": world["community"]}
        settings = Settings(
            database_url=urls[1],
            secret_key=SECRET,
            var_dir=tmp / "var",
            mode=Mode.PRODUCTION,
            background_tasks=False,
            response_cache_entries=2048 if cache else 0,
        )
        app: Any = create_app(settings, serving=True)
        for hook in app.on_startup:
            await hook()
        try:
            requests = [
                _request(PRODUCT_LIST, variables, token)
                for token in tokens.read_text().split()[:IN_FLIGHT]
            ]

            async def load(each: int) -> None:
                async def caller(request: Any) -> None:
                    for _ in range(each):
                        status, _ = await call(app, *request)
                        assert status == 200

                await asyncio.gather(*(caller(request) for request in requests))

            await load(2)  # warm: plans, caches, the pool
            for _ in range(rounds):
                cpu, wall = time.process_time(), time.perf_counter()
                await load(per_caller)
                count = len(requests) * per_caller
                print(
                    f"{engine}, cache {'on' if cache else 'off'}: "
                    f"{(time.process_time() - cpu) / count * 1e6:.0f} us CPU, "
                    f"{(time.perf_counter() - wall) / count * 1e6:.0f} us wall per request",
                    flush=True,
                )
        finally:
            for hook in app.on_shutdown:
                await hook()
    finally:
        if engine == "postgres":
            await http_world.drop_database(urls[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-caller", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(cache=args.cache, rounds=args.rounds, per_caller=args.per_caller))
