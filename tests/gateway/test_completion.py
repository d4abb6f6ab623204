"""Plain subtrees completed in one pass (kernel.gateway.completion) answer exactly what
graphql-core's field-by-field completion answers: data, errors, paths, null propagation."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kernel.gateway.completion import PlainCompletion
from kernel.gateway.schema_factory import build_schema


@strawberry.enum
class Zone(enum.Enum):
    AMBIENT = "ambient"
    FROZEN = "frozen"


@strawberry.type
class Sku:
    code: str
    price_fen: int
    zone: Zone
    tags: list[str]
    note: str | None = None


@strawberry.type
class Item:
    sku: Sku
    price_fen: int
    backup: Sku | None = None

    @strawberry.field
    def doubled(self) -> int:  # a resolver: completed by graphql-core, field by field
        return self.price_fen * 2


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Shop(Named):
    items: list[Item]


def _sku(code: str, **changes: Any) -> Sku:
    values: dict[str, Any] = {"price_fen": 990, "zone": Zone.FROZEN, "tags": ["milk", "cold"]}
    return Sku(code=code, **{**values, **changes})


# Broken values (None where the schema says non-null, a string in an Int) reach the
# completion as they would from a careless resolver; type checkers would refuse them.
BROKEN: dict[str, Any] = {"broken": None}


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, broken: str | None = None) -> list[Item]:
        items = [Item(sku=_sku(f"S-{n}"), price_fen=100 + n) for n in range(3)]
        items[1].backup = _sku("B-1", note="spare")
        if broken == "null":
            items[2].sku.code = None  # type: ignore[assignment]
        elif broken == "int":
            items[0].sku.price_fen = "abc"  # type: ignore[assignment]
        elif broken == "nested_null":
            items[1].backup.tags = None  # type: ignore[assignment,union-attr]
        elif broken == "awaitable":  # graphql-core awaits what a default resolver returns

            async def later(value: Any) -> Any:
                return value

            items[0].backup = later(_sku("A-0", note="late"))  # type: ignore[assignment]
            items[2].sku.note = later("late note")  # type: ignore[assignment]
        return items

    @strawberry.field
    def shop(self) -> Named:
        return Shop(name="Lakeside", items=[Item(sku=_sku("S-9"), price_fen=9)])


QUERIES = {
    "plain": "{ items { priceFen sku { code priceFen zone tags note } backup { code note } } }",
    "aliases_and_typename": "{ items { p: priceFen __typename sku { c: code t: __typename } } }",
    "fragments": """
        query { items { ...I } }
        fragment I on Item { priceFen sku { ...S } ... on Item { backup { code } } }
        fragment S on Sku { code zone }""",
    "skip_include": """
        query($yes: Boolean!, $no: Boolean!) {
          items { priceFen @include(if: $no) sku @skip(if: $no) { code @include(if: $yes) } }
        }""",
    "with_a_resolver": "{ items { doubled priceFen sku { code } } }",
    "interface": "{ shop { name ... on Shop { items { sku { code } } } } }",
    "null_in_non_null": '{ items(broken: "null") { priceFen sku { code } } }',
    "not_an_int": '{ items(broken: "int") { sku { code priceFen } } }',
    "null_list_in_nullable_parent": '{ items(broken: "nested_null") { backup { tags } } }',
    "awaitable_values": '{ items(broken: "awaitable") { backup { code note } sku { note } } }',
}


def _schema(execution_context_class: type) -> strawberry.Schema:
    schema = build_schema(Query, production=False, introspection=True)
    schema.execution_context_class = execution_context_class
    return schema


class _Counting(PlainCompletion):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        type(self).fields += 1
        return super().execute_field(*args, **kwargs)


async def _answer(schema: strawberry.Schema, query: str) -> dict[str, Any]:
    result = await schema.execute(query, variable_values={"yes": True, "no": False})
    errors = [(e.message, e.path) for e in result.errors or []]
    return {"data": result.data, "errors": errors}


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_the_same_answer_as_graphql_core(name: str) -> None:
    ours = await _answer(_schema(PlainCompletion), QUERIES[name])
    stock = await _answer(_schema(StrawberryGraphQLCoreExecutionContext), QUERIES[name])
    assert ours == stock
    assert ours["data"] is not None or ours["errors"]


async def test_a_plain_subtree_costs_one_field_execution_not_one_per_field() -> None:
    _Counting.fields = 0
    answer = await _answer(_schema(_Counting), QUERIES["plain"])
    assert answer["errors"] == []
    assert len(answer["data"]["items"]) == 3
    assert _Counting.fields == 1  # the root field; its 3 items x 9 fields in one pass
    _Counting.fields = 0
    await _answer(_schema(_Counting), QUERIES["with_a_resolver"])
    assert _Counting.fields == 1 + 3 * 3  # a resolver below: graphql-core, field by field


async def test_the_gateway_schema_completes_plain_subtrees() -> None:
    assert build_schema(Query, production=True, introspection=False).execution_context_class is (
        PlainCompletion
    )


class _Compiling(PlainCompletion):
    compiled = 0

    def _compile(self, *args: Any) -> Any:
        type(self).compiled += 1
        return super()._compile(*args)


async def test_plans_are_kept_across_requests_when_no_directive_can_change_them() -> None:
    schema = _schema(_Compiling)  # one schema: its parse cache gives one document per query
    _Compiling.compiled = 0
    first = await _answer(schema, QUERIES["fragments"])
    assert _Compiling.compiled > 0
    _Compiling.compiled = 0
    assert await _answer(schema, QUERIES["fragments"]) == first
    assert _Compiling.compiled == 0  # the second request reuses the first one's plans

    _Compiling.compiled = 0
    await _answer(schema, QUERIES["skip_include"])
    await _answer(schema, QUERIES["skip_include"])
    assert _Compiling.compiled > 0
    per_request = _Compiling.compiled / 2
    _Compiling.compiled = 0
    await _answer(schema, QUERIES["skip_include"])
    assert _Compiling.compiled == per_request  # directives: compiled again, every request


@pytest.mark.parametrize("flips", [[(True, False), (False, True), (False, False), (True, False)]])
async def test_directives_follow_each_requests_variables(flips: list[tuple[bool, bool]]) -> None:
    ours, stock = _schema(PlainCompletion), _schema(StrawberryGraphQLCoreExecutionContext)
    answers = []
    for yes, no in flips:
        variables = {"yes": yes, "no": no}
        mine = await ours.execute(QUERIES["skip_include"], variable_values=variables)
        theirs = await stock.execute(QUERIES["skip_include"], variable_values=variables)
        assert not mine.errors and not theirs.errors
        assert mine.data == theirs.data
        answers.append(mine.data)
    assert answers[0] == answers[3]
    assert len({repr(a) for a in answers}) == 3
