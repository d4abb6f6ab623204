"""A toy schema and litestar apps for the gateway tests (no database, no domain schema)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest
import strawberry
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.testing import TestClient

from kernel.errors import BadUserInput, NotFound
from kernel.gateway.controller import SchemaPair, make_controller
from kernel.gateway.schema_factory import build_schema

CALLS: Counter[str] = Counter()


@strawberry.type
class Node:
    @strawberry.field
    def hello(self) -> str:
        CALLS["hello"] += 1
        return "world"

    @strawberry.field
    def node(self) -> Node:
        CALLS["node"] += 1
        return Node()


@strawberry.input
class Filter:
    limit: int


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        CALLS["hello"] += 1
        return "world"

    @strawberry.field
    def node(self) -> Node:
        CALLS["node"] += 1
        return Node()

    @strawberry.field
    def echo(self, text: str, filter: Filter | None = None) -> str:
        CALLS["echo"] += 1
        return text

    @strawberry.field
    def total(self, values: list[int]) -> int:
        CALLS["total"] += 1
        return sum(values)

    @strawberry.field
    def boom(self) -> str:
        CALLS["boom"] += 1
        raise RuntimeError("db password is hunter2")

    @strawberry.field
    def missing(self) -> str:
        CALLS["missing"] += 1
        raise NotFound("No such listing")

    @strawberry.field
    def invalid(self) -> str:
        CALLS["invalid"] += 1
        raise BadUserInput("Check the form", field_errors={"price": "must be positive"})

    @strawberry.field
    async def thread_probe(self, info: strawberry.Info) -> bool:
        import threading

        CALLS["thread_probe"] += 1
        THREADS.append(threading.get_ident())
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        CALLS["bump"] += 1
        return CALLS["bump"]


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self, to: int) -> AsyncGenerator[int, None]:
        for i in range(1, to + 1):
            CALLS["count"] += 1
            yield i
            await asyncio.sleep(0)


THREADS: list[int] = []


def make_schemas(*, production: bool) -> SchemaPair:
    """The public schema (no introspection) and the admin one (introspection)."""
    return SchemaPair(
        public=build_schema(
            Query, Mutation, Subscription, production=production, introspection=False
        ),
        privileged=build_schema(
            Query, Mutation, Subscription, production=production, introspection=True
        ),
    )


async def get_context(request: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    # Stand-in for real authentication: the header plays the platform-admin role.
    return {"introspection_allowed": request.headers.get("x-test-admin") == "1"}


def make_app(*, production: bool) -> Litestar:
    controller = make_controller(
        make_schemas(production=production), context_getter=get_context, graphiql=not production
    )
    return Litestar(route_handlers=[controller])


PROD_APP = make_app(production=True)
DEV_APP = make_app(production=False)


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLS.clear()
    THREADS.clear()


@pytest.fixture
def calls() -> Counter[str]:
    return CALLS


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(PROD_APP) as test_client:
        yield test_client


@pytest.fixture
def dev_client() -> Iterator[TestClient[Litestar]]:
    with TestClient(DEV_APP) as test_client:
        yield test_client
