"""The litestar application: GraphQL gateway, health and readiness."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.response import Response
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from kernel.db.migrate import pending_migrations
from kernel.gateway.context import get_context
from kernel.gateway.controller import SchemaPair, make_controller
from kernel.gateway.fastpath import GraphQLFastPath
from kernel.gateway.parts import kernel_parts
from kernel.gateway.schema_factory import build_schema
from kernel.plugins.manager import PluginHost
from kernel.plugins.routes import plugin_routers
from kernel.plugins.schema import compose_graphql
from kernel.runtime import Kernel
from kernel.settings import Settings

__all__ = ["GC_THRESHOLDS", "build_schemas", "create_app"]

# Young objects collected every 10,000 allocations (Python's default: 700; the older
# generations keep their defaults, so cyclic garbage is still freed within ~1M allocations).
# An executed product list allocates ~30,000 container objects; with 32 requests in flight
# per worker the default ran ~20 collections per request, each scanning objects of requests
# still running: ~15% of a worker's CPU. Measured in docs/performance.md ("The garbage
# collector"): larger older thresholds saved no more CPU and held ~20 MB more per worker.
GC_THRESHOLDS = (10_000, 10, 10)


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(state: State) -> Response[dict[str, Any]]:
    """The database answers and every migration is applied."""
    kernel: Kernel = state.kernel
    if not await kernel.db.ping():
        return Response({"status": "unavailable", "reason": "database"}, status_code=503)
    if not state.get("migrations_ok"):
        pending = await pending_migrations()
        if pending:
            return Response(
                {"status": "unavailable", "reason": "migrations", "pending": pending},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        state.migrations_ok = True
    return Response({"status": "ok"})


def build_schemas(*, production: bool, plugins: PluginHost | None = None) -> SchemaPair:
    """The public schema (introspection only outside production) and the privileged one,
    composed from the kernel's parts and every installed plugin's (by default: the built-in
    plugins, which is what the committed ``schema.graphql`` shows)."""
    if plugins is None:
        from kernel.plugins.loading import load_plugins

        plugins = load_plugins(entry_points=False)
    roots = compose_graphql(plugins, kernel_parts())
    return SchemaPair(
        public=build_schema(**roots, production=production, introspection=not production),
        privileged=build_schema(**roots, production=production, introspection=True),
    )


def _serving_start(kernel: Kernel, *, tune_gc: bool) -> Callable[[], Awaitable[None]]:
    # A zero-argument hook: litestar passes the app to hooks whose signature takes one.
    async def start() -> None:
        await kernel.start(background=True)
        if tune_gc:
            _tune_collector()

    return start


def _tune_collector() -> None:
    """Freeze what start-up left alive (modules, schemas, plugins: ~160,000 objects no
    collection will ever free) out of the cyclic collector, and collect young objects less
    often. Process-wide, so only for serving processes, never for an app built in a test."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(
    settings: Settings | None = None, *, plugins: PluginHost | None = None, serving: bool = False
) -> Litestar:
    """The application; ``plugins`` defaults to every discovered plugin (see
    :meth:`Kernel.from_settings`). ``serving``: the app is this process's whole job (a
    server's worker), so start-up may tune the process (``Settings.gc_tuning``)."""
    settings = settings or Settings()
    kernel = Kernel.from_settings(settings, plugins=plugins)
    production = settings.is_production
    schemas = build_schemas(production=production, plugins=kernel.plugins)
    graphql = make_controller(schemas, context_getter=get_context, graphiql=not production)
    app = Litestar(
        route_handlers=[graphql, healthz, readyz, *plugin_routers(kernel.plugins)],
        on_startup=[_serving_start(kernel, tune_gc=serving and settings.gc_tuning)],
        on_shutdown=[kernel.stop],
        state=State({"kernel": kernel, "schemas": schemas}),
        logging_config=LoggingConfig(
            # litestar's default config turns casbin's per-decision INFO logs back on (2x slower).
            loggers={"casbin": {"level": "ERROR"}, "kernel": {"level": "INFO"}},
            log_exceptions="debug",
        ),
        debug=False,
    )
    # Plain POST /graphql requests skip routing, dependency injection and strawberry's view;
    # the controller above answers everything else (see kernel/gateway/fastpath.py).
    app.asgi_handler = GraphQLFastPath(
        app.asgi_handler,
        kernel=kernel,
        schemas=schemas,
        cache_entries=settings.response_cache_entries,
    )
    return app
