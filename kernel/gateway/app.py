"""The litestar application: GraphQL gateway, health and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.response import Response
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from kernel.db.migrate import pending_migrations
from kernel.gateway.compose import compose
from kernel.gateway.context import get_context
from kernel.gateway.controller import SchemaPair, make_controller
from kernel.gateway.parts import kernel_parts
from kernel.gateway.schema_factory import build_schema
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


def build_schemas(*, production: bool) -> SchemaPair:
    """The public schema (introspection only outside production) and the privileged one."""
    roots = compose(kernel_parts())
    return SchemaPair(
        public=build_schema(**roots, production=production, introspection=not production),
        privileged=build_schema(**roots, production=production, introspection=True),
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    kernel = Kernel.from_settings(settings)
    production = settings.is_production
    schemas = build_schemas(production=production)
    graphql = make_controller(schemas, context_getter=get_context, graphiql=not production)
    return Litestar(
        route_handlers=[graphql, healthz, readyz],
        on_startup=[kernel.start],
        on_shutdown=[kernel.stop],
        state=State({"kernel": kernel, "schemas": schemas}),
        logging_config=LoggingConfig(
            # litestar's default config turns casbin's per-decision INFO logs back on (2x slower).
            loggers={"casbin": {"level": "ERROR"}, "kernel": {"level": "INFO"}},
            log_exceptions="debug",
        ),
        debug=False,
    )
