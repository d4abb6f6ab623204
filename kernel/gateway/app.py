"""The litestar application: GraphQL gateway, health and readiness."""

from __future__ import annotations

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

__all__ = ["build_schemas", "create_app"]


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


def _serving_start(kernel: Kernel) -> Callable[[], Awaitable[None]]:
    # A zero-argument hook: litestar passes the app to hooks whose signature takes one.
    async def start() -> None:
        await kernel.start(background=True)

    return start


def create_app(settings: Settings | None = None, *, plugins: PluginHost | None = None) -> Litestar:
    """The application; ``plugins`` defaults to every discovered plugin (see
    :meth:`Kernel.from_settings`)."""
    settings = settings or Settings()
    kernel = Kernel.from_settings(settings, plugins=plugins)
    production = settings.is_production
    schemas = build_schemas(production=production, plugins=kernel.plugins)
    graphql = make_controller(schemas, context_getter=get_context, graphiql=not production)
    app = Litestar(
        route_handlers=[graphql, healthz, readyz, *plugin_routers(kernel.plugins)],
        on_startup=[_serving_start(kernel)],
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
