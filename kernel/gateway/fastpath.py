"""``POST /graphql`` without litestar's routing and dependency injection or strawberry's HTTP
view: the common GraphQL request, served at the ASGI level.

Measured (docs/performance.md, "HTTP workloads"): around ``schema.execute`` of a cached
document (~85 us), the controller path spent ~500-700 us of CPU per request resolving three
dependencies in an anyio task group, adapting the request for strawberry's view, parsing the
body twice over and building a litestar ``Response``. This path reads the body, decodes it with
msgspec, authenticates, executes and encodes the answer, in one coroutine.

Only the plain request takes it: ``POST`` to the GraphQL path, ``Content-Type:
application/json``, a body within :data:`~kernel.gateway.limits.MAX_BODY_BYTES` that is a JSON
object with a string ``query`` (and ``variables``/``extensions`` objects, ``operationName`` a
string, when present), and an ``Accept`` header answerable with JSON. Everything else (GET,
GraphiQL, WebSocket, multipart, batches, streaming ``Accept`` headers, malformed or oversized
bodies) goes to the controller with the body replayed, so every refusal and edge case keeps the
controller's one behaviour, and the tests of the controller's answers pass through both paths.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import msgspec
from litestar.datastructures import Accept
from litestar.enums import MediaType, ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from kernel.errors import ErrorCode
from kernel.gateway.context import http_context
from kernel.gateway.controller import (
    GRAPHQL_RESPONSE_JSON,
    OFFERED_MEDIA_TYPES,
    SchemaSelector,
    is_request_error,
    refusal_for,
)
from kernel.gateway.errors import http_error_body
from kernel.gateway.limits import MAX_BODY_BYTES
from kernel.gateway.response_cache import (
    MAX_ENTRIES,
    STATE_TAG,
    VERSIONS_MEMO_KEY,
    ResponseCache,
    record_dependencies,
)
from kernel.identity.authn import bearer_user
from kernel.state.tracker import MEMO_KEY as STATE_MEMO_KEY

__all__ = ["GraphQLFastPath"]

logger = logging.getLogger("kernel.gateway")

_POST_OPERATIONS: Final = frozenset({OperationType.QUERY, OperationType.MUTATION})
_JSON: Final = MediaType.JSON.value
# Accept headers asking for a streaming transport (strawberry's view handles them).
_STREAMING: Final = (b"event-stream", b"multipart")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode
_encode_sorted = msgspec.json.Encoder(order="sorted").encode


class _Fallback(Exception):
    """Not a plain request: the controller answers it."""


class GraphQLFastPath:
    """ASGI wrapper: serves plain ``POST`` GraphQL requests at ``path`` itself and hands
    everything else to ``app`` (the litestar application's ASGI handler)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        kernel: Any,
        schemas: SchemaSelector,
        context_getter: Callable[..., Any] = http_context,
        path: str = "/graphql",
        cache_entries: int = MAX_ENTRIES,
    ) -> None:
        self.app = app
        self.kernel = kernel
        self.schemas = schemas
        self.context_getter = context_getter
        self.path = path
        self._media_types: dict[bytes, str | None] = {}
        self.cache = ResponseCache(cache_entries) if cache_entries > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or scope["method"] != "POST"
            or scope["path"] != self.path
        ):
            await self.app(scope, receive, send)
            return
        content_type = accept = authorization = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"accept":
                accept = value
            elif name == b"authorization":
                authorization = value
        media_type = self._media_type(accept)
        if media_type is None or not content_type.lower().startswith(b"application/json"):
            await self.app(scope, receive, send)
            return
        body, complete, after = await _read_body(receive)
        try:
            if not complete or len(body) > MAX_BODY_BYTES:
                raise _Fallback
            query, variables, operation_name, extensions = _operation(body)
        except _Fallback:
            await self.app(scope, _replay(body, complete, after, receive), send)
            return
        try:
            status, payload = await self._execute(
                authorization, query, variables, operation_name, extensions, media_type
            )
        except Exception:
            logger.exception("gateway: unexpected error serving POST %s", self.path)
            payload = _encode(http_error_body("Internal Server Error", ErrorCode.INTERNAL))
            status = 500
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", media_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload, "more_body": False})

    async def _execute(
        self,
        authorization: bytes,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        extensions: dict[str, Any] | None,
        media_type: str,
    ) -> tuple[int, bytes]:
        auth = authorization.decode("latin-1") if authorization else None
        cache = self.cache
        operation = (query, _canonical(variables), operation_name, _canonical(extensions))
        # A bearer token names its user before the database is asked: if an answer is
        # cached for it, authentication's query reads that entry's tag versions too.
        peeked = None
        if cache is not None and auth is not None:
            user = bearer_user(self.kernel, auth)
            if user is not None:
                peeked = cache.peek((user, None, *operation))
        context = await self.context_getter(
            self.kernel, auth, cache_tags=peeked.tags if peeked is not None else ()
        )
        schema = self.schemas(context)
        caller = cache.caller(context) if cache is not None else None
        key = None
        memo = context.memo
        admin = caller is not None and bool(context.principal.is_platform_admin)
        if cache is not None and caller is not None:
            key = (*caller, *operation)
            read = memo.get(VERSIONS_MEMO_KEY)
            entry = cache.peek(key)
            if entry is not None and entry is peeked and read is not None:
                versions = {**read, STATE_TAG: memo.get(STATE_MEMO_KEY)}
                hit = cache.answer(key, entry, versions, schema=schema, admin=admin)
            else:
                hit = await cache.lookup(self.kernel.db, key, schema=schema, admin=admin)
            if hit is not None:
                return hit
            record_dependencies(memo)
        try:
            result = await schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=_POST_OPERATIONS,
                operation_extensions=extensions,
            )
        except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError) as exc:
            status, message = refusal_for(exc, "POST")
            return status, _encode(http_error_body(message, ErrorCode.QUERY_REFUSED))
        processed: dict[str, Any] = dict(process_result(result))
        if is_request_error(result):
            processed.pop("data", None)
            return (400 if media_type == GRAPHQL_RESPONSE_JSON else 200), _encode(processed)
        payload = _encode(processed)
        if (
            cache is not None
            and key is not None
            and not result.errors
            and isinstance(result.data, dict)
        ):
            cache.store(
                key,
                memo,
                set(result.data),
                memo.get(STATE_MEMO_KEY),
                schema=schema,
                admin=admin,
                status=200,
                body=payload,
            )
        return 200, payload

    def _media_type(self, accept: bytes) -> str | None:
        """The answer's media type for this ``Accept`` header (as the controller chooses it),
        or None when the controller should answer (a streaming transport)."""
        try:
            return self._media_types[accept]
        except KeyError:
            pass
        chosen: str | None
        if not accept:
            chosen = _JSON
        elif any(marker in accept for marker in _STREAMING):
            chosen = None
        else:
            chosen = Accept(accept.decode("latin-1")).best_match(OFFERED_MEDIA_TYPES, default=_JSON)
        if len(self._media_types) < 256:  # distinct Accept headers are few; bound them anyway
            self._media_types[accept] = chosen
        return chosen


def _canonical(values: dict[str, Any] | None) -> bytes:
    """Variables or extensions as part of a cache key: the same values in any key order give
    the same bytes."""
    return b"" if not values else _encode_sorted(values)


def _operation(body: bytes) -> tuple[str, dict[str, Any] | None, str | None, Any]:
    try:
        data = _decode(body)
    except msgspec.DecodeError:
        raise _Fallback from None
    if not isinstance(data, dict):
        raise _Fallback
    query = data.get("query")
    variables = data.get("variables")
    operation_name = data.get("operationName")
    extensions = data.get("extensions")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
        or not isinstance(extensions, dict | None)
    ):
        raise _Fallback
    return query, variables, operation_name, extensions


async def _read_body(receive: Receive) -> tuple[bytes, bool, list[ReceiveMessage]]:
    """(the body read so far, whether it is complete, messages to replay after it). Reading
    stops past the size limit, and at a disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False, [message]
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True, []
        if size > MAX_BODY_BYTES:
            return b"".join(chunks), False, []


def _replay(body: bytes, complete: bool, after: list[ReceiveMessage], receive: Receive) -> Receive:
    """A ``receive`` giving the body already read, then what follows it."""
    first: ReceiveMessage = {"type": "http.request", "body": body, "more_body": not complete}
    pending = [first, *after]

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
