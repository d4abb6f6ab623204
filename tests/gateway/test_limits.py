"""The abuse corpus: every document is refused before any resolver runs, and cheaply."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from graphql import parse, validate
from graphql import validate as real_validate
from litestar import Litestar
from litestar.testing import TestClient
from strawberry.extensions import QueryDepthLimiter

import kernel.gateway.schema_factory as schema_factory
from kernel.gateway.limits import (
    LIMIT_RULES,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FIELDS_PER_SELECTION,
    MAX_TOKENS,
    DocumentLimitsRule,
    is_token_limit_error,
)
from kernel.gateway.schema_factory import build_schema, validate_document_cached

from .conftest import Mutation, Query, Subscription

Client = TestClient[Litestar]


def post(client: Client, query: str) -> tuple[int, dict[str, Any]]:
    response = client.post("/graphql", json={"query": query})
    return response.status_code, response.json()


def nested(levels: int) -> str:
    """``levels`` nested ``node`` fields around a leaf: depth ``levels``."""
    return "{ " + "node { " * levels + "hello" + " }" * levels + " }"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: hello" for i in range(count)) + " }"


def assert_refused(body: dict[str, Any], limit: str) -> None:
    assert "data" not in body
    assert body["errors"]
    for error in body["errors"]:
        assert error["extensions"] == {"code": "QUERY_REFUSED", "limit": limit}
        assert error["message"].startswith("Query refused: ")


def test_depth_21_refused(client: Client, calls: Counter[str]) -> None:
    status, body = post(client, nested(21))
    assert status == 200
    assert_refused(body, "depth")
    assert "deeper than 10" in body["errors"][0]["message"]
    assert sum(calls.values()) == 0


def test_depth_at_limit_runs(client: Client, calls: Counter[str]) -> None:
    status, body = post(client, nested(MAX_DEPTH))
    assert status == 200 and "errors" not in body
    assert calls["hello"] == 1
    _, body = post(client, nested(MAX_DEPTH + 1))
    assert_refused(body, "depth")


@pytest.mark.parametrize("levels", [0, 1, 5, 9, 10, 11, 12, 20])
def test_depth_matches_strawberry_semantics(levels: int) -> None:
    # Same boundary as strawberry's QueryDepthLimiter(max_depth=10) on non-pathological input.
    schema = build_schema(Query, production=True, introspection=False)
    document = parse(nested(levels))
    ours = validate(schema._schema, document, [DocumentLimitsRule])
    theirs = validate(
        schema._schema, document, QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules
    )
    assert bool(ours) == bool(theirs)


def test_depth_through_fragments_and_inline_fragments(client: Client, calls: Counter[str]) -> None:
    query = (
        "{ node { ...A } } fragment A on Node { node { ... on Node { ...B } } }"
        "fragment B on Node { " + "node { " * 9 + "hello" + " }" * 9 + " }"
    )
    _, body = post(client, query)
    assert_refused(body, "depth")
    assert sum(calls.values()) == 0


def test_100_aliases_refused(client: Client, calls: Counter[str]) -> None:
    _, body = post(client, aliases(100))
    assert_refused(body, "aliases")
    assert sum(calls.values()) == 0


def test_aliases_at_limit_run(client: Client, calls: Counter[str]) -> None:
    _, body = post(client, aliases(MAX_ALIASES))
    assert "errors" not in body
    assert len(body["data"]) == MAX_ALIASES
    _, body = post(client, aliases(MAX_ALIASES + 1))
    assert_refused(body, "aliases")


def test_10_spreads_of_10_aliases_refused(client: Client, calls: Counter[str]) -> None:
    fragment = "fragment F on Query { " + " ".join(f"x{i}: hello" for i in range(10)) + " }"
    # Spreads in distinct places so graphql-core cannot merge them away.
    spreads = " ".join(f"n{i}: node {{ ...G }}" for i in range(10))
    g = "fragment G on Node { " + " ".join(f"x{i}: hello" for i in range(10)) + " }"
    _, body = post(client, "{ ...F ...F ...F ...F ...F ...F ...F ...F ...F ...F } " + fragment)
    assert_refused(body, "aliases")
    _, body = post(client, "{ " + spreads + " } " + g)
    assert_refused(body, "aliases")
    assert sum(calls.values()) == 0


def test_spread_aliases_at_limit_run(client: Client, calls: Counter[str]) -> None:
    query = (
        "{ ...F ...F ...F } fragment F on Query { a: hello b: hello c: hello d: hello e: hello }"
    )
    _, body = post(client, query)
    assert "errors" not in body and calls["hello"] == 5


def test_cyclic_fragments_refused(client: Client, calls: Counter[str]) -> None:
    query = "{ ...A } fragment A on Query { hello ...B } fragment B on Query { ...A }"
    started = time.perf_counter()
    _, body = post(client, query)
    assert time.perf_counter() - started < 1
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "within itself" in body["errors"][0]["message"]
    assert sum(calls.values()) == 0


def fragment_bomb(levels: int, leaf: str) -> str:
    # Each fragment spreads the next ten times: 10**levels paths in ~25 tokens per level.
    parts = [f"fragment F{i} on Query {{ " + f"...F{i + 1} " * 10 + "}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "{ ...F0 } " + " ".join(parts)


def test_fragment_bomb_is_linear(client: Client, calls: Counter[str]) -> None:
    # strawberry's QueryDepthLimiter/MaxAliasesLimiter walk every path (0.18 s at 6 levels,
    # x10 per level): 15 levels would not finish. Ours measures each fragment once.
    started = time.perf_counter()
    # The leaf field merges into the root 10**15 times: refused for width.
    _, body = post(client, fragment_bomb(15, "hello"))
    assert_refused(body, "fields")
    # One alias in the leaf counts 10**15 times: refused for aliases too.
    _, body = post(client, fragment_bomb(15, "x: hello"))
    assert {e["extensions"]["limit"] for e in body["errors"]} == {"aliases", "fields"}
    assert time.perf_counter() - started < 2
    # Two levels (100 merged fields) is within every limit and runs.
    _, body = post(client, fragment_bomb(2, "hello"))
    assert body == {"data": {"hello": "world"}}


def test_5000_duplicated_fields_refused_by_tokens(client: Client, calls: Counter[str]) -> None:
    started = time.perf_counter()
    _, body = post(client, "{ " + "hello " * 5_000 + "}")
    assert time.perf_counter() - started < 1
    assert_refused(body, "tokens")
    assert body["errors"][0]["message"] == f"Query refused: more than {MAX_TOKENS} tokens"
    assert sum(calls.values()) == 0


def test_tokens_at_limit_run(client: Client, calls: Counter[str]) -> None:
    def query(count: int) -> str:
        # 9 tokens around the list: "{ total ( values : [ ... ] ) }".
        return "{ total(values: [" + " ".join(["1"] * count) + "]) }"

    _, body = post(client, query(MAX_TOKENS - 9))
    assert body == {"data": {"total": MAX_TOKENS - 9}}
    _, body = post(client, query(MAX_TOKENS - 8))
    assert_refused(body, "tokens")


def test_duplicated_fields_under_token_limit_refused_by_width(
    client: Client, calls: Counter[str]
) -> None:
    # Under the token limit, graphql-core's field-merging check is quadratic in the fields of
    # one selection set; the width limit refuses such a document before that check runs.
    _, body = post(client, "{ " + "hello " * (MAX_TOKENS - 2) + "}")
    assert_refused(body, "fields")
    assert sum(calls.values()) == 0


def test_width_counts_fields_merged_through_fragments(client: Client, calls: Counter[str]) -> None:
    half = "hello " * 60
    spread = "{ ...A ...B } fragment A on Query { " + half + "} fragment B on Query { " + half + "}"
    _, body = post(client, spread)
    assert_refused(body, "fields")
    inline = "{ ... on Query { " + half + "} " + "hello " * 41 + "}"
    _, body = post(client, inline)
    assert_refused(body, "fields")
    assert sum(calls.values()) == 0


def test_width_at_limit_runs(client: Client, calls: Counter[str]) -> None:
    _, body = post(client, "{ " + "hello " * MAX_FIELDS_PER_SELECTION + "}")
    assert body == {"data": {"hello": "world"}}
    _, body = post(client, "{ " + "hello " * (MAX_FIELDS_PER_SELECTION + 1) + "}")
    assert_refused(body, "fields")


def test_token_limit_wording_pinned() -> None:
    with pytest.raises(Exception) as caught:
        parse("{ " + "a " * 10 + "}", max_tokens=5)
    assert is_token_limit_error(caught.value)  # type: ignore[arg-type]


def test_1mb_body_refused_413(client: Client, calls: Counter[str]) -> None:
    padding = " " * (1024 * 1024)
    response = client.post(
        "/graphql",
        content=('{"query": "{ hello }' + padding + '"}').encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REFUSED"
    assert sum(calls.values()) == 0


def test_body_just_under_limit_runs(client: Client, calls: Counter[str]) -> None:
    body = '{"query": "{ hello }", "variables": {"pad": "' + "x" * (250 * 1024) + '"}}'
    response = client.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "world"}}


@pytest.mark.parametrize("count", [1, 11])
def test_batches_refused(client: Client, calls: Counter[str], count: int) -> None:
    response = client.post("/graphql", json=[{"query": "{ hello }"}] * count)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["errors"][0]
    assert error == {"message": "Batching is not enabled", "extensions": {"code": "QUERY_REFUSED"}}
    assert sum(calls.values()) == 0


async def test_validation_cache_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_schema(Query, Mutation, Subscription, production=True, introspection=False)
    seen: list[object] = []

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[2])
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(schema_factory, "validate", counting_validate)
    query = "query CacheProbe { hello node { hello } }"
    before = validate_document_cached.cache_info()
    for _ in range(3):
        result = await schema.execute(query)
        assert result.errors is None
    after = validate_document_cached.cache_info()
    assert after.misses - before.misses == 1
    # The same document again: found by identity in front of the LRU (no tree hash).
    assert after.hits - before.hits == 0
    # Two passes on the miss (limits alone, then the spec rules), none on the hits.
    assert len(seen) == 2
    assert tuple(seen[0]) == LIMIT_RULES  # type: ignore[arg-type]


async def test_validation_cache_hits_across_fresh_extension_instances() -> None:
    # The rule classes are module singletons: two requests give equal cache keys.
    schema = build_schema(Query, production=False, introspection=True)
    rules = [
        rule for ext in schema.get_extensions() for rule in getattr(ext, "validation_rules", ())
    ]
    again = [
        rule for ext in schema.get_extensions() for rule in getattr(ext, "validation_rules", ())
    ]
    assert rules == again and rules
