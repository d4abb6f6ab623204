"""The baselines of ``bench_http``, each served by ``hypercorn -w 2 -k uvloop`` as the
kernel is by ``alliance serve --workers 2``:

- ``raw_app``: a bare ASGI callable answering ``{ __typename }``'s JSON (the server's ceiling);
- ``litestar_app``: a litestar POST handler decoding the JSON body and answering the same;
- ``stock_strawberry_app()``: strawberry's stock litestar controller
  (``strawberry.litestar.make_graphql_controller``) over a stock ``strawberry.Schema`` of the
  very same types and resolvers the kernel serves (the kernel's parts and every installed
  plugin), with the kernel's context getter, on the database named by ``ALLIANCE_*``. Only the
  controller and the schema's extensions (parse and validation caches, limits, error shaping)
  differ from ``alliance serve``.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, post

__all__ = ["TYPENAME_RESPONSE", "litestar_app", "raw_app", "stock_strawberry_app"]

TYPENAME_RESPONSE = b'{"data":{"__typename":"Query"}}'
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(TYPENAME_RESPONSE)).encode()),
]


async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole body, answers a constant JSON document."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].rsplit(".", 1)[-1]
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": TYPENAME_RESPONSE})


@post("/graphql", status_code=200)
async def _typename(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"__typename": "Query"}}


litestar_app = Litestar(route_handlers=[_typename], debug=False)


def stock_strawberry_app() -> Litestar:
    """The stock controller and schema over the kernel (``ALLIANCE_*`` settings)."""
    import strawberry
    from litestar.datastructures import State
    from litestar.logging import LoggingConfig
    from strawberry.litestar import make_graphql_controller

    from kernel.gateway.context import get_context
    from kernel.gateway.parts import kernel_parts
    from kernel.plugins.schema import compose_graphql
    from kernel.runtime import Kernel
    from kernel.settings import Settings

    kernel = Kernel.from_settings(Settings())
    roots = compose_graphql(kernel.plugins, kernel_parts())
    schema = strawberry.Schema(
        query=roots["query"],
        mutation=roots["mutation"],
        subscription=roots["subscription"],
        types=roots["types"],
    )

    async def start() -> None:
        await kernel.start(background=True)

    return Litestar(
        route_handlers=[
            make_graphql_controller(schema, path="/graphql", context_getter=get_context)
        ],
        on_startup=[start],
        on_shutdown=[kernel.stop],
        state=State({"kernel": kernel}),
        # As the kernel's app: casbin's per-decision INFO logs off.
        logging_config=LoggingConfig(
            loggers={"casbin": {"level": "ERROR"}, "kernel": {"level": "INFO"}},
            log_exceptions="debug",
        ),
        debug=False,
    )
