"""The GraphQL gateway's litestar controller, built on strawberry's ``GraphQLController``.

Per-request schema choice: the app builds two schemas once (see
:func:`kernel.gateway.schema_factory.build_schema`), one with introspection for platform admins
and development, one without. The *context getter* already authenticates the caller, so it is
the one place that knows who is asking; the controller asks the ``schema_selector`` for a schema
*given that context*, per operation. That keeps identity logic out of the controller, needs no
second authentication, and works the same over HTTP and WebSocket. :class:`SchemaPair` is the
ready-made selector: it reads ``introspection_allowed`` from the context.

WebSocket (graphql-transport-ws only; see docs/subscriptions.md):

- Nothing runs before ``connection_init`` is acknowledged (strawberry closes a premature
  ``subscribe`` with 4401). If the context has ``on_connection_init(payload)``, it runs on that
  message (authentication); a ``ConnectionRejectionError`` closes the socket with 4403. The
  schema is chosen again after it, from the now authenticated context.
- Each operation runs on ``context.for_operation()`` (sync or async) when the context has it:
  fresh per-operation caches on a long-lived connection, and a chance to re-check the caller.
- At most :data:`MAX_SUBSCRIPTIONS_PER_CONNECTION` operations in flight per connection; the
  next ``subscribe`` gets an ``error`` message with ``extensions.code`` ``RATE_LIMITED``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Protocol

from cross_web import HTTPException as StrawberryHTTPException
from litestar import MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import Dependencies
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.litestar.controller import GraphQLController, GraphQLResource
from strawberry.litestar.controller import make_graphql_controller as _stock_controller
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType
from strawberry.utils.aio import aclosing

from kernel.errors import ErrorCode
from kernel.gateway.errors import http_error_body
from kernel.gateway.limits import MAX_BODY_BYTES

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "MAX_SUBSCRIPTIONS_PER_CONNECTION",
    "OFFERED_MEDIA_TYPES",
    "SchemaPair",
    "SchemaSelector",
    "introspection_allowed",
    "is_request_error",
    "make_controller",
    "refusal_for",
]

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
# Order matters: "*/*" and a missing Accept get the first, which legacy clients expect.
OFFERED_MEDIA_TYPES: Final = [MediaType.JSON.value, GRAPHQL_RESPONSE_JSON]
_STATE_REQUEST_ERROR: Final = "graphql_request_error"
_STATE_SUB_RESPONSE: Final = "graphql_sub_response"
# Operations (subscriptions, and queries/mutations sent over the socket) in flight at once on
# one WebSocket connection.
MAX_SUBSCRIPTIONS_PER_CONNECTION: Final = 20


class SchemaSelector(Protocol):
    """Chooses the schema for one operation."""

    @property
    def default(self) -> BaseSchema:
        """The least-privileged schema, for the few places strawberry reads a schema with no
        context at hand (its batching check)."""

    def __call__(self, context: Any) -> BaseSchema:
        """The schema to run, given the merged context (``info.context`` in resolvers)."""


def introspection_allowed(context: Any) -> bool:
    """The context's ``introspection_allowed`` flag (mapping key or attribute); False if absent."""
    if isinstance(context, Mapping):
        return bool(context.get("introspection_allowed", False))
    return bool(getattr(context, "introspection_allowed", False))


@dataclass(frozen=True, slots=True)
class SchemaPair:
    """A :data:`SchemaSelector` over two prebuilt schemas; least privilege by default."""

    public: BaseSchema
    privileged: BaseSchema

    @property
    def default(self) -> BaseSchema:
        """The public schema."""
        return self.public

    def __call__(self, context: Any) -> BaseSchema:
        return self.privileged if introspection_allowed(context) else self.public


def _response_getter() -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))


def _media_type(request: Request[Any, Any, Any]) -> str:
    return request.accept.best_match(OFFERED_MEDIA_TYPES, default=MediaType.JSON.value)


def is_request_error(result: ExecutionResult) -> bool:
    # Nothing executed (parse, validation, variables): per GraphQL-over-HTTP, no "data" entry.
    return result.data is None and all(error.path is None for error in result.errors or ())


def make_controller(
    schema_selector: SchemaSelector,
    *,
    path: str = "/graphql",
    context_getter: Callable[..., Any],
    graphiql: bool,
) -> type[GraphQLController]:
    """A litestar controller serving GraphQL at ``path`` (GET queries, POST JSON, and
    subscriptions over WebSocket with graphql-transport-ws).

    ``context_getter`` is a litestar dependency (it may ask for ``request: ASGIConnection`` and
    any other dependency) returning a ``dict`` or a ``strawberry.litestar.BaseContext``; the
    controller adds ``request``/``response`` (HTTP) or ``socket`` (WebSocket) to it and hands the
    result to ``schema_selector``. With a :class:`SchemaPair`, set ``introspection_allowed``.
    ``graphiql`` serves GraphiQL on a browser GET; keep it off in production.
    """
    base = _stock_controller(
        schema_selector.default,
        path=path,
        graphql_ide="graphiql" if graphiql else None,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    selector = schema_selector

    class _SelectingWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
        def __init__(self, *, context: Any, schema: BaseSchema, **kwargs: Any) -> None:
            # strawberry's own cap answers without an error code: we enforce ours instead.
            kwargs["max_subscriptions_per_connection"] = None
            super().__init__(context=context, schema=selector(context), **kwargs)

        async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
            await super().handle_connection_init(message)
            if self.connection_acknowledged:
                # Authentication happened just now: choose the schema for that caller.
                self.schema = selector(self.context)

        async def handle_subscribe(self, message: SubscribeMessage) -> None:
            if (
                self.connection_acknowledged
                and message["id"] not in self.operations
                and len(self.operations) >= MAX_SUBSCRIPTIONS_PER_CONNECTION
            ):
                error = http_error_body(
                    f"at most {MAX_SUBSCRIPTIONS_PER_CONNECTION} operations per connection: "
                    "complete one first",
                    ErrorCode.RATE_LIMITED,
                )
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": error["errors"]}
                )
                return
            await super().handle_subscribe(message)

        async def run_operation(self, operation: Operation[Any, Any]) -> None:
            # strawberry's body, with a per-operation context instead of ``self.context``.
            try:
                result_source = await self.schema.stream(
                    operation.query,
                    variable_values=operation.variables,
                    context_value=await _operation_context(self.context),
                    root_value=self.root_value,
                    operation_name=operation.operation_name,
                )
                async with aclosing(result_source):
                    await self._send_result_stream(operation, result_source)
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            except _OperationStreamClosed:
                return
            except Exception as error:
                await self.handle_task_exception(error)
                with suppress(Exception):
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})
                self.operations.pop(operation.id, None)
                raise

    class GatewayController(base):  # type: ignore[valid-type,misc]
        dependencies: ClassVar[Dependencies] = {
            **base.dependencies,
            # strawberry provides it with sync_to_thread=True: a thread-pool hop per request
            # to build an empty Response.
            "response": Provide(_response_getter, sync_to_thread=False),
        }
        graphql_transport_ws_handler_class = _SelectingWSHandler
        max_subscriptions_per_connection = MAX_SUBSCRIPTIONS_PER_CONNECTION

        async def on_ws_connect(self, context: Any) -> UnsetType | dict[str, object] | None:
            """On ``connection_init``: the context's ``on_connection_init(payload)`` if any."""
            hook = getattr(context, "on_connection_init", None)
            if hook is not None:
                await hook(_connection_params(context))
            return UnsetType()

        # Re-declared so the sub-response travels with the request, not on the controller
        # instance, which litestar shares between concurrent requests.
        @get(raises=[ValidationException, NotFoundException])
        async def handle_http_get(
            self,
            request: Request[Any, Any, Any],
            context: Any,
            root_value: Any,
            response: Response[Any],
        ) -> Response[GraphQLResource | str]:
            request.state[_STATE_SUB_RESPONSE] = response
            return await self.execute_request(request, context, root_value)

        @post(status_code=200, request_max_body_size=MAX_BODY_BYTES)
        async def handle_http_post(
            self,
            request: Request[Any, Any, Any],
            context: Any,
            root_value: Any,
            response: Response[Any],
        ) -> Response[GraphQLResource | str]:
            request.state[_STATE_SUB_RESPONSE] = response
            return await self.execute_request(request, context, root_value)

        async def get_sub_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
            sub_response: Response[Any] = request.state[_STATE_SUB_RESPONSE]
            return sub_response

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            media_type = _media_type(request)
            try:
                response: Response[Any] = await self.run(
                    request, context=context, root_value=root_value
                )
            except StrawberryHTTPException as error:
                # strawberry answers these in text/plain; clients get a GraphQL-shaped body.
                return _refusal(error.status_code, error.reason, media_type)
            except RequestEntityTooLarge:
                message = f"Request body larger than {MAX_BODY_BYTES} bytes"
                return _refusal(413, message, media_type)
            if response.media_type == MediaType.JSON:  # a GraphQL result, not GraphiQL
                response.media_type = media_type
                if media_type == GRAPHQL_RESPONSE_JSON and request.state.get(_STATE_REQUEST_ERROR):
                    response.status_code = 400
            return response

        async def process_result(
            self, request: Request[Any, Any, Any], result: ExecutionResult
        ) -> GraphQLHTTPResponse:
            processed: GraphQLHTTPResponse = await super().process_result(request, result)
            if is_request_error(result):
                request.state[_STATE_REQUEST_ERROR] = True
                processed.pop("data", None)
            return processed

        async def execute_single(
            self,
            *,
            request: Any,
            request_adapter: Any,
            sub_response: Any,
            context: Any,
            root_value: Any,
            request_data: Any,
        ) -> ExecutionResult:
            # strawberry's body, with the schema chosen per request instead of ``self.schema``.
            # from_http admits subscriptions for HTTP streaming transports, which we do not
            # offer: executed as a plain operation, a subscription fails with an internal error.
            allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
            try:
                return await selector(context).execute(
                    request_data.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=request_data.extensions,
                )
            except (
                CannotGetOperationTypeError,
                InvalidOperationTypeError,
                MissingQueryError,
            ) as error:
                raise StrawberryHTTPException(
                    *refusal_for(error, request_adapter.method)
                ) from error

    GatewayController.__name__ = GatewayController.__qualname__ = "GatewayController"
    return GatewayController


def refusal_for(
    error: CannotGetOperationTypeError | InvalidOperationTypeError | MissingQueryError,
    method: str,
) -> tuple[int, str]:
    """The HTTP status and message refusing an operation that cannot run over ``method``."""
    if isinstance(error, CannotGetOperationTypeError):
        return 400, error.as_http_error_reason()
    if isinstance(error, InvalidOperationTypeError):
        # GraphQL-over-HTTP: a mutation over GET is 405, not 400.
        status = 405 if error.operation_type is OperationType.MUTATION else 400
        return status, error.as_http_error_reason(method)
    return 400, "No GraphQL query found in the request"


def _connection_params(context: Any) -> Mapping[str, Any]:
    params = (
        context.get("connection_params")
        if isinstance(context, Mapping)
        else getattr(context, "connection_params", None)
    )
    return params if isinstance(params, Mapping) else {}


async def _operation_context(context: Any) -> Any:
    fork = getattr(context, "for_operation", None)
    if not callable(fork):
        return context
    forked = fork()
    return await forked if inspect.isawaitable(forked) else forked


def _refusal(status_code: int, message: str, media_type: str) -> Response[Any]:
    # The only 405 we produce is a mutation over GET (litestar answers other methods itself).
    headers = {"Allow": "POST"} if status_code == 405 else None
    return Response(
        http_error_body(
            message, ErrorCode.NOT_FOUND if status_code == 404 else ErrorCode.QUERY_REFUSED
        ),
        status_code=status_code,
        media_type=media_type,
        headers=headers,
    )
