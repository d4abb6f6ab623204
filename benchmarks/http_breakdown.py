"""Where one product-list request's time goes, in process (no server, no socket, no load):
the whole ASGI request through the kernel's app; the same operation executed on its schema
(GraphQL and resolvers, no HTTP, no authentication); executed on a stock ``strawberry.Schema``
of the same types (no parse/validation caches); and the time spent awaiting the database
(``run_querystring``), with the number of statements. Microseconds, medians of 5 rounds."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.asgi_driver import call, graphql_request
from benchmarks.bench_flash_sale import SECRET

__all__ = ["breakdown"]

ROUNDS = 5
REQUESTS = 60


def _request(
    query: str, variables: dict[str, Any] | None, token: str | None
) -> tuple[dict[str, Any], bytes]:
    scope, _ = graphql_request(query, {"authorization": f"Bearer {token}"} if token else None)
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    scope["headers"] = [
        (k, str(len(body)).encode() if k == b"content-length" else v) for k, v in scope["headers"]
    ]
    return scope, body


async def _per_call_us(action: Callable[[], Awaitable[Any]]) -> float:
    await action()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            await action()
        samples.append((time.perf_counter() - started) / REQUESTS * 1e6)
    return statistics.median(samples)


class _DatabaseClock:
    """Time spent awaiting the engine's ``run_querystring``, and how many calls."""

    def __init__(self, engine: Any) -> None:
        self.seconds, self.calls = 0.0, 0
        self.engine_class = type(engine)  # patched on the class: PostgresEngine has __slots__
        self.original = self.engine_class.run_querystring
        clock = self

        async def timed(engine: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await clock.original(engine, *args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started
                clock.calls += 1

        self.engine_class.run_querystring = timed

    def restore(self) -> None:
        self.engine_class.run_querystring = self.original


async def breakdown(
    url: str, tmp: Path, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    import strawberry

    from kernel.gateway.app import create_app
    from kernel.gateway.context import Context
    from kernel.gateway.parts import kernel_parts
    from kernel.identity.authn import authenticate
    from kernel.plugins.schema import compose_graphql
    from kernel.settings import Mode, Settings

    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        var_dir=tmp / "var",
        mode=Mode.PRODUCTION,
        background_tasks=False,
    )
    app: Any = create_app(settings)  # an ASGI app for asgi_driver, started by hand
    kernel = app.state.kernel
    for hook in app.on_startup:
        await hook()
    try:
        typename = _request("{ __typename }", None, None)
        product = _request(query, variables, token)
        status, payload = await call(app, *product)
        assert status == 200 and b'"errors"' not in payload, payload[:300]
        principal = await authenticate(kernel, f"Bearer {token}")
        ours = app.state.schemas.public
        roots = compose_graphql(kernel.plugins, kernel_parts())
        stock = strawberry.Schema(
            query=roots["query"], mutation=roots["mutation"], types=roots["types"]
        )

        async def execute(schema: Any) -> None:
            result = await schema.execute(
                query,
                variable_values=variables,
                context_value=Context(kernel=kernel, principal=principal),
            )
            assert not result.errors, result.errors

        figures = {
            "typename_http": await _per_call_us(lambda: call(app, *typename)),
            "product_list_http": await _per_call_us(lambda: call(app, *product)),
            "product_list_execute": await _per_call_us(lambda: execute(ours)),
            "product_list_execute_stock_schema": await _per_call_us(lambda: execute(stock)),
        }
        clock = _DatabaseClock(kernel.db.engine)
        try:
            for _ in range(REQUESTS):
                await call(app, *product)
        finally:
            clock.restore()
        figures["product_list_database"] = clock.seconds / REQUESTS * 1e6
        result: dict[str, Any] = {k: round(v) for k, v in figures.items()}
        result["product_list_queries"] = clock.calls / REQUESTS
        result["response_bytes"] = len(payload)
        return result
    finally:
        for hook in app.on_shutdown:
            await hook()
