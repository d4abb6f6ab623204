"""The per-request GraphQL context, built once per request by :func:`get_context`."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from strawberry.litestar import BaseContext
from strawberry.types import Info

from kernel.errors import AllianceError, Unauthenticated
from kernel.identity.principal import Principal

__all__ = ["Context", "context_of", "get_context"]


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

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("sign in first")
        return self.principal


def context_of(info: Info[Any, Any]) -> Context:
    context: Context = info.context
    return context


async def get_context(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
    """Authenticate the caller (``Authorization: Bearer <jwt>`` or ``ApiKey <key>``)."""
    from kernel.identity.authn import authenticate

    kernel = request.app.state.kernel
    principal: Principal | None = None
    error: AllianceError | None = None
    try:
        principal = await authenticate(kernel, request.headers.get("authorization"))
    except AllianceError as exc:
        error = exc
    admin = principal is not None and principal.is_platform_admin
    return Context(
        kernel=kernel,
        principal=principal,
        auth_error=error,
        introspection_allowed=admin or not kernel.settings.is_production,
    )
