"""Error formatting for the GraphQL gateway: every error leaves with ``extensions.code``.

The mapping (see :func:`format_error`):

* :class:`~kernel.errors.AllianceError` raised anywhere -> its message and ``extensions()``;
* syntax errors -> ``GRAPHQL_PARSE_FAILED`` (the token limit -> ``QUERY_REFUSED``);
* errors already carrying a code (validation, limits; tagged by the validation step) -> as is;
* other request errors raised by graphql-core before execution (variable coercion) ->
  ``BAD_USER_INPUT``;
* anything else -> ``INTERNAL`` with the message ``Internal server error``. The traceback goes
  to the ``kernel.gateway`` logger (:func:`log_unexpected`), never to the client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Final

from graphql import GraphQLError, GraphQLSyntaxError

from kernel.errors import AllianceError, ErrorCode
from kernel.gateway.limits import MAX_TOKENS, is_token_limit_error, refusal

__all__ = [
    "INTERNAL_MESSAGE",
    "format_error",
    "format_errors",
    "http_error_body",
    "is_unexpected",
    "log_unexpected",
    "logger",
    "strip_suggestions",
    "tag_validation_error",
]

logger = logging.getLogger("kernel.gateway")

INTERNAL_MESSAGE: Final = "Internal server error"

# graphql-core's suggestion sentence: " Did you mean 'x'?" / " Did you mean 'x' or 'y'?", at the
# end or mid-message (input coercion: "... Did you mean 'limit'? Found: {...}"). Suggested names
# are GraphQL names, which cannot contain "?".
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def strip_suggestions(message: str) -> str:
    """Drop graphql-core's "Did you mean ...?" sentences (they leak schema names)."""
    return _SUGGESTION.sub("", message)


def _code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def is_unexpected(error: GraphQLError) -> bool:
    """Whether the error comes from an exception the client must not see."""
    original = error.original_error
    if isinstance(original, AllianceError):
        return False
    if original is not None and not isinstance(original, GraphQLError):
        return True
    # A located error with no exception behind it is graphql-core reporting a broken result.
    return error.path is not None and original is None and _code(error) is None


def _rebuild(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        original_error=None,
        extensions=extensions,
    )


def tag_validation_error(error: GraphQLError) -> GraphQLError:
    """Give a validation error the ``GRAPHQL_VALIDATION_FAILED`` code unless it has one."""
    if _code(error) is not None:
        return error
    return _rebuild(error, error.message, {"code": str(ErrorCode.GRAPHQL_VALIDATION_FAILED)})


def format_error(error: GraphQLError, *, production: bool) -> GraphQLError:
    """The client-safe form of ``error``; idempotent."""
    original = error.original_error
    if isinstance(original, AllianceError):
        return _rebuild(error, original.message, original.extensions())
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        if is_token_limit_error(error):
            return refusal(f"more than {MAX_TOKENS} tokens", "tokens")
        return _rebuild(error, error.message, {"code": str(ErrorCode.GRAPHQL_PARSE_FAILED)})
    if is_unexpected(error):
        return _rebuild(error, INTERNAL_MESSAGE, {"code": str(ErrorCode.INTERNAL)})
    code = _code(error) or str(ErrorCode.BAD_USER_INPUT)
    message = strip_suggestions(error.message) if production else error.message
    if code == _code(error) and message == error.message and original is None:
        return error
    return _rebuild(error, message, {**(error.extensions or {}), "code": code})


def format_errors(errors: Iterable[GraphQLError], *, production: bool) -> list[GraphQLError]:
    """:func:`format_error` over a list."""
    return [format_error(error, production=production) for error in errors]


def log_unexpected(errors: Iterable[GraphQLError], operation_name: str | None) -> None:
    """Log, with traceback, each error :func:`is_unexpected` would mask."""
    for error in errors:
        if not is_unexpected(error):
            continue
        original = error.original_error
        logger.error(
            "unexpected error in GraphQL operation %s at %s: %s",
            operation_name or "<anonymous>",
            ".".join(map(str, error.path or ())) or "<document>",
            error.message,
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )


def http_error_body(message: str, code: ErrorCode) -> dict[str, Any]:
    """A GraphQL-shaped body for a refusal made before GraphQL runs (batch, size, method)."""
    return {"errors": [{"message": message, "extensions": {"code": str(code)}}]}
