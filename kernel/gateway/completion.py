"""Completing plain data without graphql-core's per-field machinery.

graphql-core completes every field of an answer the same way: build a resolve info, call
the resolver, check awaitability, complete the value by its type, recurse. For the lists a
storefront shows (100 SKUs x 7 fields) that is ~8 us per field, most of a request. Yet most
of those fields are strawberry *basic* fields (no resolver, no extension, no argument):
reading an attribute of a dataclass that a root resolver already built.

:class:`PlainCompletion` completes such a subtree in one pass: for each (type, field group)
of the operation it compiles a small plan, once per request, when every field below is a
basic field, ``__typename``, a scalar or enum, a list or an object type without
``is_type_of``, with no directive other than ``@skip``/``@include`` (already applied by
field collection) and no resolver middleware. A plan reads attributes exactly as strawberry
would (``StrawberryField.get_result``) and serialises leaves with the type's own
``serialize``. Anything unusual on the way (a null in a non-null position, a value that does
not serialise, an awaitable, an exception) abandons the plan for that value and graphql-core
completes it as usual, so errors, paths and null propagation are graphql-core's own: reading
attributes has no side effects, so doing it twice is safe.

Plans are kept across requests, process-wide, when the operation and its fragments carry no
directive at all: a field group's subfields then depend on the document alone (not on
variables), and the parse cache hands every request of one query the same document nodes.
Such plans are kept by the field nodes' identities (``ByIdentity``).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FragmentSpreadNode,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from kernel.gateway.by_identity import ByIdentity

__all__ = ["PlainCompletion"]

Plan = Callable[[Any], Any]
_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
_FIELD_COLLECTION = frozenset({"skip", "include"})
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
Reader = Callable[[Any], Any]
# Plans kept across requests, by the field nodes (and the type): the plan or None; and
# whether an operation is directive-free, by the operation node.
_SHARED_PLANS: ByIdentity[Plan | None] = ByIdentity(4096)
_DIRECTIVE_FREE: ByIdentity[bool] = ByIdentity(4096)


class _Abandon(Exception):
    """This value is not plain: let graphql-core complete it."""


class PlainCompletion(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, completing plain subtrees in one pass."""

    # (type, id of the field group) -> (the field group, its plan or None)
    _plans: dict[tuple[Any, int], tuple[Any, Plan | None]] | None
    _shared: bool  # this operation's plans are kept across requests

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan(result)
            except Exception:  # _Abandon, or anything a read raised: graphql-core's way
                pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, return_type: GraphQLOutputType, field_details_list: Any) -> Plan | None:
        try:
            plans = self._plans
        except AttributeError:  # the first value of this execution
            manager = self.middleware_manager
            # A resolver middleware (an extension's ``resolve``) must see every field.
            plans = self._plans = None if manager is not None and manager.middlewares else {}
            self._shared = _directive_free(self.operation, self.fragments)
        if plans is None:
            return None
        # Keyed by the field group's identity, as graphql-core memoises field collection; the
        # group is kept with its plan, so that its id cannot be reused while the key exists.
        key = (return_type, id(field_details_list))
        found = plans.get(key)
        if found is not None:
            return found[1]
        if self._shared:
            nodes = [details.node for details in field_details_list]
            try:
                kept = _SHARED_PLANS.get(nodes, return_type)
            except KeyError:
                pass
            else:
                plans[key] = (field_details_list, kept)
                return kept
        plans[key] = (field_details_list, None)  # while compiling; for good if not plannable
        plan = self._compile(return_type, field_details_list)
        plans[key] = (field_details_list, plan)
        if self._shared:
            _SHARED_PLANS.put(nodes, plan, return_type)
        return plan

    def _compile(self, return_type: GraphQLOutputType, field_details_list: Any) -> Plan | None:
        if isinstance(return_type, GraphQLNonNull):
            inner = self._plan(return_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if isinstance(return_type, GraphQLList):
            inner = self._plan(return_type.of_type, field_details_list)
            return None if inner is None else _list(inner)
        if is_leaf_type(return_type):
            return _leaf(return_type)
        if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
            return self._object(return_type, field_details_list)
        return None  # interfaces, unions, typed-checked objects: graphql-core's way

    def _object(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        collected = self.collect_subfields(object_type, field_details_list)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        fields: list[_Field] = []
        for response_key, group in collected.grouped_field_set.items():
            for details in group:
                if details.defer_usage is not None or details.node.arguments:
                    return None
                if any(
                    d.name.value not in _FIELD_COLLECTION for d in details.node.directives or ()
                ):
                    return None
            name = group[0].node.name.value
            if name == "__typename":
                fields.append(_Field(response_key))
                continue
            field = object_type.fields.get(name)
            if field is None or field.args or not getattr(field.resolve, "_is_default", False):
                return None
            definition = (field.extensions or {}).get(_DEFINITION)
            if definition is None or not definition.is_basic_field:
                return None
            plan = self._plan(field.type, group)
            if plan is None:
                return None
            fields.append(_Field(response_key, *_reader(definition), plan))
        return _object(object_type.name, fields)


def _directive_free(operation: Any, fragments: dict[str, Any]) -> bool:
    """No directive on any selection of ``operation`` or of the fragments it spreads."""
    try:
        return _DIRECTIVE_FREE.get((operation,))
    except KeyError:
        pass
    free = True
    pending, seen = [operation.selection_set], set()
    while pending and free:
        for selection in pending.pop().selections:
            if selection.directives:
                free = False
                break
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    fragment = fragments[name]  # graphql-core 3.3: details of a definition
                    pending.append(getattr(fragment, "definition", fragment).selection_set)
            elif selection.selection_set is not None:
                pending.append(selection.selection_set)
    _DIRECTIVE_FREE.put((operation,), free)
    return free


def _non_null(inner: Plan) -> Plan:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Abandon  # graphql-core raises the located error and nulls the parent
        return completed

    complete.fast = getattr(inner, "fast", "")  # type: ignore[attr-defined]
    return complete


def _list(inner: Plan) -> Plan:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if type(value) not in (list, tuple):
            raise _Abandon  # iterators, async iterables: read once, graphql-core's way
        return [inner(item) for item in value]

    return complete


@dataclass(frozen=True, slots=True)
class _Field:
    """One response key of an object plan: ``__typename`` (nothing else set), or a value
    read as the attribute ``attribute`` or by ``reader``, then completed by ``plan``."""

    response_key: str
    attribute: str | None = None
    reader: Reader | None = None
    plan: Plan | None = None


def _reader(definition: Any) -> tuple[str | None, Reader | None]:
    """How a basic field reads its value (``definition.get_result(source, None, [], {})``):
    as a plain attribute when the resolver is the default ``getattr``, else by a call."""
    if definition.base_resolver is None and definition.default_resolver is getattr:
        name = definition.python_name
        if name.isidentifier() and not keyword.iskeyword(name):
            return name, None
    return None, lambda source: definition.get_result(source, None, [], {})


def _leaf(leaf_type: Any) -> Plan:
    serialize = leaf_type.serialize

    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception) or hasattr(value, "__await__"):
            raise _Abandon
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise _Abandon
        return serialized

    # graphql-core's Int and String answer these exact values unchanged (serialize_int,
    # serialize_string): skip the call; anything else goes through ``serialize``.
    if leaf_type is GraphQLInt:

        def complete_int(value: Any) -> Any:
            if type(value) is int and _MIN_INT <= value <= _MAX_INT:
                return value
            return complete(value)

        complete_int.fast = "int"  # type: ignore[attr-defined]
        return complete_int
    if leaf_type is GraphQLString:

        def complete_string(value: Any) -> Any:
            return value if type(value) is str else complete(value)

        complete_string.fast = "str"  # type: ignore[attr-defined]
        return complete_string
    return complete


# The test an object plan inlines before calling a leaf's plan (which answers the same for
# these values: them, unchanged), by the ``fast`` mark of the leaf's plan.
_INLINE = {
    "str": "type({v}) is not str",
    "int": "type({v}) is not int or not _MIN_INT <= {v} <= _MAX_INT",
}


def _object(type_name: str, fields: list[_Field]) -> Plan:
    """An object's plan, generated as one function: each field read (an attribute access
    where it can be), leaves whose value is already their answer kept as they are
    (:data:`_INLINE`), every other value through its plan; then the answer dict.
    graphql-core's order of response keys is kept."""
    namespace: dict[str, Any] = {
        "_Abandon": _Abandon,
        "_MIN_INT": _MIN_INT,
        "_MAX_INT": _MAX_INT,
        "_TYPE_NAME": type_name,
    }
    body = [
        "def complete(value):",
        "    if value is None:",
        "        return None",
        "    if isinstance(value, Exception) or hasattr(value, '__await__'):",
        "        raise _Abandon",
    ]
    entries = []
    for n, field in enumerate(fields):
        namespace[f"k{n}"] = field.response_key
        if field.plan is None:  # __typename
            entries.append(f"k{n}: _TYPE_NAME")
            continue
        if field.attribute is not None:
            body.append(f"    v{n} = value.{field.attribute}")
        else:
            namespace[f"r{n}"] = field.reader
            body.append(f"    v{n} = r{n}(value)")
        namespace[f"p{n}"] = field.plan
        inline = _INLINE.get(getattr(field.plan, "fast", ""))
        if inline is not None:
            body.append(f"    if {inline.format(v=f'v{n}')}:")
            body.append(f"        v{n} = p{n}(v{n})")
        else:
            body.append(f"    v{n} = p{n}(v{n})")
        entries.append(f"k{n}: v{n}")
    body.append("    return {" + ", ".join(entries) + "}")
    exec("\n".join(body), namespace)  # names and keys come from the namespace, not the code
    complete: Plan = namespace["complete"]
    return complete
