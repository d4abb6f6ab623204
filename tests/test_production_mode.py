"""Production mode on the real application: introspection, suggestions, GraphiQL, limits."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from kernel.gateway.app import create_app
from kernel.runtime import Kernel
from kernel.settings import Mode, Settings
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings.model_copy(update={"mode": Mode.PRODUCTION}))


async def test_introspection_only_for_platform_admins(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    assert kernel.settings.is_production
    anonymous = await gql(INTROSPECTION)
    assert set(anonymous.codes) == {"QUERY_REFUSED"}
    assert anonymous.data is None

    member_owner = await factory.sign_in(await factory.user())
    assert set((await gql(INTROSPECTION, token=member_owner.token)).codes) == {"QUERY_REFUSED"}

    admin = await factory.sign_in(await factory.user(platform_admin=True))
    assert (await gql(INTROSPECTION, token=admin.token)).ok() == {
        "__schema": {"queryType": {"name": "Query"}}
    }


async def test_no_suggestions_in_production(gql: GraphQLClient) -> None:
    result = await gql("{ kernelVersio }")
    assert result.code == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" not in result.errors[0]["message"]


async def test_graphiql_is_off(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


def nested_memberships(levels: int) -> str:
    """viewer -> memberships -> member -> memberships -> ... : two levels per hop."""
    inner = "id"
    for _ in range(levels):
        inner = f"memberships {{ nodes {{ member {{ {inner} }} }} }}"
    return "{ viewer { " + inner + " } }"


async def test_limits_guard_the_real_schema(gql: GraphQLClient) -> None:
    assert (await gql(nested_memberships(2))).errors == []  # depth 7
    assert set((await gql(nested_memberships(4))).codes) == {"QUERY_REFUSED"}  # depth 13
    aliases = "{ " + " ".join(f"a{i}: kernelVersion" for i in range(16)) + " }"
    assert (await gql(aliases)).codes == ["QUERY_REFUSED"]
    assert (await gql("{ " + " ".join(f"a{i}: kernelVersion" for i in range(15)) + " }")).ok()


async def test_unexpected_errors_do_not_leak(gql: GraphQLClient, factory: Factory) -> None:
    # A well-formed but unknown bearer token: anonymous, with a clear reason on protected fields.
    result = await gql('{ apiKeys(memberId: "x") { nodes { id } } }', token="not-a-jwt")
    assert result.code == "UNAUTHENTICATED"
    assert "Traceback" not in str(result.body)
