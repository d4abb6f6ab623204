"""Build a gateway :class:`strawberry.Schema`: limits, caches and error handling wired in.

Build each schema once at start-up (typically two: one refusing introspection for the public,
one allowing it for platform admins / development) and hand both to
:func:`kernel.gateway.controller.make_controller`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, ClassVar, Final

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, validate
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext

from kernel.gateway.by_identity import ByIdentity
from kernel.gateway.completion import PlainCompletion
from kernel.gateway.errors import format_errors, log_unexpected, tag_validation_error
from kernel.gateway.limits import GatewayLimits, RefusalRule, RefuseIntrospection, TokenLimit

__all__ = [
    "VALIDATION_CACHE_SIZE",
    "GatewaySchema",
    "build_schema",
    "validate_document_cached",
]

VALIDATION_CACHE_SIZE: Final = 256

# strawberry's own validate_document appends these two rules; we validate ourselves (below), so
# we append them too.
_STRAWBERRY_RULES: Final = (MaybeNullValidationRule, OneOfInputValidationRule)


@lru_cache(maxsize=VALIDATION_CACHE_SIZE)
def validate_document_cached(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> tuple[GraphQLError, ...]:
    """Validate ``document``, memoised on (schema, document, rule classes, hide_suggestions).

    The refusal rules (limits) run first and alone: a refused document never reaches the
    spec rules, whose field-merging check is quadratic in duplicated fields. Errors come back
    tagged with ``extensions.code``; the tuple is shared by every hit, so never mutate it.
    """
    refusing = tuple(rule for rule in rules if issubclass(rule, RefusalRule))
    if refusing:
        refused = validate(schema, document, refusing, hide_suggestions=hide_suggestions)
        if refused:
            return tuple(refused)
    others = tuple(rule for rule in rules if not issubclass(rule, RefusalRule))
    errors = validate(
        schema, document, (*others, *_STRAWBERRY_RULES), hide_suggestions=hide_suggestions
    )
    return tuple(tag_validation_error(error) for error in errors)


class _Validation(SchemaExtension):
    """Replaces strawberry's ``ValidationCache``: same LRU idea, plus graphql-core 3.3's
    ``hide_suggestions`` (strawberry's ``disable_field_suggestions`` only strips "Cannot query
    field" messages, not unknown arguments, types or enum values) and the refusal-first pass."""

    hide_suggestions: ClassVar[bool] = False

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        # A fresh list: strawberry and our error hook rewrite the error list in place.
        context.pre_execution_errors = list(
            _validated(
                context.schema._schema,
                context.graphql_document,
                tuple(context.validation_rules),
                self.hide_suggestions,
            )
        )
        yield


# In front of validate_document_cached: the parse cache hands every request of one query the
# same document, and finding it by identity spares the LRU's hash of the whole document tree
# (its nodes hash field by field: ~1.5% of an executed product list).
_VALIDATED: ByIdentity[tuple[GraphQLError, ...]] = ByIdentity(VALIDATION_CACHE_SIZE)


def _validated(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> tuple[GraphQLError, ...]:
    try:
        return _VALIDATED.get((schema, document), (rules, hide_suggestions))
    except KeyError:
        pass
    errors = validate_document_cached(schema, document, rules, hide_suggestions)
    _VALIDATED.put((schema, document), errors, (rules, hide_suggestions))
    return errors


class _ProductionValidation(_Validation):
    hide_suggestions = True


class GatewaySchema(strawberry.Schema):
    """A schema whose errors always leave formatted (codes, masking) and whose unexpected
    errors are logged to ``kernel.gateway`` with their traceback.

    ``process_errors`` is the one hook every result passes through (execute, subscriptions,
    and the paths no extension sees: a parse error raised by ``ParserCache.on_parse`` and an
    exception in an extension hook both land in ``Schema.execute``'s ``except Exception``).
    """

    def __init__(self, *args: Any, production: bool, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", PlainCompletion)
        super().__init__(*args, **kwargs)
        self.production = production

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Log unexpected errors, then replace each error with its client-safe form in place
        (strawberry returns this very list to the client)."""
        operation = execution_context.operation_name if execution_context else None
        log_unexpected(errors, operation)
        errors[:] = format_errors(errors, production=self.production)


def build_schema(
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    *,
    types: Iterable[type] = (),
    production: bool,
    introspection: bool,
    extensions: Sequence[type[SchemaExtension]] = (),
) -> strawberry.Schema:
    """Build a gateway schema.

    ``production`` hides "Did you mean ...?" suggestions; ``introspection=False`` refuses
    ``__schema``/``__type``. Limits (tokens, depth, aliases) and the parse and validation caches
    are always on. ``extensions`` are extra extension *classes*, run after ours.
    """
    own: list[type[SchemaExtension]] = [TokenLimit, ParserCache, GatewayLimits]
    if not introspection:
        own.append(RefuseIntrospection)
    own.append(_ProductionValidation if production else _Validation)
    return GatewaySchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=tuple(types),
        extensions=[*own, *extensions],
        production=production,
    )
