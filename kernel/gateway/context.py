"""The per-request GraphQL context, built once per request by :func:`get_context`.

Over WebSocket (graphql-transport-ws) the context is built when the socket opens, *without*
authenticating: browsers cannot set headers on a WebSocket, and nothing may run before
``connection_init``. The credentials come in that message's payload, as
``{"Authorization": "Bearer <jwt>"}`` or ``{"authorization": "ApiKey <key>"}`` (the key is
case-insensitive); :meth:`Context.on_connection_init` checks them once for the connection and
a bad one rejects the connection (the controller closes it with 4403). A connection without
credentials is anonymous. Each operation then runs on :meth:`Context.for_operation`: the
credential checked again, a fresh per-operation cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from strawberry.exceptions import ConnectionRejectionError
from strawberry.litestar import BaseContext
from strawberry.types import Info

from kernel.errors import AllianceError, Unauthenticated
from kernel.identity.principal import Principal

__all__ = ["Context", "context_of", "get_context", "http_context"]


class Context(BaseContext, kw_only=True):
    """What resolvers see as ``info.context``.

    ``principal`` is None for anonymous callers; a caller that sent a bad credential is
    anonymous too, and ``auth_error`` says why, so public fields (``login``) still work while
    protected ones answer with that error.
    """

    kernel: Any
    principal: Principal | None = None
    auth_error: AllianceError | None = None
    introspection_allowed: bool = False
    # Per-request caches (permission decisions, data loaders), keyed by their owner.
    memo: dict[str, Any] = msgspec.field(default_factory=dict)
    # WebSocket only: the connection_init payload (set by strawberry).
    connection_params: dict[str, Any] | None = None

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("sign in first")
        return self.principal

    async def on_connection_init(self, payload: Mapping[str, Any]) -> None:
        """Authenticate a WebSocket connection from its ``connection_init`` payload.

        Raises ``ConnectionRejectionError`` for a credential that is present but bad.
        """
        from kernel.identity.authn import authenticate

        credential = _credential(payload)
        try:
            principal = await authenticate(self.kernel, credential)
        except AllianceError as exc:
            raise ConnectionRejectionError({"message": exc.message}) from exc
        self.principal = principal
        self.auth_error = None
        self.introspection_allowed = _introspection_allowed(self.kernel, principal)

    async def for_operation(self) -> Context:
        """A copy for one operation of a WebSocket connection: fresh caches, and the
        connection's credential checked again (one query), so that a logout, a revoked key or
        a deactivated user stops new operations; an expired access token too (reconnect with
        a fresh one). A failed check makes the operation anonymous, with the reason."""
        from kernel.identity.authn import authenticate

        fork = msgspec.structs.replace(self, memo={})
        credential = _credential(self.connection_params or {})
        if credential is not None:
            try:
                fork.principal = await authenticate(self.kernel, credential, memo=fork.memo)
            except AllianceError as exc:
                fork.principal, fork.auth_error = None, exc
        return fork


def _credential(payload: Mapping[str, Any]) -> str | None:
    for key, value in payload.items():
        if key.lower() == "authorization":
            if value is None or isinstance(value, str):
                return value
            raise ConnectionRejectionError({"message": "Authorization must be a string"})
    return None


def _introspection_allowed(kernel: Any, principal: Principal | None) -> bool:
    admin = principal is not None and principal.is_platform_admin
    return admin or not kernel.settings.is_production


def context_of(info: Info[Any, Any]) -> Context:
    """The kernel's request context of a resolver (``info.context``, typed): the kernel, the
    authenticated principal and the per-request memo."""
    context: Context = info.context
    return context


async def http_context(
    kernel: Any, authorization: str | None, *, cache_tags: Sequence[str] = ()
) -> Context:
    """The context of an HTTP request carrying ``authorization`` (the header's value): the
    caller authenticated, or anonymous with the reason when the credential is bad.
    ``cache_tags``: response-cache tags whose versions authentication should read too."""
    from kernel.identity.authn import authenticate

    principal: Principal | None = None
    error: AllianceError | None = None
    memo: dict[str, Any] = {}
    try:
        principal = await authenticate(kernel, authorization, memo=memo, cache_tags=cache_tags)
    except AllianceError as exc:
        error = exc
    return Context(
        kernel=kernel,
        principal=principal,
        auth_error=error,
        introspection_allowed=_introspection_allowed(kernel, principal),
        memo=memo,
    )


async def get_context(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
    """Authenticate the caller (``Authorization: Bearer <jwt>`` or ``ApiKey <key>``).

    A WebSocket gets an anonymous context here: it authenticates at ``connection_init``.
    """
    kernel = request.app.state.kernel
    if request.scope["type"] == ScopeType.WEBSOCKET:
        return Context(kernel=kernel, introspection_allowed=_introspection_allowed(kernel, None))
    return await http_context(kernel, request.headers.get("authorization"))
