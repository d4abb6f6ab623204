"""Errors with stable codes.

Every error a client can see carries one of :class:`ErrorCode`; the GraphQL gateway puts it in
``extensions.code``. Raise :class:`AllianceError` (or a subclass) from services and resolvers;
anything else is reported as ``INTERNAL`` with no detail.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AllianceError",
    "BadUserInput",
    "Conflict",
    "ErrorCode",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
]


class ErrorCode(enum.StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    # Refusals of a GraphQL document before any resolver runs (depth, aliases, tokens, ...).
    QUERY_REFUSED = "QUERY_REFUSED"
    # The GraphQL document does not parse / does not validate against the schema.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    PLUGIN_DISABLED = "PLUGIN_DISABLED"


class AllianceError(Exception):
    """An error whose message is safe to show to the client."""

    # A plugin may use a code of its own (``SOLD_OUT``): upper snake case, stable, documented.
    code: ErrorCode | str = ErrorCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | str | None = None,
        field_errors: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field_errors = dict(field_errors or {})
        self.extra = dict(extensions or {})

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": str(self.code), **self.extra}
        if self.field_errors:
            ext["fieldErrors"] = [
                {"field": field, "message": message} for field, message in self.field_errors.items()
            ]
        return ext


class Unauthenticated(AllianceError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(AllianceError):
    code = ErrorCode.FORBIDDEN


class NotFound(AllianceError):
    """Also what another member's object looks like: indistinguishable from a missing one."""

    code = ErrorCode.NOT_FOUND


class BadUserInput(AllianceError):
    code = ErrorCode.BAD_USER_INPUT


class Conflict(AllianceError):
    code = ErrorCode.CONFLICT


class RateLimited(AllianceError):
    code = ErrorCode.RATE_LIMITED
