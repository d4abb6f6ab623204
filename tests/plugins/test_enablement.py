"""Enabling, configuring and disabling plugins per member, and the gate on their fields."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from kernel.db import bind_engine
from kernel.gateway.ids import encode_id
from kernel.plugins.gate import enabled_plugins
from kernel.plugins.service import disable_plugin, enable_plugin
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.plugins.conftest import sample_host
from tests.plugins.sample_plugins import alpha

ENABLE = """mutation($m: ID!, $slug: String!, $config: JSON) {
  enablePlugin(memberId: $m, slug: $slug, config: $config) { slug version enabled config }
}"""
CONFIGURE = """mutation($m: ID!, $slug: String!, $config: JSON!) {
  configurePlugin(memberId: $m, slug: $slug, config: $config) { slug enabled config }
}"""
DISABLE = """mutation($m: ID!, $slug: String!) {
  disablePlugin(memberId: $m, slug: $slug) { slug enabled config }
}"""
STACK = "query($m: ID!) { member(id: $m) { plugins { slug version enabled config } } }"
NOTE = "query($m: ID!) { alphaNote(memberId: $m) { text } }"


@dataclass
class Scene:
    member: int
    gid: str
    token: str


async def _scene(factory: Factory, role: str = "owner") -> Scene:
    member = await factory.member()
    user = await factory.user()
    await factory.membership(member, user, role)
    token = (await factory.sign_in(user)).token
    return Scene(member.id, str(encode_id("Member", member.id)), token)


async def test_enable_configure_disable_round_trip(gql: GraphQLClient, factory: Factory) -> None:
    me = await _scene(factory)
    enabled = await gql(ENABLE, {"m": me.gid, "slug": "alpha"}, token=me.token)
    assert enabled.ok()["enablePlugin"] == {
        "slug": "alpha",
        "version": "1.2.0",
        "enabled": True,
        "config": {"greeting": "hello", "limit": 3},
    }
    assert [("enabled", (me.member, "alpha", {"greeting": "hello", "limit": 3}))] == alpha.CALLS
    configured = await gql(
        CONFIGURE, {"m": me.gid, "slug": "alpha", "config": {"limit": 5}}, token=me.token
    )
    assert configured.ok()["configurePlugin"]["config"] == {"greeting": "hello", "limit": 5}
    disabled = await gql(DISABLE, {"m": me.gid, "slug": "alpha"}, token=me.token)
    # Disabling keeps the configuration (and the plugin's data).
    assert disabled.ok()["disablePlugin"] == {
        "slug": "alpha",
        "enabled": False,
        "config": {"greeting": "hello", "limit": 5},
    }
    assert alpha.CALLS[-1] == ("disabled", (me.member, "alpha"))
    stack = await gql(STACK, {"m": me.gid}, token=me.token)
    assert stack.ok()["member"]["plugins"] == [
        {
            "slug": "alpha",
            "version": "1.2.0",
            "enabled": False,
            "config": {"greeting": "hello", "limit": 5},
        }
    ]
    again = await gql(ENABLE, {"m": me.gid, "slug": "alpha"}, token=me.token)
    assert again.ok()["enablePlugin"]["config"] == {"greeting": "hello", "limit": 5}


async def test_available_plugins_show_their_manifests(gql: GraphQLClient, factory: Factory) -> None:
    me = await _scene(factory)
    result = await gql(
        "{ availablePlugins { slug version publisher requiresKernel consentScopes "
        "dependencies { slug versions } actions { name defaultRoles } configSchema } }",
        token=me.token,
    )
    plugins = {p["slug"]: p for p in result.ok()["availablePlugins"]}
    assert sorted(plugins) == ["alpha", "beta", "faulty", "sleepy"]
    assert plugins["beta"]["dependencies"] == [
        {"slug": "alpha", "versions": "<2,>=1.0"}
    ] or plugins["beta"]["dependencies"] == [{"slug": "alpha", "versions": ">=1.0,<2"}]
    assert plugins["alpha"]["actions"] == [{"name": "alpha.notes.write", "defaultRoles": ["owner"]}]
    assert plugins["alpha"]["consentScopes"] == ["orders-history:read"]
    assert plugins["alpha"]["configSchema"]["properties"]["limit"]["maximum"] == 10


async def test_bad_config_answers_with_field_errors(gql: GraphQLClient, factory: Factory) -> None:
    me = await _scene(factory)
    result = await gql(
        ENABLE, {"m": me.gid, "slug": "alpha", "config": {"limit": 99}}, token=me.token
    )
    assert result.code == "BAD_USER_INPUT"
    fields = {e["field"] for e in result.errors[0]["extensions"]["fieldErrors"]}
    assert fields == {"config.limit"}
    stack = await gql(STACK, {"m": me.gid}, token=me.token)
    assert stack.ok()["member"]["plugins"] == []


async def test_dependencies_must_be_enabled_first(gql: GraphQLClient, factory: Factory) -> None:
    me = await _scene(factory)
    refused = await gql(ENABLE, {"m": me.gid, "slug": "beta"}, token=me.token)
    assert refused.code == "BAD_USER_INPUT"
    assert "alpha" in refused.errors[0]["message"]
    await gql(ENABLE, {"m": me.gid, "slug": "alpha"}, token=me.token)
    assert (await gql(ENABLE, {"m": me.gid, "slug": "beta"}, token=me.token)).ok()
    # And alpha cannot be disabled while beta needs it.
    blocked = await gql(DISABLE, {"m": me.gid, "slug": "alpha"}, token=me.token)
    assert blocked.code == "CONFLICT"


async def test_unknown_plugin_and_staff_are_refused(gql: GraphQLClient, factory: Factory) -> None:
    me = await _scene(factory)
    unknown = await gql(ENABLE, {"m": me.gid, "slug": "nonesuch"}, token=me.token)
    assert unknown.code == "BAD_USER_INPUT"
    staff = await _scene(factory, role="staff")
    assert (await gql(ENABLE, {"m": staff.gid, "slug": "alpha"}, token=staff.token)).code == (
        "FORBIDDEN"
    )


async def test_plugin_fields_answer_plugin_disabled_until_enabled(
    gql: GraphQLClient, factory: Factory
) -> None:
    me = await _scene(factory)
    other = await _scene(factory)
    await gql(ENABLE, {"m": other.gid, "slug": "alpha"}, token=other.token)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).code == "PLUGIN_DISABLED"
    assert (await gql(NOTE, {"m": other.gid}, token=other.token)).ok() == {
        "alphaNote": {"text": "hello from alpha"}
    }
    # Callers who may not touch the member learn nothing about its stack.
    assert (await gql(NOTE, {"m": other.gid}, token=me.token)).code == "NOT_FOUND"
    assert (await gql(NOTE, {"m": me.gid})).code == "UNAUTHENTICATED"
    await gql(DISABLE, {"m": other.gid, "slug": "alpha"}, token=other.token)
    assert (await gql(NOTE, {"m": other.gid}, token=other.token)).code == "PLUGIN_DISABLED"


@pytest.fixture
async def second(kernel: Kernel, settings: Settings) -> AsyncIterator[Kernel]:
    """Another kernel on the same database, as another worker process would have."""
    other = Kernel.from_settings(settings, plugins=sample_host())
    await other.start()
    # Tables bind to one engine per process: this process's unless a step says otherwise.
    bind_engine(kernel.db.engine)
    try:
        yield other
    finally:
        bind_engine(kernel.db.engine)
        await other.stop()


async def test_enabling_elsewhere_is_in_force_on_the_next_request(
    kernel: Kernel, second: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    me = await _scene(factory)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).code == "PLUGIN_DISABLED"

    bind_engine(second.db.engine)
    await enable_plugin(second, actor=None, member_id=me.member, slug="alpha")
    bind_engine(kernel.db.engine)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).ok()
    bind_engine(second.db.engine)
    await disable_plugin(second, actor=None, member_id=me.member, slug="alpha")
    bind_engine(kernel.db.engine)
    assert (await gql(NOTE, {"m": me.gid}, token=me.token)).code == "PLUGIN_DISABLED"
    assert await enabled_plugins(kernel, me.member) == frozenset()
