"""Abuse limits for the GraphQL gateway, built once at import time.

Every limit here refuses a document before any resolver runs, with ``extensions.code`` set to
``QUERY_REFUSED`` and ``extensions.limit`` naming the limit.

The rule *classes* are module-level singletons: the validation cache (``validate_document_cached``
in schema_factory, like strawberry's ``ValidationCache``) keys on the tuple
of rule classes, so a rule class built per request (``lambda: QueryDepthLimiter(...)``) makes the
cache miss on every request (see /work/shared/STACK.md).

Depth and aliases are checked by our own rules rather than strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter``: both re-walk a fragment once per spread, so a ~250-token document whose
fragments each spread the next one ten times costs 10**n (measured: 0.18 s at n=6, x10 per
level). The rules below keep strawberry's semantics (introspection fields ignored for depth;
aliases counted through fragments, once per spread) but measure each fragment once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Final

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter

from kernel.errors import ErrorCode

__all__ = [
    "LIMIT_RULES",
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_FIELDS_PER_SELECTION",
    "MAX_TOKENS",
    "DocumentLimitsRule",
    "GatewayLimits",
    "RefusalRule",
    "RefuseIntrospection",
    "TokenLimit",
    "is_token_limit_error",
    "refusal",
]

MAX_DEPTH: Final = 10
MAX_ALIASES: Final = 15
# Fields one selection set may merge (through inline fragments and spreads). graphql-core's
# OverlappingFieldsCanBeMerged is quadratic in that number: 490 copies of `n { a }` cost
# ~0.6 s of CPU before its own budget aborts. 100 keeps it to milliseconds.
MAX_FIELDS_PER_SELECTION: Final = 100
MAX_TOKENS: Final = 2_000
MAX_BODY_BYTES: Final = 256 * 1024

# graphql-core reports the token limit as a plain syntax error; this is its wording
# (graphql/language/parser.py, ``advance_lexer``). A test pins it.
_TOKEN_LIMIT_MARKER: Final = "tokens. Parsing aborted."


def refusal(message: str, limit: str, nodes: Sequence[Any] | None = None) -> GraphQLError:
    """A GraphQL error refusing the document because of ``limit``."""
    return GraphQLError(
        f"Query refused: {message}",
        nodes,
        extensions={"code": str(ErrorCode.QUERY_REFUSED), "limit": limit},
    )


def is_token_limit_error(error: GraphQLError) -> bool:
    """Whether a syntax error is graphql-core's ``max_tokens`` refusal."""
    return _TOKEN_LIMIT_MARKER in error.message


class RefusalRule(ValidationRule):
    """Marker base: the validation step runs these first, alone, and stops if they refuse."""


class _Measure:
    """Depth and alias count of selection sets, and the widest set's field count (fields
    merged through fragments); each fragment is measured once."""

    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        depth_cap: int,
        alias_cap: int,
        width_cap: int,
    ) -> None:
        self.fragments = fragments
        # The numbers are only compared with their limits: capping them bounds the recursion
        # (depth) and the integers (aliases multiply through nested spreads).
        self.depth_cap = depth_cap
        self.alias_cap = alias_cap
        self.width_cap = width_cap
        self.widest = 0
        self.memo: dict[str, tuple[int, int, int]] = {}
        self.active: set[str] = set()

    def selection_set(self, node: SelectionSetNode, budget: int) -> tuple[int, int]:
        depth, aliases, _ = self._measure(node, budget)
        return depth, aliases

    def _measure(self, node: SelectionSetNode, budget: int) -> tuple[int, int, int]:
        depth = aliases = width = 0
        for selection in node.selections:
            child_depth = child_aliases = child_width = 0
            if isinstance(selection, FieldNode):
                width += 1
                aliases += selection.alias is not None
                # Introspection is ignored for depth, as strawberry's QueryDepthLimiter does.
                if selection.name.value.startswith("__") or selection.selection_set is None:
                    continue
                if budget <= 0:
                    # Too deep already: stop descending, the document is refused anyway.
                    depth = self.depth_cap
                    continue
                child_depth, child_aliases = self.selection_set(selection.selection_set, budget - 1)
                child_depth += 1
            elif isinstance(selection, InlineFragmentNode):
                child_depth, child_aliases, child_width = self._measure(
                    selection.selection_set, budget
                )
            elif isinstance(selection, FragmentSpreadNode):
                child_depth, child_aliases, child_width = self.fragment(selection.name.value)
            depth = min(self.depth_cap, max(depth, child_depth))
            aliases = min(self.alias_cap, aliases + child_aliases)
            # Fragments' fields merge into the set that spreads them.
            width = min(self.width_cap, width + child_width)
        self.widest = max(self.widest, width)
        return depth, aliases, width

    def fragment(self, name: str) -> tuple[int, int, int]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        # Unknown and cyclic fragments are reported by graphql-core's own rules.
        if definition is None or name in self.active:
            return 0, 0, 0
        self.active.add(name)
        try:
            result = self._measure(definition.selection_set, self.depth_cap)
        finally:
            self.active.discard(name)
        self.memo[name] = result
        return result


class DocumentLimitsRule(RefusalRule):
    """Refuse an operation nested deeper than ``max_depth`` (``{ a { b } }`` has depth 1), a
    document with more than ``max_aliases`` aliases, counted through fragments once per spread,
    and a selection set merging more than ``max_fields`` fields.

    Linear in the document: each fragment is measured once, whatever the number of spreads.
    """

    max_depth: ClassVar[int] = MAX_DEPTH
    max_aliases: ClassVar[int] = MAX_ALIASES
    max_fields: ClassVar[int] = MAX_FIELDS_PER_SELECTION

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        document = context.document
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        measure = _Measure(fragments, self.max_depth + 1, self.max_aliases + 1, self.max_fields + 1)
        total_aliases = 0
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            depth, aliases = measure.selection_set(definition.selection_set, self.max_depth + 1)
            total_aliases += aliases
            if depth > self.max_depth:
                name = definition.name.value if definition.name else "anonymous"
                self.report_error(
                    refusal(
                        f"operation '{name}' is nested deeper than {self.max_depth} levels",
                        "depth",
                    )
                )
        if total_aliases > self.max_aliases:
            self.report_error(refusal(f"more than {self.max_aliases} aliases", "aliases"))
        # Fragment definitions no operation uses are still validated by graphql-core.
        for name in fragments:
            measure.fragment(name)
        if measure.widest > self.max_fields:
            self.report_error(
                refusal(f"a selection set merges more than {self.max_fields} fields", "fields")
            )


class _RefuseIntrospectionRule(NoSchemaIntrospectionCustomRule):
    def report_error(self, error: GraphQLError) -> None:
        super().report_error(refusal("introspection is disabled", "introspection", error.nodes))


LIMIT_RULES: Final[tuple[type[ASTValidationRule], ...]] = (DocumentLimitsRule,)


class GatewayLimits(AddValidationRules):
    """The depth and alias rules, as an extension class (no per-request rule classes)."""

    def __init__(self) -> None:
        super().__init__(list(LIMIT_RULES))


class RefuseIntrospection(AddValidationRules):
    """Refuse ``__schema`` and ``__type`` with ``QUERY_REFUSED`` (``__typename`` stays allowed)."""

    def __init__(self) -> None:
        super().__init__([_RefuseIntrospectionRule])


class TokenLimit(MaxTokensLimiter):
    """graphql-core's parser option ``max_tokens``: parsing stops at token ``MAX_TOKENS + 1``."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)
